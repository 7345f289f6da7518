"""Two nightly releases as their users meet them: the sample inbox with a provincial report,
then with that report corrected and another one added, each built by the real command.

Read the way the dataset card says (its examples run exactly as printed, pandas with its
snippet, DuckDB, the JSONL download with plain ``gzip`` and ``json``), and compared with
``speechcorpus diff``, whose list the second release's report and ``changes.json`` hold.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import schemas
from pipeline.release import parquet
from conftest import PROVINCIAL, REPO, SEED

CHANGED = "2026_宁夏回族自治区_政府工作报告.csv"
ADDED = "2026_云南省_政府工作报告.csv"
#: The correction made to the changed report between the two releases: one paragraph.
BEFORE, AFTER = "粮食总产量达76.28亿斤", "粮食总产量达76.3亿斤"


def _build(inbox, output):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    result = subprocess.run([sys.executable, "-m", "flows.cli", "build", "--input", str(inbox), "--output", str(output)],
                            cwd=REPO, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return (output / "latest").resolve()


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """(output folder, the first release, the second release)."""
    work = tmp_path_factory.mktemp("nightly")
    inbox, output = work / "inbox", work / "output"
    inbox.mkdir()
    shutil.copy(SEED, inbox / SEED.name)
    shutil.copy(PROVINCIAL / CHANGED, inbox / CHANGED)
    first = _build(inbox, output)
    text = (inbox / CHANGED).read_text(encoding="utf-8")
    assert text.count(BEFORE) == 1
    (inbox / CHANGED).write_text(text.replace(BEFORE, AFTER), encoding="utf-8")
    shutil.copy(PROVINCIAL / ADDED, inbox / ADDED)
    second = _build(inbox, output)
    assert first != second
    return output, first, second


def _speeches_of(release, source_path: str) -> list[dict]:
    documents = parquet.read_table(release, "documents").to_pylist()
    doc_ids = {d["doc_id"] for d in documents if d["source_path"] == source_path}
    return [s for s in parquet.read_table(release, "speeches").to_pylist() if s["doc_id"] in doc_ids]


def _diff(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "flows.cli", "diff", *args], cwd=REPO, capture_output=True,
                            text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr[-3000:]
    return result


# 1. The JSONL download is self-contained ------------------------------------------------


def test_each_line_of_the_download_says_where_its_speech_comes_from(releases):
    import duckdb

    _, _, release = releases
    with gzip.open(release / "data" / "speeches.jsonl.gz", "rt", encoding="utf-8") as lines:
        speeches = [json.loads(line) for line in lines]
    documents = {row[0]: row[1:] for row in duckdb.sql(
        f"SELECT doc_id, {', '.join(schemas.DOWNLOAD_DOCUMENT_COLUMNS)} FROM '{release}/data/documents.parquet/*.parquet'").fetchall()}
    assert len(speeches) == parquet.read_table(release, "speeches", columns=["speech_id"]).num_rows
    for speech in speeches:
        document = speech["document"]
        assert list(document) == list(schemas.DOWNLOAD_DOCUMENT_COLUMNS)
        expected = [v.isoformat() if hasattr(v, "isoformat") else v for v in documents[speech["doc_id"]]]
        assert list(document.values()) == expected
    added = next(s["document"] for s in speeches if s["document"]["source_path"] == ADDED)
    # a CSV row's citation: the page it was scraped from, its title and date, its row
    assert added == {"source_path": ADDED, "source_line": 1, "url": "https://www.yn.gov.cn/ywdt/ynyw/202602/t20260203_323801.html",
                     "site": added["site"], "title": "2026年政府工作报告", "published_date": "2026-02-03"}


def test_the_card_says_what_a_line_holds(releases):
    _, _, release = releases
    card = (release / "README.md").read_text(encoding="utf-8")
    says = card.split("Each line of `data/speeches.jsonl.gz` holds", 1)[1].split("## ", 1)[0]
    for name in schemas.DOWNLOAD_DOCUMENT_COLUMNS:
        assert f"| `{name}` |" in says


# 3. Types that need no converting -----------------------------------------------------


def _card_examples(release) -> list[str]:
    card = (release / "README.md").read_text(encoding="utf-8")
    section = card.split("## Loading the data", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


@pytest.mark.parametrize("index", range(3))
def test_every_example_of_the_card_runs_as_printed(releases, index):
    _, _, release = releases
    examples = _card_examples(release)
    assert len(examples) == 3  # pandas, DuckDB, the JSONL download
    result = subprocess.run([sys.executable, "-c", examples[index]], cwd=release, capture_output=True, text=True,
                            env={**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    expected = [["宁夏回族自治区", "2026"], ["2026", CHANGED], ["2026年政府工作报告", "https://www.yn.gov.cn/", "2026-02-03"]]
    for text in expected[index]:
        assert text in result.stdout, (text, result.stdout[-2000:])


def test_pandas_with_the_cards_snippet_keeps_integers_integers(releases, monkeypatch):
    """Nullable integer columns with nulls in this release (the seed's page has no line,
    its speeches' titles stand in the text or not) load as integers, and the metadata as
    a dict per corpus record."""
    _, _, release = releases
    monkeypatch.chdir(release)
    namespace: dict = {}
    exec(_card_examples(release)[0], namespace)  # as printed; it prints the frames too
    for name in ("documents", "speeches"):
        frame = namespace[name]
        for column in schemas.table(name).columns:
            if column.type in (schemas._I32, schemas._I64):
                assert pd.api.types.is_integer_dtype(frame[column.name]), (name, column.name, frame[column.name].dtype)
    documents = namespace["documents"].set_index("source_path")
    assert documents["source_line"].isna()[SEED.name] and documents["source_line"][ADDED] == 1
    assert documents["metadata"][ADDED] == {"province": "云南省", "year": "2026"}
    assert pd.isna(documents["metadata"][SEED.name])


def test_duckdb_reads_a_field_of_the_metadata(releases):
    import duckdb

    _, _, release = releases
    rows = duckdb.sql(f"SELECT source_path, metadata->>'province' FROM '{release}/data/documents.parquet/*.parquet' "
                      "ORDER BY source_path").fetchall()
    assert rows == [(SEED.name, None), (ADDED, "云南省"), (CHANGED, "宁夏回族自治区")]


# 4. What changed since the last release -----------------------------------------------


def test_speechcorpus_diff_lists_exactly_the_added_and_changed_speeches(releases):
    output, first, second = releases
    added, changed = _speeches_of(second, ADDED), _speeches_of(second, CHANGED)
    before = {s["ordinal"]: s["speech_id"] for s in _speeches_of(first, CHANGED)}
    assert added and changed

    listed = json.loads(_diff(str(first), str(second), "--json").stdout)
    assert (listed["old_release"], listed["new_release"]) == (first.name, second.name)
    assert listed["counts"] == {"added": len(added), "removed": 0, "changed": len(changed)}
    assert [e["speech_id"] for e in listed["added"]] == [s["speech_id"] for s in added]
    assert [(e["speech_id"], e["previous_speech_id"]) for e in listed["changed"]] == \
        [(s["speech_id"], before[s["ordinal"]]) for s in changed]  # the file changed: so did the ids
    assert sum(e["paragraphs_differing"] for e in listed["changed"]) == 1  # the one corrected paragraph
    assert all(e["source_path"] == CHANGED for e in listed["changed"])

    # by release ids of an output folder, in words: one line per speech
    text = _diff(first.name, second.name, "--output", str(output)).stdout.splitlines()
    assert text[0] == f"{first.name} → {second.name}: {len(added)} added, 0 removed, {len(changed)} changed speech(es)"
    assert len(text) == 1 + len(added) + len(changed)
    assert all(line.startswith("added ") and ADDED in line for line in text[1:1 + len(added)])
    assert any("1 paragraph(s) differ" in line and f"was {before[1]}" in line for line in text[1 + len(added):])

    # the other way round, the added speeches are removed
    back = json.loads(_diff(second.name, first.name, "--output", str(output), "--json").stdout)
    assert back["counts"] == {"added": 0, "removed": len(added), "changed": len(changed)}


def test_the_release_holds_the_same_list_and_its_report_links_it(releases):
    output, first, second = releases
    held = json.loads((second / "changes.json").read_text(encoding="utf-8"))
    assert held == json.loads(_diff(str(first), str(second), "--json").stdout)
    manifest = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["changes"]["speeches"] == held["counts"]
    assert "changes.json" in manifest["files"] and not (first / "changes.json").exists()
    report = (second / "report.html").read_text(encoding="utf-8")
    (changes,) = re.findall(r'<section id="changes">(.*?)</section>', report, re.S)
    assert '<a href="changes.json">changes.json</a>' in changes
    for entry in held["added"] + held["changed"]:
        assert entry["speech_id"] in changes
    verify = subprocess.run([sys.executable, "-m", "flows.cli", "verify", str(second)], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    assert verify.returncode == 0, verify.stdout[-2000:]

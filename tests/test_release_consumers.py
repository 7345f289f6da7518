"""The release as people use it: built once from the sample inbox by the real command, then
read the way the README tells users to read it (pandas, DuckDB, Hugging Face ``datasets``,
the JSONL download, Croissant), looked at in headless Chromium, and summarised by the CLI.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import schemas
from pipeline.release import parquet
from conftest import REPO

#: Offline and isolated: Hugging Face must not look for a hub, nor share a user cache.
OFFLINE = {"HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


#: Rows per part of the release the loaders read: several parts of the larger tables
#: (136 paragraphs in 4), so that each loader is seen to read every part, in order.
PART_ROWS = 40


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``make run``'s build of data/inbox, in parts of ``PART_ROWS`` rows, under a terminal
    so the progress bar shows."""
    work = tmp_path_factory.mktemp("user")
    env = {**os.environ, "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "160"}
    env.pop("PREFECT_API_URL", None)  # a one-off build needs no server, as for a new user
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "build", "--input", str(REPO / "data" / "inbox"), "--output", str(work / "output"),
         "--part-rows", str(PART_ROWS)],
        cwd=REPO, capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    release = (work / "output" / "latest").resolve()
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    return work, release, manifest, result


def test_a_terminal_build_shows_a_progress_bar_with_counts_and_eta(built):
    *_, result = built
    stderr = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr)
    assert "1/1 files" in stderr and "ETA" in stderr
    for stage in ("process", "enrich", "validate", "publish", "published"):
        assert re.search(rf"^\s*{stage}\s", stderr, re.M) or f"\r{stage} " in stderr, stage


def test_a_build_without_a_terminal_has_no_progress_bar(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "build", "--input", str(REPO / "data" / "inbox"), "--output", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
        env={k: v for k, v in os.environ.items() if k not in ("TTY_COMPATIBLE", "TTY_INTERACTIVE", "FORCE_COLOR")},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "files" not in result.stderr and "ETA" not in result.stderr


def _first_key(name: str) -> str:
    return schemas.table(name).key[0]


def test_the_larger_tables_are_in_several_parts(built):
    _, release, manifest, _ = built
    parts = {name: len(parquet.table_files(release, name)) for name in schemas.TABLES}
    assert parts == {name: max(1, -(-rows // PART_ROWS)) for name, rows in manifest["row_counts"].items()}
    assert parts["paragraphs"] == 4 and parts["rejects"] == 1  # an empty table: one empty part


def test_pandas_reads_every_table_with_the_manifest_row_counts(built):
    import pandas as pd

    _, release, manifest, _ = built
    for name, rows in manifest["row_counts"].items():
        frame = pd.read_parquet(release / "data" / f"{name}.parquet")  # the folder: every part
        assert len(frame) == rows, name
        assert list(frame.columns) == parquet.read_schema(release, name).names
        # every part, in the table's order
        assert frame[_first_key(name)].tolist() == parquet.read_table(release, name).column(_first_key(name)).to_pylist()
    assert manifest["row_counts"]["speeches"] == 6


def test_pyarrow_dataset_reads_every_table_in_order(built):
    import pyarrow.dataset as ds

    _, release, manifest, _ = built
    for name, rows in manifest["row_counts"].items():
        table = ds.dataset(release / "data" / f"{name}.parquet", format="parquet").to_table()
        assert table.num_rows == rows, name
        assert table.equals(parquet.read_table(release, name)), name


def test_code_written_for_one_file_per_table_reads_the_parts(built):
    """The folder of parts has the path the table's one file had (``data/<table>.parquet``):
    what read that file reads every part, in order (harnesses and notebooks written
    before parts)."""
    import duckdb
    import pyarrow.parquet as pq

    _, release, manifest, _ = built
    for name, rows in manifest["row_counts"].items():
        path = release / "data" / f"{name}.parquet"
        assert path.is_dir() and len(parquet.table_files(release, name)) == max(1, -(-rows // PART_ROWS))
        assert pq.read_table(path).equals(parquet.read_table(release, name)), name
        (count,) = duckdb.sql(f"SELECT count(*) FROM '{path}'").fetchall()[0]
        assert count == rows, name


def test_duckdb_queries_the_parquet_files_with_the_manifest_row_counts(built):
    import duckdb

    _, release, manifest, _ = built
    for name, rows in manifest["row_counts"].items():
        (count,) = duckdb.sql(f"SELECT count(*) FROM '{release}/data/{name}.parquet/*.parquet'").fetchall()[0]
        assert count == rows, name
    keys = duckdb.sql(f"SELECT paragraph_id FROM read_parquet('{release}/data/paragraphs.parquet/*.parquet', filename=true, "
                      "file_row_number=true) ORDER BY filename, file_row_number").fetchall()
    assert [k for (k,) in keys] == parquet.read_table(release, "paragraphs").column("paragraph_id").to_pylist()
    joined = duckdb.sql(
        f"SELECT count(*) FROM '{release}/data/paragraphs.parquet/*.parquet' p "
        f"JOIN '{release}/data/speeches.parquet/*.parquet' s USING (speech_id)"
    ).fetchall()[0][0]
    assert joined == manifest["row_counts"]["paragraphs"]  # every paragraph has its speech


def test_hugging_face_datasets_loads_every_config_offline(built, tmp_path, monkeypatch):
    _, release, manifest, _ = built
    for key, value in {**OFFLINE, "HF_HOME": str(tmp_path / "hf")}.items():
        monkeypatch.setenv(key, value)
    from datasets import get_dataset_config_names, load_dataset

    non_empty = {name: rows for name, rows in manifest["row_counts"].items() if rows}
    assert manifest["row_counts"]["rejects"] == 0  # the sample has no reject: it gets no config
    assert sorted(get_dataset_config_names(str(release))) == sorted(non_empty)
    for name, rows in non_empty.items():
        dataset = load_dataset(str(release), name, split="train", cache_dir=str(tmp_path / "cache"))
        assert dataset.num_rows == rows, name
        # every part, in order
        assert dataset[_first_key(name)] == parquet.read_table(release, name).column(_first_key(name)).to_pylist()
    default = load_dataset(str(release), split="train", cache_dir=str(tmp_path / "cache"))
    assert default.num_rows == manifest["row_counts"]["paragraphs"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_mlcroissant_reads_every_table_of_the_release_with_the_manifest_row_counts(built, tmp_path, monkeypatch):
    import mlcroissant as mlc

    _, release, manifest, _ = built
    monkeypatch.setenv("HOME", str(tmp_path))  # mlcroissant may cache under ~; keep it in tmp
    dataset = mlc.Dataset(jsonld=str(release / "croissant.json"))
    for name, rows in manifest["row_counts"].items():
        assert sum(1 for _ in dataset.records(record_set=name)) == rows, name


def test_the_jsonl_download_nests_every_section_and_paragraph(built):
    _, release, manifest, _ = built
    with gzip.open(release / "data" / "speeches.jsonl.gz", "rt", encoding="utf-8") as lines:
        speeches = [json.loads(line) for line in lines]
    assert len(speeches) == manifest["row_counts"]["speeches"]
    assert sum(len(s["paragraphs"]) for s in speeches) == manifest["row_counts"]["paragraphs"]
    assert sum(len(s["sections"]) for s in speeches) == manifest["row_counts"]["sections"]


def _readme_examples() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Reading a release", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


@pytest.mark.parametrize("index", range(5))
def test_every_readme_loader_example_runs_against_the_release(built, index, tmp_path):
    work, release, manifest, _ = built
    examples = _readme_examples()
    assert len(examples) == 5  # pandas, DuckDB, datasets, JSONL, Croissant
    env = {**os.environ, **OFFLINE, "HF_HOME": str(tmp_path / "hf"), "PYTHONIOENCODING": "utf-8"}
    # run as a user would: a fresh interpreter in the folder that holds output/
    result = subprocess.run([sys.executable, "-c", examples[index]], cwd=work, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    titles = parquet.read_table(release, "speeches").column("title").to_pylist()
    assert any(title in result.stdout for title in titles if title) or str(manifest["row_counts"]["paragraphs"]) in result.stdout


def test_the_release_carries_data_docs_for_every_table(built):
    _, release, manifest, _ = built
    docs = release / "validation"
    index = (docs / "index.html").read_text(encoding="utf-8")
    for name in manifest["row_counts"]:
        assert f"{name}_suite" in index
        (page,) = (docs / "validations" / f"{name}_suite").rglob("*.html")
        assert "Succeeded" in page.read_text(encoding="utf-8") or "success" in page.read_text(encoding="utf-8").lower()


def test_every_command_and_option_has_help():
    import argparse

    from flows import cli

    parser = cli.parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(commands.choices) == {"build", "serve", "verify", "inspect", "show", "diff", "prune"}
    listed = {choice.dest: choice.help for choice in commands._choices_actions}
    for name, command in commands.choices.items():
        assert listed[name] and command.description, name
        for action in command._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help and len(action.help) > 15, (name, action.dest)
        out = subprocess.run([sys.executable, "-m", "flows.cli", name, "--help"], cwd=REPO, capture_output=True, text=True)
        assert out.returncode == 0 and command.description.split()[0] in out.stdout, name


def test_errors_are_one_line_with_a_non_zero_exit(tmp_path):
    cases = [
        (["build", "--input", str(tmp_path / "missing")], 2),
        (["verify", str(tmp_path / "missing")], 2),
        (["show", str(tmp_path)], 2),
        (["inspect", str(tmp_path / "missing.txt")], 2),
        (["diff", "no-such-release", "latest", "--output", str(tmp_path)], 2),
    ]
    for args, code in cases:
        out = subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=REPO, capture_output=True, text=True)
        assert out.returncode == code, args
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr, (args, out.stderr)


CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("SPEECHCORPUS_REQUIRE_BROWSER"):  # set by .ci/run, which installs it
        pytest.fail("chromium is not installed")
    pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")


def _open_in_chromium(page: Path, tmp_path: Path, name: str) -> str:
    """The page's DOM after its scripts ran, and a screenshot saved beside it."""
    browser = _chromium()
    common = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000"]
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    shot = tmp_path / f"{name}.png"
    subprocess.run([*common, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=True)
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000  # not a blank page
    return dom.stdout


def test_report_renders_in_chromium_with_its_plots_and_tables(built, tmp_path):
    _, release, manifest, _ = built
    dom = _open_in_chromium(release / "report.html", tmp_path, "report")
    for section in ("summary", "paragraphs-per-speech", "paragraph-length", "noise-by-kind", "noise-by-site",
                    "documents-by-site", "documents-by-year", "duplicates", "validation"):
        assert f'id="{section}"' in dom, section
    plots = re.findall(r'<svg class="plot".*?</svg>', dom, re.S)
    assert len(plots) >= 7 and all("<rect" in plot for plot in plots)
    tables = re.findall(r'<table class="data".*?</table>', dom, re.S)
    counts = next(t for t in tables if "paragraphs" in t and str(manifest["row_counts"]["paragraphs"]) in t)
    for name, rows in manifest["row_counts"].items():
        assert re.search(rf"{name}\s*</t[dh]>\s*<td[^>]*>\s*{rows}\s*<", counts), name


def test_data_docs_index_renders_in_chromium_offline_with_a_row_per_table(built, tmp_path):
    _, release, manifest, _ = built
    dom = _open_in_chromium(release / "validation" / "index.html", tmp_path, "data_docs")
    rows = re.findall(r"<tr\b.*?</tr>", dom, re.S)
    results = [row for row in rows if "validations/" in row]
    with_references = [t.name for t in schemas.TABLES.values() if any(c.references for c in t.columns)]
    with_keys = [t.name for t in schemas.TABLES.values() if len(t.key) > 1 or any(c.unique for c in t.columns)]
    expected = [*manifest["row_counts"], *(f"{name}_references" for name in with_references),
                *(f"{name}_keys" for name in with_keys)]
    shown = [re.search(r"validations/(\w+)_suite/", row).group(1) for row in results]
    # the index pages its table ten rows at a time: every result is in the page's data,
    # the first ten are drawn, and the pager counts them all
    linked = set(re.findall(r"validations/(\w+)_suite/", (release / "validation" / "index.html").read_text(encoding="utf-8")))
    assert linked == set(expected)
    assert len(shown) == min(10, len(expected)) and set(shown) <= set(expected)
    assert f"Showing 1 to {len(shown)} of {len(expected)} rows" in dom
    assert all("fa-check-circle" in row for row in results)  # every table passed, shown with its icon

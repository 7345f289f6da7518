"""`speechcorpus inspect` and `speechcorpus show`: a file as it would be cleaned, a release summary."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

from conftest import REPO, SEED
from pipeline import process, validate
from pipeline.corpus import enrich
from pipeline.release import describe, store


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"})


def test_inspect_shows_the_six_speeches_and_the_removed_banner_lines(gold):
    result = _run("inspect", str(SEED))
    assert result.returncode == 0, result.stderr
    for speech in gold["speeches"]:
        assert speech["title"] in result.stdout
    for banner in ("申明敬告", "文档介绍", "查看更多", "目 录"):
        assert banner in result.stdout
    assert "disclaimer (disclaimer)" in result.stdout and "toc (numbered_toc)" in result.stdout


def test_inspect_json_is_the_tree(gold):
    result = _run("inspect", "--json", str(SEED))
    tree = json.loads(result.stdout)
    (doc,) = tree["documents"]
    assert [s["title"] for s in doc["speeches"]] == [s["title"] for s in gold["speeches"]]
    assert sum(len(s["sections"]) for s in doc["speeches"]) == 62
    kinds = {r["kind"] for r in doc["removals"]}
    assert {"site_header", "disclaimer", "banner", "toc", "page_break_space"} <= kinds


def test_inspect_reports_a_reject_and_a_missing_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert "rejected: empty_file" in _run("inspect", str(empty)).stdout
    missing = _run("inspect", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1


def test_inspect_takes_the_ingest_options_of_build(tmp_path):
    from flows import cli

    def options(command):
        actions = cli.parser()._subparsers._group_actions[0].choices[command]._actions
        return {a.dest for a in actions} - {"help", "json", "file", "input", "output", "full", "runner", "workers",
                                              "dask_address", "cron", "name", "keep", "part_rows"}

    assert options("inspect") == options("build") == {"opencc_profile", "text_field", "rules_dir", "segmenter"}
    (tmp_path / "x.csv").write_text("Title,Body\n标题,同志们：今天召开会议，部署全年工作。\n", encoding="utf-8")
    plain = _run("inspect", str(tmp_path / "x.csv"))
    assert "rejected: no_text_column" in plain.stdout and "--text-field" in plain.stdout
    named = json.loads(_run("inspect", "--json", "--text-field", "body", str(tmp_path / "x.csv")).stdout)
    (doc,) = named["documents"]
    assert doc["title"] == "标题" and doc["script"] == "simplified" and named["rejects"] == []


def test_show_prints_the_manifest_summary(tmp_path):
    enriched = enrich.tables(process.tables([process.batch([SEED], SEED.parent)]))
    report = validate.validate(enriched.tables)
    manifest = describe.manifest("r-show", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), enriched.tables,
                                report.to_dict(), process.BuildConfig())
    store.write_release(tmp_path, "r-show", enriched.tables, manifest, enriched.index)
    result = _run("show", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "release r-show" in result.stdout and "paragraphs" in result.stdout and "136" in result.stdout
    assert "validation: passed" in result.stdout

"""Incremental builds: unchanged files are carried over, and the release is the same as a
full rebuild of the same inbox, byte for byte."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pyarrow.parquet as pq
import pytest

from conftest import PROVINCIAL, SEED
from flows.build import RunParams, build_release
from pipeline.text.rules import RULES_DIR

PROVINCES = ("2026_上海市_政府工作报告.csv", "2026_北京市_政府工作报告.csv", "2026_河北省_政府工作报告.csv")


@pytest.fixture
def inbox(tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    shutil.copy(SEED, box / SEED.name)
    for name in PROVINCES[:2]:
        shutil.copy(PROVINCIAL / name, box / name)
    return box


def _release(out, summary):
    release = out / "releases" / summary["release_id"]
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    return {p.name: p.read_bytes() for p in sorted((release / "data").iterdir())}, manifest


def test_unchanged_inbox_is_carried_over_and_reuses_the_index(harness, inbox, tmp_path):
    out = tmp_path / "out"
    first, _ = _release(out, build_release(RunParams(input_dir=inbox, output_dir=out)))
    second, manifest = _release(out, build_release(RunParams(input_dir=inbox, output_dir=out)))
    assert first == second
    assert manifest["changes"]["files"] == {"added": 0, "changed": 0, "removed": 0, "unchanged": 3}
    dedup = manifest["deduplication"]["stats"]
    assert dedup["signatures_computed"] == 0 and dedup["signatures_reused"] > 0
    # nothing was folded or counted again: carried documents' folds and term counts come from the index
    assert dedup["paragraphs_folded"] == 0
    keywords = manifest["enrichment"]["keywords"]
    assert keywords["speeches_counted"] == 0 and keywords["speeches_reused"] == manifest["row_counts"]["speeches"]
    # every row is the one the first release validated: only keys and references are checked
    checked = {name: (t["rows"], t["rows_checked"]) for name, t in manifest["validation"]["tables"].items()}
    assert checked["paragraphs"][0] > 0 and all(n == 0 for _, n in checked.values())


def test_added_changed_and_removed_files_match_a_full_rebuild(harness, inbox, tmp_path):
    out = tmp_path / "out"
    build_release(RunParams(input_dir=inbox, output_dir=out))
    shutil.copy(PROVINCIAL / PROVINCES[2], inbox / PROVINCES[2])  # added
    (inbox / PROVINCES[0]).unlink()  # removed
    (inbox / "new.txt").write_text("某某会议讲话\n同志们：\n今天召开会议。", encoding="utf-8")  # added
    incremental, manifest = _release(out, build_release(RunParams(input_dir=inbox, output_dir=out)))
    full, _ = _release(tmp_path / "full", build_release(RunParams(input_dir=inbox, output_dir=tmp_path / "full")))
    assert incremental == full
    paragraphs = manifest["validation"]["tables"]["paragraphs"]
    assert 0 < paragraphs["rows_checked"] < paragraphs["rows"]
    changes = manifest["changes"]
    assert sorted(changes["added"]) == sorted(["new.txt", PROVINCES[2]])
    assert changes["removed"] == [PROVINCES[0]] and changes["files"]["unchanged"] == 2
    # only the added documents were folded and counted
    release = out / "latest"
    added = {d["doc_id"] for d in pq.read_table(release / "data" / "documents.parquet").to_pylist()
             if d["source_path"] in changes["added"]}
    speeches = [s for s in pq.read_table(release / "data" / "speeches.parquet").to_pylist() if s["doc_id"] in added]
    paragraphs = [p for p in pq.read_table(release / "data" / "paragraphs.parquet").to_pylist() if p["doc_id"] in added]
    assert manifest["enrichment"]["keywords"]["speeches_counted"] == len(speeches) > 0
    assert manifest["deduplication"]["stats"]["paragraphs_folded"] == len(paragraphs) > 0


def test_a_rule_change_reprocesses_only_its_family(harness, inbox, tmp_path):
    out = tmp_path / "out"
    rules = tmp_path / "rules"
    rules.mkdir()
    build_release(RunParams(input_dir=inbox, output_dir=out, rules_dirs=[rules]))
    family = json.loads((RULES_DIR / "61taotao.json").read_text(encoding="utf-8"))
    family["rules"].append({"name": "never_seen", "kind": "banner", "scope": "line", "pattern": "此行不存在于任何页面"})
    (rules / "61taotao.json").write_text(json.dumps(family, ensure_ascii=False), encoding="utf-8")
    changed, manifest = _release(out, build_release(RunParams(input_dir=inbox, output_dir=out, rules_dirs=[rules])))
    assert manifest["changes"]["changed"] == [SEED.name]
    assert manifest["changes"]["files"]["unchanged"] == 2
    full, _ = _release(tmp_path / "full", build_release(
        RunParams(input_dir=inbox, output_dir=tmp_path / "full", rules_dirs=[rules])))
    assert changed == full


def test_the_speeches_compared_with_the_latest_release_are_the_same_from_the_plan_or_from_disk(harness, inbox, tmp_path):
    """A build compares only the documents it did not carry over, with their previous rows
    from the plan; without them it reads the whole previous release: the same list."""
    from flows.build import _speech_changes
    from pipeline import incremental, process
    from pipeline.process import BuildConfig
    from pipeline.release import store

    out = tmp_path / "out"
    build_release(RunParams(input_dir=inbox, output_dir=out))
    previous = store.latest_release(out)
    text = (inbox / PROVINCES[0]).read_text(encoding="utf-8")
    (inbox / PROVINCES[0]).write_text(text.replace("各位代表：", "各位代表：\n我补充一段话。", 1), encoding="utf-8")
    shutil.copy(PROVINCIAL / PROVINCES[2], inbox / PROVINCES[2])
    plan = incremental.plan(sorted(inbox.iterdir()), inbox, previous, BuildConfig())
    assert plan.replaced is not None
    tables = process.tables([plan.carried, process.batch(plan.process, inbox)])
    from_plan = _speech_changes(previous, plan, tables)
    from_disk = _speech_changes(previous, dataclasses.replace(plan, replaced=None), tables)
    assert from_plan == from_disk
    assert from_plan.counts()["added"] >= 1 and {e.source_path for e in from_plan.added} == {PROVINCES[2]}
    assert {e.source_path for e in from_plan.changed} == {PROVINCES[0]}
    assert sum(e.paragraphs_differing for e in from_plan.changed) == 1 and not from_plan.removed

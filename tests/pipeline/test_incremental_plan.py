"""Incremental planning without Prefect: which files a build processes, which records it
carries over from the previous release, and how the inbox changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import schemas
from conftest import PROVINCIAL, SEED
from pipeline import incremental, process
from pipeline.release import parquet
from pipeline.text.clean import CleanConfig
from pipeline.text.rules import RULES_DIR
from pipeline.text.normalize import NormalizeConfig
from pipeline.process import BuildConfig

BEIJING = "2026_北京市_政府工作报告.csv"


def _release(inbox: Path, folder: Path, config: BuildConfig = BuildConfig()) -> Path:
    """A release folder of the inbox as ``plan`` reads one: the tables and the state index."""
    tables = process.tables([process.batch(sorted(p for p in inbox.rglob("*") if p.is_file()), inbox, config)])
    (folder / "data").mkdir(parents=True)
    (folder / "index").mkdir()
    parquet.write_tables(folder, tables, {}, part_rows=50)  # several parts of the larger tables
    state = incremental.state_table(tables, incremental.fingerprints(config))
    pq.write_table(state, folder / "index" / f"{incremental.STATE}.parquet")
    return folder


@pytest.fixture
def inbox(tmp_path) -> Path:
    box = tmp_path / "inbox"
    box.mkdir()
    shutil.copy(SEED, box / SEED.name)
    shutil.copy(PROVINCIAL / BEIJING, box / BEIJING)
    (box / "empty.txt").write_bytes(b"")
    return box


def _plan(inbox: Path, previous: Path | None, config: BuildConfig = BuildConfig()) -> incremental.Plan:
    return incremental.plan(sorted(p for p in inbox.rglob("*") if p.is_file()), inbox, previous, config)


def test_without_a_previous_release_every_file_is_added_and_processed(inbox):
    plan = _plan(inbox, None)
    assert plan.diff["added"] == sorted([SEED.name, BEIJING, "empty.txt"])
    assert [p.name for p in plan.process] == sorted([SEED.name, BEIJING, "empty.txt"])
    assert plan.carried.documents == 0


def test_an_unchanged_inbox_is_carried_whole_with_the_rows_the_release_holds(inbox, tmp_path):
    previous = _release(inbox, tmp_path / "previous")
    plan = _plan(inbox, previous)
    assert plan.process == [] and plan.diff["unchanged"] == sorted([SEED.name, BEIJING, "empty.txt"])
    assert plan.summary()["files"] == {"added": 0, "changed": 0, "removed": 0, "unchanged": 3}
    fresh = process.tables([process.batch(sorted(inbox.iterdir()), inbox)])
    carried = process.tables([plan.carried])
    for name in schemas.TABLES:
        assert carried[name].equals(fresh[name]), name


def test_added_changed_and_removed_files(inbox, tmp_path):
    previous = _release(inbox, tmp_path / "previous")
    (inbox / "empty.txt").unlink()
    (inbox / SEED.name).write_bytes(SEED.read_bytes() + "\n补充一句。".encode())
    (inbox / "new.txt").write_text("某某会议讲话\n同志们：\n今天召开会议。", encoding="utf-8")
    plan = _plan(inbox, previous)
    assert plan.diff == {"added": ["new.txt"], "changed": [SEED.name], "removed": ["empty.txt"], "unchanged": [BEIJING]}
    assert sorted(p.name for p in plan.process) == sorted(["new.txt", SEED.name])
    documents = plan.carried.tables["documents"].column("source_path").to_pylist()
    assert documents == [BEIJING]
    assert set(plan.carried.tables["paragraphs"].column("doc_id").to_pylist()) == \
        set(plan.carried.tables["documents"].column("doc_id").to_pylist())
    assert plan.carried.tables["rejects"].num_rows == 0  # empty.txt was removed


def test_the_previous_rows_of_documents_not_carried_over_are_kept_when_few(inbox, tmp_path, monkeypatch):
    """What comparing the two releases speech by speech needs of the previous one."""
    previous = _release(inbox, tmp_path / "previous")
    assert all(t.num_rows == 0 for t in _plan(inbox, previous).replaced.values())  # every document carried
    (inbox / SEED.name).write_bytes(SEED.read_bytes() + "\n补充一句。".encode())
    plan = _plan(inbox, previous)
    assert set(plan.replaced) == set(incremental.REPLACED_TABLES)
    assert plan.replaced["documents"].column("source_path").to_pylist() == [SEED.name]
    seed_doc = plan.replaced["documents"].column("doc_id")[0].as_py()
    old_speeches = parquet.read_table(previous, "speeches")
    assert plan.replaced["speeches"].equals(old_speeches.filter(pc.equal(old_speeches.column("doc_id"), seed_doc)))
    assert set(plan.replaced["paragraphs"].column("doc_id").to_pylist()) == {seed_doc}
    monkeypatch.setattr(incremental, "_MOST_REPLACED", 0)  # one document of two is more than a quarter
    assert _plan(inbox, previous).replaced is None


def test_a_setting_that_shapes_every_document_reprocesses_every_file(inbox, tmp_path):
    previous = _release(inbox, tmp_path / "previous")
    plan = _plan(inbox, previous, BuildConfig(normalize=NormalizeConfig(opencc_profile="tw2s")))
    assert plan.diff["changed"] == sorted([SEED.name, BEIJING, "empty.txt"]) and plan.carried.documents == 0


def test_a_site_rule_change_reprocesses_only_that_sites_documents(inbox, tmp_path):
    previous = _release(inbox, tmp_path / "previous")
    rules = tmp_path / "rules"
    rules.mkdir()
    family = json.loads((RULES_DIR / "61taotao.json").read_text(encoding="utf-8"))
    family["rules"].append({"name": "never_seen", "kind": "banner", "scope": "line", "pattern": "此行不存在于任何页面"})
    (rules / "61taotao.json").write_text(json.dumps(family, ensure_ascii=False), encoding="utf-8")
    config = BuildConfig(clean=CleanConfig(rules_dirs=(RULES_DIR, rules)))
    plan = _plan(inbox, previous, config)
    assert plan.diff["changed"] == [SEED.name]  # the seed is a 61taotao page
    assert plan.diff["unchanged"] == sorted([BEIJING, "empty.txt"])


def test_fingerprints_differ_only_for_the_family_whose_rules_changed(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    family = json.loads((RULES_DIR / "61taotao.json").read_text(encoding="utf-8"))
    family["rules"].append({"name": "never_seen", "kind": "banner", "scope": "line", "pattern": "此行不存在于任何页面"})
    (rules / "61taotao.json").write_text(json.dumps(family, ensure_ascii=False), encoding="utf-8")
    before = incremental.fingerprints(BuildConfig())
    after = incremental.fingerprints(BuildConfig(clean=CleanConfig(rules_dirs=(RULES_DIR, rules))))
    assert before.of("61taotao") != after.of("61taotao")
    assert before.of(None) == after.of(None)
    assert all(before.of(site) == after.of(site) for site in before.families if site != "61taotao")


def test_a_duplicate_input_is_decided_again(inbox, tmp_path):
    """Whether a file repeats another depends on the other files: never carried."""
    shutil.copy(SEED, inbox / "copy.txt")
    previous = _release(inbox, tmp_path / "previous")
    plan = _plan(inbox, previous)
    assert "copy.txt" in plan.diff["changed"] and "copy.txt" in [p.name for p in plan.process]
    assert SEED.name in plan.diff["unchanged"]


def test_an_unreadable_file_is_processed_again_so_its_reject_says_why(inbox, tmp_path):
    previous = _release(inbox, tmp_path / "previous")
    (inbox / BEIJING).unlink()
    (inbox / BEIJING).mkdir()  # a path the previous release read that now cannot be read as a file
    (inbox / BEIJING / "inside.txt").write_text("某某会议讲话\n同志们：\n今天召开会议。", encoding="utf-8")
    paths = [inbox / SEED.name, inbox / "empty.txt", inbox / BEIJING]
    plan = incremental.plan(paths, inbox, previous, BuildConfig())
    assert plan.diff["changed"] == [BEIJING] and inbox / BEIJING in plan.process

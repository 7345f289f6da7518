"""Incremental builds: unchanged files are carried over, and the release is the same as a
full rebuild of the same inbox, byte for byte."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil

import pyarrow.parquet as pq
import pytest

from conftest import PROVINCIAL, SEED
from flows import cli
from flows.build import RunParams, build_release
from pipeline.records import sha256_file
from pipeline.release import describe, parquet, verify
from pipeline.text.rules import RULES_DIR
from support.layouts import as_layout_1

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
    return _data_files(release), manifest


def _data_files(release):
    """Every data file of ``release`` (the parts of every table, the download) by path."""
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted((release / "data").rglob("*")) if p.is_file()}


def test_unchanged_inbox_is_carried_over_and_reuses_the_index(harness, inbox, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first, _ = _release(out, build_release(RunParams(input_dir=inbox, output_dir=out)))
    # new code that changes no document's fingerprint: a release is published, and carries everything
    monkeypatch.setattr(describe, "code_sha256", lambda *roots: "0" * 64)
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
    added = {d["doc_id"] for d in parquet.read_table(release, "documents").to_pylist()
             if d["source_path"] in changes["added"]}
    speeches = [s for s in parquet.read_table(release, "speeches").to_pylist() if s["doc_id"] in added]
    paragraphs = [p for p in parquet.read_table(release, "paragraphs").to_pylist() if p["doc_id"] in added]
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
# ------------------------------------------- what a build may reuse of the latest release


def _rewrite(release, relative, table):
    """Replace a file of a published release as an older build would have written it:
    its checksum in the manifest agrees (the release is not damaged, only older)."""
    path = release / relative
    pq.write_table(table, path)
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][relative] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    manifest.get("fingerprints", {})["code"] = "older"  # an older build's code
    (release / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _drop_column(table, name):
    return table.drop_columns([name])


def _other_version(table, name):
    return table.replace_schema_metadata({**(table.schema.metadata or {}), b"index_version": b"0"})


@pytest.mark.parametrize("index, change, column", [
    ("state", _drop_column, "reject_reason"),       # a raw KeyError before
    ("minhash", _drop_column, "folded_sha1"),       # a ConfigError before
    ("terms", _other_version, None),                # silently reused before
    ("jsonl_members", _drop_column, "length"),
], ids=["state-without-reject_reason", "minhash-without-folded_sha1", "terms-of-another-version",
        "jsonl_members-without-length"])
def test_an_index_of_another_version_or_layout_is_ignored_and_recomputed(harness, inbox, tmp_path, index, change,
                                                                          column):
    out = tmp_path / "out"
    first, _ = _release(out, build_release(RunParams(input_dir=inbox, output_dir=out)))
    latest = (out / "latest").resolve()
    relative = f"index/{index}.parquet"
    _rewrite(latest, relative, change(pq.read_table(latest / relative), column))
    second, manifest = _release(out, build_release(RunParams(input_dir=inbox, output_dir=out)))
    assert second == first
    ignored = manifest["previous_release"]["ignored"]
    assert list(ignored) == [relative] and ("index_version" in ignored[relative] or column in ignored[relative])
    assert verify.output(out) == []


def test_full_never_reads_the_previous_release(harness, inbox, tmp_path, monkeypatch):
    """Not its index (an unreadable MinHash index crashed --full), not its tables, not its manifest."""
    out = tmp_path / "out"
    first, _ = _release(out, build_release(RunParams(input_dir=inbox, output_dir=out)))
    latest = (out / "latest").resolve()
    for relative in ("index/minhash.parquet", "index/state.parquet", "data/paragraphs.parquet/part-00000.parquet", "manifest.json"):
        (latest / relative).write_bytes(b"not what it was")
    read = []
    real_read_table = pq.read_table

    def noting_reads(source, *args, **kwargs):
        read.append(str(source))
        return real_read_table(source, *args, **kwargs)

    monkeypatch.setattr(pq, "read_table", noting_reads)
    summary = build_release(RunParams(input_dir=inbox, output_dir=out, incremental=False))
    release = out / "releases" / summary["release_id"]
    assert _data_files(release) == first
    assert not [path for path in read if str(latest) in path]
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert "previous_release" not in manifest and manifest["changes"]["documents_carried_over"] == 0


def _flip_a_character(path):
    """Change one byte of a Parquet file so that it still reads, with one character of
    its text changed (e.g. 除 → 饤, E9 99 A4 → E9 A5 A4): the damage the checksums catch
    and nothing else does. Returns the character before and after."""
    raw = path.read_bytes()
    texts = pq.read_table(path).column("text").to_pylist()
    for match in re.finditer(rb"[\xe4-\xe9][\x80-\xbf][\x80-\xbf]", raw):
        damaged = bytearray(raw)
        damaged[match.start() + 1] ^= 0x3C  # stays a continuation byte: still UTF-8
        if not 0x80 <= damaged[match.start() + 1] <= 0xBF:
            continue
        try:
            changed = pq.read_table(io.BytesIO(bytes(damaged))).column("text").to_pylist()
        except Exception:
            continue
        if changed != texts and all(isinstance(t, str) for t in changed):
            path.write_bytes(bytes(damaged))
            before, after = next((a, b) for a, b in zip(texts, changed) if a != b)
            i = next(i for i, (x, y) in enumerate(zip(before, after)) if x != y)
            return before[i], after[i]
    raise AssertionError("no byte found whose change leaves the file readable")


def test_a_damaged_latest_release_is_not_carried_into_the_next(harness, inbox, tmp_path):
    """One flipped byte in the latest paragraphs used to be carried over: the
    changed character landed in the next release with fresh checksums, and verify passed."""
    out = tmp_path / "out"
    first, _ = _release(out, build_release(RunParams(input_dir=inbox, output_dir=out)))
    damaged = (out / "latest").resolve()
    before, after = _flip_a_character(damaged / "data" / "paragraphs.parquet" / "part-00000.parquet")
    assert before != after
    second, manifest = _release(out, build_release(RunParams(input_dir=inbox, output_dir=out)))
    assert second == first  # every document processed again from the inbox, as --full would
    assert verify.output(out) == []
    assert manifest["previous_release"]["release_id"] == damaged.name
    assert manifest["previous_release"]["damaged"] == ["data/paragraphs.parquet/part-00000.parquet: sha256 differs from the manifest"]
    assert manifest["changes"]["documents_carried_over"] == 0


def test_a_release_written_before_parts_is_carried_over(harness, inbox, tmp_path, monkeypatch):
    """An output folder whose latest release has one file per table (layout 1, before
    parts): the next build reads its tables, carries every unchanged document over, and
    publishes, in parts, what a full build publishes."""
    out = tmp_path / "out"
    build_release(RunParams(input_dir=inbox, output_dir=out))
    old = as_layout_1((out / "latest").resolve())
    assert (old / "data" / "paragraphs.parquet").is_file() and verify.release(old) == []
    monkeypatch.setattr(describe, "code_sha256", lambda *roots: "0" * 64)  # new code, as an upgrade brings
    shutil.copy(PROVINCIAL / PROVINCES[2], inbox / PROVINCES[2])
    files, manifest = _release(out, build_release(RunParams(input_dir=inbox, output_dir=out, part_rows=30)))
    assert manifest["previous_release"] == {"release_id": old.name, "reused": True, "damaged": [], "ignored": {}}
    assert manifest["changes"]["files"] == {"added": 1, "changed": 0, "removed": 0, "unchanged": 3}
    assert manifest["changes"]["documents_carried_over"] == 3 and manifest["changes"]["speeches"]["added"] > 0
    full = build_release(RunParams(input_dir=inbox, output_dir=tmp_path / "full", incremental=False, part_rows=30))
    assert files == _release(tmp_path / "full", full)[0]
    assert "data/paragraphs.parquet/part-00001.parquet" in files
    assert verify.output(out) == []


# --------------------------------------------------------------- unchanged runs, old releases


def test_an_unchanged_run_publishes_nothing_and_says_so(harness, inbox, tmp_path, caplog, capsys):
    """A cron tick with nothing new used to publish another 6.5 MB release."""
    out = tmp_path / "out"
    first = build_release(RunParams(input_dir=inbox, output_dir=out))
    manifest = json.loads((out / "latest" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["fingerprints"]) == {"inputs", "settings", "code"}
    second = build_release(RunParams(input_dir=inbox, output_dir=out))
    assert second["published"] is False and second["release_id"] == first["release_id"]
    assert [p.name for p in (out / "releases").iterdir()] == [first["release_id"]]
    assert f"nothing changed since release {first['release_id']}" in caplog.text
    assert cli.main(["build", "--input", str(inbox), "--output", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"nothing changed since release {first['release_id']}" in said and "nothing published" in said


def test_new_code_publishes_again_carrying_every_document(harness, inbox, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = build_release(RunParams(input_dir=inbox, output_dir=out))
    monkeypatch.setattr(describe, "code_sha256", lambda *roots: "0" * 64)  # another version of the code
    second = build_release(RunParams(input_dir=inbox, output_dir=out))
    assert second["published"] is not False and second["release_id"] != first["release_id"]
    manifest = json.loads((out / "latest" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["fingerprints"]["code"] == "0" * 64
    assert manifest["changes"]["documents_carried_over"] == manifest["row_counts"]["documents"]


def test_releases_share_their_data_docs_assets_and_keep_prunes_old_ones(harness, inbox, tmp_path):
    out = tmp_path / "out"
    first = build_release(RunParams(input_dir=inbox, output_dir=out))
    (inbox / "new.txt").write_text("某某会议讲话\n同志们：\n今天召开会议。", encoding="utf-8")
    second = build_release(RunParams(input_dir=inbox, output_dir=out))
    a, b = (out / "releases" / s["release_id"] / "validation" for s in (first, second))
    inodes = {p.stat().st_ino for p in a.rglob("*") if p.is_file()}
    new = [p for p in b.rglob("*") if p.is_file() and p.stat().st_ino not in inodes]
    assert not [p for p in new if "static" in p.parts], "every static asset is the first release's file"
    assert not list(b.rglob("*.gif")), "GX's unused images are not carried"
    assert verify.output(out) == []
    (inbox / "newer.txt").write_text("某某会议讲话\n同志们：\n明天召开会议。", encoding="utf-8")
    third = build_release(RunParams(input_dir=inbox, output_dir=out, keep=2))
    assert sorted(p.name for p in (out / "releases").iterdir()) == sorted([second["release_id"], third["release_id"]])
    assert verify.output(out) == []

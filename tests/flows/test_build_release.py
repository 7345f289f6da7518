"""The build_release flow end to end, under Prefect's test harness (one temporary server)."""

from __future__ import annotations

import errno
import gc
import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import schemas
from conftest import DATA, REPO, SEED, SEED_SHA256
from flows import cli
from flows.build import RunParams, build_release
from pipeline import process
from pipeline.release import parquet, store, verify
from pipeline.errors import ValidationFailed


@pytest.fixture
def inbox(tmp_path):
    box = tmp_path / "inbox"
    (box / "sub").mkdir(parents=True)
    shutil.copy(SEED, box / SEED.name)
    shutil.copy(SEED, box / "sub" / "copy of seed.txt")
    (box / "empty.txt").write_bytes(b"")
    (box / "short.txt").write_text("某会议讲话\n同志们： 今天召开会议。 一、提高认识 要统一思想。", encoding="gb18030")
    return box


def _build(inbox, output):
    return build_release(RunParams(input_dir=inbox, output_dir=output))


def test_release_layout_manifest_and_rejects(harness, inbox, tmp_path):
    summary = _build(inbox, tmp_path / "out")
    release = (tmp_path / "out" / "latest").resolve()
    assert release.name == summary["release_id"] and release.parent.name == "releases"
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))

    for name, rows in manifest["row_counts"].items():
        assert parquet.read_table(release, name).num_rows == rows
    assert manifest["row_counts"]["speeches"] == 7  # six in the seed, one in short.txt
    assert manifest["validation"]["success"] is True
    # the default engine, jieba-rs where installed, and its version: a release says how it was cut
    assert manifest["config"]["segmenter"] == "rjieba" and manifest["libraries"]["rjieba"] != "not installed"
    assert {i["source_path"]: i["status"] for i in manifest["inputs"]} == {
        SEED.name: "document", "short.txt": "document", "empty.txt": "rejected", "sub/copy of seed.txt": "rejected",
    }
    rejects = parquet.read_table(release, "rejects").to_pylist()
    assert {r["source_path"]: r["reason"] for r in rejects} == {"empty.txt": "empty_file", "sub/copy of seed.txt": "duplicate_input"}
    documents = parquet.read_table(release, "documents").to_pylist()
    assert {d["source_path"]: d["encoding"] for d in documents} == {SEED.name: "utf-8", "short.txt": "gb18030"}
    assert (release / "README.md").read_text(encoding="utf-8").startswith("---\n")
    # one part per table at the default part_rows
    assert set(manifest["files"]) == {f"data/{n}.parquet/part-00000.parquet" for n in manifest["row_counts"]} | {"data/speeches.jsonl.gz"} | {
        "index/state.parquet", "index/minhash.parquet", "index/idf.parquet", "index/terms.parquet",
        "index/jsonl_members.parquet"}


def _data_files(release: Path) -> dict[str, bytes]:
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted((release / "data").rglob("*")) if p.is_file()}


def test_two_builds_give_byte_identical_data_files(harness, inbox, tmp_path):
    files = {}
    for out in ("a", "b"):  # in parts of 20 rows: the larger tables in several
        summary = build_release(RunParams(input_dir=inbox, output_dir=tmp_path / out, part_rows=20))
        files[out] = _data_files(tmp_path / out / "releases" / summary["release_id"])
    assert files["a"].keys() == files["b"].keys() and "data/paragraphs.parquet/part-00003.parquet" in files["a"]
    assert files["a"] == files["b"]
    assert gc.get_freeze_count() == 0  # the build's libraries were left out of collections only while it ran


def test_parts_change_the_layout_only(harness, inbox, tmp_path):
    """The same build in one part per table and in parts of 7 rows holds the same rows,
    ids and values, table by table, and the same download and index."""
    releases = {}
    for out, part_rows in (("whole", 10**9), ("parts", 7)):
        summary = build_release(RunParams(input_dir=inbox, output_dir=tmp_path / out, part_rows=part_rows))
        releases[out] = tmp_path / out / "releases" / summary["release_id"]
    whole, parts = releases["whole"], releases["parts"]
    manifest = json.loads((parts / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["layout"] == {"version": 2, "part_rows": 7}
    for name, rows in manifest["row_counts"].items():
        (one,) = parquet.table_files(whole, name)
        many = parquet.table_files(parts, name)
        assert [p.name for p in many] == [f"part-{n:05d}.parquet" for n in range(max(1, -(-rows // 7)))], name
        expected = pq.read_table(one)
        got = parquet.read_table(parts, name)
        assert got.schema.equals(expected.schema, check_metadata=True), name
        assert got.equals(expected), name  # every row, in order, with every id and value
        key = schemas.table(name).key
        assert got.select(list(key)).to_pylist() == expected.select(list(key)).to_pylist()
        assert all(pq.read_metadata(p).num_rows == 7 for p in many[:-1]), name
    other = {k: v for k, v in _data_files(whole).items() if not k.endswith(".parquet")}
    assert other == {k: v for k, v in _data_files(parts).items() if not k.endswith(".parquet")} and other
    for index in sorted((whole / "index").iterdir()):
        assert index.read_bytes() == (parts / "index" / index.name).read_bytes(), index.name
    assert verify.release(whole) == [] and verify.release(parts) == []


def _corrupting(monkeypatch, corrupt):
    """Make the merged tables of the next build pass through ``corrupt`` first."""
    real_tables = process.tables

    def corrupted(batches, *args):
        tables = real_tables(batches, *args)
        corrupt(tables)
        return tables

    monkeypatch.setattr(process, "tables", corrupted)


def test_a_broken_table_contract_fails_validation_and_no_release_is_published(harness, inbox, tmp_path, monkeypatch):
    """A repeated key is a table-level failure: no document can be set aside for it."""
    good = _build(inbox, tmp_path / "out")

    def repeat_a_paragraph(tables):
        tables["paragraphs"] = pa.concat_tables([tables["paragraphs"], tables["paragraphs"].slice(0, 1)])

    _corrupting(monkeypatch, repeat_a_paragraph)
    (inbox / "new.txt").write_text("某某会议讲话\n同志们：\n今天召开会议。", encoding="utf-8")  # something to publish
    with pytest.raises(ValidationFailed, match="paragraphs.paragraph_id: expect_column_values_to_be_unique"):
        _build(inbox, tmp_path / "out")
    assert gc.get_freeze_count() == 0
    releases = [p.name for p in (tmp_path / "out" / "releases").iterdir()]
    assert releases == [good["release_id"]]
    assert (tmp_path / "out" / "latest").resolve().name == good["release_id"]


def test_a_document_with_a_corrupt_row_is_quarantined_and_the_rest_published(harness, inbox, tmp_path, monkeypatch):
    def page_break_space_in_the_seed(tables):
        paragraphs = tables["paragraphs"]
        text = paragraphs.column("text").to_pylist()
        first_of_the_seed = paragraphs.column("doc_id").to_pylist().index(SEED_SHA256[:16])
        text[first_of_the_seed] = "统筹推进  疫情防控"  # page-break spaces left (one space between phrases is text)
        tables["paragraphs"] = paragraphs.set_column(paragraphs.schema.get_field_index("text"), paragraphs.schema.field("text"), pa.array(text))

    _corrupting(monkeypatch, page_break_space_in_the_seed)
    summary = _build(inbox, tmp_path / "out")
    release = (tmp_path / "out" / "latest").resolve()
    assert release.name == summary["release_id"] and verify.output(tmp_path / "out") == []
    documents = parquet.read_table(release, "documents").column("source_path").to_pylist()
    assert documents == ["short.txt"]
    rejects = {r["source_path"]: r for r in parquet.read_table(release, "rejects").to_pylist()}
    assert rejects[SEED.name]["reason"] == "failed_validation"
    assert "page break space" in rejects[SEED.name]["detail"] and "'统筹推进  疫情防控'" in rejects[SEED.name]["detail"]
    # every row of the seed left every table, and the release passed its suites again without it
    speeches = parquet.read_table(release, "speeches").to_pylist()
    assert len(speeches) == 1 and all(s["duplicate_cluster"] == s["speech_id"] for s in speeches)
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["validation"]["success"] is True
    assert manifest["validation"]["quarantined"]["documents"] == 1
    assert any("page break space" in line for line in manifest["validation"]["quarantined"]["failures"])
    report = (release / "report.html").read_text(encoding="utf-8")
    assert 'id="quarantined"' in report and SEED.name in report.split('id="quarantined"')[1]
    assert "quarantined" in summary["validation"]


#: A page that refused every build (issue 21): normalising punctuation before the URL is
#: removed leaves "下载地址：(PDF)", whose half-width brackets touch Chinese punctuation.
PDF_LINK_PAGE = (
    "<html><head><title>在全省工作会议上的讲话</title></head><body><p>同志们：今天召开会议，部署全年工作。</p>"
    "<p>下载地址: www.example.gov.cn (PDF)<br>各地区各部门要认真贯彻落实会议精神，切实抓好各项工作。</p>"
    "<p>一是抓落实，二是强作风。</p></body></html>"
)


def test_a_page_that_breaks_a_row_expectation_never_stops_the_release(harness, inbox, tmp_path):
    """It is quarantined, or (once punctuation is normalised after URLs are removed) a
    clean document; either way the release is published and verifies."""
    (inbox / "pdf-link.html").write_text(PDF_LINK_PAGE, encoding="utf-8")
    summary = _build(inbox, tmp_path / "out")
    release = (tmp_path / "out" / "latest").resolve()
    assert release.name == summary["release_id"] and verify.output(tmp_path / "out") == []
    documents = parquet.read_table(release, "documents").column("source_path").to_pylist()
    rejects = {r["source_path"]: r for r in parquet.read_table(release, "rejects").to_pylist()}
    assert SEED.name in documents and "short.txt" in documents
    if "pdf-link.html" not in documents:
        assert rejects["pdf-link.html"]["reason"] == "failed_validation"
        assert "half width in chinese" in rejects["pdf-link.html"]["detail"] and "(PDF)" in rejects["pdf-link.html"]["detail"]
        assert "pdf-link.html" in (release / "report.html").read_text(encoding="utf-8").split('id="quarantined"')[1]


def test_an_all_rejected_or_empty_inbox_publishes_nothing_and_exits_non_zero(harness, inbox, tmp_path, capsys):
    """A build pointed at the wrong folder never replaces a good release with an empty one."""
    out = tmp_path / "out"
    first = _build(inbox, out)
    latest = (out / "latest").resolve()
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "empty.txt").write_bytes(b"")
    (wrong / "notes.docx").write_bytes(b"PK\x03\x04 not a text format")
    assert cli.main(["build", "--input", str(wrong), "--output", str(out)]) == 1
    err = capsys.readouterr().err
    assert "nothing published, the latest release is unchanged" in err
    assert "empty.txt: empty_file" in err and "notes.docx: unsupported_format" in err

    (tmp_path / "empty").mkdir()
    assert cli.main(["build", "--input", str(tmp_path / "empty"), "--output", str(out)]) == 1
    assert "the inbox holds no input file" in capsys.readouterr().err
    assert (out / "latest").resolve() == latest
    assert [p.name for p in (out / "releases").iterdir()] == [first["release_id"]]
    assert not [p for p in out.iterdir() if p.name not in {"latest", "releases", "assets", ".lock"}]  # no staging left


def test_paragraph_ids_are_unique_and_stable_across_builds(harness, inbox, tmp_path):
    ids = []
    for out in ("x", "y"):
        summary = _build(inbox, tmp_path / out)
        table = parquet.read_table(tmp_path / out / "releases" / summary["release_id"], "paragraphs")
        assert pc.count_distinct(table.column("paragraph_id")).as_py() == table.num_rows
        ids.append(table.column("paragraph_id").to_pylist())
    assert ids[0] == ids[1]


def test_mixed_inbox_accounts_for_every_input_and_validates(harness, tmp_path):
    """The seed, the three corpus folders, the noise fixtures and broken files in one inbox."""
    box = tmp_path / "mixed"
    for corpus in ("national-reports", "provincial-2026"):
        shutil.copytree(DATA / corpus, box / "corpus" / corpus)
    shutil.copytree(REPO / "tests" / "fixtures" / "noise", box / "fixtures")
    shutil.copy(SEED, box / SEED.name)
    (box / "broken").mkdir()
    (box / "broken" / "empty.txt").write_bytes(b"")
    (box / "broken" / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (box / "broken" / "notes.docx").write_bytes(b"PK\x03\x04 not a text format")
    (box / "broken" / "gb18030.txt").write_bytes("在全县工作会议上的讲话\n同志们：\n今天召开会议，部署全年工作。".encode("gb18030"))
    (box / "broken" / "utf16.txt").write_bytes("在全县工作会议上的讲话\n同志们：\n今天召开会议，部署全年工作。".encode("utf-16"))
    (box / "broken" / "page.html").write_text(
        "<html><head><title>讲话</title><script>var x = 1;</script></head><body><p>同志们：</p>"
        "<p>今天召开会议，部署全年工作。</p><p>一是抓落实，二是强作风。</p></body></html>", encoding="utf-8")

    summary = build_release(RunParams(input_dir=box, output_dir=tmp_path / "out"))
    release = tmp_path / "out" / "releases" / summary["release_id"]
    documents = parquet.read_table(release, "documents").to_pylist()
    rejects = parquet.read_table(release, "rejects").to_pylist()
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))

    files = sorted(p.relative_to(box).as_posix() for p in box.rglob("*") if p.is_file())
    seen = {d["source_path"] for d in documents} | {r["source_path"] for r in rejects}
    assert set(files) == seen
    assert all(r["reason"] and r["detail"] for r in rejects)
    by_file = {}
    for d in documents:
        by_file.setdefault(d["source_path"], []).append(d)
    assert len(by_file["corpus/national-reports/government_work_reports.jsonl"]) == 9
    assert len(by_file["corpus/national-reports/cpc_congress_reports.jsonl"]) == 3  # + the 七大 stub: no_body
    assert sum(1 for f in by_file if f.startswith("corpus/provincial-2026/")) == 5
    assert {r["source_path"]: r["reason"] for r in rejects if r["source_path"].startswith("broken/")} == {
        "broken/empty.txt": "empty_file", "broken/binary.txt": "undecodable", "broken/notes.docx": "unsupported_format",
    }
    assert {d["source_path"]: d["encoding"] for d in documents if d["source_path"].startswith("broken/")} == {
        "broken/gb18030.txt": "gb18030", "broken/utf16.txt": "utf-16", "broken/page.html": "utf-8",
    }
    assert manifest["validation"]["success"] is True
    assert manifest["row_counts"]["documents"] == len(documents) and manifest["row_counts"]["rejects"] == len(rejects)


def _latest_data_files(output):
    return _data_files((output / "latest").resolve())


def test_transient_io_errors_are_retried_without_duplicating_records(harness, inbox, tmp_path, monkeypatch):
    reference = _build(inbox, tmp_path / "reference")
    real_open, real_fsync = os.open, store._fsync_tree
    failures = {"read": 0, "publish": 0}

    def open_times_out_once_on_the_seed(path, flags, *args, **kwargs):
        if Path(path).name == SEED.name and not failures["read"]:
            failures["read"] += 1
            raise OSError(errno.ETIMEDOUT, "Connection timed out", str(path))
        return real_open(path, flags, *args, **kwargs)

    def fsync_busy_once(folder):
        real_fsync(folder)  # everything written, then the disk is busy: staging must go
        if not failures["publish"]:
            failures["publish"] += 1
            raise OSError(errno.EBUSY, "Device or resource busy")

    monkeypatch.setattr(os, "open", open_times_out_once_on_the_seed)
    monkeypatch.setattr(store, "_fsync_tree", fsync_busy_once)
    summary = _build(inbox, tmp_path / "out")
    assert failures == {"read": 1, "publish": 1}
    assert summary["row_counts"] == reference["row_counts"]
    assert _latest_data_files(tmp_path / "out") == _latest_data_files(tmp_path / "reference")
    assert [p.name for p in (tmp_path / "out" / "releases").iterdir()] == [summary["release_id"]]  # no staging left


def test_when_writing_ahead_of_validation_fails_publishing_writes_the_data_files(harness, inbox, tmp_path, monkeypatch):
    reference = _build(inbox, tmp_path / "reference")
    real_folder, calls = store.data_folder, []

    def full_disk_on_the_first_try(folder, tables):
        calls.append(Path(folder).name)
        if len(calls) == 1:
            Path(folder).mkdir()
            (Path(folder) / "data").mkdir()  # half written, as a full disk leaves it
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_folder(folder, tables)

    monkeypatch.setattr(store, "data_folder", full_disk_on_the_first_try)
    summary = _build(inbox, tmp_path / "out")
    assert calls[0].startswith(".tmp-data-") and calls[1].startswith(".tmp-" + summary["release_id"])
    assert _latest_data_files(tmp_path / "out") == _latest_data_files(tmp_path / "reference")
    assert summary["row_counts"] == reference["row_counts"]
    assert [p.name for p in (tmp_path / "out" / "releases").iterdir()] == [summary["release_id"]]  # no staging left


def test_a_bug_is_not_retried(harness, inbox, tmp_path, monkeypatch):
    calls = []

    def broken(paths, inbox, config, terms=None):
        calls.append(paths)
        raise KeyError("a bug, not the disk")

    monkeypatch.setattr(process, "batch", broken)
    with pytest.raises(KeyError):
        _build(inbox, tmp_path / "out")
    assert len(calls) == 1
    assert not (tmp_path / "out" / "latest").exists()


def test_the_run_carries_the_release_summary_as_a_markdown_artifact(harness, inbox, tmp_path):
    from prefect.artifacts import Artifact

    summary = _build(inbox, tmp_path / "out")
    artifact = Artifact.get("release-summary")
    assert artifact is not None and artifact.type == "markdown"
    text = artifact.data
    assert summary["release_id"] in text and "Validation **passed**" in text
    for name, rows in summary["row_counts"].items():
        assert f"| {name} | {rows} |" in text
    assert "| duplicate_input | 1 |" in text and "| empty_file | 1 |" in text
    assert "| page_break_space | 38 | 38 |" in text  # the seed's 38 page-break spaces


def test_the_assembled_tables_are_files_mapped_by_the_flow(tmp_path):
    """``assemble_tables`` holds each sorted table as a file of its folder, mapped: the same
    tables as ``process.tables``, none of them in Arrow's memory."""
    from flows.build import assemble_tables
    from pipeline.records import MappedTables

    batches = [process.batch([SEED], SEED.parent)]
    plain = process.tables(batches)
    allocated = pa.total_allocated_bytes()
    tables = assemble_tables.fn(batches, MappedTables(tmp_path / "tables", piece_rows=4))
    assert pa.total_allocated_bytes() - allocated < sum(t.nbytes for t in plain.values()) // 10
    assert tables == plain
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == sorted(f"{n}.arrow" for n in schemas.TABLES)


def test_the_pages_of_mapped_tables_are_handed_back_after_each_data_file(tmp_path, monkeypatch):
    """``write_data_files`` calls ``release`` once each file is closed and each Parquet row
    group written, with the same files as without it."""
    import concurrent.futures

    from flows.build import Comparison, write_data_files

    tables = process.tables([process.batch([SEED], SEED.parent)])
    done = concurrent.futures.Future()
    done.set_result(Comparison())
    released = []
    write_data_files(tmp_path / "a", tables, {}, done, part_rows=5, release=lambda: released.append(1))
    write_data_files(tmp_path / "b", tables, {}, done, part_rows=5)
    assert _data_files(tmp_path / "a") == _data_files(tmp_path / "b")
    files = [p for p in (tmp_path / "a").rglob("*") if p.is_file() and p.parent.name != "a"]  # not the file list
    groups = sum(-(-table.num_rows // 5) for table in tables.values())  # a part of 5 rows is one group
    assert len(released) == len(files) + groups > len(schemas.TABLES)  # once per file and per row group

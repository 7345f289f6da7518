"""Publishing a release (pipeline.release: store, parquet, card): layout, reproducible bytes, round trips, atomicity."""

from __future__ import annotations

import datetime as dt
import gzip
import errno
import json
import os
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

import schemas
from pipeline import records
from pipeline.release import card, jsonl, lines, parquet, store
from pipeline.records import Document, Paragraph, Removal, Section, Speech, stable_id
from schemas import layout

SHA = "ab" * 32
DOC = SHA[:16]
SPEECH = stable_id(DOC, 0)
SEC1, SEC2 = stable_id(DOC, 10), stable_id(DOC, 40)
PAR1, PAR2 = stable_id(DOC, 20), stable_id(DOC, 50)
TEXT1 = "我们要坚持以人民为中心的发展思想。"
TEXT2 = "全面推进乡村振兴，加快建设农业强国。"


def _tables() -> dict[str, pa.Table]:
    doc = Document(
        doc_id=DOC, source_path="inbox/讲话.txt", source_sha256=SHA, source_bytes=400,
        encoding="gb18030", site="doc88", title="在全县工作会议上的讲话",
        published_date=dt.date(2024, 3, 1), page_count=2, declared_size="37.5 KB",
        declared_speech_count=None, speech_count=1, paragraph_count=2, char_count=120,
        removed_char_count=8, segmentation="single", status="ok", converted_char_count=0, script="simplified",
        source_line=None, format="txt", url=None, flags=(), metadata=None,
    )
    speech = Speech(
        speech_id=SPEECH, doc_id=DOC, ordinal=1, title="在全县工作会议上的讲话", genre="讲话",
        text=f"一、坚持人民至上\n{TEXT1}\n二、推进乡村振兴\n{TEXT2}", char_count=54,
        section_count=2, paragraph_count=2, token_count=14, duplicate_of=None,
        source_start=0, source_end=100, title_source_start=None, title_source_end=None,
        speaker=None, delivered_on=None, occasion=None, occasion_type=None, salutation=None, placeholder_count=0,
        keywords=(), duplicate_kind=None, duplicate_score=None, duplicate_cluster=SPEECH,
    )
    sections = [
        # Listed out of order on purpose: the writers must not depend on input order.
        Section(SEC2, SPEECH, DOC, None, 1, 2, "二、", "推进乡村振兴", False, 40, 48),
        Section(SEC1, SPEECH, DOC, None, 1, 1, "一、", "坚持人民至上", False, 10, 18),
    ]
    paragraphs = [
        Paragraph(PAR2, SPEECH, SEC2, DOC, 2, TEXT2, len(TEXT2),
                  ("全面", "推进", "乡村", "振兴", "，", "加快", "建设", "农业", "强国", "。"), 10, (), 0, (), None, None, None, 50, 68),
        Paragraph(PAR1, SPEECH, SEC1, DOC, 1, TEXT1, len(TEXT1),
                  ("我们", "要", "坚持", "以人民为中心", "的", "发展", "思想", "。"), 8, (), 0, (), None, None, None, 20, 37),
    ]
    removal = Removal(DOC, "site_header", "doc88_header", 0, 8, "道客巴巴文档")
    return {
        "documents": records.to_arrow("documents", [doc]),
        "speeches": records.to_arrow("speeches", [speech]),
        "sections": records.to_arrow("sections", sections),
        "paragraphs": records.to_arrow("paragraphs", paragraphs),
        "removals": records.to_arrow("removals", [removal]),
        "rejects": records.to_arrow("rejects", []),
    }


def _manifest(release_id: str) -> dict:
    return {
        "release_id": release_id,
        "created_at": "2026-05-01T00:00:00+00:00",
        "pipeline_version": "0.1.0",
        "libraries": {"pyarrow": pa.__version__},
        "removals_by_kind": {"site_header": 1},
        "validation": {"success": True, "expectations": 42},
    }


@pytest.fixture
def tables() -> dict[str, pa.Table]:
    return _tables()


def _data_files(release: Path) -> dict[str, bytes]:
    return {
        p.relative_to(release).as_posix(): p.read_bytes()
        for p in sorted((release / "data").rglob("*")) if p.is_file()
    }


def test_write_release_layout(tmp_path, tables):
    given = _manifest("2026.05.01")
    release = store.write_release(tmp_path, "2026.05.01", tables, given)

    assert release == tmp_path / "releases" / "2026.05.01"
    names = sorted(p.relative_to(release / "data").as_posix() for p in (release / "data").rglob("*") if p.is_file())
    # one part per table at the default part_rows, an empty table's too
    assert names == sorted([f"{t}.parquet/part-00000.parquet" for t in schemas.TABLES] + ["speeches.jsonl.gz"])
    assert (release / "README.md").is_file()
    latest = tmp_path / "latest"
    assert latest.is_symlink()
    assert os.readlink(latest) == "releases/2026.05.01"
    assert latest.resolve() == release.resolve()

    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    # the download's members index is written with every release, for the next build
    assert list(manifest["files"]) == sorted(_data_files(release)) + ["index/jsonl_members.parquet"]
    for rel, meta in manifest["files"].items():
        on_disk = (release / rel).read_bytes()
        assert meta["bytes"] == len(on_disk)
        assert meta["sha256"] == store.sha256_file(release / rel)
    assert manifest["row_counts"] == {
        "documents": 1, "speeches": 1, "sections": 2, "paragraphs": 2, "removals": 1, "rejects": 0,
    }
    assert manifest["layout"] == {"version": layout.LAYOUT_VERSION, "part_rows": layout.PART_ROWS}
    # The caller's fields come first and in order; the caller's dict is left alone.
    assert list(manifest)[: len(given)] == list(given)
    assert "files" not in given and "row_counts" not in given
    assert not list((tmp_path / "releases").glob(".tmp-*"))


def test_data_files_are_byte_identical_across_releases(tmp_path, tables):
    a = store.write_release(tmp_path / "a", "r1", tables, _manifest("r1"))
    b = store.write_release(tmp_path / "b", "r2", _tables(), _manifest("r2"))
    assert _data_files(a) == _data_files(b)


def test_data_files_written_ahead_are_moved_in_unchanged(tmp_path, tables):
    index = {"idf": pa.table({"word": ["发展"], "idf": [1.5]})}
    direct = store.write_release(tmp_path / "a", "r1", tables, _manifest("r1"), index)
    ahead = store.write_data_files(store.staging_path(tmp_path / "b", "data"), tables, index)
    moved = store.write_release(tmp_path / "b", "r1", tables, _manifest("r1"), data_files=ahead)
    assert _data_files(moved) == _data_files(direct)
    assert (moved / "index" / "idf.parquet").read_bytes() == (direct / "index" / "idf.parquet").read_bytes()
    assert (moved / "manifest.json").read_text() == (direct / "manifest.json").read_text()
    assert sorted(p.name for p in (tmp_path / "b" / "releases").iterdir()) == ["r1"]  # the folder is gone
    with pytest.raises(ValueError, match="write_data_files"):
        store.write_release(tmp_path / "c", "r1", tables, _manifest("r1"), index, data_files=ahead)


def test_index_tables_carry_no_statistics(tmp_path, tables):
    index = {"idf": pa.table({"word": ["发展", "改革"], "idf": [1.5, 2.5]})}
    ahead = store.write_data_files(store.staging_path(tmp_path, "data"), tables, index)
    for path in (ahead / "index").glob("*.parquet"):
        meta = pq.ParquetFile(path).metadata
        assert meta.num_rows and not any(meta.row_group(0).column(i).is_stats_set for i in range(meta.num_columns)), path.name
    assert pq.read_table(ahead / "index" / "idf.parquet").equals(index["idf"])


def test_files_written_ahead_are_not_hashed_again(tmp_path, tables, monkeypatch):
    index = {"idf": pa.table({"word": ["发展"], "idf": [1.5]}), "terms": pa.table({"speech_id": ["a"], "count": [2]})}
    direct = store.write_release(tmp_path / "a", "r1", tables, _manifest("r1"), index)
    ahead = store.write_data_files(store.staging_path(tmp_path / "b", "data"), tables, index)
    hashed = []
    monkeypatch.setattr(store, "sha256_file", lambda path: hashed.append(path) or "")
    moved = store.write_release(tmp_path / "b", "r1", tables, _manifest("r1"), data_files=ahead)
    assert hashed == []
    assert {"index/idf.parquet", "index/terms.parquet", "data/speeches.jsonl.gz"} <= set(json.loads((moved / "manifest.json").read_text())["files"])
    assert json.loads((moved / "manifest.json").read_text())["files"] == json.loads((direct / "manifest.json").read_text())["files"]
    assert not (moved / "files.json").exists() and not ahead.exists()


def test_a_failed_publish_gives_back_the_data_files_written_ahead(tmp_path, tables, monkeypatch):
    ahead = store.write_data_files(store.staging_path(tmp_path, "data"), tables)
    written = sorted(p.relative_to(ahead).as_posix() for p in ahead.rglob("*"))

    def disk_busy(folder):
        raise OSError(errno.EBUSY, "Device or resource busy")

    monkeypatch.setattr(store, "_fsync_tree", disk_busy)
    with pytest.raises(OSError, match="busy"):
        store.write_release(tmp_path, "r1", tables, _manifest("r1"), data_files=ahead)
    assert sorted(p.relative_to(ahead).as_posix() for p in ahead.rglob("*")) == written  # a retry has them
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == [ahead.name]


def test_write_parquet_twice_gives_the_same_bytes(tmp_path, tables):
    parquet.write_parquet(tables["paragraphs"], tmp_path / "1.parquet", "paragraphs")
    parquet.write_parquet(tables["paragraphs"], tmp_path / "2.parquet", "paragraphs")
    assert (tmp_path / "1.parquet").read_bytes() == (tmp_path / "2.parquet").read_bytes()


def test_write_parquet_writes_a_row_group_at_a_time_whatever_the_chunks(tmp_path, tables, monkeypatch):
    """Row groups of ``ROW_GROUP_ROWS`` written one by one, ``row_group_written`` after
    each (a mapped table's pages are handed back there); the bytes do not depend on how the
    table is chunked (Parquet's pages follow the chunks it is given: each group is given
    as one)."""
    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 2)
    table = pa.concat_tables([tables["paragraphs"]] * 4).combine_chunks()
    chunked = pa.concat_tables([table.slice(0, 3), table.slice(3, 2), table.slice(5)])
    groups = []
    parquet.write_parquet(table, tmp_path / "one.parquet", "paragraphs")
    parquet.write_parquet(chunked, tmp_path / "chunked.parquet", "paragraphs", lambda: groups.append(1))
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "chunked.parquet").read_bytes()
    metadata = pq.read_metadata(tmp_path / "chunked.parquet")
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == \
        [2] * (table.num_rows // 2) + [1] * (table.num_rows % 2)
    assert len(groups) == metadata.num_row_groups > 2
    assert pq.read_table(tmp_path / "chunked.parquet").equals(table.cast(schemas.PARAGRAPHS.arrow_schema()))


def test_round_trip(tmp_path, tables):
    release = store.write_release(tmp_path, "r1", tables, _manifest("r1"))

    for name, table in tables.items():
        back = parquet.read_table(release, name)
        declared = schemas.table(name).arrow_schema()
        assert back.equals(table)
        assert back.schema.equals(declared)
        assert back.schema.metadata == declared.metadata
        for field in declared:
            assert back.schema.field(field.name).metadata == field.metadata, field.name
        assert b"doc" in back.schema.field(schemas.table(name).columns[0].name).metadata

    raw = gzip.decompress((release / "data" / "speeches.jsonl.gz").read_bytes())
    text = raw.decode("utf-8")
    assert "\\u" not in text and TEXT1 in text
    lines = text.splitlines()
    assert len(lines) == 1 and text.endswith("\n")
    speech = json.loads(lines[0])
    assert list(speech) == schemas.SPEECHES.column_names + ["document", "sections", "paragraphs"]
    assert speech["speech_id"] == SPEECH
    document = tables["documents"].to_pylist()[0]
    assert speech["document"] == {**{k: document[k] for k in schemas.DOWNLOAD_DOCUMENT_COLUMNS},
                                  "published_date": "2024-03-01"}
    assert [s["ordinal"] for s in speech["sections"]] == [1, 2]
    assert [s["section_id"] for s in speech["sections"]] == [SEC1, SEC2]
    assert [p["text"] for p in speech["paragraphs"]] == [TEXT1, TEXT2]
    assert speech["paragraphs"][0]["tokens"] == ["我们", "要", "坚持", "以人民为中心", "的", "发展", "思想", "。"]
    for item in speech["sections"] + speech["paragraphs"]:
        assert "speech_id" not in item and "doc_id" not in item
    assert list(speech["paragraphs"][0]) == [
        c for c in schemas.PARAGRAPHS.column_names if c not in ("speech_id", "doc_id")
    ]


def test_jsonl_records_group_by_speech_in_ordinal_order(tables):
    other = stable_id(DOC, 99)
    speeches = pa.concat_tables([
        tables["speeches"],
        records.to_arrow("speeches", [Speech(other, DOC, 2, None, None, None, None, None, None, None, "甲", 1, 0, 1, 1, 0, (), None, None, None, other, 99, 120, None, None)]),
    ])
    paragraphs = pa.concat_tables([
        records.to_arrow("paragraphs", [Paragraph(stable_id(DOC, 100), other, None, DOC, 1, "甲", 1, ("甲",), 1, (), 0, (), None, None, None, 100, 101)]),
        tables["paragraphs"].take([1, 0]),  # reversed ordinals, after the other speech
    ])
    tabs = dict(tables, speeches=speeches, paragraphs=paragraphs)
    recs = list(jsonl.records(tabs))
    assert [r["speech_id"] for r in recs] == [SPEECH, other]
    assert [p["ordinal"] for p in recs[0]["paragraphs"]] == [1, 2]
    assert [p["text"] for p in recs[1]["paragraphs"]] == ["甲"]
    assert recs[1]["sections"] == []


def test_jsonl_dates_are_iso_strings():
    assert lines._python_values(pa.chunked_array([[dt.date(2024, 3, 1), None]])) == ["2024-03-01", None]


def test_refuses_an_existing_release_and_leaves_it_intact(tmp_path, tables):
    release = store.write_release(tmp_path, "r1", tables, _manifest("r1"))
    before = {p: p.read_bytes() for p in release.rglob("*") if p.is_file()}
    with pytest.raises(FileExistsError, match="r1"):
        store.write_release(tmp_path, "r1", tables, _manifest("r1"))
    assert {p: p.read_bytes() for p in release.rglob("*") if p.is_file()} == before
    assert not list((tmp_path / "releases").glob(".tmp-*"))
    assert os.readlink(tmp_path / "latest") == "releases/r1"


def test_failure_mid_write_leaves_nothing_and_latest_unmoved(tmp_path, tables, monkeypatch):
    store.write_release(tmp_path, "r1", tables, _manifest("r1"))

    def boom(tables, path, reuse=None):
        Path(path).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(jsonl, "write", boom)
    with pytest.raises(OSError, match="disk full"):
        store.write_release(tmp_path, "r2", tables, _manifest("r2"))
    assert not (tmp_path / "releases" / "r2").exists()
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == ["r1"]
    assert os.readlink(tmp_path / "latest") == "releases/r1"
    assert not list(tmp_path.glob(".latest-*"))


def test_latest_moves_to_the_newest_release(tmp_path, tables):
    store.write_release(tmp_path, "r1", tables, _manifest("r1"))
    store.write_release(tmp_path, "r2", tables, _manifest("r2"))
    assert os.readlink(tmp_path / "latest") == "releases/r2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "releases"]


@pytest.mark.parametrize(
    "release_id", ["", ".tmp-x", "../escape", "a/b", "with space", "latest\n"],
)
def test_rejects_unsafe_release_ids(tmp_path, tables, release_id):
    with pytest.raises(ValueError, match="release id"):
        store.write_release(tmp_path, release_id, tables, _manifest(release_id))
    assert not tmp_path.joinpath("releases").exists()


def test_refuses_a_manifest_for_another_release(tmp_path, tables):
    with pytest.raises(ValueError, match="differs"):
        store.write_release(tmp_path, "r1", tables, _manifest("r0"))


def test_clean_stale_staging(tmp_path, tables):
    store.write_release(tmp_path, "r1", tables, _manifest("r1"))
    stale = tmp_path / "releases" / ".tmp-r2-deadbeef"
    (stale / "data").mkdir(parents=True)
    (stale / "data" / "x.parquet").write_bytes(b"half")
    link = tmp_path / ".latest-cafe"
    link.symlink_to("releases/r2")
    assert store.clean_stale_staging(tmp_path) == sorted([stale, link])
    assert not stale.exists() and not link.is_symlink()
    assert (tmp_path / "releases" / "r1" / "manifest.json").is_file()
    assert os.readlink(tmp_path / "latest") == "releases/r1"
    assert store.clean_stale_staging(tmp_path) == []


def test_write_parquet_names_the_missing_column(tmp_path, tables):
    broken = tables["paragraphs"].drop_columns(["token_count"])
    with pytest.raises(ValueError, match="token_count: missing"):
        parquet.write_parquet(broken, tmp_path / "p.parquet", "paragraphs")
    assert not (tmp_path / "p.parquet").exists()


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda t: t.set_column(4, pa.field("ordinal", pa.int64(), nullable=False),
                                t.column("ordinal").cast(pa.int64())), "ordinal: type int64"),
        (lambda t: t.append_column("extra", pa.array([1, 2])), "extra: not in the schema"),
        (lambda t: t.select(["speech_id", "paragraph_id"] + t.column_names[2:]), "column order"),
        (lambda t: t.cast(pa.schema([f.with_nullable(True) for f in t.schema]))
         .set_column(2, pa.field("section_id", pa.string()), pa.array([None, None], pa.string()))
         .set_column(5, pa.field("text", pa.string()), pa.array([None, "x"], pa.string())),
         "nullable=True"),
    ],
    ids=["type", "extra", "order", "nullability"],
)
def test_write_parquet_names_other_mismatches(tmp_path, tables, mutate, message):
    with pytest.raises(ValueError, match=message):
        parquet.write_parquet(mutate(tables["paragraphs"]), tmp_path / "p.parquet", "paragraphs")


def test_write_parquet_refuses_nulls_in_a_not_null_column(tmp_path, tables):
    t = tables["paragraphs"]
    i = t.schema.get_field_index("text")
    broken = pa.Table.from_arrays(
        [pa.array([None, "x"], pa.string()) if j == i else c for j, c in enumerate(t.columns)],
        schema=t.schema,
    )
    with pytest.raises(ValueError, match="text: declared not null but holds 1 null"):
        parquet.write_parquet(broken, tmp_path / "p.parquet", "paragraphs")


def test_write_parquet_replaces_foreign_metadata(tmp_path, tables):
    t = tables["documents"].replace_schema_metadata({"pandas": "{}", "created": "now"})
    parquet.write_parquet(t, tmp_path / "d.parquet", "documents")
    parquet.write_parquet(tables["documents"], tmp_path / "e.parquet", "documents")
    assert (tmp_path / "d.parquet").read_bytes() == (tmp_path / "e.parquet").read_bytes()


def test_dictionary_encoding_only_for_low_cardinality_columns(tmp_path, tables):
    parquet.write_parquet(tables["paragraphs"], tmp_path / "p.parquet", "paragraphs")
    meta = pq.ParquetFile(tmp_path / "p.parquet").metadata.row_group(0)
    encoded = {
        meta.column(i).path_in_schema: "RLE_DICTIONARY" in meta.column(i).encodings
        for i in range(meta.num_columns)
    }
    assert encoded["speech_id"] and encoded["doc_id"] and encoded["tokens.list.element"]
    assert not encoded["text"] and not encoded["paragraph_id"] and not encoded["flags.list.element"]
    assert pq.read_table(tmp_path / "p.parquet").column("tokens").equals(tables["paragraphs"].column("tokens"))
    assert meta.column(0).compression == "ZSTD" and meta.column(0).is_stats_set


def test_statistics_for_every_column_but_free_text_and_tokens(tmp_path, tables):
    parquet.write_parquet(tables["paragraphs"], tmp_path / "p.parquet", "paragraphs")
    meta = pq.ParquetFile(tmp_path / "p.parquet").metadata.row_group(0)
    with_statistics = {meta.column(i).path_in_schema: meta.column(i).is_stats_set for i in range(meta.num_columns)}
    assert not with_statistics["text"] and not with_statistics["tokens.list.element"]
    assert {path for path, present in with_statistics.items() if not present} == {"text", "tokens.list.element"}
    ordinals = meta.column(list(with_statistics).index("ordinal")).statistics
    assert (ordinals.min, ordinals.max) == tuple(pc.min_max(tables["paragraphs"].column("ordinal")).as_py().values())


def _card(tmp_path, tables, manifest) -> str:
    release = store.write_release(tmp_path, manifest["release_id"], tables, manifest)
    return (release / "README.md").read_text(encoding="utf-8")


def test_dataset_card(tmp_path, tables):
    manifest = _manifest("r1")
    manifest["removals_by_kind"] = {"site_header": 3, "a|b\nc": 1}
    card = _card(tmp_path, tables, manifest)

    assert card.startswith("---\n")
    front = yaml.safe_load(card.split("---\n")[1])
    assert front["language"] == ["zh"]
    assert front["license"] == "other"
    assert "Article 5" in front["license_details"]
    assert front["size_categories"] == ["n<1K"]
    assert front["configs"] == [
        {"config_name": t, "data_files": f"data/{t}.parquet/*.parquet", **({"default": True} if t == "paragraphs" else {})}
        for t in schemas.TABLES if tables[t].num_rows
    ]
    assert any(not tables[t].num_rows for t in schemas.TABLES)  # an empty table gets no config
    assert "jsonl" not in card.split("---\n")[1]
    for t in schemas.TABLES.values():
        assert f"### `{t.name}`" in card
        for c in t.columns:
            assert f"| `{c.name}` | `{c.type}` |" in card, c.name
    assert "| a\\|b<br>c | 1 |" in card
    assert "| site_header | 3 |" in card
    assert "`r1`" in card.split("## How to cite")[1]
    assert "sha256" in card and json.loads((tmp_path / "releases/r1/manifest.json").read_text())["files"][
        "data/paragraphs.parquet/part-00000.parquet"]["sha256"] in card


def test_dataset_card_is_deterministic_and_needs_a_complete_manifest(tmp_path, tables):
    release = store.write_release(tmp_path, "r1", tables, _manifest("r1"))
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert card.dataset_card(manifest) == card.dataset_card(json.loads(json.dumps(manifest)))
    assert card.dataset_card(manifest) == (release / "README.md").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="row_counts"):
        card.dataset_card(_manifest("r1"))


@pytest.mark.parametrize(
    "n, label",
    [(0, "n<1K"), (999, "n<1K"), (1_000, "1K<n<10K"), (999_999, "100K<n<1M"), (1_000_000, "1M<n<10M")],
)
def test_size_category(n, label):
    assert card._size_category(n) == label


def test_the_cards_loading_examples_keep_integers_and_read_the_metadata(tmp_path, tables):
    card_text = _card(tmp_path, tables, _manifest("r1"))
    loading = card_text.split("## Loading the data", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"```python\n(.*?)```", loading, re.S)
    assert len(examples) == 3  # run as printed against a built release by tests/test_release_changes.py
    assert examples[0].count('dtype_backend="pyarrow"') == 2 and "json.loads" in examples[0]
    assert "metadata->>" in examples[1] and 'speech["document"]' in examples[2]
    nullable_integers = [f"`{t.name}.{c.name}`" for t in schemas.TABLES.values() for c in t.columns
                         if c.nullable and pa.types.is_integer(c.type)]
    assert "`documents.source_line`" in nullable_integers and all(n in loading for n in nullable_integers)
    what_a_line_holds = card_text.split("Each line of `data/speeches.jsonl.gz` holds", 1)[1]
    assert all(f"| `{name}` |" in what_a_line_holds for name in schemas.DOWNLOAD_DOCUMENT_COLUMNS)

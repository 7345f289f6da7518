"""What changed between two releases, speech by speech: one case per kind of change, on the
seed's tables changed the way a later build changes them."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import schemas
from pipeline import process
from pipeline.records import stable_id
from pipeline.release import diff


@pytest.fixture(scope="module")
def seed(seed_bundle) -> dict[str, pa.Table]:
    return process.tables([process.from_records([seed_bundle], [])])


def _set(table: pa.Table, column: str, row: int, value) -> pa.Table:
    values = table.column(column).to_pylist()
    values[row] = value
    i = table.schema.get_field_index(column)
    return table.set_column(i, table.schema.field(i), pa.array(values, table.schema.field(i).type))


def _rows_of(table: pa.Table, speech_id: str) -> list[int]:
    return [i for i, s in enumerate(table.column("speech_id").to_pylist()) if s == speech_id]


def _first_speech(seed) -> str:
    return seed["speeches"].column("speech_id")[0].as_py()


def _without_rows(table: pa.Table, rows: list[int]) -> pa.Table:
    keep = pc.invert(pc.is_in(pa.array(range(table.num_rows)), pa.array(rows, pa.int64())))
    return table.filter(keep)


def test_a_release_compared_with_itself_has_no_change(seed):
    assert diff.compare(seed, seed).counts() == {"added": 0, "removed": 0, "changed": 0}


def test_what_the_corpus_wide_steps_change_is_not_a_change(seed):
    """Keywords and duplicate marks follow the rest of the release: a new page changes them."""
    speeches = _set(seed["speeches"], "keywords", 0, ["别的", "词"])
    speeches = _set(speeches, "duplicate_cluster", 1, seed["speeches"].column("speech_id")[0].as_py())
    paragraphs = _set(seed["paragraphs"], "duplicate_score", 0, 0.5)
    assert diff.compare(seed, {**seed, "speeches": speeches, "paragraphs": paragraphs}).counts()["changed"] == 0


def test_an_edited_paragraph_is_one_paragraph_of_a_changed_speech(seed):
    first = _first_speech(seed)
    row = _rows_of(seed["paragraphs"], first)[2]
    paragraphs = _set(seed["paragraphs"], "text", row, seed["paragraphs"].column("text")[row].as_py() + "改")
    changes = diff.compare(seed, {**seed, "paragraphs": paragraphs})
    (entry,) = changes.changed
    assert (entry.speech_id, entry.previous_speech_id, entry.paragraphs_differing, entry.fields) == (first, first, 1, ())
    assert entry.title == seed["speeches"].column("title")[0].as_py()
    assert entry.source_path == "000_7cdd236544d05e86.txt" and entry.source_line is None and entry.ordinal == 1
    assert not changes.added and not changes.removed


def test_a_paragraph_removed_counts_one_even_though_the_next_ones_move_up(seed):
    first = _first_speech(seed)
    rows = _rows_of(seed["paragraphs"], first)
    # the paragraphs after it take their ordinals one lower, as a rebuild numbers them
    paragraphs = _without_rows(seed["paragraphs"], [rows[1]])
    ordinals = paragraphs.column("ordinal").to_pylist()
    for row in _rows_of(paragraphs, first)[1:]:
        ordinals[row] -= 1
    paragraphs = paragraphs.set_column(paragraphs.schema.get_field_index("ordinal"), paragraphs.schema.field("ordinal"),
                                       pa.array(ordinals, pa.int32()))
    speeches = _set(seed["speeches"], "paragraph_count", 0, len(rows) - 1)
    (entry,) = diff.compare(seed, {**seed, "paragraphs": paragraphs, "speeches": speeches}).changed
    assert entry.paragraphs_differing == 1 and entry.fields == ("paragraph_count",)


def test_a_new_title_is_a_changed_field(seed):
    speeches = _set(seed["speeches"], "title", 3, "新的标题")
    (entry,) = diff.compare(seed, {**seed, "speeches": speeches}).changed
    assert entry.fields == ("title",) and entry.title == "新的标题" and entry.paragraphs_differing == 0


def test_speeches_only_one_release_holds_are_added_or_removed(seed):
    last = seed["speeches"].num_rows - 1
    last_id = seed["speeches"].column("speech_id")[last].as_py()
    fewer = {**seed, "speeches": seed["speeches"].slice(0, last),
             "paragraphs": _without_rows(seed["paragraphs"], _rows_of(seed["paragraphs"], last_id))}
    removed = diff.compare(seed, fewer)
    assert [e.speech_id for e in removed.removed] == [last_id] and removed.counts() == {"added": 0, "removed": 1, "changed": 0}
    assert removed.removed[0].ordinal == 6
    added = diff.compare(fewer, seed)
    assert [e.speech_id for e in added.added] == [last_id] and added.counts() == {"added": 1, "removed": 0, "changed": 0}


def test_an_edited_input_gives_new_ids_and_its_speeches_are_changed_not_replaced(seed):
    """The same file edited: a new doc_id and new speech ids, at the same place."""
    new_doc, ids = stable_id("edited"), seed["speeches"].column("speech_id").to_pylist()
    renamed = {old: stable_id("edited", old) for old in ids}
    tables = {}
    for name in diff.TABLES:
        table = seed[name]
        table = table.set_column(table.schema.get_field_index("doc_id"), table.schema.field("doc_id"),
                                 pa.array([new_doc] * table.num_rows, pa.string()))
        if name != "documents":
            column = [renamed[s] for s in table.column("speech_id").to_pylist()]
            table = table.set_column(table.schema.get_field_index("speech_id"), table.schema.field("speech_id"),
                                     pa.array(column, pa.string()))
        tables[name] = table
    row = _rows_of(tables["paragraphs"], renamed[ids[4]])[0]
    tables["paragraphs"] = _set(tables["paragraphs"], "text", row, "改写的段落。")
    changes = diff.compare(seed, tables)
    assert not changes.added and not changes.removed
    assert [(e.previous_speech_id, e.speech_id) for e in changes.changed] == [(old, renamed[old]) for old in ids]
    assert [e.paragraphs_differing for e in changes.changed] == [0, 0, 0, 0, 1, 0]
    assert all(e.fields == () for e in changes.changed)  # only their ids changed, and one paragraph


def test_the_json_form_lists_each_kind_with_what_it_needs(seed):
    speeches = _set(seed["speeches"], "title", 0, "新的标题")
    out = diff.compare(seed, {**seed, "speeches": speeches}).to_dict("old-id", "new-id")
    assert list(out) == ["old_release", "new_release", "counts", "added", "removed", "changed"]
    assert (out["old_release"], out["new_release"], out["counts"]) == ("old-id", "new-id", {"added": 0, "removed": 0, "changed": 1})
    (entry,) = out["changed"]
    assert list(entry) == ["speech_id", "title", "doc_id", "source_path", "source_line", "ordinal",
                           "previous_speech_id", "fields", "paragraphs_differing"]
    assert entry["fields"] == ["title"]


@pytest.mark.parametrize("name", ["speeches", "paragraphs"])
def test_compared_columns_leave_out_ids_offsets_and_corpus_wide_columns(name):
    table = schemas.table(name)
    compared = diff.compared_columns(table)
    assert not set(compared) & set(schemas.CORPUS_WIDE_COLUMNS[name])
    assert not [c for c in compared if c.endswith("_id") or "source_" in c]
    assert "text" in compared and "ordinal" in compared
    assert set(schemas.CORPUS_WIDE_COLUMNS[name]) <= set(table.column_names)


@pytest.mark.parametrize("layout", ["parts", "one file per table"])
def test_read_takes_what_a_comparison_needs(tmp_path, seed, layout):
    from pipeline.release import parquet

    (tmp_path / "data").mkdir()
    if layout == "parts":
        parquet.write_tables(tmp_path, seed, {}, part_rows=7)
        assert len(parquet.table_files(tmp_path, "paragraphs")) > 1
    else:  # a release of layout 1, before parts
        for name in diff.TABLES:
            parquet.write_parquet(seed[name], tmp_path / "data" / f"{name}.parquet", name)
    read = diff.read(tmp_path)
    assert "tokens" in read["paragraphs"].column_names and "keywords" not in read["speeches"].column_names
    assert diff.compare(read, seed).counts() == {"added": 0, "removed": 0, "changed": 0}

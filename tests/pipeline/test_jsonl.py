"""The JSONL download's members: grouped by speech id alone, copied from the previous
release only where every speech in them is unchanged, and then byte-identical to a
fresh write."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schemas
from pipeline import incremental, process
from pipeline.release import jsonl


@pytest.fixture(scope="module")
def seed_tables(seed_bundle):
    return process.tables([process.from_records([seed_bundle], [])])


@pytest.fixture
def small_members(monkeypatch):
    """Two speeches per member on average: the seed's six speeches make several members."""
    monkeypatch.setattr(jsonl, "MEMBER_SPEECHES", 2)


def _members(ids: list[str]) -> set[tuple[str, ...]]:
    return {tuple(ids[lo:hi]) for lo, hi in jsonl.member_bounds(ids)}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=60, unique=True), st.data())
def test_inserting_a_speech_changes_only_the_member_it_lands_in(ids, data):
    new = data.draw(st.text(min_size=1, max_size=6).filter(lambda s: s not in ids))
    at = data.draw(st.integers(0, len(ids)))
    before, after = _members(ids), _members(ids[:at] + [new] + ids[at:])
    # the member it joined (none when it starts one at the end) is replaced, by two
    # when the new id ends a member
    assert len(before - after) <= 1 and 1 <= len(after - before) <= 2
    inserted = ids[:at] + [new] + ids[at:]
    assert [s for lo, hi in jsonl.member_bounds(inserted) for s in inserted[lo:hi]] == inserted


def test_no_speech_still_makes_a_gzip_file(tmp_path, seed_tables):
    empty = {name: t.slice(0, 0) for name, t in seed_tables.items()}
    index = jsonl.write(empty, tmp_path / "x.jsonl.gz")
    assert gzip.decompress((tmp_path / "x.jsonl.gz").read_bytes()) == b""
    assert index.column("speech_ids").to_pylist() == [[]]


def _with_keywords(tables: dict[str, pa.Table], speech_row: int, keywords: list[str]) -> dict[str, pa.Table]:
    speeches = tables["speeches"]
    column = speeches.column("keywords").to_pylist()
    column[speech_row] = keywords
    i = speeches.schema.get_field_index("keywords")
    return {**tables, "speeches": speeches.set_column(i, speeches.schema.field(i), pa.array(column, speeches.schema.field(i).type))}


def test_unchanged_members_are_copied_and_the_file_is_what_a_fresh_write_gives(tmp_path, seed_tables, small_members, monkeypatch):
    # The previous release had other keywords on one speech; everything else is the same.
    previous_tables = _with_keywords(seed_tables, 2, ["旧词"])
    previous_index = jsonl.write(previous_tables, tmp_path / "previous.jsonl.gz")
    assert previous_index.num_rows > 2

    compressed = []
    real_gzip = jsonl.gzip_member
    monkeypatch.setattr(jsonl, "gzip_member", lambda data: compressed.append(data) or real_gzip(data))
    fresh_index = jsonl.write(seed_tables, tmp_path / "fresh.jsonl.gz")
    fresh_count, compressed[:] = len(compressed), []

    masks = incremental.unchanged_rows(previous_tables, seed_tables)
    unchanged = jsonl.unchanged_speeches(seed_tables, masks, seed_tables["documents"].column("doc_id"))
    changed_speech = seed_tables["speeches"].column("speech_id")[2].as_py()
    assert changed_speech not in unchanged and len(unchanged) == seed_tables["speeches"].num_rows - 1

    reuse = jsonl.Reuse(tmp_path / "previous.jsonl.gz", previous_index, unchanged)
    index = jsonl.write(seed_tables, tmp_path / "reused.jsonl.gz", reuse)
    assert (tmp_path / "reused.jsonl.gz").read_bytes() == (tmp_path / "fresh.jsonl.gz").read_bytes()
    assert index.equals(fresh_index)
    # only the member holding the changed speech was serialised and compressed again
    assert fresh_count == index.num_rows and len(compressed) == 1
    (line,) = [json.loads(x) for x in compressed[0].decode("utf-8").splitlines() if changed_speech in x]
    assert line["keywords"] == seed_tables["speeches"].column("keywords")[2].as_py()


def test_a_download_of_another_format_is_not_copied(tmp_path, seed_tables, small_members, monkeypatch):
    previous_index = jsonl.write(seed_tables, tmp_path / "previous.jsonl.gz")
    other_format = previous_index.replace_schema_metadata({b"format": b"gzip level 9"})
    everything = frozenset(seed_tables["speeches"].column("speech_id").to_pylist())
    compressed = []
    real_gzip = jsonl.gzip_member
    monkeypatch.setattr(jsonl, "gzip_member", lambda data: compressed.append(data) or real_gzip(data))
    jsonl.write(seed_tables, tmp_path / "x.jsonl.gz", jsonl.Reuse(tmp_path / "previous.jsonl.gz", other_format, everything))
    assert len(compressed) == previous_index.num_rows


def test_unchanged_rows_compare_with_the_previous_release_by_key(seed_tables):
    previous = seed_tables
    paragraphs = previous["paragraphs"]
    scores = paragraphs.column("duplicate_score").to_pylist()
    scores[3] = 0.5  # a corpus-wide step changed one row
    i = paragraphs.schema.get_field_index("duplicate_score")
    changed = paragraphs.set_column(i, paragraphs.schema.field(i), pa.array(scores, paragraphs.schema.field(i).type))
    tokens = changed.column("tokens").to_pylist()
    tokens[5] = tokens[5][:-1]  # one token fewer: a list differs element by element
    j = changed.schema.get_field_index("tokens")
    changed = changed.set_column(j, changed.schema.field(j), pa.array(tokens, changed.schema.field(j).type))
    new_row = changed.slice(0, 1).set_column(0, changed.schema.field(0), pa.array(["f" * 16], pa.string()))
    tables = {**previous, "paragraphs": pa.concat_tables([changed.take(list(reversed(range(changed.num_rows)))), new_row])}

    masks = incremental.unchanged_rows(previous, tables)
    n = paragraphs.num_rows
    # rows in another order are matched by key; the changed ones and the new one are not unchanged
    expected = [r not in (3, 5) for r in reversed(range(n))] + [False]
    assert masks["paragraphs"].to_pylist() == expected
    assert all(all(m.to_pylist()) for name, m in masks.items() if name not in ("paragraphs", "rejects"))


def test_a_repeated_row_is_never_unchanged(seed_tables):
    """A row that a bug repeats is the previous release's row twice: were both copies
    unchanged, the keys suite (which checks only what a new row could repeat) would let the
    repeated key through."""
    paragraphs = seed_tables["paragraphs"]
    tables = {**seed_tables, "paragraphs": pa.concat_tables([paragraphs, paragraphs.slice(2, 1)])}
    mask = incremental.unchanged_rows(seed_tables, tables)["paragraphs"].to_pylist()
    assert mask == [i != 2 for i in range(paragraphs.num_rows)] + [False]


def test_list_values_compare_element_by_element_and_null_only_equals_null():
    a = pa.chunked_array([[None, [], [], [None], ["a"], ["a", "b"], ["a", "b"], None, ["x"]]], pa.list_(pa.string()))
    b = pa.chunked_array([[None, None, [], [None], ["a", "b"], ["a", "c"], ["a", "b"], [], ["x"]]], pa.list_(pa.string()))
    assert incremental._equal(a, b).tolist() == [True, False, True, True, False, False, True, False, True]
    # every row the same length: the flattened values are compared at once, across chunks
    c = pa.chunked_array([[["a"], None], [["b", "c"], ["d"]]], pa.list_(pa.string()))
    d = pa.chunked_array([[["a"], None, ["b", "x"]], [["d"]]], pa.list_(pa.string()))
    assert incremental._equal(c, d).tolist() == [True, True, False, True]
    assert incremental._equal(c, c).tolist() == [True] * 4


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_unchanged_rows_are_exactly_the_rows_equal_by_key(seed_tables, data):
    """Whatever happened between the releases (rows removed, changed, added, reordered,
    the old table read in other chunks), a row is unchanged exactly when the old table
    has a row with its key and equal values."""
    base = seed_tables["paragraphs"]
    rows = base.to_pylist()
    n = len(rows)
    cuts = sorted(data.draw(st.sets(st.integers(1, n - 1), max_size=4)))
    old = pa.concat_tables([base.slice(a, b - a) for a, b in zip([0, *cuts], [*cuts, n])])
    dice = data.draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    new = [r for r, die in zip(rows, dice) if die]  # about one row in ten removed
    for i in data.draw(st.sets(st.integers(0, len(new) - 1), max_size=5)) if new else ():
        change = data.draw(st.sampled_from(["text", "tokens", "tokens-null", "score"]))
        row = dict(new[i])
        if change == "text":
            row["text"] += "。"
        elif change == "tokens":
            row["tokens"] = row["tokens"][:-1] + ["另"] if row["tokens"] else ["另"]
        elif change == "tokens-null":
            row["tokens"] = None
        else:
            row["duplicate_score"] = 0.5 if row["duplicate_score"] != 0.5 else None
        new[i] = row
    for k in range(data.draw(st.integers(0, 3))):
        at = data.draw(st.integers(0, len(new)))
        new.insert(at, {**rows[k % n], "paragraph_id": f"{k:016x}"})
    if data.draw(st.booleans()):
        new = data.draw(st.permutations(new))
    table = pa.Table.from_pylist(new, schema=base.schema)
    saved = incremental._MAX_RUNS
    incremental._MAX_RUNS = data.draw(st.sampled_from([0, saved]))  # aligned by one copy, or run by run
    try:
        mask = incremental.unchanged_rows({"paragraphs": old}, {"paragraphs": table})["paragraphs"]
    finally:
        incremental._MAX_RUNS = saved
    by_id = {r["paragraph_id"]: r for r in rows}
    repeated = {i for i in by_id if sum(r["paragraph_id"] == i for r in new) > 1}
    assert mask.to_pylist() == [by_id.get(r["paragraph_id"]) == r and r["paragraph_id"] not in repeated for r in new]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_removals_are_found_by_their_compound_key(seed_tables, data):
    """A removal is unchanged exactly when the old table has its (doc_id, source_start) and
    equal values: a start seen only in another document, or a document seen only at
    other starts, is a new key."""
    base = seed_tables["removals"]
    rows = base.to_pylist()
    n = len(rows)
    dice = data.draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    new = [r for r, die in zip(rows, dice) if die]
    for i in data.draw(st.sets(st.integers(0, len(new) - 1), max_size=5)) if new else ():
        new[i] = {**new[i], "text": new[i]["text"] + "。"}
    starts = sorted({r["source_start"] for r in rows})
    docs = sorted({r["doc_id"] for r in rows})
    for _ in range(data.draw(st.integers(0, 4))):
        row = dict(data.draw(st.sampled_from(rows)))
        row["doc_id"], row["source_start"] = data.draw(st.sampled_from(docs)), data.draw(st.sampled_from(starts))
        new.insert(data.draw(st.integers(0, len(new))), row)
    if data.draw(st.booleans()):
        new = data.draw(st.permutations(new))
    table = pa.Table.from_pylist(new, schema=base.schema)
    mask = incremental.unchanged_rows({"removals": base}, {"removals": table})["removals"]
    by_key = {(r["doc_id"], r["source_start"]): r for r in rows}
    keys = [(r["doc_id"], r["source_start"]) for r in new]
    assert mask.to_pylist() == [by_key.get(k) == r and keys.count(k) == 1 for k, r in zip(keys, new)]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_compound_keys_find_the_old_row_with_the_same_values(data):
    """Nulls in a key match only nulls; a key old lacks is -1, even when each of its values
    occurs in old on its own."""
    keys = st.tuples(st.none() | st.sampled_from(["a", "b", "甲", ""]), st.none() | st.integers(-2, 2))
    old_keys = data.draw(st.lists(keys, unique=True, max_size=25))
    new_keys = data.draw(st.lists(keys, max_size=25))

    def table(pairs):
        return pa.table({"a": pa.array([a for a, _ in pairs], pa.string()), "b": pa.array([b for _, b in pairs], pa.int64())})

    found = incremental._positions(table(old_keys), table(new_keys), ("a", "b"))
    assert found.tolist() == [old_keys.index(k) if k in old_keys else -1 for k in new_keys]


def _iso(row: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}


def _lines_by_json_dumps(tables: dict[str, pa.Table]) -> bytes:
    """The download's lines as the documented format states them, one dict at a time."""
    lines = []
    documents = {d["doc_id"]: d for d in tables["documents"].to_pylist()}
    for speech in tables["speeches"].to_pylist():
        record = _iso(speech)
        document = documents.get(speech["doc_id"])
        record["document"] = None if document is None else _iso({k: document[k] for k in schemas.DOWNLOAD_DOCUMENT_COLUMNS})
        for name in ("sections", "paragraphs"):
            rows = sorted((r for r in tables[name].to_pylist() if r["speech_id"] == speech["speech_id"]),
                          key=lambda r: r["ordinal"])
            record[name] = [{k: v for k, v in r.items() if k not in ("speech_id", "doc_id")} for r in rows]
        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    return "".join(lines).encode("utf-8")


#: Characters JSON escapes, the item separator's, and some it does not escape.
_AWKWARD = st.lists(st.sampled_from(['"', "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "\u2028", ",", "中", "a", "é", "𠀀"]),
                    max_size=6).map("".join)


def _with_values(table: pa.Table, values: dict[str, list]) -> pa.Table:
    for name, column in values.items():
        i = table.schema.get_field_index(name)
        field = table.schema.field(i).with_nullable(True)
        table = table.set_column(i, field, pa.array(column, field.type))
    return table


def _documents_of(seed_tables: dict[str, pa.Table], data) -> pa.Table:
    """The seed's document, and maybe others that no speech is of, with drawn citation
    fields; the seed's speeches may lose their document (a line then says ``null``)."""
    seed = seed_tables["documents"]
    rows = [dict(seed.to_pylist()[0], doc_id=f"{k:016x}") for k in range(data.draw(st.integers(0, 2)))]
    if data.draw(st.booleans()):
        rows.insert(data.draw(st.integers(0, len(rows))), seed.to_pylist()[0])
    n = len(rows)
    dates = st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))
    drawn = {
        "url": data.draw(st.lists(st.none() | _AWKWARD, min_size=n, max_size=n)),
        "title": data.draw(st.lists(st.none() | _AWKWARD, min_size=n, max_size=n)),
        "site": data.draw(st.lists(st.none() | _AWKWARD, min_size=n, max_size=n)),
        "source_line": data.draw(st.lists(st.none() | st.integers(1, 2**31 - 1), min_size=n, max_size=n)),
        "published_date": data.draw(st.lists(dates, min_size=n, max_size=n)),
    }
    return _with_values(pa.Table.from_pylist(rows, schema=seed.schema), drawn)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_lines_are_what_json_dumps_writes_of_the_records(seed_tables, tmp_path_factory, data):
    paragraphs = seed_tables["paragraphs"]
    n = paragraphs.num_rows
    texts = data.draw(st.lists(st.one_of(st.none(), _AWKWARD), min_size=n, max_size=n))
    tokens = data.draw(st.lists(st.one_of(st.none(), st.lists(st.one_of(st.none(), _AWKWARD), max_size=4)),
                                min_size=n, max_size=n))
    paragraphs = _with_values(paragraphs, {"text": texts, "tokens": tokens})
    tables = {**seed_tables, "paragraphs": paragraphs, "documents": _documents_of(seed_tables, data)}
    path = tmp_path_factory.mktemp("jsonl") / "x.jsonl.gz"
    jsonl.write(tables, path)
    assert gzip.decompress(path.read_bytes()) == _lines_by_json_dumps(tables)


def test_the_seed_download_is_what_json_dumps_writes_of_the_records(tmp_path, seed_tables):
    jsonl.write(seed_tables, tmp_path / "x.jsonl.gz")
    assert gzip.decompress((tmp_path / "x.jsonl.gz").read_bytes()) == _lines_by_json_dumps(seed_tables)


def test_every_line_carries_its_documents_citation_fields(seed_tables):
    (document,) = seed_tables["documents"].to_pylist()
    for record in jsonl.records(seed_tables):
        assert list(record["document"]) == list(schemas.DOWNLOAD_DOCUMENT_COLUMNS)
        assert record["document"]["source_path"] == document["source_path"] == "000_7cdd236544d05e86.txt"
        assert record["document"]["published_date"] == document["published_date"].isoformat()
        assert record["document"]["title"] == document["title"] and record["document"]["site"] == document["site"]


def test_the_citation_fields_are_columns_of_documents():
    assert set(schemas.DOWNLOAD_DOCUMENT_COLUMNS) <= set(schemas.DOCUMENTS.column_names)
    assert "doc_id" not in schemas.DOWNLOAD_DOCUMENT_COLUMNS  # every line carries it already


def test_a_changed_document_makes_its_speeches_members_changed(tmp_path, seed_tables, small_members, monkeypatch):
    """The previous release had another URL for the seed: every line repeats it, so no
    member may be copied, and the file is what a fresh write gives."""
    documents = seed_tables["documents"]
    previous_tables = {**seed_tables, "documents": _with_values(documents, {"url": ["https://example.org/old"]})}
    previous_index = jsonl.write(previous_tables, tmp_path / "previous.jsonl.gz")
    masks = incremental.unchanged_rows(previous_tables, seed_tables)
    assert not any(masks["documents"].to_pylist()) and all(masks["speeches"].to_pylist())
    unchanged = jsonl.unchanged_speeches(seed_tables, masks, documents.column("doc_id"))
    assert unchanged == frozenset()

    compressed = []
    real_gzip = jsonl.gzip_member
    monkeypatch.setattr(jsonl, "gzip_member", lambda data: compressed.append(data) or real_gzip(data))
    jsonl.write(seed_tables, tmp_path / "fresh.jsonl.gz")
    jsonl.write(seed_tables, tmp_path / "reused.jsonl.gz", jsonl.Reuse(tmp_path / "previous.jsonl.gz", previous_index, unchanged))
    assert (tmp_path / "reused.jsonl.gz").read_bytes() == (tmp_path / "fresh.jsonl.gz").read_bytes()
    assert len(compressed) == 2 * previous_index.num_rows  # every member written again
    assert all(r["document"]["url"] is None for r in jsonl.records(seed_tables))

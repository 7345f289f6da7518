"""Whole-document invariants over generated documents (hypothesis) and batch merging."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEED, unaccounted
from pipeline import ingest, process
from pipeline.corpus import enrich
from pipeline.corpus.keywords import KeywordConfig
from pipeline.text import normalize
from pipeline.errors import NothingToPublish
from pipeline.records import Reject
from pipeline.spans import Text
from pipeline.text.chardata import HALF_TO_FULL

#: Punctuation width is decided again after removals (a line join can put a comma beside
#: a Chinese quote), so the rebuild compares characters with their width folded.
_FOLD_WIDTH = str.maketrans({full: half for half, full in HALF_TO_FULL.items()})

PIECES = [
    "统筹推进疫情防控", "经济社会发展", "脱贫攻坚", "。", "，", ",", "！", "?", ";", " ", " ", "  ", "\n",
    "一、", "二、", "（一）", "(二)", "同志们:", "目 录 1、甲篇 2、乙篇", "甲篇", "乙篇", "查看更多",
    "讲稿一", "讲稿二", "2020年", "4.6%", "GDP", "贏", "“", "”", "　", "XX",
]
documents = st.lists(st.sampled_from(PIECES), min_size=1, max_size=60).map("".join)


def _source(text: str) -> ingest.Source:
    data = text.encode("utf-8")
    return ingest.Source(path="gen.txt", line=None, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                         format="txt", encoding="utf-8", text=text, body=Text.from_source(text))


@given(documents)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_spans_rebuild_paragraphs_and_every_character_is_accounted_for(text):
    bundle = process.document(_source(text))
    if isinstance(bundle, Reject):
        assert bundle.reason in ("not_prose", "no_body") and bundle.detail
        return
    normalised = normalize.string(text)
    assert len(normalised) == len(text)
    removed = {i for r in bundle.removals for i in range(r.source_start, r.source_end)}
    for p in bundle.paragraphs:
        rebuilt = "".join(normalised[i] for i in range(p.source_start, p.source_end) if i not in removed)
        assert rebuilt.strip().translate(_FOLD_WIDTH) == p.text.translate(_FOLD_WIDTH)

    assert unaccounted(text, bundle) == []


@given(documents)
@settings(max_examples=50, deadline=None)
def test_processing_is_deterministic(text):
    assert process.document(_source(text)) == process.document(_source(text))


def test_identical_files_keep_the_first_and_reject_the_rest(tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("标题\n正文第一段。 正文第二段。", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    batches = [process.batch([tmp_path / "b.txt"], tmp_path), process.batch([tmp_path / "a.txt", tmp_path / "empty.txt"], tmp_path)]
    tables = process.tables(batches)
    assert tables["documents"].column("source_path").to_pylist() == ["a.txt"]
    rejects = tables["rejects"].to_pylist()
    assert [(r["source_path"], r["reason"]) for r in rejects] == [("b.txt", "duplicate_input"), ("empty.txt", "empty_file")]
    assert "a.txt" in rejects[0]["detail"]
    assert tables["paragraphs"].num_rows == 2


def test_a_spilled_batch_loads_back_the_same_tables(tmp_path, seed_bundle):
    batch = process.from_records([seed_bundle], [])
    spilled = process.spill(batch, tmp_path / "batch")
    assert spilled.documents == batch.documents == 1
    loaded = spilled.load()
    assert all(loaded.tables[name].equals(batch.tables[name]) for name in batch.tables)
    assert process.tables([spilled]) == process.tables([batch])
    with pytest.raises(FileExistsError):
        process.spill(batch, tmp_path / "batch")



def test_a_batch_carries_the_term_counts_of_its_speeches_when_asked(tmp_path):
    """The term counts a worker makes with its batch survive spilling, and keywords from
    them are the keywords counted from the assembled tables' tokens."""
    batch = process.batch([SEED], SEED.parent, terms=KeywordConfig())
    assert process.batch([SEED], SEED.parent).terms is None
    tables = process.tables([batch])
    spilled = process.spill(batch, tmp_path / "batch")
    from_tokens = enrich.keywords_of(tables)
    for batches in ([batch], [spilled], [spilled, process.Batch()]):
        (terms,) = process.terms_of(batches)
        assert terms.equals(batch.terms) and terms.schema.equals(batch.terms.schema, check_metadata=True)
        assert enrich.keywords_of(tables, batch_terms=[terms]) == from_tokens


_ROWS = st.lists(st.tuples(st.one_of(st.none(), st.text("ab甲", max_size=3)), st.integers(0, 3),
                           st.one_of(st.none(), st.lists(st.text("xy", max_size=2), max_size=3))), max_size=40)


@settings(max_examples=150, deadline=None)
@given(_ROWS, _ROWS, st.booleans())
def test_sort_moving_runs_as_slices_gives_arrow_sort(sorted_part, added, row_by_row):
    """``records.sort`` is Arrow's stable sort, whichever way it moves the rows: a sorted
    table with rows added (an incremental build) or anything else."""
    import pyarrow as pa

    from pipeline import records

    schema = pa.schema([("a", pa.string()), ("b", pa.int32()), ("tokens", pa.list_(pa.string()))])
    key = lambda r: (r[0] is not None, r[0] or "", r[1])  # noqa: E731  (nulls first, as sort asks)
    rows = sorted(sorted_part, key=key) + added
    table = pa.Table.from_pylist([dict(zip(schema.names, r)) for r in rows], schema=schema)
    if len(rows) > 3:
        table = pa.concat_tables([table.slice(0, 3), table.slice(3)])  # chunks, as batches give
    saved = records._MOST_SLICES, records._ROWS_PER_RUN
    if row_by_row:  # gathered chunk by chunk (``records.take``)
        records._MOST_SLICES, records._ROWS_PER_RUN = 0, 10**9
    try:
        result = records.sort(table, ["a", "b"])
    finally:
        records._MOST_SLICES, records._ROWS_PER_RUN = saved
    assert result.equals(table.sort_by([("a", "ascending", "at_start"), ("b", "ascending", "at_start")]))
    assert all(column.num_chunks <= 1 for column in result.columns)


def test_tables_with_documents_may_be_published(tmp_path, seed_bundle):
    process.require_documents(process.tables([process.from_records([seed_bundle], [])]))


@pytest.mark.parametrize("files, message", [
    ({}, "the inbox holds no input file"),
    ({"a.txt": b"", "b.docx": b"PK", "c.txt": b""},
     "every input was rejected (3 file(s) or record(s); empty_file: 2, unsupported_format: 1); the first: a.txt: empty_file"),
])
def test_no_document_is_nothing_to_publish_with_every_reject_named(tmp_path, files, message):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    tables = process.tables([process.batch(sorted(tmp_path.iterdir()), tmp_path)])
    with pytest.raises(NothingToPublish) as raised:
        process.require_documents(tables)
    assert str(raised.value).startswith(message)
    assert [(path, reason) for path, reason, _ in raised.value.rejects] == \
        [(r["source_path"], r["reason"]) for r in tables["rejects"].to_pylist()]


#: Control characters a damaged file carries, and the bidirectional controls (U+202E turns
#: what follows around on screen): never text, always removed and recorded.
CONTROLS = ["\x00", "\x08", "\x0b", "\x1b", "\x7f", "\ufffd",
            "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
            "\u200e", "\u200f", "\u061c"]


@given(st.lists(st.sampled_from(PIECES + CONTROLS), min_size=1, max_size=60).map("".join))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_control_character_is_removed_and_recorded(text):
    """Issue 21, point 8: removals are the union of what the stages report; a control or
    bidi character is in none of the text columns, and a removal covers each one."""
    bundle = process.document(_source(text))
    if isinstance(bundle, Reject):
        return
    covered = {i for r in bundle.removals if r.kind == "control" for i in range(r.source_start, r.source_end)}
    assert {i for i, c in enumerate(text) if c in CONTROLS} <= covered
    shown = [p.text for p in bundle.paragraphs] + [s.title for s in bundle.sections]
    shown += [s.title or "" for s in bundle.speeches] + [s.text for s in bundle.speeches] + [bundle.document.title or ""]
    assert not [t for t in shown if any(c in t for c in CONTROLS)]
    assert unaccounted(text, bundle) == []

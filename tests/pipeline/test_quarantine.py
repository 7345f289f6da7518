"""Quarantine: a document whose rows break a row-level expectation leaves every table for
``rejects`` (reason ``failed_validation``), and the release it leaves passes; a broken
table-level contract (columns, keys, references) cannot be quarantined away."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import schemas
from pipeline.records import stable_id
from pipeline.validate import Session, quarantine, validate
from tests.pipeline.test_validate import DOC_ID, clean_records, to_tables

SHA_B = "5a" * 32
DOC_B = SHA_B[:16]
BAD_TEXT = "下载地址：(PDF)"  # a half-width bracket next to Chinese punctuation


def with_second_document(recs: dict[str, list], text: str = BAD_TEXT, sha: str = SHA_B,
                         path: str = "b/page.html") -> dict[str, list]:
    """``recs`` plus a copy of document A (its own speech, sections, paragraphs and
    removal; document B unless ``sha`` says) whose first paragraph is ``text``."""
    doc = sha[:16]
    speech_b = stable_id(doc, 0)
    own = {name: [r for r in recs[name] if r.doc_id == DOC_ID] for name in ("sections", "paragraphs")}
    sections = {s.section_id: stable_id(doc, s.source_start) for s in own["sections"]}
    recs["documents"].append(dataclasses.replace(recs["documents"][0], doc_id=doc, source_path=path,
                                                 source_sha256=sha))
    recs["speeches"].append(dataclasses.replace(recs["speeches"][0], speech_id=speech_b, doc_id=doc,
                                                duplicate_cluster=speech_b))
    recs["sections"] += [dataclasses.replace(s, section_id=sections[s.section_id], speech_id=speech_b, doc_id=doc,
                                             parent_section_id=sections.get(s.parent_section_id))
                         for s in own["sections"]]
    recs["paragraphs"] += [dataclasses.replace(p, paragraph_id=stable_id(doc, p.source_start), speech_id=speech_b,
                                               section_id=sections[p.section_id], doc_id=doc,
                                               text=text if i == 0 else p.text, char_count=len(text) if i == 0 else p.char_count)
                           for i, p in enumerate(own["paragraphs"])]
    recs["removals"].append(dataclasses.replace(recs["removals"][0], doc_id=doc))
    return recs


@pytest.fixture(scope="module")
def failing():
    tables = to_tables(with_second_document(clean_records()))
    return tables, validate(tables)


def test_a_row_failure_names_its_rows_their_documents_and_values(failing):
    tables, report = failing
    assert not report.success
    (located,) = report.row_failures
    assert (located.table, located.failure.column, located.failure.rule) == ("paragraphs", "text", "half width in chinese")
    assert located.doc_ids == (DOC_B,) and located.values == (BAD_TEXT,)
    assert tables["paragraphs"].column("text")[located.rows[0]].as_py() == BAD_TEXT
    assert report.quarantinable()


def test_quarantine_moves_every_row_of_the_document_to_rejects_and_the_rest_passes(failing):
    tables, report = failing
    out = quarantine(tables, report)
    assert out.documents == [DOC_B]
    for name in ("documents", "speeches", "sections", "paragraphs", "removals"):
        kept = out.tables[name]
        assert DOC_B not in kept.column("doc_id").to_pylist(), name
        assert kept.num_rows == pc.sum(pc.not_equal(tables[name].column("doc_id"), DOC_B)).as_py(), name
    (reject,) = out.tables["rejects"].to_pylist()
    assert (reject["source_path"], reject["source_line"], reject["source_sha256"], reject["reason"]) == (
        "b/page.html", None, SHA_B, "failed_validation")
    assert "paragraphs.text" in reject["detail"] and "half width in chinese" in reject["detail"]
    assert repr(BAD_TEXT) in reject["detail"]
    assert out.tables["documents"].column("doc_id").to_pylist() == [DOC_ID]
    assert validate(out.tables).success  # keys and references hold without the document
    assert all(out.tables[name].schema.equals(tables[name].schema) for name in schemas.TABLES)


def test_several_failures_of_one_document_make_one_reject_naming_them_all():
    recs = with_second_document(clean_records())
    recs["sections"][-1] = dataclasses.replace(recs["sections"][-1], marker="abc")
    tables = to_tables(recs)
    report = validate(tables)
    assert len(report.row_failures) == 2 and report.quarantinable()
    out = quarantine(tables, report)
    (reject,) = out.tables["rejects"].to_pylist()
    assert "sections.marker" in reject["detail"] and "paragraphs.text" in reject["detail"]


@pytest.mark.parametrize("break_it", [
    lambda recs: recs["paragraphs"].append(recs["paragraphs"][0]),  # a repeated key
    lambda recs: recs["paragraphs"].append(dataclasses.replace(recs["paragraphs"][0],
                                                               paragraph_id=stable_id("x"), speech_id="0" * 16)),
], ids=["key", "reference"])
def test_table_level_failures_cannot_be_quarantined(break_it):
    recs = with_second_document(clean_records())
    break_it(recs)
    tables = to_tables(recs)
    report = validate(tables)
    assert not report.success and not report.quarantinable()
    with pytest.raises(ValueError, match="cannot be quarantined|can be quarantined"):
        quarantine(tables, report)


def test_a_failing_reject_row_cannot_be_quarantined():
    recs = clean_records()
    tables = to_tables(recs)
    rejects = pa.Table.from_pylist([{"source_path": "x.txt", "source_line": 0, "source_sha256": None,
                                     "reason": "empty_file", "detail": "0 bytes"}],
                                   schema=schemas.REJECTS.arrow_schema())
    report = validate({**tables, "rejects": rejects})
    assert [(f.table, f.doc_ids) for f in report.row_failures] == [("rejects", (None,))]
    assert not report.quarantinable()


def test_rows_skipped_as_unchanged_are_located_in_the_whole_table():
    """An incremental build checks only new rows: a failing row is still named by its
    position in the whole table."""
    tables = to_tables(with_second_document(clean_records()))
    paragraphs = tables["paragraphs"]
    unchanged = {name: pa.chunked_array([pa.array(np.zeros(t.num_rows, dtype=bool))]) for name, t in tables.items()}
    skip_first = np.zeros(paragraphs.num_rows, dtype=bool)
    skip_first[:2] = True  # document A's paragraphs, validated before
    unchanged["paragraphs"] = pa.chunked_array([pa.array(skip_first)])
    session = Session(tables)
    session.references()
    session.rows(unchanged)
    (located,) = session.report().row_failures
    assert located.rows == (2,) and paragraphs.column("doc_id")[2].as_py() == DOC_B


def test_slices_of_any_size_quarantine_the_same_documents():
    """Rows that fail in different slices name their documents by their positions in the
    whole table: tiny slices quarantine exactly what one slice does."""
    recs = with_second_document(clean_records())  # B: its first paragraph fails
    recs = with_second_document(recs, "统筹推进  疫情防控", sha="7c" * 32, path="c/page.html")
    recs["sections"][-1] = dataclasses.replace(recs["sections"][-1], marker="abc")  # C again, in another table
    with_second_document(recs, "他强调：“发展是第一要务。”", sha="9e" * 32, path="d/page.html")  # D passes
    tables = to_tables(recs)
    whole = validate(tables, slice_rows=10**9, slice_bytes=10**9)
    assert whole.quarantinable() and len(whole.row_failures) == 3
    assert sorted({d for f in whole.row_failures for d in f.doc_ids}) == sorted([DOC_B, "7c" * 8])
    expected = quarantine(tables, whole)
    for slice_rows, slice_bytes in ((1, 10**9), (2, 10**9), (10**9, 1)):
        sliced = validate(tables, slice_rows=slice_rows, slice_bytes=slice_bytes)
        assert sliced.row_failures == whole.row_failures
        out = quarantine(tables, sliced)
        assert (out.documents, out.failures) == (expected.documents, expected.failures)
        assert all(out.tables[name].equals(expected.tables[name]) for name in schemas.TABLES)

"""Quarantine: a document whose rows broke a row-level expectation leaves the release for
the rejects table, and the release goes on without it.

One ordinary page (a download link left half-width in a paragraph) used to refuse every
build. A row-level expectation judges each row on its own, so its failure names the rows
and, through them, the documents that broke it (``Session`` locates them); those
documents are taken out of every table, and each becomes one reject with reason
``failed_validation`` whose detail names the expectations and the offending values. The
table-level contract (columns, keys, references, the rejects themselves) is never
quarantined: ``ValidationReport.quarantinable`` says when a report may be. The tables
``quarantine`` returns must be validated again before they are published: the
corpus-wide columns (duplicates, keywords) of the other documents may change without
them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

import schemas
from pipeline import records
from pipeline.records import Reject
from pipeline.validate.results import RowFailure, ValidationReport

#: Reason of a quarantined document in the rejects table.
REASON = "failed_validation"
#: Broken expectations named in one reject's detail; the rest are counted.
MAX_NAMED = 3
#: Tables whose rows belong to a document (by ``doc_id``).
DOCUMENT_TABLES = ("documents", "speeches", "sections", "paragraphs", "removals")


@dataclass(frozen=True)
class Quarantined:
    """The tables without the quarantined documents (their rejects added); the documents'
    ids, in the documents table's order; their reject rows; and the report's failure
    lines."""

    tables: dict[str, pa.Table]
    documents: list[str]
    rejects: pa.Table
    failures: list[str]


def quarantine(tables: dict[str, pa.Table], report: ValidationReport) -> Quarantined:
    """``tables`` without every row of each document that one of the ``report``'s row
    failures names, and a ``failed_validation`` reject per such document (sorted into the
    rejects table).

    Raises ``ValueError`` unless the report is ``quarantinable``: a broken table-level
    contract, or a row that belongs to no document, cannot be set aside.
    """
    if not report.quarantinable():
        raise ValueError("only a report whose every failure is a row of a document can be quarantined: "
                         + "; ".join(report.failures()[:3]))
    broken: dict[str, list[str]] = {}
    for failure in report.row_failures:
        values: dict[str, list] = {}
        for doc_id, value in zip(failure.doc_ids, failure.values):
            values.setdefault(doc_id, []).append(value)
        for doc_id, found in values.items():
            broken.setdefault(doc_id, []).append(_broke(failure, found))
    documents = tables["documents"]
    quarantined = documents.filter(pc.is_in(documents.column("doc_id"), pa.array(list(broken), pa.string())))
    unknown = sorted(set(broken) - set(quarantined.column("doc_id").to_pylist()))
    if unknown:
        raise ValueError(f"failures name documents the documents table does not hold: {unknown}")
    rejects = [Reject(d["source_path"], d["source_line"], d["source_sha256"], REASON, _detail(broken[d["doc_id"]]))
               for d in quarantined.select(["doc_id", "source_path", "source_line", "source_sha256"]).to_pylist()]
    out = dict(tables)
    gone = quarantined.column("doc_id")
    for name in DOCUMENT_TABLES:
        out[name] = tables[name].filter(pc.invert(pc.is_in(tables[name].column("doc_id"), gone)))
    added = records.to_arrow("rejects", rejects)
    out["rejects"] = records.sort(pa.concat_tables([tables["rejects"], added]), schemas.REJECTS.sort_by)
    return Quarantined(out, gone.to_pylist(), added, report.failures())


def _broke(failure: RowFailure, values: list) -> str:
    """One broken expectation of a document: where, which, and its first offending value.

    >>> from pipeline.validate.results import Failure
    >>> f = Failure("expect_column_values_to_not_match_regex", "text", 2, [], rule="half width in chinese")
    >>> _broke(RowFailure("paragraphs", f, (3, 4), ("a", "a"), ("下载：(PDF)", "x,中")), ["下载：(PDF)", "x,中"])
    "paragraphs.text: expect_column_values_to_not_match_regex (half width in chinese): '下载：(PDF)' (and 1 more row)"
    """
    where = f"{failure.table}.{failure.failure.column}" if failure.failure.column else failure.table
    more = f" (and {len(values) - 1} more row{'s' if len(values) > 2 else ''})" if len(values) > 1 else ""
    return f"{where}: {failure.failure.expectation} ({failure.failure.rule}): {values[0]!r}{more}"


def _detail(broke: list[str]) -> str:
    """A reject's detail: the first ``MAX_NAMED`` expectations broken, and how many more."""
    more = f"; and {len(broke) - MAX_NAMED} more" if len(broke) > MAX_NAMED else ""
    return "failed validation: " + "; ".join(broke[:MAX_NAMED]) + more

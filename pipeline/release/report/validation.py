"""The report's validation section: the Great Expectations results the manifest records,
and the documents quarantined for breaking them."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.release.report.markup import NOT_RECORDED, Section, esc, no_data, table

#: Validation failure lines listed; the manifest holds them all.
MAX_FAILURES = 50
#: Quarantined documents listed; the rejects table holds them all.
MAX_QUARANTINED = 100
#: The rejects table's reason for a quarantined document.
QUARANTINED = "failed_validation"


def section(validation: object, rejects: pa.Table | None = None) -> Section:
    """The overall verdict, one row per table, the failed expectations, from the
    manifest's ``validation`` (a note when it records none), and the documents
    quarantined (the ``failed_validation`` rows of ``rejects``)."""
    if not isinstance(validation, dict) or not isinstance(validation.get("tables"), dict):
        return Section("validation", "Validation",
                       no_data("No validation results were recorded in the manifest.")
                       + (quarantined(rejects) if rejects is not None else ""))
    overall = verdict(validation)
    rows, failures = [], []
    for name, result in validation["tables"].items():
        result = result if isinstance(result, dict) else {}
        rows.append([name, rows_checked(result) or NOT_RECORDED, result.get("evaluated", NOT_RECORDED),
                     result.get("failed", NOT_RECORDED), verdict(result)])
        failures += [str(line) for line in result.get("failures") or ()]  # each names its table and column
    parts = [
        f'<p>Overall: <span class="verdict-{overall.replace(" ", "-")}">{overall}</span>. Every table '
        "is checked against the expectations derived from its schema before the release is published: "
        "uniqueness and references on every row, the other expectations on every row a full build "
        "writes and on the new or changed rows of an incremental one (the others passed the same "
        "suites in the release it builds on).</p>",
        table(["table", "rows checked", "expectations evaluated", "failed", "result"], rows,
              caption="Validation per table", table_id="validation-results"),
    ]
    if failures:
        listed = "".join(f"<li>{esc(line)}</li>" for line in failures[:MAX_FAILURES])
        more = (f"<p>… and {len(failures) - MAX_FAILURES:,} more in manifest.json.</p>"
                if len(failures) > MAX_FAILURES else "")
        parts.append(f"<h3>Failed expectations</h3>\n<ul>{listed}</ul>{more}")
    if rejects is not None:
        parts.append(quarantined(rejects))
    return Section("validation", "Validation", "\n".join(parts))


def quarantined(rejects: pa.Table) -> str:
    """The documents set aside because their rows broke a row-level expectation: each
    with the expectations and values its reject names (a note when there are none)."""
    rows = rejects.filter(pc.equal(rejects.column("reason"), QUARANTINED)) \
        .select(["source_path", "source_line", "detail"]).to_pylist()
    heading = '<h3 id="quarantined">Quarantined documents</h3>'
    if not rows:
        return f"{heading}\n" + no_data("No document was quarantined.")
    intro = (f"<p>{len(rows):,} document(s) broke a row-level expectation and were left out of this release, "
             "each a row of the rejects table with reason failed_validation; the other documents were "
             "validated again without them.</p>")
    listed = [[f"{r['source_path']}" + (f":{r['source_line']}" if r["source_line"] is not None else ""), r["detail"]]
              for r in rows[:MAX_QUARANTINED]]
    more = (f"<p>… and {len(rows) - MAX_QUARANTINED:,} more in the rejects table.</p>"
            if len(rows) > MAX_QUARANTINED else "")
    return "\n".join([heading, intro, table(["document", "why"], listed, caption="Quarantined documents",
                                             table_id="quarantined-documents"), more])


def rows_checked(result: dict) -> str | None:
    """``12 of 133,028``: the rows of a table's validation result checked row by row, of
    all its rows; None when the manifest does not say.

    >>> rows_checked({"rows_checked": 12, "rows": 133028}), rows_checked({"rows": 5})
    ('12 of 133,028', None)
    """
    if isinstance(result.get("rows_checked"), int) and isinstance(result.get("rows"), int):
        return f"{result['rows_checked']:,} of {result['rows']:,}"
    return None


def verdict(result: object) -> str:
    """``passed``, ``failed``, or not recorded when ``result`` has no ``success``.

    >>> verdict({"success": True}), verdict({"success": False}), verdict(None)
    ('passed', 'failed', 'not recorded')
    """
    if not isinstance(result, dict) or "success" not in result:
        return NOT_RECORDED
    return "passed" if result["success"] else "failed"

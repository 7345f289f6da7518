"""The report's validation section: the Great Expectations results the manifest records."""

from __future__ import annotations

from pipeline.release.report.markup import NOT_RECORDED, Section, esc, no_data, table

#: Validation failure lines listed; the manifest holds them all.
MAX_FAILURES = 50


def section(validation: object) -> Section:
    """The overall verdict, one row per table, and the failed expectations, from the
    manifest's ``validation`` (a note when it records none)."""
    if not isinstance(validation, dict) or not isinstance(validation.get("tables"), dict):
        return Section("validation", "Validation",
                       no_data("No validation results were recorded in the manifest."))
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
    return Section("validation", "Validation", "\n".join(parts))


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

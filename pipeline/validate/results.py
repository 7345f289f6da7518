"""What validation found: per table, the expectations run and every failure, in words."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import schemas  # noqa: F401  (the doctests name its patterns)
from pipeline.errors import ValidationFailed

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult

#: Longest example value quoted in a failure line, in code points.
_SAMPLE_CHARS = 40


@dataclass(frozen=True)
class Failure:
    """One broken expectation of a table: what failed, where, how often, and examples.

    ``rule`` names the schema rule the expectation was derived from; ``error`` holds Great
    Expectations' message when the expectation could not run at all (e.g. its column is
    missing), in which case ``unexpected_count`` is None.
    """

    expectation: str
    column: str | None
    unexpected_count: int | None
    sample: list
    rule: str = ""
    error: str | None = None

    def line(self, table: str) -> str:
        """One human-readable line naming the table, column, expectation and rule."""
        where = f"{table}.{self.column}" if self.column else table
        head = f"{where}: {self.expectation} ({self.rule})"
        if self.error is not None:
            return f"{head} could not run: {self.error}"
        n = self.unexpected_count
        rows = "" if n is None else f" for {n} row{'' if n == 1 else 's'}"
        examples = f", e.g. {self.sample!r}" if self.sample else ""
        return f"{head} failed{rows}{examples}"


@dataclass(frozen=True)
class RowFailure:
    """The rows of table ``table`` that broke one row-level expectation (``failure``): each
    row's position in the table, its document (``doc_id``; None for a row that names none,
    such as a reject) and its offending value (a pair of values for a column pair)."""

    table: str
    failure: Failure
    rows: tuple[int, ...]
    doc_ids: tuple[str | None, ...]
    values: tuple


@dataclass(frozen=True)
class TableResult:
    """The outcome of one table's suite: how many expectations ran and which failed."""

    success: bool
    evaluated: int
    failed: list[Failure]
    #: rows of the table, and how many the row-by-row suite checked (fewer when an
    #: incremental build skipped rows validated before)
    rows: int = 0
    rows_checked: int = 0


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a release: one ``TableResult`` per table, in schema order."""

    success: bool
    tables: dict[str, TableResult]
    #: ``suites_digest()`` of the suites that ran
    suites_sha256: str = ""
    #: the rows that broke row-level expectations, one entry per table and expectation
    row_failures: tuple[RowFailure, ...] = ()

    def quarantinable(self) -> bool:
        """Whether every failure is a row-level one of rows that belong to a document:
        then the release may go on without those documents (``quarantine``). A broken
        table-level contract (the column list, a key, a reference) or a failing reject row
        (rejects are the quarantine already) refuses the release."""
        failed = sum(len(result.failed) for result in self.tables.values())
        return (not self.success and failed == len(self.row_failures)
                and all(f.table != "rejects" and None not in f.doc_ids for f in self.row_failures))

    def failures(self) -> list[str]:
        """One line per failed expectation, tables in schema order, for logs and errors."""
        return [f.line(name) for name, result in self.tables.items() for f in result.failed]

    def to_dict(self) -> dict:
        """A JSON-serialisable summary for manifest.json, with a deterministic key order."""
        return {
            "success": self.success,
            "suites_sha256": self.suites_sha256,
            "tables": {
                name: {
                    "success": result.success,
                    "evaluated": result.evaluated,
                    "rows": result.rows,
                    "rows_checked": result.rows_checked,
                    "failed": len(result.failed),
                    "failures": [f.line(name) for f in result.failed],
                }
                for name, result in self.tables.items()
            },
        }

    def raise_for_failures(self) -> None:
        """Raise ``ValidationFailed`` with the failure lines unless every table passed.

        This is the gate the flow calls before publishing: a release that breaks its
        contract is refused, never written.
        """
        if not self.success:
            raise ValidationFailed(self.failures())


def failure(result: ExpectationValidationResult) -> Failure:
    """A ``Failure`` from one failed GX result, with plain-Python examples."""
    config = result.expectation_config
    meta = config.meta or {}
    errors = exception_messages(result.exception_info)
    details = result.result or {}
    if "partial_unexpected_list" in details:
        sample = [excerpt(plain(v), config.kwargs.get("regex")) for v in details["partial_unexpected_list"]]
    elif "column_list" in config.kwargs and "observed_value" in details:
        sample = _column_list_problems(config.kwargs["column_list"], plain(details["observed_value"]))
    else:
        sample = []
    count = details.get("unexpected_count")
    return Failure(
        expectation=config.type,
        column=meta.get("column"),
        unexpected_count=None if count is None else int(count),
        sample=sample,
        rule=meta.get("rule", ""),
        error="; ".join(errors) if errors else None,
    )


def _column_list_problems(expected: list[str], observed: list[str]) -> list[str]:
    """What is wrong with a table's columns, in words: missing, unexpected, or out of order.

    >>> _column_list_problems(["a", "b", "c"], ["a", "c", "x"])
    ['missing: b', 'unexpected: x']
    >>> _column_list_problems(["a", "b"], ["b", "a"])
    ['out of order: b, a']
    """
    problems = [f"missing: {c}" for c in expected if c not in observed]
    problems += [f"unexpected: {c}" for c in observed if c not in expected]
    return problems or [f"out of order: {', '.join(observed)}"]


def exception_messages(info: dict | None) -> list[str]:
    """The messages of the exceptions GX caught, flat or keyed by metric id."""
    if not info:
        return []
    if "raised_exception" in info:
        info = {"": info}
    messages = [
        str(v.get("exception_message"))
        for v in info.values()
        if isinstance(v, dict) and v.get("raised_exception")
    ]
    return sorted(set(messages))


def plain(value: Any) -> Any:
    """``value`` as strict-JSON plain Python: numpy scalars unwrapped, NaN and NA as None.

    >>> plain((float("nan"), 3, {"a": [1.5]}))
    [None, 3, {'a': [1.5]}]
    """
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays (a list<string> cell)
        return plain(value.tolist())
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None if math.isnan(value) else str(value)
    if _is_missing(value):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _is_missing(value: Any) -> bool:
    """True for pandas' missing markers (NA, NaT) that are not floats."""
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def excerpt(value: Any, regex: str | None) -> Any:
    """A long string cut to the part worth reading: around the forbidden match, else its start.

    >>> excerpt("甲" * 50 + "\xa0乙" + "丙" * 50, schemas.PAGE_BREAK_SPACE_PATTERN)
    '…甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲\xa0乙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙…'
    """
    if not isinstance(value, str) or len(value) <= _SAMPLE_CHARS:
        return value
    match = re.search(regex, value) if regex else None
    start = 0 if match is None else max(0, match.start() - _SAMPLE_CHARS // 2)
    end = min(len(value), start + _SAMPLE_CHARS)
    return ("…" if start else "") + value[start:end] + ("…" if end < len(value) else "")

"""The release's data contract, checked with Great Expectations before anything is published.

Every expectation is derived from ``schemas.TABLES``: column order, nullability, uniqueness
and compound keys, patterns, forbidden patterns, allowed values, numeric bounds, foreign
keys and ``greater_than`` pairs. Nothing here repeats a column name, so a schema change
changes the suites with it.

Great Expectations is imported lazily inside the functions: the import alone takes
seconds, and importing this module must stay cheap for the CLI and for tests that never
validate.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import logging
import math
import os
import re
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pyarrow as pa
import pyarrow.compute as pc

import schemas
from pipeline.validate import datadocs
from pipeline.errors import ConfigError, ValidationFailed

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite
    from great_expectations.core.expectation_validation_result import (
        ExpectationValidationResult,
    )

#: BASIC: counts and the first five unexpected values, which name the problem and keep
#: results small on big failing batches. SUMMARY would add the unexpected values' counts
#: and row indexes, one metric more per expectation: validating a one-new-page build of
#: 2,000 documents took 2.1 s with it and 1.55 s without (measured).
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 5}

#: The Data Docs site a release carries (``validation/`` in the release folder).
DATA_DOCS_SITE = "release"

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


def suite_for(table: schemas.Table) -> ExpectationSuite:
    """The expectation suite ``<table>_suite`` that holds ``table`` to its schema, but for
    foreign keys (``references_suite_for``). Each expectation carries
    ``meta={"table", "column", "rule"}`` so a failure can name the rule it broke.
    """
    import great_expectations as gx
    import great_expectations.expectations as gxe

    expectations = [
        gxe.ExpectTableColumnsToMatchOrderedList(
            column_list=table.column_names, meta=_meta(table, None, "columns in schema order")
        )
    ]
    for column in table.columns:
        expectations.extend(_column_expectations(table, column))
    for a, b in table.greater_than:
        expectations.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=a, column_B=b, meta=_meta(table, a, f"{a} > {b}")
            )
        )
    return gx.ExpectationSuite(name=f"{table.name}_suite", expectations=expectations)


def _column_expectations(table: schemas.Table, column: schemas.Column) -> Iterator:
    """The expectations of one column, in the order the Column fields are declared."""
    import great_expectations.expectations as gxe

    name = column.name
    if not column.nullable:
        yield gxe.ExpectColumnValuesToNotBeNull(column=name, meta=_meta(table, name, "not null"))
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        # Why: GX's map expectations compare scalars; a list cell has nothing they can check.
        # Refuse rather than silently drop a rule the schema declares on a list column.
        if column != schemas.Column(name, column.type, column.doc, nullable=column.nullable):
            raise ConfigError(f"{table.name}.{name} is a list column: only nullability can be checked on it")
        return
    if column.pattern is not None:
        yield gxe.ExpectColumnValuesToMatchRegex(
            column=name, regex=column.pattern, meta=_meta(table, name, f"pattern {_pattern_name(column.pattern)}")
        )
    for regex in column.forbid:
        yield gxe.ExpectColumnValuesToNotMatchRegex(
            column=name, regex=regex, meta=_meta(table, name, _pattern_name(regex))
        )
    if column.allowed is not None:
        yield gxe.ExpectColumnValuesToBeInSet(
            column=name, value_set=list(column.allowed), meta=_meta(table, name, f"allowed {list(column.allowed)}")
        )
    if column.min_value is not None or column.max_value is not None:
        yield gxe.ExpectColumnValuesToBeBetween(
            column=name,
            min_value=column.min_value,
            max_value=column.max_value,
            meta=_meta(table, name, _bounds(column.min_value, column.max_value)),
        )


def keys_suite_for(table: schemas.Table) -> ExpectationSuite | None:
    """The suite ``<table>_keys_suite``: unique columns and the compound key, or None.

    It runs on the key columns, apart from ``suite_for``'s expectations, which an
    incremental build checks on its new and changed rows only: a new row can repeat the
    id of any old one, so this suite also checks the old rows that share a key value with
    a new one (``_rows_keys_must_see``).
    """
    import great_expectations as gx
    import great_expectations.expectations as gxe

    expectations = []
    if len(table.key) > 1:
        expectations.append(
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=list(table.key), meta=_meta(table, None, f"key ({', '.join(table.key)})")
            )
        )
    expectations += [
        gxe.ExpectColumnValuesToBeUnique(column=c.name, meta=_meta(table, c.name, "unique"))
        for c in table.columns if c.unique
    ]
    return gx.ExpectationSuite(name=f"{table.name}_keys_suite", expectations=expectations) if expectations else None


def _columns_of(suite: ExpectationSuite) -> list[str]:
    """The columns ``suite``'s expectations name, in first-named order."""
    return list(dict.fromkeys(name for expectation in suite.expectations for name in _named_columns(expectation)))


def _named_columns(expectation) -> list[str]:
    """The columns one expectation names: its column list, its column, or none."""
    names = getattr(expectation, "column_list", None) or [getattr(expectation, "column", None)]
    return [name for name in names if name is not None]


def release_suites_sha256(release: Path | None) -> str | None:
    """The ``suites_digest`` a published release was validated under, if its manifest says."""
    try:
        manifest = json.loads((Path(release) / "manifest.json").read_text(encoding="utf-8"))
    except (TypeError, OSError, ValueError):
        return None
    return manifest.get("validation", {}).get("suites_sha256")


def suites_digest() -> str:
    """The sha256 of every suite's configuration: rows a release validated under the same
    digest need not be checked again while unchanged."""
    digest = hashlib.sha256()
    with _quiet_gx():
        for spec in schemas.TABLES.values():
            for suite in (suite_for(spec), keys_suite_for(spec), references_suite_for(spec)):
                if suite is not None:
                    digest.update(json.dumps(suite.to_json_dict(), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _meta(table: schemas.Table, column: str | None, rule: str) -> dict:
    """The ``meta`` of an expectation: where it applies and the schema rule it comes from."""
    return {"table": table.name, "column": column, "rule": rule}


def _bounds(low: int | None, high: int | None) -> str:
    """A numeric range in words.

    >>> _bounds(1, 6), _bounds(0, None), _bounds(None, 9)
    ('between 1 and 6', '>= 0', '<= 9')
    """
    if low is not None and high is not None:
        return f"between {low} and {high}"
    return f">= {low}" if low is not None else f"<= {high}"


def references_suite_for(table: schemas.Table) -> ExpectationSuite | None:
    """The suite ``<table>_references_suite`` of ``table``'s foreign keys, or None.

    It runs on ``dangling_references``: a column per foreign key that is null wherever
    the reference holds, so each key is one not-null-style expectation whose unexpected
    values are the dangling ids themselves. Why not an in-set expectation on the table:
    Great Expectations copies an expectation's value set every time it reads its
    configuration, and with every speech id as the set that copying was 80% of validating a
    50 MB release (measured); and the set would fill the Data Docs page.
    """
    import great_expectations as gx
    import great_expectations.expectations as gxe

    expectations = [
        gxe.ExpectColumnValuesToBeNull(column=c.name, meta=_meta(table, c.name, f"references {c.references}"))
        for c in table.columns if c.references is not None
    ]
    return gx.ExpectationSuite(name=f"{table.name}_references_suite", expectations=expectations) if expectations else None


def dangling_references(table: schemas.Table, tables: dict[str, pa.Table]) -> pa.Table:
    """One column per foreign key of ``table``: the row's value where it names no row of
    the referenced table, else null (a null reference is no reference: nullable keys).

    Raises ``KeyError`` when a referenced table is not in ``tables``; a referenced column
    that is absent makes every non-null reference dangle, next to that table's own
    column-list failure, instead of validation crashing.
    """
    columns = {}
    for column in (c for c in table.columns if c.references is not None):
        other, _, target = column.references.partition(".")
        if other not in tables:
            raise KeyError(f"{column.references!r} refers to table {other!r}, which is not among {sorted(tables)}")
        values = tables[table.name].column(column.name) if column.name in tables[table.name].column_names \
            else pa.nulls(tables[table.name].num_rows, column.type)
        referenced = tables[other][target] if target in tables[other].column_names else pa.array([], column.type)
        found = pc.is_in(values, value_set=pc.unique(referenced))
        dangling = pc.and_(pc.is_valid(values), pc.invert(found))
        columns[column.name] = pc.if_else(dangling, values, pa.scalar(None, column.type))
    return pa.table(columns)


def _pattern_name(regex: str) -> str:
    """The readable name of a schema regex: ``PAGE_BREAK_SPACE_PATTERN`` -> ``page break space``.

    Regexes that no ``*_PATTERN`` constant of ``schemas`` holds are shown as written.

    >>> _pattern_name(schemas.PAGE_BREAK_SPACE_PATTERN)
    'page break space'
    >>> _pattern_name(r"^x$")
    '/^x$/'
    """
    for constant, value in vars(schemas).items():
        if constant.endswith("_PATTERN") and value == regex:
            return constant.removesuffix("_PATTERN").lower().replace("_", " ")
    return f"/{regex}/"


def validate(tables: dict[str, pa.Table], data_docs: Path | None = None,
             unchanged: dict[str, pa.ChunkedArray] | concurrent.futures.Future | None = None) -> ValidationReport:
    """The validation report of a release: every table of ``schemas.TABLES`` against its suite.

    ``tables`` must hold exactly the tables of ``schemas.TABLES`` (``ConfigError``
    otherwise): a table left out would be published unchecked. All suites run in one
    ephemeral Great Expectations context, so two runs never share state. Empty tables pass
    (the rejects table usually is empty).

    ``unchanged`` (an incremental build) holds, per table, a mask of rows that are exactly
    as a release validated under the same suites (``suites_digest``) holds them: the
    row-by-row suite skips those, the keys suite checks them where a new or changed row
    could repeat their key (``_rows_keys_must_see``), the references suite sees every
    row. Without it every row is checked. It may be a future the caller completes later:
    the references suites run meanwhile. Whatever completes it must not call into
    this module's Great Expectations setup (``suites_digest``...): validation holds that
    lock while it waits.

    With ``data_docs``, Great Expectations' Data Docs for these results (an ``index.html``
    with one page per suite and per validation result, readable offline) are built into
    that folder, which must not exist yet; nothing else is written to disk.
    """
    if data_docs is not None and Path(data_docs).exists():
        raise ConfigError(f"data_docs folder {str(data_docs)!r} exists; give a new path")
    missing = [name for name in schemas.TABLES if name not in tables]
    unknown = sorted(set(tables) - set(schemas.TABLES))
    if missing or unknown:
        raise ConfigError(
            f"validate needs every table of the schema; missing: {missing}, unknown: {unknown}, "
            f"given: {sorted(tables)}, expected: {list(schemas.TABLES)}"
        )
    with _quiet_gx():
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        if data_docs is not None:
            context.add_data_docs_site(site_name=DATA_DOCS_SITE, site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            })
        datasource = context.data_sources.add_pandas("release")
        results: dict[str, TableResult] = {}
        def run(asset: str, suite: ExpectationSuite, frame) -> tuple[bool, int, list[Failure]]:
            suite = context.suites.add(suite)
            batch = datasource.add_dataframe_asset(asset).add_batch_definition_whole_dataframe("whole")
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{asset}_validation", data=batch, suite=suite)
            )
            outcome = definition.run(batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT)
            order = {e.id: i for i, e in enumerate(suite.expectations)}
            failed = sorted(
                (r for r in outcome.results if not r.success),
                key=lambda r: order.get(r.expectation_config.id, len(order)),
            )
            return bool(outcome.success), len(outcome.results), [_failure(r) for r in failed]

        # The references first: they see every row, and need no ``unchanged`` yet.
        references = {
            name: run(f"{name}_references", suite, dangling_references(spec, tables).to_pandas())
            for name, spec in schemas.TABLES.items() if (suite := references_suite_for(spec)) is not None
        }
        if isinstance(unchanged, concurrent.futures.Future):
            unchanged = unchanged.result()
        for name, spec in schemas.TABLES.items():
            table = tables[name]
            skipped = None if unchanged is None else unchanged.get(name)
            checked = table if skipped is None else table.filter(pc.invert(skipped))
            outcomes = [run(name, suite_for(spec), _frame(checked))]
            keys = keys_suite_for(spec)
            if keys is not None:
                outcomes.append(run(f"{name}_keys", keys, _frame(_rows_keys_must_see(table, keys, skipped))))
            if name in references:
                outcomes.append(references[name])
            results[name] = TableResult(
                success=all(ok for ok, _, _ in outcomes), evaluated=sum(n for _, n, _ in outcomes),
                failed=[f for _, _, broken in outcomes for f in broken],
                rows=table.num_rows, rows_checked=checked.num_rows)
        if data_docs is not None:
            context.build_data_docs(site_names=[DATA_DOCS_SITE])
            datadocs.make_offline(data_docs)
    return ValidationReport(success=all(r.success for r in results.values()), tables=results,
                            suites_sha256=suites_digest())


def preload() -> None:
    """Import Great Expectations now (about 2.7 s measured here) rather than when the first
    suite runs: a build calls this on a thread once it has planned, while it mostly waits
    for its workers or runs Arrow code outside the GIL."""
    with _quiet_gx():
        pass


def _rows_keys_must_see(table: pa.Table, suite: ExpectationSuite, unchanged: pa.ChunkedArray | None) -> pa.Table:
    """The columns of ``table`` that the keys ``suite`` checks, on the rows it must check.

    Every row, unless ``unchanged`` marks rows exactly as a release validated under the
    same suites holds them. Those were unique among themselves there, so any repeated
    key involves a row that is new or changed: the suite then checks those rows and the
    unchanged rows that share every column of some key with one of them. It finds the
    same repeats, the same unexpected rows in the same order, as on the whole table.
    Checking the removals of 2,000 documents whole took 0.13-0.18 s of a one-new-page
    build (measured).
    """
    table = _present(table, _columns_of(suite))
    if unchanged is None:
        return table
    changed = pc.invert(unchanged)
    keep = changed
    for expectation in suite.expectations:
        names = _named_columns(expectation)
        if not names or not all(n in table.column_names for n in names):
            continue  # it cannot run; the row suite reports the missing column
        shares = None
        for n in names:
            seen = pc.is_in(table.column(n), value_set=pc.unique(table.column(n).filter(changed)))
            shares = seen if shares is None else pc.and_(shares, seen)
        keep = pc.or_(keep, shares)
    return table.filter(keep)


def _present(table: pa.Table, names: list[str]) -> pa.Table:
    """The columns ``names`` of ``table`` that it has: a missing one is the row suite's
    column-list failure to report, not a crash here."""
    return table.select([n for n in names if n in table.column_names])


def _frame(table: pa.Table):
    """``table`` as the pandas frame Great Expectations checks, list columns as their
    lengths: nullness is the only rule a list column may carry (``_column_expectations``)
    and a length is null exactly when the list is, while a frame of Python lists of
    tokens cost gigabytes and seconds on a 50 MB release."""
    for i, field in enumerate(table.schema):
        if pa.types.is_list(field.type) or pa.types.is_large_list(field.type):
            table = table.set_column(i, field.name, pc.list_value_length(table.column(i)))
    return table.to_pandas()


@contextmanager
def _quiet_gx() -> Iterator[None]:
    """Great Expectations imported and hushed for the duration of a call: warnings and errors only.

    Why: GX logs routine events at INFO, some from loggers it pins to INFO itself (e.g. the
    temporary docs directory of every ephemeral context); its import raises deprecation
    warnings; pandas warns about the match group in the section-marker regex. The report
    already carries everything that failed.
    Levels are restored afterwards, so an application's own logging setup is left alone.
    """
    with _GX_SETUP:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        root = logging.getLogger("great_expectations")
        saved = {root: root.level}
        root.setLevel(max(root.level, logging.WARNING))  # before the import: it logs too
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", category=DeprecationWarning, module="great_expectations")
                warnings.filterwarnings("ignore", message="This pattern is interpreted as a regular expression")
                import great_expectations  # noqa: F401  (creates the loggers GX pins to INFO)

                for name, logger in list(logging.root.manager.loggerDict.items()):
                    if name.startswith("great_expectations.") and isinstance(logger, logging.Logger) and logger.level:
                        saved[logger] = logger.level
                        logger.setLevel(max(logger.level, logging.WARNING))
                yield
        finally:
            for logger, level in saved.items():
                logger.setLevel(level)


#: Held while the logging levels and warning filters are changed: ``preload`` runs on a
#: thread of its own, and two overlapping save/restore pairs would restore each other's
#: changes.
_GX_SETUP = threading.RLock()


def _failure(result: ExpectationValidationResult) -> Failure:
    """A ``Failure`` from one failed GX result, with plain-Python examples."""
    config = result.expectation_config
    meta = config.meta or {}
    errors = _exception_messages(result.exception_info)
    details = result.result or {}
    if "partial_unexpected_list" in details:
        sample = [_excerpt(_plain(v), config.kwargs.get("regex")) for v in details["partial_unexpected_list"]]
    elif "column_list" in config.kwargs and "observed_value" in details:
        sample = _column_list_problems(config.kwargs["column_list"], _plain(details["observed_value"]))
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


def _exception_messages(info: dict | None) -> list[str]:
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


def _plain(value: Any) -> Any:
    """``value`` as strict-JSON plain Python: numpy scalars unwrapped, NaN and NA as None.

    >>> _plain((float("nan"), 3, {"a": [1.5]}))
    [None, 3, {'a': [1.5]}]
    """
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays (a list<string> cell)
        return _plain(value.tolist())
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


def _excerpt(value: Any, regex: str | None) -> Any:
    """A long string cut to the part worth reading: around the forbidden match, else its start.

    >>> _excerpt("甲" * 50 + " 乙" + "丙" * 50, schemas.PAGE_BREAK_SPACE_PATTERN)
    '…甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲甲 乙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙丙…'
    """
    if not isinstance(value, str) or len(value) <= _SAMPLE_CHARS:
        return value
    match = re.search(regex, value) if regex else None
    start = 0 if match is None else max(0, match.start() - _SAMPLE_CHARS // 2)
    end = min(len(value), start + _SAMPLE_CHARS)
    return ("…" if start else "") + value[start:end] + ("…" if end < len(value) else "")

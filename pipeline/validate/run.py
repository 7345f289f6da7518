"""Running the suites on a release's tables, in one ephemeral Great Expectations context.

``validate`` checks every table in one call. A build that compares its rows with the
previous release meanwhile uses a ``Session`` instead: the references suites need no
comparison and run first (``references``), the row and keys suites then skip or narrow
to the rows the comparison found unchanged (``rows``), and ``report`` builds the Data Docs
and the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import schemas
from pipeline.errors import ConfigError
from pipeline.validate import datadocs
from pipeline.validate.results import Failure, RowFailure, TableResult, ValidationReport, excerpt, failure, plain
from pipeline.validate.suites import (
    columns_of, dangling_references, is_row_level, keys_suite_for, named_columns, references_suite_for, suite_for,
    suites_digest,
)

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite

#: BASIC: counts and the first five unexpected values, which name the problem and keep
#: results small on big failing batches; SUMMARY would add a metric per expectation (the
#: unexpected values' counts and row indexes) and cost a third more time.
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 5}
#: What locates the rows of a failed row-level expectation: every unexpected value and its
#: row (the frame's index, which is the row's position). Asked only of the expectations
#: that failed, on the frame they failed on, so a passing build pays nothing for it.
LOCATE_FORMAT = {"result_format": "COMPLETE"}

#: The Data Docs site a release carries (``validation/`` in the release folder).
DATA_DOCS_SITE = "release"

#: (success, expectations evaluated, failures) of one suite run.
Outcome = tuple[bool, int, list[Failure]]


class Session:
    """The validation of one release's ``tables``: suites run in one ephemeral Great
    Expectations context, so two validations never share state.

    ``tables`` must hold exactly the tables of ``schemas.TABLES`` (``ConfigError``
    otherwise): a table left out would be published unchecked. With ``data_docs``,
    Great Expectations' Data Docs (an ``index.html`` with a page per suite and per
    validation result, readable offline) are built into that folder, which must not exist
    yet; nothing else is written to disk.
    """

    def __init__(self, tables: dict[str, pa.Table], data_docs: Path | None = None):
        if data_docs is not None and Path(data_docs).exists():
            raise ConfigError(f"data_docs folder {str(data_docs)!r} exists; give a new path")
        missing = [name for name in schemas.TABLES if name not in tables]
        unknown = sorted(set(tables) - set(schemas.TABLES))
        if missing or unknown:
            raise ConfigError(
                f"validate needs every table of the schema; missing: {missing}, unknown: {unknown}, "
                f"given: {sorted(tables)}, expected: {list(schemas.TABLES)}"
            )
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self._tables = tables
        self._data_docs = data_docs
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        if data_docs is not None:
            self._context.add_data_docs_site(site_name=DATA_DOCS_SITE, site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            })
        self._datasource = self._context.data_sources.add_pandas("release")
        self._references: dict[str, Outcome] = {}
        self._results: dict[str, TableResult] = {}
        self._row_failures: list[RowFailure] = []

    def references(self) -> None:
        """Run the references suites: they see every row and need nothing else."""
        for name, spec in schemas.TABLES.items():
            suite = references_suite_for(spec)
            if suite is not None:
                frame = dangling_references(spec, self._tables).to_pandas()
                self._references[name] = self._run(f"{name}_references", suite, frame)

    def rows(self, unchanged: dict[str, pa.ChunkedArray] | None = None) -> None:
        """Run the row and keys suites of every table.

        ``unchanged`` (an incremental build) holds, per table, a mask of rows exactly as a
        release validated under the same suites (``suites_digest``) holds them: the row
        suite skips those, the keys suite checks them where a new or changed row could
        repeat their key (``rows_keys_must_see``). Without it every row is checked.
        """
        for name, spec in schemas.TABLES.items():
            table = self._tables[name]
            skipped = None if unchanged is None else unchanged.get(name)
            checked = table if skipped is None else table.filter(pc.invert(skipped))
            data = frame(checked)
            ok, evaluated, broken = self._results_of(name, suite_for(spec), data)
            outcomes = [(ok, evaluated, [failure(r) for r in broken])]
            if not ok:
                positions = np.arange(table.num_rows) if skipped is None else \
                    np.flatnonzero(~skipped.to_numpy(zero_copy_only=False))
                self._row_failures += self._locate(name, broken, data, positions)
            keys = keys_suite_for(spec)
            if keys is not None:
                outcomes.append(self._run(f"{name}_keys", keys, frame(rows_keys_must_see(table, keys, skipped))))
            if name in self._references:
                outcomes.append(self._references[name])
            self._results[name] = TableResult(
                success=all(ok for ok, _, _ in outcomes), evaluated=sum(n for _, n, _ in outcomes),
                failed=[f for _, _, broken in outcomes for f in broken],
                rows=table.num_rows, rows_checked=checked.num_rows)

    def report(self) -> ValidationReport:
        """The report of the suites run, after building the Data Docs when asked for."""
        if set(self._results) != set(schemas.TABLES):
            raise ConfigError("call rows() before report(): the row suites have not run")
        if self._data_docs is not None:
            self._context.build_data_docs(site_names=[DATA_DOCS_SITE])
            datadocs.make_offline(self._data_docs)
        return ValidationReport(success=all(r.success for r in self._results.values()), tables=self._results,
                                suites_sha256=suites_digest(), row_failures=tuple(self._row_failures))

    def _run(self, asset: str, suite: ExpectationSuite, data) -> Outcome:
        ok, evaluated, broken = self._results_of(asset, suite, data)
        return ok, evaluated, [failure(r) for r in broken]

    def _results_of(self, asset: str, suite: ExpectationSuite, data) -> tuple[bool, int, list]:
        """Run ``suite`` on ``data`` as the validation ``<asset>_validation`` (its result goes
        to the Data Docs): success, expectations evaluated, and the failed results in suite
        order."""
        gx = self._gx
        suite = self._context.suites.add(suite)
        batch = self._datasource.add_dataframe_asset(asset).add_batch_definition_whole_dataframe("whole")
        definition = self._context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{asset}_validation", data=batch, suite=suite)
        )
        outcome = definition.run(batch_parameters={"dataframe": data}, result_format=RESULT_FORMAT)
        order = {e.id: i for i, e in enumerate(suite.expectations)}
        failed = sorted(
            (r for r in outcome.results if not r.success),
            key=lambda r: order.get(r.expectation_config.id, len(order)),
        )
        return bool(outcome.success), len(outcome.results), failed

    def _locate(self, name: str, broken: list, data, positions: np.ndarray) -> list[RowFailure]:
        """The rows of ``name`` behind each failed row-level expectation of ``broken``:
        those expectations run again on ``data`` (the rows checked, at ``positions`` of the
        table) asking for every unexpected row (``LOCATE_FORMAT``), outside the Data Docs."""
        row_level = [r for r in broken if is_row_level(r.expectation_config.type) and failure(r).error is None]
        if not row_level:
            return []
        gx = self._gx
        copies = []
        for i, result in enumerate(row_level):
            config = result.expectation_config
            copies.append(config.to_domain_obj().copy(update={"id": None, "meta": {**(config.meta or {}), "located": i}}))
        batch = self._datasource.add_dataframe_asset(f"{name}_located").add_batch_definition_whole_dataframe("whole") \
            .get_batch(batch_parameters={"dataframe": data})
        located = batch.validate(gx.ExpectationSuite(name=f"{name}_located", expectations=copies),
                                 result_format=LOCATE_FORMAT)
        doc_ids = self._tables[name].column("doc_id") if "doc_id" in self._tables[name].column_names else None
        out = []
        for result in sorted(located.results, key=lambda r: r.expectation_config.meta["located"]):
            original = row_level[result.expectation_config.meta["located"]]
            details = result.result or {}
            if result.success or "unexpected_index_list" not in details:
                continue  # not located: left unquarantinable, the release is refused
            rows = positions[np.asarray(details["unexpected_index_list"], dtype=np.int64)]
            regex = original.expectation_config.kwargs.get("regex")
            out.append(RowFailure(
                table=name, failure=failure(original), rows=tuple(rows.tolist()),
                doc_ids=tuple(doc_ids.take(rows).to_pylist()) if doc_ids is not None else (None,) * len(rows),
                values=tuple(excerpt(plain(v), regex) for v in details.get("unexpected_list", [None] * len(rows))),
            ))
        return out


def validate(tables: dict[str, pa.Table], data_docs: Path | None = None,
             unchanged: dict[str, pa.ChunkedArray] | None = None) -> ValidationReport:
    """The validation report of a release: every table of ``schemas.TABLES`` against its
    suites (``Session``; ``unchanged`` as in ``Session.rows``). Empty tables pass (the
    rejects table usually is empty)."""
    session = Session(tables, data_docs)
    session.references()
    session.rows(unchanged)
    return session.report()


def rows_keys_must_see(table: pa.Table, suite: ExpectationSuite, unchanged: pa.ChunkedArray | None) -> pa.Table:
    """The columns of ``table`` that the keys ``suite`` checks, on the rows it must check.

    Every row, unless ``unchanged`` marks rows exactly as a release validated under the
    same suites holds them. Those were unique among themselves there, so any repeated
    key involves a row that is new or changed: the suite then checks those rows and the
    unchanged rows that share every column of some key with one of them. It finds the
    same repeats, the same unexpected rows in the same order, as on the whole table.
    """
    table = _present(table, columns_of(suite))
    if unchanged is None:
        return table
    changed = pc.invert(unchanged)
    keep = changed
    for expectation in suite.expectations:
        names = named_columns(expectation)
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


def frame(table: pa.Table):
    """``table`` as the pandas frame Great Expectations checks, list columns as their
    lengths: nullness is the only rule a list column may carry, and a length is null
    exactly when the list is, while a frame of Python lists of tokens costs gigabytes."""
    for i, field in enumerate(table.schema):
        if pa.types.is_list(field.type) or pa.types.is_large_list(field.type):
            table = table.set_column(i, field.name, pc.list_value_length(table.column(i)))
    return table.to_pandas()

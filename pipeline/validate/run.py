"""Running the suites on a release's tables, in one ephemeral Great Expectations context.

``validate`` checks every table in one call. A build that compares its rows with the
previous release meanwhile uses a ``Session`` instead: the references suites need no
comparison and run first (``references``), the row and keys suites then skip or narrow
to the rows the comparison found unchanged (``rows``), and ``report`` builds the Data Docs
and the report.

Great Expectations checks pandas frames, and a frame of a whole table costs several times
its Arrow size, so no suite sees a whole table: each runs on slices of a bounded number of
rows and bytes of strings (``slice_bounds``), each slice through the suite's validation
definition, and the slices' outcomes are added up for the report (``_Merging``), the same
whatever the slice size. The Data Docs show what Great Expectations stored: one validation
result per slice, so one for a table that fits in a slice, several for a bigger one.
Uniqueness relates rows of different slices: a 64-bit hash of each row's key, computed a
slice at a time, says which rows may repeat a key (``repeated_keys``); those are checked
together, the others a slice at a time.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import schemas
from pipeline import records
from pipeline.errors import ConfigError
from pipeline.validate import datadocs
from pipeline.validate.results import (
    Failure, RowFailure, TableResult, ValidationReport, exception_messages, excerpt, failure, plain,
)
from pipeline.validate.suites import (
    columns_of, dangling_references, is_row_level, keys_suite_for, named_columns, references_suite_for, suite_for,
    suites_digest,
)

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core import ExpectationSuite
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult, ExpectationValidationResult,
    )
    from great_expectations.datasource.fluent import PandasDatasource

#: BASIC: counts and the first five unexpected values, which name the problem and keep
#: results small on big failing batches; SUMMARY would add a metric per expectation (the
#: unexpected values' counts and row indexes) and cost a third more time.
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 5}
#: What locates the rows of a failed row-level expectation: every unexpected value and its
#: row (the frame's index, which is the row's position). Asked only of the expectations
#: that failed, on the frame they failed on, so a passing build pays nothing for it.
LOCATE_FORMAT = {"result_format": "COMPLETE"}

#: Most rows, and bytes of strings, of a table Great Expectations checks at once. Its frame
#: holds every string as a Python object and its regex checks copy a text column again,
#: about 4 bytes of memory per byte of text: whole tables cost 550 MB at 105 MB of input,
#: speeches (a few thousand rows) alone 400 MB. Smaller slices mostly add Great
#: Expectations' fixed cost per run (0.1-0.5 s).
SLICE_ROWS = 50_000
SLICE_BYTES = 16 << 20

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
    yet; nothing else is written to disk. Each suite runs on at most ``slice_rows`` rows
    and ``slice_bytes`` bytes of strings at a time (``slice_bounds``; see the module
    docstring); the report does not depend on them. ``slice_checked`` is called after
    each slice is checked: a caller whose tables are mapped files hands back the pages
    read for it, so that validation holds a slice's pages, not a table's.
    """

    def __init__(self, tables: dict[str, pa.Table], data_docs: Path | None = None, slice_rows: int = SLICE_ROWS,
                 slice_bytes: int = SLICE_BYTES, slice_checked: Callable[[], None] = lambda: None):
        if data_docs is not None and Path(data_docs).exists():
            raise ConfigError(f"data_docs folder {str(data_docs)!r} exists; give a new path")
        if slice_rows < 1 or slice_bytes < 1:
            raise ConfigError(f"slices need a row and a byte at least, not {slice_rows} and {slice_bytes}")
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
        self._slice_rows, self._slice_bytes = slice_rows, slice_bytes
        self._slice_checked = slice_checked
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        if data_docs is not None:
            self._context.add_data_docs_site(site_name=DATA_DOCS_SITE, site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            })
        self._references: dict[str, Outcome] = {}
        self._results: dict[str, TableResult] = {}
        self._row_failures: list[RowFailure] = []

    def references(self) -> None:
        """Run the references suites: they see every row and need nothing else."""
        for name, spec in schemas.TABLES.items():
            suite = references_suite_for(spec)
            if suite is not None:
                dangling = dangling_references(spec, self._tables)
                self._references[name] = self._run(f"{name}_references", suite, dangling, self._slices(dangling))

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
            checked = None if skipped is None else ~skipped.to_numpy(zero_copy_only=False)
            locating = _Locating(name)
            ok, evaluated, broken = self._results_of(name, suite_for(spec), table, self._slices(table, checked),
                                                     lambda *seen: self._locate(locating, *seen))
            outcomes = [(ok, evaluated, [found.failure for found in broken])]
            self._row_failures += locating.row_failures(broken, table)
            keys = keys_suite_for(spec)
            if keys is not None:
                seen = rows_keys_must_see(table, keys, skipped)
                bounds = self._bounds(seen)
                repeated = repeated_keys(seen, keys, bounds)
                # the rows that may repeat a key are checked together, in one frame whatever its
                # size: there are none in a release that passes
                together = (np.flatnonzero(repeated), seen.filter(pa.array(repeated)))
                slices = itertools.chain(self._slices(seen, ~repeated, bounds), [together] if repeated.any() else [])
                outcomes.append(self._run(f"{name}_keys", keys, seen, slices))
            if name in self._references:
                outcomes.append(self._references[name])
            self._results[name] = TableResult(
                success=all(ok for ok, _, _ in outcomes), evaluated=sum(n for _, n, _ in outcomes),
                failed=[f for _, _, broken in outcomes for f in broken],
                rows=table.num_rows, rows_checked=table.num_rows if checked is None else int(checked.sum()))

    def report(self) -> ValidationReport:
        """The report of the suites run, after building the Data Docs when asked for."""
        if set(self._results) != set(schemas.TABLES):
            raise ConfigError("call rows() before report(): the row suites have not run")
        if self._data_docs is not None:
            self._context.build_data_docs(site_names=[DATA_DOCS_SITE])
            datadocs.make_offline(self._data_docs)
        return ValidationReport(success=all(r.success for r in self._results.values()), tables=self._results,
                                suites_sha256=suites_digest(), row_failures=tuple(self._row_failures))

    def _slices(self, table: pa.Table, checked: np.ndarray | None = None,
                bounds: list[tuple[int, int]] | None = None) -> Iterator[tuple[np.ndarray, pa.Table]]:
        """The rows of ``table`` (those ``checked`` marks, or all), a slice at a time
        (``bounds``, by default ``slice_bounds``): each slice's positions in ``table`` and
        its rows; slices left empty are not given."""
        for start, stop in self._bounds(table) if bounds is None else bounds:
            part = table.slice(start, stop - start)
            positions = np.arange(start, stop)
            if checked is not None:
                keep = checked[start:stop]
                part, positions = part.filter(pa.array(keep)), positions[keep]
            if part.num_rows:
                yield positions, part

    def _bounds(self, table: pa.Table) -> list[tuple[int, int]]:
        return slice_bounds(table, self._slice_rows, self._slice_bytes)

    def _run(self, asset: str, suite: ExpectationSuite, table: pa.Table,
             slices: Iterable[tuple[np.ndarray, pa.Table]]) -> Outcome:
        ok, evaluated, broken = self._results_of(asset, suite, table, slices)
        return ok, evaluated, [found.failure for found in broken]

    def _results_of(self, asset: str, suite: ExpectationSuite, table: pa.Table,
                    slices: Iterable[tuple[np.ndarray, pa.Table]],
                    each: Callable[[PandasDatasource, ExpectationSuiteValidationResult, pd.DataFrame, np.ndarray],
                                   None] | None = None,
                    ) -> tuple[bool, int, list[_Merged]]:
        """Run ``suite`` on the ``slices`` of ``table`` (on its empty frame when there are
        none: the column list is still checked) through the validation definition
        ``<asset>_validation``, which stores each slice's result for the Data Docs; ``each``
        sees the datasource, every slice's result, frame and positions in the table.
        Returns success, expectations evaluated, and the failed expectations, their slices
        added up, in suite order."""
        gx = self._gx
        suite = self._context.suites.add(suite)
        # A datasource of its own, deleted after the runs: its engine keeps the frame of the
        # last batch of every asset until the datasource goes.
        datasource = self._context.data_sources.add_pandas(asset)
        batch = datasource.add_dataframe_asset(asset).add_batch_definition_whole_dataframe("whole")
        definition = self._context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{asset}_validation", data=batch, suite=suite)
        )
        merging = _Merging(suite)
        for positions, part in _or_empty(slices, table):
            data = frame(part)
            result = definition.run(batch_parameters={"dataframe": data}, result_format=RESULT_FORMAT)
            merging.add(result)
            if each is not None:
                each(datasource, result, data, positions)
            self._slice_checked()
        self._context.data_sources.delete(asset)
        return merging.outcome()

    def _locate(self, locating: _Locating, datasource: PandasDatasource, result: ExpectationSuiteValidationResult,
                data: pd.DataFrame, positions: np.ndarray) -> None:
        """The rows behind each failed row-level expectation of one slice's ``result``:
        those expectations run again on the slice's frame ``data`` (its rows at ``positions``
        of the table) asking for every unexpected row (``LOCATE_FORMAT``), as a batch of
        ``datasource`` outside the Data Docs; what they find goes to ``locating``."""
        row_level = [r for r in result.results if not r.success and is_row_level(r.expectation_config.type)
                     and failure(r).error is None]
        if not row_level:
            return
        gx = self._gx
        copies = []
        for i, found in enumerate(row_level):
            config = found.expectation_config
            copies.append(config.to_domain_obj().copy(update={"id": None, "meta": {**(config.meta or {}), "located": i}}))
        name = locating.table
        if locating.batch is None:
            locating.batch = datasource.add_dataframe_asset(f"{name}_located").add_batch_definition_whole_dataframe("whole")
        batch = locating.batch.get_batch(batch_parameters={"dataframe": data})
        located = batch.validate(gx.ExpectationSuite(name=f"{name}_located", expectations=copies),
                                 result_format=LOCATE_FORMAT)
        for found in located.results:
            original = row_level[found.expectation_config.meta["located"]]
            locating.add(original.expectation_config.id, found, positions)


@dataclasses.dataclass(frozen=True)
class _Merged:
    """One expectation of a suite, its results on every slice of a table added up: whether
    it held on all, what failed (``failure``, None when it held), and what locating its
    rows needs (its id, the ``regex`` its values are quoted around)."""

    expectation_id: str
    success: bool
    failure: Failure | None
    regex: str | None


class _Merging:
    """The results of one suite on the slices of a table, in table order, added up per
    expectation as on the whole table (``add``, then ``outcome``)."""

    def __init__(self, suite: ExpectationSuite):
        self._order = [e.id for e in suite.expectations]
        self._results: dict[str, list[ExpectationValidationResult]] = {}

    def add(self, result: ExpectationSuiteValidationResult) -> None:
        for found in result.results:
            config = found.expectation_config
            if config.kwargs.get("mostly", 1) != 1:
                raise ConfigError(f"{config.type} with mostly={config.kwargs['mostly']}: its slices' results cannot "
                                  f"be added up")
            self._results.setdefault(config.id, []).append(found)

    def outcome(self) -> tuple[bool, int, list[_Merged]]:
        """Success, expectations evaluated, and the failed expectations in suite order."""
        merged = [_merged(self._results[key]) for key in self._order if key in self._results]
        return all(m.success for m in merged), len(merged), [m for m in merged if not m.success]


def _merged(same: list[ExpectationValidationResult]) -> _Merged:
    """One expectation's results on the slices of a table as on the whole table: held when
    it held on every slice, rows counted over all, the first unexpected values (as many as
    ``RESULT_FORMAT`` quotes) in table order. One that could not run is the first such
    slice's; one about the table, not its rows (the column list, the same on every slice),
    the first slice's that failed it."""
    config = same[0].expectation_config
    raised = [r for r in same if exception_messages(r.exception_info)]
    about_table = any("element_count" not in (r.result or {}) for r in same)
    if raised or about_table:
        chosen = raised[0] if raised else next((r for r in same if not r.success), same[0])
        return _Merged(config.id, bool(chosen.success), None if chosen.success else failure(chosen),
                       config.kwargs.get("regex"))
    if all(r.success for r in same):
        return _Merged(config.id, True, None, config.kwargs.get("regex"))
    failures = [failure(r) for r in same if not r.success]
    quoted = [value for found in failures for value in found.sample]
    total = sum(int(r.result["unexpected_count"]) for r in same)
    return _Merged(config.id, False, dataclasses.replace(
        failures[0], unexpected_count=total, sample=quoted[:RESULT_FORMAT["partial_unexpected_count"]]),
        config.kwargs.get("regex"))


class _Locating:
    """The rows of table ``table`` found behind its failed row-level expectations, slice
    after slice: per expectation (by id), their positions in the table and their values."""

    def __init__(self, table: str):
        self.table = table
        self.batch = None  # where the slices are validated again, made on the first failure
        self._rows: dict[str, list[np.ndarray]] = {}
        self._values: dict[str, list] = {}
        self._lost: set[str] = set()

    def add(self, expectation_id: str, located: ExpectationValidationResult, positions: np.ndarray) -> None:
        details = located.result or {}
        if located.success or "unexpected_index_list" not in details:
            self._lost.add(expectation_id)  # not located: left unquarantinable, the release is refused
            return
        rows = np.asarray(details["unexpected_index_list"], dtype=np.int64)
        self._rows.setdefault(expectation_id, []).append(positions[rows])
        self._values.setdefault(expectation_id, []).extend(details.get("unexpected_list", [None] * len(rows)))

    def row_failures(self, broken: list[_Merged], table: pa.Table) -> list[RowFailure]:
        """One ``RowFailure`` per expectation of ``broken`` (the table's failed expectations,
        in suite order) whose rows every slice located."""
        doc_ids = table.column("doc_id") if "doc_id" in table.column_names else None
        out = []
        for found in broken:
            key = found.expectation_id
            if key not in self._rows or key in self._lost:
                continue
            rows = np.concatenate(self._rows[key])
            out.append(RowFailure(
                table=self.table, failure=found.failure, rows=tuple(rows.tolist()),
                doc_ids=tuple(doc_ids.take(rows).to_pylist()) if doc_ids is not None else (None,) * len(rows),
                values=tuple(excerpt(plain(v), found.regex) for v in self._values[key]),
            ))
        return out


def _or_empty(slices: Iterable[tuple[np.ndarray, pa.Table]], table: pa.Table) -> Iterator[tuple[np.ndarray, pa.Table]]:
    """The ``slices``, or ``table``'s empty frame when there are none: the column list is
    checked, and the Data Docs show a result, for an empty table too."""
    given = False
    for given_slice in slices:
        given = True
        yield given_slice
    if not given:
        yield np.arange(0), table.slice(0, 0)


def slice_bounds(table: pa.Table, rows: int, text_bytes: int) -> list[tuple[int, int]]:
    """(start, stop) of the consecutive slices of ``table`` that Great Expectations checks
    one at a time: ``records.piece_bounds``, as many rows as fit in ``rows`` rows and
    ``text_bytes`` bytes of strings. Strings, not rows, are what a frame costs
    (``SLICE_BYTES``)."""
    return records.piece_bounds(table, rows, text_bytes)


def repeated_keys(table: pa.Table, suite: ExpectationSuite, bounds: list[tuple[int, int]]) -> np.ndarray:
    """Which rows of ``table`` may repeat a key of the keys ``suite`` (a bool per row).

    Per expectation, a 64-bit hash of each row's key is computed a slice at a time
    (``bounds``, from ``slice_bounds``; the
    whole table then costs 8 bytes a row, not a frame of its keys), and rows whose hash
    occurs more than once are marked. Equal keys hash equally, so every repeated key is
    marked; a collision only marks rows the suite then finds unique. Checked together, the
    marked rows repeat exactly the keys the whole table repeats, in the same order.
    """
    import pandas as pd

    marked = np.zeros(table.num_rows, dtype=bool)
    for expectation in suite.expectations:
        names = named_columns(expectation)
        if not names or not all(n in table.column_names for n in names):
            continue  # it cannot run; the row suite reports the missing column
        hashes = np.empty(table.num_rows, dtype=np.uint64)
        for start, stop in bounds:
            part = table.select(names).slice(start, stop - start)
            combined = np.zeros(part.num_rows, dtype=np.uint64)
            for column in part.columns:  # as text, so that a value hashes alike in every slice
                values = pc.cast(column, pa.string()).to_numpy(zero_copy_only=False)
                combined = combined * np.uint64(1_000_003) ^ pd.util.hash_array(values)
            hashes[start:start + part.num_rows] = combined
        ordered = np.sort(hashes)
        marked |= np.isin(hashes, ordered[1:][ordered[1:] == ordered[:-1]])
    return marked


def validate(tables: dict[str, pa.Table], data_docs: Path | None = None,
             unchanged: dict[str, pa.ChunkedArray] | None = None, slice_rows: int = SLICE_ROWS,
             slice_bytes: int = SLICE_BYTES) -> ValidationReport:
    """The validation report of a release: every table of ``schemas.TABLES`` against its
    suites (``Session``; ``unchanged`` as in ``Session.rows``, the slices' size as in
    ``Session``). Empty tables pass (the
    rejects table usually is empty)."""
    session = Session(tables, data_docs, slice_rows, slice_bytes)
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

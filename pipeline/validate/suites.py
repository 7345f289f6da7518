"""The suites a release must pass, all derived from ``schemas.TABLES``.

Every expectation is derived from the schema: column order, nullability, uniqueness and
compound keys, patterns, forbidden patterns, allowed values, numeric bounds, foreign keys
and ``greater_than`` pairs. Nothing here repeats a column name, so a schema change
changes the suites with it. Great Expectations is imported inside the functions: the
import takes seconds, and importing this module must stay cheap.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pyarrow as pa
import pyarrow.compute as pc

import schemas
from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite


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


#: The one expectation of ``suite_for`` that is about the table, not its rows.
TABLE_LEVEL = frozenset({"expect_table_columns_to_match_ordered_list"})


def is_row_level(expectation_type: str) -> bool:
    """Whether an expectation of ``suite_for`` judges each row on its own (a value, or a
    pair of values, of one row), so a failure can be traced to the rows that broke it. The
    keys and references suites never are: a repeated key or a dangling reference is a
    relation between rows.

    >>> is_row_level("expect_column_values_to_not_match_regex"), is_row_level("expect_table_columns_to_match_ordered_list")
    (True, False)
    """
    return expectation_type not in TABLE_LEVEL


def keys_suite_for(table: schemas.Table) -> ExpectationSuite | None:
    """The suite ``<table>_keys_suite``: unique columns and the compound key, or None.

    It runs on the key columns, apart from ``suite_for``'s expectations, which an
    incremental build checks on its new and changed rows only: a new row can repeat the
    id of any old one, so this suite also checks the old rows that share a key value with
    a new one (``run.rows_keys_must_see``).
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


def columns_of(suite: ExpectationSuite) -> list[str]:
    """The columns ``suite``'s expectations name, in first-named order."""
    return list(dict.fromkeys(name for expectation in suite.expectations for name in named_columns(expectation)))


def named_columns(expectation) -> list[str]:
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


@functools.cache
def suites_digest() -> str:
    """The sha256 of every suite's configuration: rows a release validated under the same
    digest need not be checked again while unchanged. Once per process: a build asks
    before validating and again for the report, and building every suite takes a while."""
    digest = hashlib.sha256()
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
    configuration, and with every speech id as the set that copying was most of the time
    validation took; and the set would fill the Data Docs page.
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

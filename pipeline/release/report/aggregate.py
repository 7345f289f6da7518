"""Small aggregations of release tables into the ranked rows the report plots and lists.

Every ordering is total (ties broken by label), so the page comes out the same whatever
order the release's rows or a group-by's groups arrive in.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

#: Shown for a document whose site no family's rules recognised.
UNKNOWN_SITE = "unknown / generic"
#: Shown for a missing year.
UNKNOWN = "unknown"
#: Categories beyond this many are merged into one "other" bar, so a chart stays readable.
MAX_CATEGORIES = 25

_OTHER = "other ("


def with_lengths(removals: pa.Table) -> pa.Table:
    """``removals`` with ``chars``, the length of each removed span."""
    return removals.append_column(
        "chars", pc.subtract(removals.column("source_end"), removals.column("source_start")))


def by_site(documents: pa.Table) -> pa.Table:
    """``documents`` with ``site`` null replaced by the generic label."""
    index = documents.schema.get_field_index("site")
    return documents.set_column(index, "site", pc.fill_null(documents.column("site"), UNKNOWN_SITE))


def rows(table: pa.Table, columns: list[str]) -> list[tuple]:
    """``columns`` of a (small, aggregated) ``table`` as tuples."""
    return list(zip(*(table.column(c).to_pylist() for c in columns)))


def ranked(rows: list[tuple]) -> list[tuple]:
    """(label, value, …) rows by descending value, ties by label: a stable order whatever
    order the group-by returned.

    >>> ranked([("b", 2), ("c", 5), ("a", 2)])
    [('c', 5), ('a', 2), ('b', 2)]
    """
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def value_counts(values: pa.ChunkedArray) -> list[tuple[object, int]]:
    """(value, count) pairs, null included as None, most frequent first."""
    counts = [(vc["values"], vc["counts"]) for vc in pc.value_counts(values).to_pylist()]
    return sorted(counts, key=lambda kv: (-kv[1], kv[0] is None, str(kv[0])))


def top(rows: list[tuple], what: str) -> list[tuple]:
    """``rows`` (label, numbers…) with those past ``MAX_CATEGORIES`` summed into one "other" row."""
    if len(rows) <= MAX_CATEGORIES:
        return rows
    head, tail = rows[:MAX_CATEGORIES - 1], rows[MAX_CATEGORIES - 1:]
    sums = [sum(r[i] for r in tail) for i in range(1, len(tail[0]))]
    return [*head, (f"{_OTHER}{len(tail):,} {what})", *sums)]


def is_catch_all(label: str) -> bool:
    """Whether a bar stands for no single category: unknown site or year, or merged "other"."""
    return label in (UNKNOWN_SITE, UNKNOWN) or label.startswith(_OTHER)

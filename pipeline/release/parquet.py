"""Parquet files of a release: the tables under their declared schemas, in parts, and the
index tables.

A table is written as parts of at most ``part_rows`` rows (``schemas.layout``: the folder
``data/<table>.parquet/``, parts ``part-00000.parquet`` … in the table's sort order), and read back
by ``read_table`` whatever the layout of its release; no other module lists, splits or
names a table's files. Every data file is a pure function of its rows: nothing
run-dependent (time, release id, paths) goes into it, so two builds of the same inbox give
byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import schemas
from schemas import index as index_schemas
from schemas import layout
from schemas.layout import INDEX_DIR

#: Low-cardinality columns worth dictionary-encoding: id-like ones, and the tokens (a few
#: tens of thousands of distinct words in millions: smaller files, written faster). Free
#: text and unique ids of rows (paragraph_id…) are not: a dictionary of unique values only
#: costs space.
DICTIONARY_COLUMNS = (
    "doc_id", "speech_id", "kind", "rule", "reason", "encoding", "site", "segmentation", "status", "tokens",
)

#: Free text and its tokens get no min/max statistics: no reader prunes on them, and
#: computing them is a visible share of writing the paragraphs.
NO_STATISTICS_COLUMNS = ("text", "tokens")

#: Data pages of 4 MiB rather than Arrow's 1 MiB: zstd compresses more of the text at
#: once, so the paragraphs file is smaller and written faster, and read as fast.
DATA_PAGE_BYTES = 4 << 20

#: Rows of a row group: groups of 100,000 rows read several times faster than one big group.
ROW_GROUP_ROWS = 100_000


def write_parquet(table: pa.Table, path: Path, table_name: str,
                  row_group_written: Callable[[], None] = lambda: None) -> None:
    """Write ``table`` to ``path`` as Parquet under the declared schema of ``table_name``.

    The table must have exactly the declared columns, in order, with the declared types
    and nullability (a ``ValueError`` names every mismatching column, and any column
    declared not-null that holds nulls). Metadata is not compared but replaced: the file
    always carries the schema's own metadata (table name, schema_version, table doc and a
    ``doc`` per field), never pandas metadata or anything run-dependent, so two writes of
    the same table are byte-identical and the checksums in the manifest are reproducible.

    zstd level 3 is the best size/time trade-off on Chinese text; row groups of
    ``ROW_GROUP_ROWS``; only low-cardinality columns (``DICTIONARY_COLUMNS``) are
    dictionary-encoded; see also ``NO_STATISTICS_COLUMNS`` and ``DATA_PAGE_BYTES``.

    The row groups are written one at a time, ``row_group_written`` called after each: a
    caller whose table is a mapped file hands back the pages read for it, so writing holds
    a row group's pages, not the table's. Each group's rows go to the writer as one chunk
    (combined only when ``table``'s chunks cut the group): Parquet's pages, and so its
    bytes, follow the chunks it is given.
    """
    expected = schemas.table(table_name).arrow_schema()
    problems = _schema_problems(table.schema, expected)
    if not problems:
        problems = [
            f"{f.name}: declared not null but holds {table.column(f.name).null_count} null(s)"
            for f in expected
            if not f.nullable and table.column(f.name).null_count
        ]
    if problems:
        raise ValueError(
            f"table {table_name!r} does not match its declared schema: " + "; ".join(problems)
        )
    table = table.cast(expected)  # same types: only swaps in the declared metadata
    with pq.ParquetWriter(
        path,
        expected,
        compression="zstd",
        compression_level=3,
        use_dictionary=[_leaf_path(expected.field(c)) for c in DICTIONARY_COLUMNS if c in expected.names],
        write_statistics=[_leaf_path(f) for f in expected if f.name not in NO_STATISTICS_COLUMNS],
        data_page_size=DATA_PAGE_BYTES,
    ) as writer:
        # An empty table gets no row group at all: readers that size batches from the first
        # row group (Hugging Face datasets) fail on a row group of 0 rows.
        for start in range(0, table.num_rows, ROW_GROUP_ROWS):
            writer.write_table(table.slice(start, ROW_GROUP_ROWS).combine_chunks(), row_group_size=ROW_GROUP_ROWS)
            row_group_written()


def _leaf_path(field: pa.Field) -> str:
    """The Parquet column a field's values go in: a list's values are ``<name>.list.element``.

    >>> _leaf_path(pa.field("tokens", pa.list_(pa.string()))), _leaf_path(pa.field("doc_id", pa.string()))
    ('tokens.list.element', 'doc_id')
    """
    return f"{field.name}.list.element" if pa.types.is_list(field.type) else field.name


def _schema_problems(actual: pa.Schema, expected: pa.Schema) -> list[str]:
    """One line per column that is missing, unexpected, out of order or of another type."""
    problems = [f"{n}: missing" for n in expected.names if n not in actual.names]
    problems += [f"{n}: not in the schema" for n in actual.names if n not in expected.names]
    for field in expected:
        if field.name not in actual.names:
            continue
        got = actual.field(field.name)
        if not got.type.equals(field.type):
            problems.append(f"{field.name}: type {got.type}, declared {field.type}")
        if got.nullable != field.nullable:
            problems.append(f"{field.name}: nullable={got.nullable}, declared {field.nullable}")
    if not problems and actual.names != expected.names:
        problems.append(f"column order {actual.names}, declared {expected.names}")
    return problems


def write_tables(folder: Path, tables: dict[str, pa.Table], index: dict[str, pa.Table],
                 written: Callable[[Path], None] = lambda path: None, part_rows: int = layout.PART_ROWS,
                 row_group_written: Callable[[], None] = lambda: None) -> None:
    """The parts of ``tables`` (``split`` by ``part_rows``) under ``folder/data`` and the
    ``index`` tables under ``folder/index``, each file handed to ``written`` once closed;
    ``row_group_written`` is called after each row group of a part (``write_parquet``)."""
    for name in schemas.TABLES:
        (folder / layout.table_dir(name)).mkdir()
        for number, part in enumerate(split(tables[name], part_rows)):
            path = folder / layout.part_path(name, number)
            write_parquet(part, path, name, row_group_written)
            written(path)
    for name, table in sorted(index.items()):
        written(write_index(folder, name, table))


def split(table: pa.Table, part_rows: int) -> list[pa.Table]:
    """The parts ``table`` is written as: its rows in order, ``part_rows`` in each but the
    last; one empty part for an empty table, so that every table has a file with its
    schema. Slices, nothing copied.

    >>> [part.num_rows for part in split(pa.table({"n": range(5)}), 2)], len(split(pa.table({"n": []}), 2))
    ([2, 2, 1], 1)
    """
    if part_rows < 1:
        raise ValueError(f"part_rows must be at least 1; got {part_rows}")
    return [table.slice(start, part_rows) for start in range(0, max(table.num_rows, 1), part_rows)]


def table_files(release: Path, table_name: str) -> list[Path]:
    """The files that hold table ``table_name`` of the release folder ``release``, in
    order: every ``*.parquet`` of its folder (what pandas, DuckDB and ``datasets`` read:
    parts sort by name), or in a release of layout 1 the one file at the folder's path;
    empty when there is none."""
    path = Path(release) / layout.table_dir(table_name)
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.name.endswith(".parquet") and p.is_file())
    return [path] if path.is_file() else []


def _existing_files(release: Path, table_name: str) -> list[Path]:
    """``table_files``, or ``FileNotFoundError`` when the release has no file of the table."""
    files = table_files(release, table_name)
    if not files:
        raise FileNotFoundError(f"{release}: no file of table {table_name!r} "
                                f"(neither {layout.parts_glob(table_name)} nor {layout.table_dir(table_name)})")
    return files


def iter_table(release: Path, table_name: str, columns: list[str] | None = None) -> Iterator[pa.Table]:
    """Table ``table_name`` of ``release`` one file at a time (``table_files``), with
    ``columns`` only when given: at most one part in memory. ``FileNotFoundError`` when
    the release has no file of it."""
    for path in _existing_files(release, table_name):
        yield pq.read_table(path, columns=columns)


def read_table(release: Path, table_name: str, columns: list[str] | None = None) -> pa.Table:
    """Table ``table_name`` of the release folder ``release``, every part of it in order
    (or its one file, in a release of layout 1), with ``columns`` only when given."""
    return pa.concat_tables(list(iter_table(release, table_name, columns)))


def read_schema(release: Path, table_name: str) -> pa.Schema:
    """The schema table ``table_name`` has in ``release`` (its first file's: every part
    is written under the same one), without reading any rows."""
    return pq.read_schema(_existing_files(release, table_name)[0])


def write_index(folder: Path, name: str, table: pa.Table) -> Path:
    """An index table, written to its path under ``folder``: state the next build reads
    whole, so without statistics (computing min/max of its many dictionary-encoded rows
    was most of the time it took to write)."""
    codecs = {c: "none" if c in _INCOMPRESSIBLE_INDEX_COLUMNS else "zstd" for c in table.column_names}
    path = folder / INDEX_DIR / f"{name}.parquet"
    pq.write_table(table, path, compression=codecs,
                   compression_level={c: 3 for c, codec in codecs.items() if codec == "zstd"},
                   write_statistics=False)
    return path


#: Index columns of random bits (MinHash values): zstd saves little of them and takes
#: several times as long to write.
_INCOMPRESSIBLE_INDEX_COLUMNS = frozenset({"minhash"})


def read_index(release: Path | None, name: str) -> pa.Table | None:
    """The index table ``name`` a release persisted for later builds, or None."""
    path = release / INDEX_DIR / f"{name}.parquet" if release is not None else None
    # One thread: Arrow's threaded reader is several times slower on this table's few large columns.
    return pq.read_table(path, use_threads=False) if path is not None and path.is_file() else None


def read_current_index(release: Path | None, name: str) -> tuple[pa.Table | None, str | None]:
    """The index table ``name`` of ``release`` when it is of the current version and
    layout; else None, with why a table that was there is not (``schemas.index.problem``).
    A build recomputes what an ignored index would have saved it."""
    table = read_index(release, name)
    if table is None:
        return None, None
    problem = index_schemas.problem(name, table)
    return (None, problem) if problem else (table, None)

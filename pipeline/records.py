"""The record types of the dataset, one per table, and their stable ids.

Field names and order mirror ``schemas.TABLES`` exactly (a test holds them together);
``to_arrow`` turns a list of records into an Arrow table with the declared schema, never
an inferred one.

Ids are the first 16 hex digits of a sha256 over the document id and a source offset, so
they stay the same across releases as long as the source bytes and the place where the
record starts do, even when cleaning rules elsewhere in the document change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mmap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc  # noqa: F401  (pa.ipc)

import schemas


def sha256_file(path: Path) -> str:
    """The hex sha256 of the file's bytes, read in chunks (data files can be gigabytes)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def stable_id(*parts: object) -> str:
    """A 16-hex-digit id from the parts, joined unambiguously.

    >>> stable_id("abc", 3)
    'eba02788d7d9a614'
    """
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:16]


def doc_id_for(source_sha256: str, line: int | None = None) -> str:
    """The id of a document: its content hash, plus the line number inside a corpus file."""
    if line is None:
        return source_sha256[:16]
    return stable_id(source_sha256, "line", line)


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str
    source_path: str
    source_line: int | None
    source_sha256: str
    source_bytes: int
    format: str
    encoding: str
    site: str | None
    url: str | None
    title: str | None
    published_date: dt.date | None
    page_count: int | None
    declared_size: str | None
    declared_speech_count: int | None
    speech_count: int
    paragraph_count: int
    char_count: int
    removed_char_count: int
    converted_char_count: int
    script: str
    segmentation: str
    status: str
    flags: tuple[str, ...]
    metadata: str | None
    editor_note: str | None = None


@dataclass(frozen=True, slots=True)
class Speech:
    speech_id: str
    doc_id: str
    ordinal: int
    title: str | None
    genre: str | None
    speaker: str | None
    delivered_on: dt.date | None
    occasion: str | None
    occasion_type: str | None
    salutation: str | None
    text: str
    char_count: int
    section_count: int
    paragraph_count: int
    token_count: int
    placeholder_count: int
    keywords: tuple[str, ...]
    duplicate_of: str | None
    duplicate_kind: str | None
    duplicate_score: float | None
    duplicate_cluster: str
    source_start: int
    source_end: int
    title_source_start: int | None
    title_source_end: int | None
    speaker_title: str | None = None
    place: str | None = None
    dateline: str | None = None
    subtitle: str | None = None
    kicker: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    section_id: str
    speech_id: str
    doc_id: str
    parent_section_id: str | None
    level: int
    ordinal: int
    marker: str
    title: str
    run_in: bool
    source_start: int
    source_end: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    paragraph_id: str
    speech_id: str
    section_id: str | None
    doc_id: str
    ordinal: int
    text: str
    char_count: int
    tokens: tuple[str, ...]
    token_count: int
    placeholders: tuple[str, ...]
    placeholder_count: int
    flags: tuple[str, ...]
    duplicate_of: str | None
    duplicate_kind: str | None
    duplicate_score: float | None
    source_start: int
    source_end: int


@dataclass(frozen=True, slots=True)
class Removal:
    doc_id: str
    kind: str
    rule: str
    source_start: int
    source_end: int
    text: str


@dataclass(frozen=True, slots=True)
class Reject:
    source_path: str
    source_line: int | None
    source_sha256: str | None
    reason: str
    detail: str


#: The record class of each table.
RECORD_TYPES: dict[str, type] = {
    "documents": Document,
    "speeches": Speech,
    "sections": Section,
    "paragraphs": Paragraph,
    "removals": Removal,
    "rejects": Reject,
}


def to_arrow(table_name: str, records: list) -> pa.Table:
    """An Arrow table of ``records`` under the declared schema, sorted by the table's order.

    Sorting here, not in the writers, is what makes two builds of the same inbox produce
    byte-identical files whatever order the batches finished in.
    """
    spec = schemas.table(table_name)
    record_type = RECORD_TYPES[table_name]
    for r in records:
        if type(r) is not record_type:
            raise TypeError(f"{table_name} expects {record_type.__name__} records, got {type(r).__name__}")
    names = spec.column_names
    # Not dataclasses.asdict: it deep-copies every value, 10x the cost for frozen records.
    rows = [{name: getattr(r, name) for name in names} for r in records]
    return sort(pa.Table.from_pylist(rows, schema=spec.arrow_schema()), spec.sort_by)


def sort(table: pa.Table, columns: tuple[str, ...] | list[str]) -> pa.Table:
    """``table`` sorted by ``columns``: nulls first, strings by code point (as UTF-8 bytes
    sort), ties kept in order (Arrow's sort is stable).

    Rows already in order in long runs (an incremental build's: the previous release's,
    sorted, around a few new ones) move as slices, combined with one copy at memory speed,
    instead of being gathered row by row. The result is the same table either way.
    """
    return _gather(table, sort_order(table, columns))


def sort_order(table: pa.Table, columns: tuple[str, ...] | list[str]) -> np.ndarray:
    """The positions of ``table``'s rows in the order ``sort`` puts them in."""
    return pc.sort_indices(table, [(c, "ascending", "at_start") for c in columns]).to_numpy()


def _gather(table: pa.Table, order: np.ndarray) -> pa.Table:
    """The rows of ``table`` at the positions ``order``, in that order, in one chunk.

    Rows in runs (a document's rows are together in a batch and in the sorted table) move
    as slices, combined with one copy; only rows mostly apart are gathered one by one."""
    breaks = np.flatnonzero(np.diff(order) != 1) + 1
    if not len(order) or len(breaks) >= max(_MOST_SLICES, len(order) // _ROWS_PER_RUN):
        return take(table, order)
    starts, ends = np.concatenate(([0], breaks)), np.concatenate((breaks, [len(order)]))
    return pa.concat_tables([table.slice(order[s], e - s) for s, e in zip(starts, ends)]).combine_chunks()


#: Rows move as slices up to this many runs, or runs of this many rows on average; above,
#: they are gathered row by row.
_MOST_SLICES = 1024
_ROWS_PER_RUN = 8


def take(table: pa.Table, positions: np.ndarray | pa.Array) -> pa.Table:
    """``table.take(positions)`` in one chunk, gathered chunk by chunk: Arrow's take on a
    table of several chunks (the sorted tables are pieces, the batches files) first
    copies every chunk of every column into one, the whole table for every block taken."""
    if max((column.num_chunks for column in table.columns), default=0) <= 1:
        return table.take(positions)
    positions = np.asarray(positions, dtype=np.int64)  # Arrow's sort gives unsigned positions
    batches = table.to_batches()
    starts = np.cumsum([0] + [batch.num_rows for batch in batches], dtype=np.int64)
    which = np.searchsorted(starts, positions, side="right") - 1
    grouped = np.argsort(which, kind="stable")  # by chunk, in order within each
    ends = np.searchsorted(which[grouped], np.arange(len(batches) + 1))
    taken = [batches[k].take(positions[grouped[ends[k]:ends[k + 1]]] - starts[k])
             for k in range(len(batches)) if ends[k] < ends[k + 1]]
    gathered = pa.Table.from_batches(taken, table.schema).combine_chunks()
    del taken
    return gathered.take(np.argsort(grouped))


def piece_bounds(table: pa.Table, rows: int, string_bytes: int) -> list[tuple[int, int]]:
    """(start, stop) of the consecutive pieces of ``table`` that hold as many rows as fit
    in ``rows`` rows and ``string_bytes`` bytes of strings (at least one row: a longer row
    is a piece of its own). Strings are what a row's size varies with: a speech holds a
    thousand times a removal's bytes. Only the strings' offsets are read, not their bytes.

    >>> t = pa.table({"text": ["ab", "c", "defg", None, "h"], "n": [1, 2, 3, 4, 5]})
    >>> piece_bounds(t, 10, 3), piece_bounds(t, 2, 100), piece_bounds(t.slice(0, 0), 2, 3)
    ([(0, 2), (2, 3), (3, 5)], [(0, 2), (2, 4), (4, 5)], [])
    """
    sizes = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            sizes += pc.fill_null(pc.binary_length(column), 0).to_numpy().astype(np.int64)
    ends = np.cumsum(sizes)
    bounds, start = [], 0
    while start < table.num_rows:
        before = ends[start - 1] if start else 0
        fit = int(np.searchsorted(ends, before + string_bytes, side="right"))
        stop = max(start + 1, min(start + rows, fit))
        bounds.append((start, stop))
        start = stop
    return bounds


#: Most rows, and bytes of strings, that ``write_arrow_file`` writes at once when asked to
#: write in pieces.
PIECE_ROWS = 50_000
PIECE_BYTES = 16 << 20


def write_arrow_file(table: pa.Table, path: Path, piece_written: Callable[[], None] | None = None) -> None:
    """``table`` as an uncompressed Arrow IPC file: what another process of this build
    reads back with ``MappedArrowFile`` at no decoding cost.

    With ``piece_written``, the rows are written a piece at a time (``piece_bounds`` of
    ``PIECE_ROWS`` and ``PIECE_BYTES``), each a chunk of the file, and it is called after
    each: a caller whose table is a mapped file hands back the pages read for the piece.
    """
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        if piece_written is None:
            writer.write_table(table)
            return
        for start, stop in piece_bounds(table, PIECE_ROWS, PIECE_BYTES):
            writer.write_table(table.slice(start, stop - start))
            piece_written()


def write_sorted_arrow_file(table: pa.Table, columns: tuple[str, ...] | list[str], path: Path, piece_rows: int,
                            piece_written: Callable[[], None] = lambda: None) -> None:
    """``sort(table, columns)`` as an Arrow IPC file (``write_arrow_file``), made and
    written ``piece_rows`` sorted rows at a time, each a chunk of the file, and
    ``piece_written`` called after each: the sorted copy is never whole in memory beside
    ``table``, and a caller whose ``table`` is mapped files hands back the pages the piece
    was gathered from (rows of one document are together in both orders, so a piece reads
    about its share of them). The file holds the same rows as ``sort``'s table."""
    order = sort_order(table, columns)
    if not len(order):
        write_arrow_file(table, path)
        return
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        for start in range(0, len(order), piece_rows):
            writer.write_table(_gather(table, order[start:start + piece_rows]))
            piece_written()


class MappedArrowFile:
    """The table of an Arrow IPC file, memory-mapped, whose pages the process can hand
    back while it still uses the table.

    ``release`` drops the pages from the process's resident memory; a value read again
    afterwards is read in again from the file (the system's page cache, usually), the same
    bytes: the mapping is read-only. The file must not be written while it is mapped; it
    may be removed (on POSIX systems the mapping keeps its bytes).
    """

    def __init__(self, path: Path):
        with open(path, "rb") as file:
            self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        self.table = pa.ipc.open_file(pa.BufferReader(pa.py_buffer(self._map))).read_all()

    def release(self) -> None:
        self._map.madvise(mmap.MADV_DONTNEED)


class MappedTables:
    """Tables sorted into files of ``folder`` and used mapped from there (``sorted``, a
    piece of ``piece_rows`` rows at a time, each a chunk of the table it returns): held as
    the files' pages, which the system may drop and read again, rather than as the
    process's memory; ``release`` hands back the pages of all of them."""

    def __init__(self, folder: Path, piece_rows: int = PIECE_ROWS):
        if piece_rows < 1:
            raise ValueError(f"piece_rows must be at least 1; got {piece_rows}")
        self.folder = Path(folder)
        self.piece_rows = piece_rows
        self._files: list[MappedArrowFile] = []

    def sorted(self, name: str, table: pa.Table, columns: tuple[str, ...] | list[str],
               piece_written: Callable[[], None] = lambda: None) -> pa.Table:
        """``sort(table, columns)``, made and written to ``folder/name.arrow`` a piece at a
        time (``write_sorted_arrow_file``), and mapped back: the same rows and values, in
        chunks of ``piece_rows`` rows; the caller drops ``table``."""
        path = self.folder / f"{name}.arrow"
        write_sorted_arrow_file(table, columns, path, self.piece_rows, piece_written)
        self._files.append(MappedArrowFile(path))
        return self._files[-1].table

    def release(self) -> None:
        for file in self._files:
            file.release()

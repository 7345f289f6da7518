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
    order = pc.sort_indices(table, [(c, "ascending", "at_start") for c in columns]).to_numpy()
    breaks = np.flatnonzero(np.diff(order) != 1) + 1
    if not len(order) or len(breaks) >= _MOST_SLICES:
        return table.take(order)
    starts, ends = np.concatenate(([0], breaks)), np.concatenate((breaks, [len(order)]))
    return pa.concat_tables([table.slice(order[s], e - s) for s, e in zip(starts, ends)]).combine_chunks()


#: Above this many runs of rows in order, ``sort`` gathers row by row.
_MOST_SLICES = 1024


def write_arrow_file(table: pa.Table, path: Path) -> None:
    """``table`` as an uncompressed Arrow IPC file: what another process of this build
    reads back with ``map_arrow_file`` at no decoding cost."""
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def map_arrow_file(path: Path) -> pa.Table:
    """The table of an Arrow IPC file, memory-mapped: its buffers are the file's pages,
    not a copy."""
    return pa.ipc.open_file(pa.memory_map(str(path))).read_all()


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
    """Tables put in files of ``folder`` and used mapped from there (``place``): the same
    values and chunks, held as the files' pages, which the system may drop and read again,
    rather than as the process's memory; ``release`` hands back the pages of all of them."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._files: list[MappedArrowFile] = []

    def place(self, name: str, table: pa.Table) -> pa.Table:
        """``table`` written to ``folder/name.arrow`` and mapped back; the caller drops
        ``table`` to free its copy."""
        path = self.folder / f"{name}.arrow"
        write_arrow_file(table, path)
        self._files.append(MappedArrowFile(path))
        return self._files[-1].table

    def release(self) -> None:
        for file in self._files:
            file.release()

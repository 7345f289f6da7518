"""The JSONL download: one speech per line, its sections and paragraphs nested, gzipped.

The file is a series of gzip members, every gzip reader (``gzip``, ``zcat``, pandas,
``datasets``) reads it as one stream. Where a member ends depends on the speech ids
alone: after each speech whose id hashes to 0 modulo ``MEMBER_SPEECHES``
(content-defined chunking, as rsync does), so a member holds ``MEMBER_SPEECHES``
speeches on average (0.1 MB compressed on the 2,000-document benchmark) and adding or removing one speech changes the members
around it only. That is what lets a build copy the compressed members of the previous
release whose speeches did not change (``Reuse``) instead of serialising and
compressing 300 MB of JSON again for one new page; and since the grouping and the bytes
of a member depend on its lines alone, the copied members are the bytes a full rebuild
writes.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import hashlib
import json
import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

import pipeline
import schemas
from pipeline.records import map_arrow_file, write_arrow_file

#: Speeches per gzip member on average. A member with a changed speech is serialised again
#: whole: at 8, one new page in 2,000 documents cost 0.84 s of CPU to write the download,
#: at 2, 0.31 s, for a file 0.4% larger and a full write as fast (measured).
MEMBER_SPEECHES = 2
#: Measured on 64 MiB of a release's JSONL: level 4 compresses in 1.0 s to 34.1%, level 6
#: in 2.4 s to 32.7%; 4% more bytes to download for compression 2.4 times as fast.
GZIP_LEVEL = 4
#: Name of the index table that locates each member in the file.
INDEX = "jsonl_members"
#: magic, deflate, no flags, mtime 0, no extra flags, OS "unknown": what ``gzip.GzipFile``
#: writes with ``mtime=0`` and no file name, so no byte depends on the machine.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
#: Tables nested into each speech's line, and the columns left out of them (those that
#: point at the enclosing speech or its document): the line carries those values once.
_NESTED_TABLES = ("sections", "paragraphs")
_PARENT_REFERENCES = frozenset(
    [f"speeches.{k}" for k in schemas.SPEECHES.key] + [f"documents.{k}" for k in schemas.DOCUMENTS.key]
)
#: Everything the bytes of a member depend on besides its lines; a member of a file
#: written under another format is never copied.
_FORMAT = f"gzip level {GZIP_LEVEL}, {MEMBER_SPEECHES} speeches per member, speechcorpus {pipeline.__version__}"
_INDEX_SCHEMA = pa.schema(
    [("member", pa.int32()), ("offset", pa.int64()), ("length", pa.int64()), ("speech_ids", pa.list_(pa.string()))],
    metadata={b"format": _FORMAT.encode()},
)


@dataclass(frozen=True)
class Reuse:
    """The previous release's download, and the speeches whose lines did not change.

    ``path`` is its JSONL file, ``members`` the index ``write`` returned for it, and
    ``unchanged`` the ids of speeches whose every row (speech, sections, paragraphs)
    equals the row that release holds. A member is copied when it holds exactly the same
    speeches as one of the previous file and all of them are unchanged.
    """

    path: Path
    members: pa.Table
    unchanged: frozenset[str]

    def usable(self) -> bool:
        return (self.members.schema.metadata or {}).get(b"format") == _FORMAT.encode() and Path(self.path).is_file()


def records(tables: dict[str, pa.Table]) -> Iterator[dict]:
    """One dict per speech, in the order of the speeches table, with its parts nested.

    Each dict has every speeches column, then ``sections`` and ``paragraphs``: the rows of
    that speech in ordinal order, without the columns that point back at the speech or its
    document (speech_id, doc_id), which the line already carries. Dates become ISO
    strings and tokens lists, so ``json.dumps`` takes the dicts as they are.
    """
    speeches = _Speeches(tables)
    for start in range(0, tables["speeches"].num_rows, 256):
        yield from speeches.records(start, min(start + 256, tables["speeches"].num_rows))


def write(tables: dict[str, pa.Table], path: Path, reuse: Reuse | None = None) -> pa.Table:
    """Write the download of ``tables`` to ``path``; return the index of its members.

    UTF-8 with Chinese kept as is (``ensure_ascii=False`` makes the file ~40% smaller than
    ``\\u`` escapes) and compact separators. Members ``reuse`` allows are copied from the
    previous file; the others are serialised and compressed (zlib on two threads: it
    releases the GIL), in a child process when there are many, since JSON encoding holds
    the GIL and a build validates meanwhile. Headers carry no time or name, so the bytes
    depend on the records alone.
    """
    path = Path(path)
    ids = tables["speeches"].column("speech_id").to_pylist()
    bounds = member_bounds(ids)
    copyable = _copyable(reuse) if reuse is not None and reuse.usable() else {}
    to_write = [(lo, hi) for lo, hi in bounds if tuple(ids[lo:hi]) not in copyable]
    only = {s for lo, hi in to_write for s in ids[lo:hi]} if copyable else None
    work = path.parent / f".{path.name}.work"
    try:
        if len(to_write) >= PROCESS_MIN_MEMBERS:
            fresh = _members_from_child(tables, to_write, only, work)
        else:
            fresh = _members(_Speeches(tables, only), to_write)
        offsets, lengths = [], []
        with open(path, "wb") as out, (open(reuse.path, "rb") if copyable else contextlib.nullcontext()) as previous:
            for lo, hi in bounds:
                located = copyable.get(tuple(ids[lo:hi]))
                if located is not None:
                    previous.seek(located[0])
                    data = previous.read(located[1])
                else:
                    data = next(fresh)
                offsets.append(out.tell())
                lengths.append(len(data))
                out.write(data)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return pa.table(
        [pa.array(range(len(bounds)), pa.int32()), pa.array(offsets, pa.int64()), pa.array(lengths, pa.int64()),
         pa.array([ids[lo:hi] for lo, hi in bounds], pa.list_(pa.string()))],
        schema=_INDEX_SCHEMA,
    )


#: Members to write from which a child process serialises them: below it, starting one
#: (~0.5 s) costs more than it saves.
PROCESS_MIN_MEMBERS = 64
#: The tables a speech's line is made of.
_LINE_TABLES = ("speeches", *_NESTED_TABLES)


def _members(speeches: _Speeches, ranges: list[tuple[int, int]]) -> Iterator[bytes]:
    """The compressed members of the speech row ``ranges``, in order, a few in flight."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        pending: collections.deque = collections.deque()
        for lo, hi in ranges:
            pending.append(pool.submit(_gzip_member, speeches.lines(lo, hi)))
            if len(pending) > 4:  # a few members in memory, not the whole file
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _members_from_child(tables: dict[str, pa.Table], ranges: list[tuple[int, int]], only: set[str] | None,
                        work: Path) -> Iterator[bytes]:
    """``_members`` computed by ``python -m pipeline.jsonl`` in a child process: the tables
    go to it as Arrow IPC files it maps without copying, the members come back in a file.
    A plain subprocess, not multiprocessing: that would import the caller's main module
    again, which a script without a ``__main__`` guard does not survive."""
    work.mkdir()
    for name in _LINE_TABLES:
        # the child gets only the nested rows of the speeches it writes
        write_arrow_file(_of_speeches(tables[name], only) if name in _NESTED_TABLES else tables[name],
                         work / f"{name}.arrow")
    (work / "job.json").write_text(json.dumps({"ranges": ranges}))
    child = subprocess.run([sys.executable, "-m", "pipeline.jsonl", str(work)], capture_output=True, text=True,
                           cwd=Path(__file__).resolve().parents[1])
    if child.returncode != 0:
        raise RuntimeError(f"writing the JSONL members failed in the child process ({child.returncode}): {child.stderr[-2000:]}")
    lengths = json.loads((work / "lengths.json").read_text())
    with open(work / "members", "rb") as members:
        for length in lengths:
            yield members.read(length)


def _serialise(work: Path) -> None:
    """In the child: write the members of the job in ``work`` and their lengths."""
    job = json.loads((work / "job.json").read_text())
    tables = {name: map_arrow_file(work / f"{name}.arrow") for name in _LINE_TABLES}
    lengths = []
    with open(work / "members", "wb") as out:
        for data in _members(_Speeches(tables), [tuple(r) for r in job["ranges"]]):
            lengths.append(len(data))
            out.write(data)
    (work / "lengths.json").write_text(json.dumps(lengths))


def member_bounds(speech_ids: list[str]) -> list[tuple[int, int]]:
    """The (start, end) row ranges of the members: each ends after a speech whose id
    hashes to 0 modulo ``MEMBER_SPEECHES``, the last one at the end. No speeches: one
    empty member, so the file is still a valid gzip stream.

    >>> member_bounds([])
    [(0, 0)]
    """
    bounds, start = [], 0
    for i, speech_id in enumerate(speech_ids):
        digest = hashlib.blake2b(speech_id.encode(), digest_size=8).digest()
        if int.from_bytes(digest, "big") % MEMBER_SPEECHES == 0:
            bounds.append((start, i + 1))
            start = i + 1
    if start < len(speech_ids) or not bounds:
        bounds.append((start, len(speech_ids)))
    return bounds


def unchanged_speeches(tables: dict[str, pa.Table], unchanged: dict[str, pa.ChunkedArray],
                       carried_doc_ids: pa.ChunkedArray) -> frozenset[str]:
    """Speeches whose line is the previous release's: of a document carried over (so no
    row of theirs can have gone), their row and every row of their sections and
    paragraphs unchanged (``incremental.unchanged_rows``)."""
    speech_ids = tables["speeches"].column("speech_id")
    kept = pc.and_(unchanged["speeches"], pc.is_in(tables["speeches"].column("doc_id"), carried_doc_ids))
    for name in _NESTED_TABLES:
        changed_in = pc.unique(pc.filter(tables[name].column("speech_id"), pc.invert(unchanged[name])))
        kept = pc.and_(kept, pc.invert(pc.is_in(speech_ids, changed_in)))
    return frozenset(pc.filter(speech_ids, kept).to_pylist())


def _copyable(reuse: Reuse) -> dict[tuple[str, ...], tuple[int, int]]:
    """Previous members made only of unchanged speeches: speech ids -> (offset, length)."""
    out = {}
    for row in reuse.members.to_pylist():
        if row["speech_ids"] and all(s in reuse.unchanged for s in row["speech_ids"]):
            out[tuple(row["speech_ids"])] = (row["offset"], row["length"])
    return out


class _Speeches:
    """The speeches of ``tables`` as JSON-ready dicts and lines, any row range at a time.

    Child rows are sorted once by (speech_id, ordinal) and cut into per-speech ranges, so
    the cost is linear in the number of rows; rows become Python objects a range at a
    time, so memory holds one range, not the corpus (converting whole columns cost 1 GB
    on a 50 MB release).
    """

    def __init__(self, tables: dict[str, pa.Table], only: set[str] | None = None):
        """``only``: the speeches whose records will be asked for, when few are (sorting
        every paragraph took most of the time of a download that copies 234 of 241 members)."""
        self._speeches = tables["speeches"]
        self._children = {}
        for name in _NESTED_TABLES:
            self._children[name] = _rows_by_speech(_of_speeches(tables[name], only), name)

    def records(self, lo: int, hi: int) -> Iterator[dict]:
        part = self._speeches.slice(lo, hi - lo)
        names = part.column_names
        for values in zip(*(_python_values(part.column(n)) for n in names)):
            record = dict(zip(names, values))
            for name in _NESTED_TABLES:
                record[name] = self._children[name](record["speech_id"])
            yield record

    def lines(self, lo: int, hi: int) -> bytes:
        return b"".join(
            (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
            for record in self.records(lo, hi)
        )


def _of_speeches(table: pa.Table, only: set[str] | None) -> pa.Table:
    """The rows of ``table`` that belong to the speeches ``only``; all of them without it."""
    if only is None:
        return table
    return table.filter(pc.is_in(table.column("speech_id"), pa.array(sorted(only), pa.string())))


def _rows_by_speech(table: pa.Table, table_name: str) -> Callable[[str], list[dict]]:
    """A function from speech_id to that speech's rows (dicts) of ``table``, in ordinal order."""
    names = [c.name for c in schemas.table(table_name).columns if c.references not in _PARENT_REFERENCES]
    ordered = table.select(names + ["speech_id"]).sort_by([("speech_id", "ascending"), ("ordinal", "ascending")])
    speech_ids = ordered.column("speech_id").to_pylist()
    ranges: dict[str, tuple[int, int]] = {}
    start = 0
    for i in range(1, len(speech_ids) + 1):
        if i == len(speech_ids) or speech_ids[i] != speech_ids[start]:
            ranges[speech_ids[start]] = (start, i)
            start = i

    def rows(speech_id: str) -> list[dict]:
        lo, hi = ranges.get(speech_id, (0, 0))
        part = ordered.slice(lo, hi - lo)
        return [dict(zip(names, values)) for values in zip(*(_python_values(part.column(n)) for n in names))]

    return rows


def _python_values(column: pa.ChunkedArray) -> list:
    """The column as JSON-ready Python values: dates and timestamps as ISO strings."""
    values = column.to_pylist()
    if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
        return [None if v is None else v.isoformat() for v in values]
    return values


def _gzip_member(data: bytes) -> bytes:
    deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(data) + deflate.flush()
    return _GZIP_HEADER + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


if __name__ == "__main__":
    _serialise(Path(sys.argv[1]))

"""The JSONL download: one speech per line, with its document's citation fields and its
sections and paragraphs nested, gzipped.

The file is a series of gzip members, every gzip reader (``gzip``, ``zcat``, pandas,
``datasets``) reads it as one stream. Where a member ends depends on the speech ids
alone: after each speech whose id hashes to 0 modulo ``MEMBER_SPEECHES``
(content-defined chunking, as rsync does), so a member holds ``MEMBER_SPEECHES``
speeches on average and adding or removing one speech changes the members around it
only. That is what lets a build copy the compressed members of the previous release
whose speeches did not change (``Reuse``) instead of serialising and compressing the
whole release's JSON again for one new page; and since the grouping and the bytes
of a member depend on its lines alone, the copied members are the bytes a full rebuild
writes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

import pipeline
import schemas
from pipeline.release import lines
from schemas import index

#: Speeches per gzip member on average. A member with a changed speech is serialised again
#: whole: small members keep that work small, for a file a fraction of a percent larger.
MEMBER_SPEECHES = 2
#: Level 4 rather than zlib's default 6: a few percent more bytes to download, for
#: compression more than twice as fast.
GZIP_LEVEL = 4
#: Name of the index table that locates each member in the file.
INDEX = "jsonl_members"
#: magic, deflate, no flags, mtime 0, no extra flags, OS "unknown": what ``gzip.GzipFile``
#: writes with ``mtime=0`` and no file name, so no byte depends on the machine.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
#: Everything the bytes of a member depend on besides its lines, and what its lines hold
#: (the schema): a member of a file written under another format is never copied.
_FORMAT = (f"gzip level {GZIP_LEVEL}, {MEMBER_SPEECHES} speeches per member, speechcorpus {pipeline.__version__}, "
           f"schema {schemas.SCHEMA_VERSION}")
_INDEX_SCHEMA = index.jsonl_members_schema({b"format": _FORMAT.encode()})


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
    """One dict per speech, in the order of the speeches table, with its parts nested:
    the lines of the download, parsed.

    Each dict has every speeches column, then ``document``: the columns
    ``schemas.DOWNLOAD_DOCUMENT_COLUMNS`` of its document (source_path, url, title,
    published_date…: what citing the speech needs), then ``sections`` and ``paragraphs``:
    the rows of that speech in ordinal order, without the columns that point back at the
    speech or its document (speech_id, doc_id), which the line already carries. Dates are
    ISO strings.
    """
    speeches = lines.Speeches(tables)
    for start in range(0, tables["speeches"].num_rows, _BLOCK_SPEECHES):
        rows = range(start, min(start + _BLOCK_SPEECHES, tables["speeches"].num_rows))
        for line in speeches.lines(rows):
            yield json.loads(line)


@dataclass(frozen=True)
class Layout:
    """Where each member of a download goes and where its bytes come from.

    ``bounds``: the (start, end) speech rows of every member, in file order; ``copyable``:
    previous members to copy, by their speech ids, as (offset, length) in the previous
    file; ``to_write``: the row ranges of the members to serialise; ``only``: the speeches
    those members hold, when some are copied (None: every speech).
    """

    speech_ids: list[str]
    bounds: list[tuple[int, int]]
    copyable: dict[tuple[str, ...], tuple[int, int]]
    to_write: list[tuple[int, int]]
    only: frozenset[str] | None


def layout(tables: dict[str, pa.Table], reuse: Reuse | None = None) -> Layout:
    """The members of the download of ``tables``, and which ``reuse`` lets it copy."""
    ids = tables["speeches"].column("speech_id").to_pylist()
    bounds = member_bounds(ids)
    copyable = _copyable(reuse) if reuse is not None and reuse.usable() else {}
    to_write = [(lo, hi) for lo, hi in bounds if tuple(ids[lo:hi]) not in copyable]
    only = frozenset(s for lo, hi in to_write for s in ids[lo:hi]) if copyable else None
    return Layout(ids, bounds, copyable, to_write, only)


def write(tables: dict[str, pa.Table], path: Path, reuse: Reuse | None = None) -> pa.Table:
    """Write the download of ``tables`` to ``path``; return the index of its members.

    UTF-8 with Chinese kept as is (``ensure_ascii=False`` makes the file ~40% smaller than
    ``\\u`` escapes) and compact separators. Members ``reuse`` allows are copied from the
    previous file; the others are serialised and compressed here, one after the other
    (``assemble`` takes them from elsewhere). Headers carry no time or name, so the bytes
    depend on the records alone.
    """
    plan = layout(tables, reuse)
    fresh = map(gzip_member, member_bodies(tables, plan.to_write, plan.only))
    return assemble(path, plan, fresh, reuse)


def assemble(path: Path, plan: Layout, fresh: Iterable[bytes], reuse: Reuse | None = None) -> pa.Table:
    """Write the download laid out by ``plan`` to ``path``: copied members from ``reuse``'s
    file, and the compressed members of ``plan.to_write`` from ``fresh``, in order.
    Returns the index of its members."""
    fresh = iter(fresh)
    offsets, lengths = [], []
    with open(path, "wb") as out, (open(reuse.path, "rb") if plan.copyable else contextlib.nullcontext()) as previous:
        for lo, hi in plan.bounds:
            located = plan.copyable.get(tuple(plan.speech_ids[lo:hi]))
            if located is not None:
                previous.seek(located[0])
                data = previous.read(located[1])
            else:
                data = next(fresh)
            offsets.append(out.tell())
            lengths.append(len(data))
            out.write(data)
    return pa.table(
        [pa.array(range(len(plan.bounds)), pa.int32()), pa.array(offsets, pa.int64()), pa.array(lengths, pa.int64()),
         pa.array([plan.speech_ids[lo:hi] for lo, hi in plan.bounds], pa.list_(pa.string()))],
        schema=_INDEX_SCHEMA,
    )


#: The tables a speech's line is made of.
LINE_TABLES = ("documents", "speeches", *lines.NESTED_TABLES)


def line_tables(tables: dict[str, pa.Table], only: frozenset[str] | None = None) -> dict[str, pa.Table]:
    """What the lines of the speeches ``only`` (None: all) are made of: the speeches, the
    documents' citation columns, and the nested rows of those speeches alone."""
    documents = tables["documents"].select(["doc_id", *schemas.DOWNLOAD_DOCUMENT_COLUMNS])
    nested = {name: of_speeches(tables[name], only) for name in lines.NESTED_TABLES}
    return {"documents": documents, "speeches": tables["speeches"], **nested}


#: Speeches whose lines are built together: Arrow works a column at a time, and memory
#: holds one block's rows and JSON, not the file's.
_BLOCK_SPEECHES = 64


def member_bodies(tables: dict[str, pa.Table], ranges: list[tuple[int, int]],
                  only: frozenset[str] | None = None) -> Iterator[bytes]:
    """The lines of each member of speech row ``ranges``, uncompressed, in order; ``only``:
    the speeches those ranges hold, when they are few (their children alone are ordered)."""
    speeches = lines.Speeches(tables, only)
    for block in _blocks(ranges):
        block_lines = speeches.lines([row for lo, hi in block for row in range(lo, hi)])
        start = 0
        for lo, hi in block:
            yield block_lines.joined(start, start + hi - lo)
            start += hi - lo


def _blocks(ranges: list[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    """``ranges`` in order, grouped into blocks of about ``_BLOCK_SPEECHES`` speeches."""
    block, speeches = [], 0
    for lo, hi in ranges:
        block.append((lo, hi))
        speeches += hi - lo
        if speeches >= _BLOCK_SPEECHES:
            yield block
            block, speeches = [], 0
    if block:
        yield block


def of_speeches(table: pa.Table, only: frozenset[str] | None) -> pa.Table:
    """The rows of ``table`` that belong to the speeches ``only``; all of them without it."""
    if only is None:
        return table
    return table.filter(pc.is_in(table.column("speech_id"), pa.array(sorted(only), pa.string())))


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
    row of theirs can have gone) whose row is unchanged (the line repeats some of its
    columns), their row and every row of their sections and paragraphs unchanged
    (``incremental.unchanged_rows``)."""
    speech_ids = tables["speeches"].column("speech_id")
    documents = tables["documents"]
    changed_documents = pc.filter(documents.column("doc_id"), pc.invert(unchanged["documents"]))
    doc_ids = tables["speeches"].column("doc_id")
    kept = pc.and_(unchanged["speeches"], pc.is_in(doc_ids, carried_doc_ids))
    kept = pc.and_(kept, pc.invert(pc.is_in(doc_ids, changed_documents)))
    for name in lines.NESTED_TABLES:
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


def gzip_member(data: bytes) -> bytes:
    """``data`` as one gzip member, its header free of time and name."""
    deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(data) + deflate.flush()
    return _GZIP_HEADER + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)

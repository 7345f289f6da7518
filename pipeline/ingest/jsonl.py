"""JSON Lines (``.jsonl``, ``.jsonl.gz``): a document per non-blank line, a reject per bad line."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from pipeline.errors import BadDocument
from pipeline.ingest.config import IngestConfig
from pipeline.ingest.decoding import MAX_BYTES_PER_CHAR, decode
from pipeline.ingest.fields import json_type, record_source
from pipeline.ingest.source import InboxFile, Source
from pipeline.records import Reject

#: A ``\uD800``-``\uDFFF`` escape: the only way a JSON line can smuggle in an unpaired
#: surrogate, which no Parquet or UTF-8 writer accepts. A cheap test before the real one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def documents(data: bytes, file: InboxFile, config: IngestConfig) -> Iterator[Source | Reject]:
    """The documents of a ``.jsonl`` file's bytes."""
    yield from _records(io.BytesIO(data), file, config, max_bytes=None)


def gzip_documents(data: bytes, file: InboxFile, config: IngestConfig) -> Iterator[Source | Reject]:
    """The documents of a ``.jsonl.gz`` file's bytes, decompressed as they are iterated."""
    stream = gzip.GzipFile(fileobj=io.BytesIO(data))
    yield from _records(stream, file, config, max_bytes=config.max_decompressed_bytes)


def _records(
    stream: BinaryIO, file: InboxFile, config: IngestConfig, max_bytes: int | None
) -> Iterator[Source | Reject]:
    """A source or reject per non-blank line; each line is decoded on its own (UTF-8, else
    GB18030), so one badly encoded line costs only itself. A UTF-8 BOM on line 1 marks the
    whole file ``utf-8-sig``; a UTF-16 file cannot be split into lines byte-wise and is
    rejected (JSON Lines are UTF-8 by definition)."""
    bom = False
    count = 0
    cap = MAX_BYTES_PER_CHAR * config.max_record_chars + 2  # + "\r\n"
    for number, raw, complete in _lines(stream, cap, max_bytes):
        if number == 1:
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise BadDocument("undecodable", "a UTF-16 byte-order mark: JSON Lines must be UTF-8 (or GB18030)")
            bom = raw.startswith(codecs.BOM_UTF8)
            raw = raw[len(codecs.BOM_UTF8):] if bom else raw
        if complete and not raw.strip():
            continue
        count += 1
        try:
            if not complete:
                raise BadDocument("too_large", f"the line is longer than max_record_chars ({config.max_record_chars} characters)")
            yield _line_source(raw, number, "utf-8-sig" if bom else None, file, config)
        except BadDocument as problem:
            yield file.reject(number, problem)
    if not count:
        raise BadDocument("empty_file", "the file holds no records: every line is blank")


def _lines(stream: BinaryIO, cap: int, max_bytes: int | None) -> Iterator[tuple[int, bytes, bool]]:
    """``(number, line, complete)`` for each physical line of ``stream``.

    A line over ``cap`` bytes comes cut at ``cap`` with ``complete`` false, and the rest of
    it is read and dropped, so no line is ever held whole. Reading past ``max_bytes`` in all
    is ``too_large``; a broken gzip stream is ``undecodable``.
    """
    total = 0

    def chunk() -> bytes:
        nonlocal total
        try:
            piece = stream.readline(cap)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise BadDocument("undecodable", f"not a valid gzip file: {exc}") from exc
        total += len(piece)
        if max_bytes is not None and total > max_bytes:
            raise BadDocument("too_large", f"decompresses to more than max_decompressed_bytes ({max_bytes} bytes)")
        return piece

    number = 0
    while line := chunk():
        number += 1
        complete = len(line) < cap or line.endswith(b"\n")
        rest = line
        while len(rest) == cap and not rest.endswith(b"\n"):
            rest = chunk()
        yield number, line, complete


def _line_source(raw: bytes, number: int, file_encoding: str | None, file: InboxFile, config: IngestConfig) -> Source:
    text, encoding = decode(raw)
    if file_encoding and encoding == "utf-8":
        encoding = file_encoding
    length = len(text.rstrip("\r\n"))
    if length > config.max_record_chars:
        raise BadDocument("too_large", f"the line has {length} characters; max_record_chars is {config.max_record_chars}")
    try:
        record = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise BadDocument("malformed_record", f"not valid JSON: {exc}") from exc
    if not isinstance(record, dict):
        raise BadDocument("malformed_record", f"the line holds a JSON {json_type(record)}, not an object")
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(record, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start]
            raise BadDocument("malformed_record", f"a string holds the unpaired surrogate {bad!r}, which is not text") from exc
    return record_source(record, number, encoding, file, config)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")

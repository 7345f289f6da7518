"""Reading inputs: list the inbox, and turn each file into its documents or the reasons why not.

The inbox holds one-document files (``.txt``, ``.html``) and corpus files with one
document per record (``.jsonl``, ``.jsonl.gz``, ``.csv``). ``read`` yields a ``Source`` for
every document and a ``Reject`` (reason code and a detail naming the offending value) for
everything it cannot use, down to the line or row: a bad record never costs the file's
good ones, and a bad file never stops the run.

Each ``Source`` carries the text that offsets point into (``text``) and what the pipeline
cleans (``body``), plus the whole file's sha256 and size, which is the provenance the
document ids are derived from (with the line number for corpus files).
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from pipeline.ingest import html as extract
from pipeline.errors import BadDocument, ConfigError, TransientIOError, is_transient
from pipeline.records import Reject
from pipeline.spans import Text

#: Decoders tried in order when a file has no byte-order mark. UTF-8 first: it is strict
#: enough that a GB18030 file almost never decodes as UTF-8 by accident, while the reverse
#: happens all the time.
FALLBACK_ENCODINGS = ("utf-8", "gb18030")

#: Share of control characters (other than tab and line ends) above which a decoded file
#: is taken to be binary that happened to decode.
MAX_CONTROL_SHARE = 0.001

#: Bytes at the start of an HTML page searched for a ``<meta>`` charset declaration. The
#: HTML standard's prescan reads 1024; Chinese portals often put long keyword and
#: description tags before the charset, so we look further.
META_SNIFF_BYTES = 4096

#: Declared charsets (as Python codec names) that are read as GB18030, their superset.
GB_CHARSETS = frozenset({"gb2312", "gbk", "gb18030"})

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: A ``\uD800``-``\uDFFF`` escape: the only way a JSON line can smuggle in an unpaired
#: surrogate, which no Parquet or UTF-8 writer accepts. A cheap test before the real one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
#: Bytes per character at most in UTF-8 and GB18030: a line longer than this many bytes per
#: allowed character is over ``max_record_chars`` without decoding it.
_MAX_BYTES_PER_CHAR = 4


@dataclass(frozen=True)
class IngestConfig:
    """Which record fields hold what, and the size limits that keep one input from sinking a run.

    Each ``*_fields`` tuple is tried in order and the first field a record has (with a
    non-null value) is used; the fields not used stay in ``Source.metadata``.
    """

    #: The document text of a JSONL/CSV record. A record with none of them is rejected.
    text_fields: tuple[str, ...] = ("content", "text", "raw_content", "full_text")
    title_fields: tuple[str, ...] = ("title",)
    url_fields: tuple[str, ...] = ("url", "source_url")
    #: Read only as an ISO date (``YYYY-MM-DD``, or a datetime whose date part is taken);
    #: any other value is left in the metadata rather than guessed at.
    date_fields: tuple[str, ...] = ("publish_date", "published_date", "date")
    #: Larger files are rejected unread: every reader holds one file's bytes in memory.
    max_file_bytes: int = 512 * 2**20
    #: Longest document in characters: a .txt or .html file's text, a JSONL line, a CSV
    #: field. Processing costs about 4 s and 160 MB per million characters (measured on a
    #: single-line national report), so the default keeps one document under a minute and
    #: 1 GB; the longest real speech compilation seen is under 200,000 characters.
    max_record_chars: int = 4 * 2**20
    #: Most bytes a ``.jsonl.gz`` may decompress to; past it the file is rejected
    #: (a gzip bomb is a few kilobytes that inflate to gigabytes).
    max_decompressed_bytes: int = 2 * 2**30

    def __post_init__(self) -> None:
        for name in ("text_fields", "title_fields", "url_fields", "date_fields"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not all(isinstance(f, str) and f for f in value):
                raise ConfigError(f"{name} must be a tuple of field names, got {value!r}")
        if not self.text_fields:
            raise ConfigError(f"text_fields must name at least one field, got {self.text_fields!r}")
        for name in ("max_file_bytes", "max_record_chars", "max_decompressed_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")


@dataclass(frozen=True)
class Source:
    """One document read from the inbox: where it came from, its source text and its body.

    ``text`` is what offsets point into: the decoded file, for HTML the markup itself, for
    a corpus record its text field. ``body`` is what the pipeline cleans: ``text`` itself,
    or for HTML the page text whose offsets point into the markup.
    """

    #: Path relative to the inbox, with forward slashes.
    path: str
    #: JSONL: 1-based physical line; CSV: 1-based data row (the header not counted, blank
    #: rows skipped); ``None`` for a one-document file.
    line: int | None
    #: sha256 and size of the whole file's bytes (compressed, for ``.jsonl.gz``).
    sha256: str
    size: int
    #: "txt", "html", "jsonl" or "csv".
    format: str
    #: "utf-8", "utf-8-sig", "gb18030" or "utf-16".
    encoding: str
    text: str
    body: Text
    url: str | None = None
    title: str | None = None
    published_date: dt.date | None = None
    #: The record's other fields (JSON values, or the non-empty CSV cells); ``{}`` for files.
    metadata: dict = field(default_factory=dict)


def inbox_files(inbox: Path) -> list[Path]:
    """Every regular file under ``inbox``, recursively, in a stable (sorted) order.

    Hidden files and folders (``.git``, editor swap files) are skipped, and symlinked
    folders are not entered: their contents may lie outside the inbox, and a link loop
    would never end. Symlinked files are listed; ``read`` rejects those pointing outside.
    """
    if not inbox.is_dir():
        raise ConfigError(f"input directory {str(inbox)!r} does not exist or is not a directory")
    found = []
    for root, dirs, files in os.walk(inbox, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root, f) for f in files if not f.startswith("."))
    return sorted(found, key=lambda p: relative_name(p, inbox))


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing (``too_large``) a file over ``max_bytes`` without reading it.

    Interrupted or busy reads are ``TransientIOError`` (worth a retry); any other OS error
    makes the file ``unreadable``, and so does anything but a regular file: a named pipe
    or a device would block the read forever or never end, so it is opened without
    blocking and refused before a byte is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with open(fd, "rb") as f:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode):
                raise BadDocument("unreadable", f"{path.name} is {_file_kind(status.st_mode)}, not a regular file")
            size = status.st_size
            data = f.read(max_bytes + 1) if size <= max_bytes else b""
    except OSError as exc:
        if is_transient(exc):
            raise TransientIOError(f"reading {path}: {exc}") from exc
        raise BadDocument("unreadable", f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if size > max_bytes or len(data) > max_bytes:
        raise BadDocument("too_large", f"the file has {max(size, len(data))} bytes; max_file_bytes is {max_bytes}")
    return data


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))
    return next((name for test, name in kinds if test(mode)), "a special file")


def _decode_within_limit(data: bytes, config: IngestConfig, decoder: Callable[[bytes], tuple[str, str]]) -> tuple[str, str]:
    """``decoder(data)``, or ``too_large`` when the text is over ``max_record_chars``;
    bytes that cannot be that short are refused undecoded (a 200 MB single line costs
    nothing to refuse)."""
    if len(data) > _MAX_BYTES_PER_CHAR * config.max_record_chars:
        raise BadDocument("too_large", f"the file has {len(data)} bytes, more than {_MAX_BYTES_PER_CHAR} per allowed character (max_record_chars is {config.max_record_chars})")
    text, encoding = decoder(data)
    if len(text) > config.max_record_chars:
        raise BadDocument("too_large", f"the text has {len(text)} characters; max_record_chars is {config.max_record_chars}")
    return text, encoding


def decode(data: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of the bytes: BOM-marked UTF-8/UTF-16, else UTF-8, else GB18030.

    >>> decode("统筹推进".encode("gb18030"))
    ('统筹推进', 'gb18030')
    >>> decode(b"\\xef\\xbb\\xbf\\xe5\\x8f\\x91\\xe8\\xa8\\x80")
    ('发言', 'utf-8-sig')
    """
    if not data:
        raise BadDocument("empty_file", "the file has 0 bytes")
    if data.startswith(codecs.BOM_UTF8):
        return _decode_as(data, ("utf-8-sig",))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(data, ("utf-16",))
    return _decode_as(data, FALLBACK_ENCODINGS)


def _decode_as(data: bytes, candidates: tuple[str, ...]) -> tuple[str, str]:
    """The first of ``candidates`` that decodes ``data`` to text rather than binary."""
    errors = []
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            errors.append(f"{encoding}: {exc.reason} at byte {exc.start}")
            continue
        controls = sum(1 for c in text if c < " " and c not in "\t\n\r\f")
        if controls > MAX_CONTROL_SHARE * len(text):
            errors.append(f"{encoding}: decodes, but {controls} control characters in {len(text)} suggest a binary file")
            continue
        return text, encoding
    raise BadDocument("undecodable", "; ".join(errors))


def read(path: Path, inbox: Path, config: IngestConfig = IngestConfig()) -> Iterator[Source | Reject]:
    """The documents of the file at ``path``: a ``Source`` each, or a ``Reject`` saying why not.

    A ``.txt``/``.text`` or ``.html``/``.htm`` file is one document; a ``.jsonl`` or
    ``.jsonl.gz`` file has one per non-blank line, a ``.csv`` one per data row. A problem
    of one record is a reject with its line (row) number; a problem of the whole file is
    one reject with line ``None`` (for an unsupported suffix, a link out of the inbox or an
    oversized file, without reading it, so with no sha256).

    Lazy: records are yielded as they are read, and a ``.jsonl.gz`` is decompressed as it
    is iterated, so when it turns out corrupt or bigger than ``max_decompressed_bytes``
    the lines already yielded stay valid and the file's reject comes last. Iterating raises
    only ``TransientIOError`` (a retry must restart the whole file); ``path`` outside
    ``inbox`` is a ``ConfigError`` at the call.
    """
    try:
        relative = relative_name(path, inbox)
    except ValueError:
        raise ConfigError(f"{str(path)!r} is not inside the inbox {str(inbox)!r}") from None
    return _documents(path, inbox, relative, config)


def relative_name(path: Path, inbox: Path) -> str:
    """``path`` relative to the inbox, as the tables store it: POSIX separators, and bytes
    of a file name that are not UTF-8 written as ``\\xff`` escapes (Parquet strings must
    be valid UTF-8; the escapes are deterministic and show what the bytes were).

    >>> relative_name(Path("/in/a b/non-utf8-" + chr(0xDCFF) + ".txt"), Path("/in"))
    'a b/non-utf8-\\\\xff.txt'
    """
    return os.fsencode(path.relative_to(inbox).as_posix()).decode("utf-8", "backslashreplace")


def _documents(path: Path, inbox: Path, relative: str, config: IngestConfig) -> Iterator[Source | Reject]:
    sha256 = None
    try:
        target, root = os.path.realpath(path), os.path.realpath(inbox)
        if not Path(target).is_relative_to(root):
            raise BadDocument("outside_inbox", f"a link to {target}, outside the inbox {root}; not followed")
        suffix = _suffix(path)
        if suffix not in READERS:
            raise BadDocument(
                "unsupported_format",
                f"{suffix or 'no extension'!r} files are not read; supported: {', '.join(sorted(READERS))}",
            )
        form, reader = READERS[suffix]
        data = read_bytes(path, config.max_file_bytes)
        sha256 = hashlib.sha256(data).hexdigest()
        if not data:
            raise BadDocument("empty_file", "the file has 0 bytes")
        yield from reader(data, _File(relative, sha256, len(data), form), config)
    except BadDocument as problem:
        yield Reject(relative, None, sha256, problem.reason, problem.detail)


def _suffix(path: Path) -> str:
    """The lower-cased suffix that picks the reader; ``.jsonl.gz`` counts as one.

    >>> _suffix(Path("2025/报告.JSONL.gz")), _suffix(Path("a.b.HTM")), _suffix(Path("README"))
    ('.jsonl.gz', '.htm', '')
    """
    name = path.name.lower()
    return ".jsonl.gz" if name.endswith(".jsonl.gz") else path.suffix.lower()


@dataclass(frozen=True)
class _File:
    """What every document of one file shares: its provenance and format."""

    path: str
    sha256: str
    size: int
    format: str

    def source(self, line: int | None, encoding: str, text: str, body: Text, **record_fields) -> Source:
        return Source(self.path, line, self.sha256, self.size, self.format, encoding, text, body, **record_fields)

    def reject(self, line: int | None, problem: BadDocument) -> Reject:
        return Reject(self.path, line, self.sha256, problem.reason, problem.detail)


def _txt(data: bytes, file: _File, config: IngestConfig) -> Iterator[Source]:
    text, encoding = _decode_within_limit(data, config, decode)
    yield file.source(None, encoding, text, Text.from_source(text))


def _html(data: bytes, file: _File, config: IngestConfig) -> Iterator[Source]:
    markup, encoding = _decode_within_limit(data, config, _decode_html)
    yield file.source(None, encoding, markup, extract.html_text(markup), title=extract.html_title(markup))


def _decode_html(data: bytes) -> tuple[str, str]:
    """``decode``, except that bytes with no BOM that are not UTF-8 follow the page's
    ``<meta>`` charset: GBK and GB2312 are read as GB18030, and a page declaring a charset
    the pipeline does not read (Big5, Shift_JIS…) is ``undecodable`` instead of garbled.
    """
    if not data.startswith(_BOMS):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            charset = _declared_charset(data)
            if charset in GB_CHARSETS:
                return _decode_as(data, ("gb18030",))
            if charset not in (None, "utf-8"):
                raise BadDocument(
                    "undecodable",
                    f"the page declares charset {charset!r}; only UTF-8, UTF-16 and GB18030 "
                    f"(and its subsets {', '.join(sorted(GB_CHARSETS - {'gb18030'}))}) are read",
                ) from None
    return decode(data)


def _declared_charset(data: bytes) -> str | None:
    """The codec name of the page's first ``<meta>`` charset, or ``None`` (absent or unknown).

    >>> _declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">')
    'gb2312'
    >>> _declared_charset(b'<meta charset="cp936">'), _declared_charset(b'<meta charset=nonsense>')
    ('gbk', None)
    """
    match = _META_CHARSET.search(data, 0, META_SNIFF_BYTES)
    if match is None:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None


def _jsonl(data: bytes, file: _File, config: IngestConfig) -> Iterator[Source | Reject]:
    yield from _jsonl_records(io.BytesIO(data), file, config, max_bytes=None)


def _jsonl_gz(data: bytes, file: _File, config: IngestConfig) -> Iterator[Source | Reject]:
    stream = gzip.GzipFile(fileobj=io.BytesIO(data))
    yield from _jsonl_records(stream, file, config, max_bytes=config.max_decompressed_bytes)


def _jsonl_records(
    stream: BinaryIO, file: _File, config: IngestConfig, max_bytes: int | None
) -> Iterator[Source | Reject]:
    """A source or reject per non-blank line; each line is decoded on its own (UTF-8, else
    GB18030), so one badly encoded line costs only itself. A UTF-8 BOM on line 1 marks the
    whole file ``utf-8-sig``; a UTF-16 file cannot be split into lines byte-wise and is
    rejected (JSON Lines are UTF-8 by definition)."""
    bom = False
    count = 0
    cap = _MAX_BYTES_PER_CHAR * config.max_record_chars + 2  # + "\r\n"
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
            yield _jsonl_source(raw, number, "utf-8-sig" if bom else None, file, config)
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


def _jsonl_source(raw: bytes, number: int, file_encoding: str | None, file: _File, config: IngestConfig) -> Source:
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
        raise BadDocument("malformed_record", f"the line holds a JSON {_json_type(record)}, not an object")
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(record, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start]
            raise BadDocument("malformed_record", f"a string holds the unpaired surrogate {bad!r}, which is not text") from exc
    return _record_source(record, number, encoding, file, config)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def _json_type(value: object) -> str:
    """The JSON name of a decoded value's type.

    >>> [_json_type(v) for v in ([], 1.5, True, None, "x")]
    ['array', 'number', 'boolean', 'null', 'string']
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return {dict: "object", list: "array", str: "string"}.get(type(value), "number")


def _csv(data: bytes, file: _File, config: IngestConfig) -> Iterator[Source | Reject]:
    """A source or reject per data row. The text column is the first of ``text_fields`` in
    the header (a CSV has no nulls, so an empty cell there is ``empty_text``); the other
    non-empty cells, apart from the title, URL and date used, become the metadata."""
    text, encoding = decode(data)
    rows, error = _csv_rows(text, config.max_record_chars)
    if not rows:
        raise error or BadDocument("empty_file", "the CSV has no rows, not even a header")
    header = rows[0]
    if not any(name in header for name in config.text_fields):
        raise BadDocument(
            "no_text_column", f"none of the text fields {list(config.text_fields)} is a column; the header is {header}"
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise BadDocument("malformed_record", f"the header repeats the column(s) {repeated}: {header}")
    for number, row in enumerate(rows[1:], start=1):
        try:
            if len(row) != len(header):
                raise BadDocument("malformed_record", f"the row has {len(row)} fields; the header has {len(header)}: {header}")
            source = _record_source(dict(zip(header, row)), number, encoding, file, config)
        except BadDocument as problem:
            yield file.reject(number, problem)
            continue
        yield replace(source, metadata={k: v for k, v in source.metadata.items() if v})
    if error is not None:
        yield file.reject(len(rows), error)
    elif len(rows) == 1:
        raise BadDocument("empty_file", f"the CSV has a header but no data rows: {header}")


#: One CSV field at a position, as the ``csv`` module's default (excel) dialect reads it:
#: quoted (``""`` is a quote; lenient, as the module is, about text after the closing
#: quote and about a quote left open at the end), or unquoted up to a comma or line end.
_CSV_FIELD = re.compile(r'"([^"]*(?:""[^"]*)*)(?:"([^,\r\n]*))?|([^,\r\n]*)')
_CSV_LINE_END = re.compile(r"\r\n?|\n")


def _csv_rows(text: str, max_field_chars: int) -> tuple[list[list[str]], BadDocument | None]:
    """The non-blank rows of the CSV (header first), and the error that stopped parsing, if any.

    Rows and fields are those ``csv.reader`` gives for the text; fields are bounded here
    rather than by ``csv.field_size_limit``, which is process-wide: setting and restoring
    it around a parse let a parse on another thread meet the wrong bound. Parsing stops at
    the first field over the bound: inside a quoted field that spans lines the parser
    cannot tell where the next row starts, and would make rows out of the field's lines.

    >>> _csv_rows('a,b\\r\\n\\r\\n1,"x\\ny"\\r\\n', 10)
    ([['a', 'b'], ['1', 'x\\ny']], None)
    >>> _csv_rows('a,b\\n1,"0123456789ABC"\\n2,3\\n', 10)[1].reason
    'too_large'
    """
    rows: list[list[str]] = []
    position, end = 0, len(text)
    while position < end:
        line_end = _CSV_LINE_END.match(text, position)
        if line_end:  # a blank line
            position = line_end.end()
            continue
        row = []
        while True:
            field = _CSV_FIELD.match(text, position)
            quoted, after_quote, plain = field.groups()
            value = plain if plain is not None else quoted.replace('""', '"') + (after_quote or "")
            if len(value) > max_field_chars:
                line = 1 + len(_CSV_LINE_END.findall(text, 0, field.start() + max_field_chars))
                return rows, BadDocument(
                    "too_large",
                    f"field larger than field limit ({max_field_chars}, max_record_chars) at line {line}; "
                    "the rows after it are not read: the parser cannot tell where the next row starts",
                )
            row.append(value)
            position = field.end()
            if position < end and text[position] == ",":
                position += 1
                continue
            line_end = _CSV_LINE_END.match(text, position)
            position = line_end.end() if line_end else position
            break
        rows.append(row)
    return rows, None


def _record_source(record: dict, number: int, encoding: str, file: _File, config: IngestConfig) -> Source:
    """The source of one JSONL/CSV record: its text field, title, URL and date, the rest as metadata."""
    name = next((f for f in config.text_fields if record.get(f) is not None), None)
    if name is None:
        present = [f for f in config.text_fields if f in record]
        if present:
            raise BadDocument("empty_text", f"the text field {present[0]!r} is null")
        raise BadDocument(
            "no_text_column", f"none of the text fields {list(config.text_fields)} is present; the record has {list(record)}"
        )
    text = record[name]
    if not isinstance(text, str):
        raise BadDocument("malformed_record", f"the text field {name!r} holds a JSON {_json_type(text)}, not a string")
    if not text.strip():
        raise BadDocument("empty_text", f"the text field {name!r} is {'only whitespace' if text else 'empty'}")
    metadata = {k: v for k, v in record.items() if k != name}
    return file.source(
        number,
        encoding,
        text,
        Text.from_source(text),
        title=_take(metadata, config.title_fields, _stripped),
        url=_take(metadata, config.url_fields, _stripped),
        published_date=_take(metadata, config.date_fields, _iso_date),
        metadata=metadata,
    )


def _take(metadata: dict, fields: tuple[str, ...], parse: Callable[[object], object]):
    """The first of ``fields`` whose value ``parse`` accepts, parsed and removed from ``metadata``.

    A value ``parse`` refuses stays in the metadata, so nothing the record said is lost.

    >>> meta = {"date": "2月9日", "publish_date": "2026-02-09 10:00"}
    >>> _take(meta, ("date", "publish_date"), _iso_date), meta
    (datetime.date(2026, 2, 9), {'date': '2月9日'})
    """
    for name in fields:
        value = parse(metadata.get(name))
        if value is not None:
            del metadata[name]
            return value
    return None


def _stripped(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _iso_date(value: object) -> dt.date | None:
    """The date of an ISO ``YYYY-MM-DD`` string or of an ISO datetime; ``None`` for anything else.

    >>> _iso_date("2026-02-09"), _iso_date("2026-02-09T08:30:00+08:00")
    (datetime.date(2026, 2, 9), datetime.date(2026, 2, 9))
    >>> _iso_date("2026年2月9日"), _iso_date("2026-02-30"), _iso_date("20260209"), _iso_date(2026)
    (None, None, None, None)
    """
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        return None
    value = value.strip()
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else dt.datetime.fromisoformat(value).date()
    except ValueError:
        return None


#: The reader of each supported suffix, and the format its documents are recorded as.
READERS: dict[str, tuple[str, Callable[[bytes, _File, IngestConfig], Iterator[Source | Reject]]]] = {
    ".txt": ("txt", _txt),
    ".text": ("txt", _txt),
    ".html": ("html", _html),
    ".htm": ("html", _html),
    ".jsonl": ("jsonl", _jsonl),
    ".jsonl.gz": ("jsonl", _jsonl_gz),
    ".csv": ("csv", _csv),
}

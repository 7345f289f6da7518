"""The supported formats, and ``read``: one inbox file to its documents, or to the reasons why not.

The reader is picked by the file's suffix. ``.txt`` and ``.html`` files are one document
each, read here; ``.jsonl``, ``.jsonl.gz`` and ``.csv`` files hold a document per record,
read by ``jsonl`` and ``csv``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.errors import BadDocument, ConfigError
from pipeline.ingest import csv, html, jsonl
from pipeline.ingest.config import IngestConfig
from pipeline.ingest.decoding import decode, decode_html, decode_within_limit
from pipeline.ingest.inbox import read_bytes, refusal, relative_name
from pipeline.ingest.source import InboxFile, Source
from pipeline.records import Reject
from pipeline.spans import Text


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


def _documents(path: Path, inbox: Path, relative: str, config: IngestConfig) -> Iterator[Source | Reject]:
    sha256 = None
    try:
        if (problem := refusal(path, inbox)) is not None:
            raise problem
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
        yield from reader(data, InboxFile(relative, sha256, len(data), form), config)
    except BadDocument as problem:
        yield Reject(relative, None, sha256, problem.reason, problem.detail)


def _suffix(path: Path) -> str:
    """The lower-cased suffix that picks the reader; ``.jsonl.gz`` counts as one.

    >>> _suffix(Path("2025/报告.JSONL.gz")), _suffix(Path("a.b.HTM")), _suffix(Path("README"))
    ('.jsonl.gz', '.htm', '')
    """
    name = path.name.lower()
    return ".jsonl.gz" if name.endswith(".jsonl.gz") else path.suffix.lower()


def _txt(data: bytes, file: InboxFile, config: IngestConfig) -> Iterator[Source]:
    text, encoding = decode_within_limit(data, config.max_record_chars, decode)
    yield file.source(None, encoding, text, Text.from_source(text))


def _html(data: bytes, file: InboxFile, config: IngestConfig) -> Iterator[Source]:
    markup, encoding = decode_within_limit(data, config.max_record_chars, decode_html)
    page = html.page(markup, config.max_parse_passes)
    yield file.source(None, encoding, markup, page.text, title=page.title)


#: The reader of each supported suffix, and the format its documents are recorded as.
READERS: dict[str, tuple[str, Callable[[bytes, InboxFile, IngestConfig], Iterator[Source | Reject]]]] = {
    ".txt": ("txt", _txt),
    ".text": ("txt", _txt),
    ".html": ("html", _html),
    ".htm": ("html", _html),
    ".jsonl": ("jsonl", jsonl.documents),
    ".jsonl.gz": ("jsonl", jsonl.gzip_documents),
    ".csv": ("csv", csv.documents),
}

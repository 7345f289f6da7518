"""``Source``, one document read from the inbox, and the provenance every document of a file shares."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pipeline.errors import BadDocument
from pipeline.records import Reject
from pipeline.spans import Text


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


@dataclass(frozen=True)
class InboxFile:
    """What every document of one file shares: its provenance and format."""

    path: str
    sha256: str
    size: int
    format: str

    def source(self, line: int | None, encoding: str, text: str, body: Text, **record_fields) -> Source:
        return Source(self.path, line, self.sha256, self.size, self.format, encoding, text, body, **record_fields)

    def reject(self, line: int | None, problem: BadDocument) -> Reject:
        return Reject(self.path, line, self.sha256, problem.reason, problem.detail)

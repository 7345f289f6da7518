"""What ``ingest.read`` gives for a file, in the shapes the ingest tests compare."""

from __future__ import annotations

from pathlib import Path

from pipeline import ingest
from pipeline.ingest import IngestConfig, Source
from pipeline.records import Reject

#: A sentence of a real report, in every encoding and format the tests write.
TEXT = "统筹推进疫情防控和经济社会发展工作。"


def read_all(path: Path, inbox: Path, config: IngestConfig = IngestConfig()) -> list[Source | Reject]:
    return list(ingest.read(path, inbox, config))


def read_one(path: Path, inbox: Path, config: IngestConfig = IngestConfig()) -> Source | Reject:
    (item,) = read_all(path, inbox, config)
    return item


def by_line(items: list[Source | Reject]) -> dict[int | None, tuple[str, Source | Reject]]:
    """Each item under its line number, with "ok" or the reject reason."""
    out = {}
    for item in items:
        line = item.line if isinstance(item, Source) else item.source_line
        out[line] = ("ok", item) if isinstance(item, Source) else (item.reason, item)
    return out

"""What the readers take from a corpus record, and the limits that keep one input from sinking a run."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import ConfigError


@dataclass(frozen=True)
class IngestConfig:
    """Which record fields hold what, and the size limits that keep one input from sinking a run.

    Each ``*_fields`` tuple is tried in order and the first field a record has (with a
    non-null value) is used; the fields not used stay in ``Source.metadata``. Names match
    whatever their case (``Text``, ``CONTENT``, ``Pub_Date``).
    """

    #: The document text of a JSONL/CSV record. A record with none of them is rejected.
    text_fields: tuple[str, ...] = ("content", "text", "raw_content", "full_text")
    title_fields: tuple[str, ...] = ("title",)
    url_fields: tuple[str, ...] = ("url", "source_url")
    #: Read only as an unambiguous date (``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYY年M月D日``,
    #: or a datetime whose date part is taken); any other value is left in the metadata
    #: rather than guessed at.
    date_fields: tuple[str, ...] = ("publish_date", "published_date", "published", "pub_date", "date", "time")
    #: Larger files are rejected unread: every reader holds one file's bytes in memory.
    max_file_bytes: int = 512 * 2**20
    #: Longest document in characters: a .txt or .html file's text, a JSONL line, a CSV
    #: field. Processing time and memory grow with a document's length; the default keeps
    #: one document's cost bounded, far above the longest real speech compilation seen.
    max_record_chars: int = 4 * 2**20
    #: Most bytes a ``.jsonl.gz`` may decompress to; past it the file is rejected
    #: (a gzip bomb is a few kilobytes that inflate to gigabytes).
    max_decompressed_bytes: int = 2 * 2**30
    #: Most reject rows one file gives (bad lines and rows, documents that are not prose…).
    #: Past it, one row stands for all of them, with their count by reason and the first
    #: examples: a 3 KB ``.jsonl.gz`` of a million ``{}`` lines would otherwise cost a
    #: million rows, gigabytes of memory and a manifest of hundreds of megabytes.
    max_rejects_per_file: int = 1000
    #: Most work the HTML parser may do on a page, in passes over its markup; past it the
    #: page is ``too_slow`` (``html.page`` counts the work). A page is read in one pass;
    #: markup the standard library's parser reads again at every tag (attribute quotes
    #: that never close) would take hours at 4 MB. Eight passes refuse such a page well within
    #: issue 21's bound (timed by ``benchmarks/fuzz_inputs.py --adversarial``), and a real
    #: page would need eight such broken tags near its top.
    max_parse_passes: int = 8

    def __post_init__(self) -> None:
        for name in ("text_fields", "title_fields", "url_fields", "date_fields"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not all(isinstance(f, str) and f for f in value):
                raise ConfigError(f"{name} must be a tuple of field names, got {value!r}")
        if not self.text_fields:
            raise ConfigError(f"text_fields must name at least one field, got {self.text_fields!r}")
        for name in ("max_file_bytes", "max_record_chars", "max_decompressed_bytes", "max_rejects_per_file",
                     "max_parse_passes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")

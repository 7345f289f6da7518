"""One corpus record (a JSON object or a CSV row) as a ``Source``: which field is the text, the
title, the URL and the date; every other field is kept as metadata."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from pipeline.errors import BadDocument
from pipeline.ingest.config import IngestConfig
from pipeline.ingest.source import InboxFile, Source
from pipeline.spans import Text

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def record_source(record: dict, number: int, encoding: str, file: InboxFile, config: IngestConfig) -> Source:
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
        raise BadDocument("malformed_record", f"the text field {name!r} holds a JSON {json_type(text)}, not a string")
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


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type.

    >>> [json_type(v) for v in ([], 1.5, True, None, "x")]
    ['array', 'number', 'boolean', 'null', 'string']
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return {dict: "object", list: "array", str: "string"}.get(type(value), "number")


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

"""One corpus record (a JSON object or a CSV row) as a ``Source``: which field is the text, the
title, the URL and the date; every other field is kept as metadata.

Field names match whatever their case (``Text``, ``CONTENT``, ``Full_Text``): exports
capitalise their headers as they please. A text whose line breaks were collapsed, its
paragraphs left only as ``　　`` indents inside one line, gets its paragraph breaks back.
"""

from __future__ import annotations

import datetime as dt
import re
from array import array
from collections.abc import Callable

from pipeline.errors import BadDocument
from pipeline.ingest.config import IngestConfig
from pipeline.ingest.decoding import without_controls
from pipeline.ingest.source import InboxFile, Source
from pipeline.spans import Text

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Dates written another unambiguous way: 2026/02/09, 2026.02.09, 2026年2月9日 (a time may follow).
_OTHER_DATE = re.compile(r"([0-9]{4})(?:([/.])([0-9]{1,2})\2([0-9]{1,2})|年([0-9]{1,2})月([0-9]{1,2})日)(?=$|[ T\u3000])")

#: An indent inside a line: a paragraph start whose line break was collapsed.
_INLINE_INDENT = re.compile(r"(?<=[^\s])[\u3000]{2,}(?=[^\s])")


def record_source(record: dict, number: int, encoding: str, file: InboxFile, config: IngestConfig) -> Source:
    """The source of one JSONL/CSV record: its text field, title, URL and date, the rest as metadata."""
    keys = field_names(record)
    name = next((keys[f.lower()] for f in config.text_fields if record.get(keys.get(f.lower())) is not None), None)
    if name is None:
        present = [keys[f.lower()] for f in config.text_fields if f.lower() in keys]
        if present:
            raise BadDocument("empty_text", f"the text field {present[0]!r} is null")
        raise BadDocument("no_text_column", no_text_detail(config.text_fields, list(record), "field"))
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
        paragraph_breaks(Text.from_source(text)),
        title=_take(metadata, config.title_fields, _stripped),
        url=_take(metadata, config.url_fields, _stripped),
        published_date=_take(metadata, config.date_fields, _date),
        metadata=metadata,
    )


def field_names(record: dict) -> dict[str, str]:
    """The record's field names by their lower-cased form (the first of a name that repeats
    in another case wins).

    >>> field_names({"Text": 1, "TITLE": 2, "text": 3})
    {'text': 'Text', 'title': 'TITLE'}
    """
    names: dict[str, str] = {}
    for key in record:
        names.setdefault(str(key).lower(), key)
    return names


def no_text_detail(text_fields: tuple[str, ...], found: list, noun: str) -> str:
    """What a ``no_text_column`` reject says: the names looked for, the names found, and
    how to name the text field."""
    return (f"none of the text fields {list(text_fields)} (in any case) is a {noun}; the {noun}s are {found}. "
            f"Name the one holding the text with --text-field NAME")


def paragraph_breaks(body: Text) -> Text:
    """``body`` with a line break before each ``　　`` indent inside a line, when its line
    breaks were collapsed: the paragraphs of an export that joined them into one line
    survive only as those indents. Nothing is deleted; each break stands at the offset of
    the indent it comes before (a boundary, not an edit of the source).

    Applied only when the indents inside lines are at least two and outnumber the line
    breaks: a text with its lines intact may still hold a stray indent.

    >>> paragraph_breaks(Text.from_source("标题　　第一段。　　第二段。　　第三段。")).chars
    '标题\\n　　第一段。\\n　　第二段。\\n　　第三段。'
    >>> paragraph_breaks(Text.from_source("第一段。\\n第二段，　　强调。")).chars
    '第一段。\\n第二段，　　强调。'
    """
    indents = [m.start() for m in _INLINE_INDENT.finditer(body.chars)]
    if len(indents) < 2 or len(indents) <= body.chars.count("\n"):
        return body
    parts, pos = [], 0
    for start in indents:
        parts += [body.slice(pos, start), Text("\n", array("q", [body.offsets[start]]))]
        pos = start
    parts.append(body.slice(pos, len(body)))
    return Text.concat(parts)


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
    """The first of ``fields`` (in any case) whose value ``parse`` accepts, parsed and
    removed from ``metadata``.

    A value ``parse`` refuses stays in the metadata, so nothing the record said is lost.

    >>> meta = {"date": "2月9日", "Publish_Date": "2026-02-09 10:00"}
    >>> _take(meta, ("date", "publish_date"), _date), meta
    (datetime.date(2026, 2, 9), {'date': '2月9日'})
    """
    keys = field_names(metadata)
    for name in fields:
        key = keys.get(name.lower())
        value = parse(metadata.get(key)) if key is not None else None
        if value is not None:
            del metadata[key]
            return value
    return None


def _stripped(value: object) -> str | None:
    return (without_controls(value).strip() or None) if isinstance(value, str) else None


def _date(value: object) -> dt.date | None:
    """The date of an ISO ``YYYY-MM-DD`` string or ISO datetime, or of ``2026/02/09``,
    ``2026.02.09`` or ``2026年2月9日`` (a time may follow); ``None`` for anything else.

    >>> _date("2026-02-09"), _date("2026-02-09T08:30:00+08:00"), _date("2026/2/9 10:00")
    (datetime.date(2026, 2, 9), datetime.date(2026, 2, 9), datetime.date(2026, 2, 9))
    >>> _date("2026年2月9日"), _date("2026-02-30"), _date("20260209"), _date("2/9/2026"), _date(2026)
    (datetime.date(2026, 2, 9), None, None, None, None)
    """
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        if _ISO_DATE.match(value):
            return dt.date.fromisoformat(value) if len(value) == 10 else dt.datetime.fromisoformat(value).date()
        m = _OTHER_DATE.match(value)
        if m:
            year, month, day = m.group(1), m.group(3) or m.group(5), m.group(4) or m.group(6)
            return dt.date(int(year), int(month), int(day))
    except ValueError:
        pass
    return None

"""CSV: a document per data row, its text in the first of ``text_fields`` the header names (in any case).

The rows are parsed here, not by the ``csv`` module, so that a field's size is bounded per
parse rather than process-wide (see ``rows``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from pipeline.errors import BadDocument
from pipeline.ingest.config import IngestConfig
from pipeline.ingest.decoding import decode
from pipeline.ingest.fields import field_names, no_text_detail, record_source
from pipeline.ingest.source import InboxFile, Source
from pipeline.records import Reject

#: One CSV field at a position, as the ``csv`` module's default (excel) dialect reads it:
#: quoted (``""`` is a quote; lenient, as the module is, about text after the closing
#: quote and about a quote left open at the end), or unquoted up to a comma or line end.
_FIELD = re.compile(r'"([^"]*(?:""[^"]*)*)(?:"([^,\r\n]*))?|([^,\r\n]*)')
_LINE_END = re.compile(r"\r\n?|\n")


def documents(data: bytes, file: InboxFile, config: IngestConfig) -> Iterator[Source | Reject]:
    """A source or reject per data row. The text column is the first of ``text_fields`` in
    the header (a CSV has no nulls, so an empty cell there is ``empty_text``); the other
    non-empty cells, apart from the title, URL and date used, become the metadata."""
    text, encoding = decode(data)
    parsed, error = rows(text, config.max_record_chars)
    if not parsed:
        raise error or BadDocument("empty_file", "the CSV has no rows, not even a header")
    header = parsed[0]
    if not any(name.lower() in field_names(dict.fromkeys(header)) for name in config.text_fields):
        raise BadDocument("no_text_column", no_text_detail(config.text_fields, header, "column"))
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise BadDocument("malformed_record", f"the header repeats the column(s) {repeated}: {header}")
    for number, row in enumerate(parsed[1:], start=1):
        try:
            if len(row) != len(header):
                raise BadDocument("malformed_record", f"the row has {len(row)} fields; the header has {len(header)}: {header}")
            source = record_source(dict(zip(header, row)), number, encoding, file, config)
        except BadDocument as problem:
            yield file.reject(number, problem)
            continue
        yield replace(source, metadata={k: v for k, v in source.metadata.items() if v})
    if error is not None:
        yield file.reject(len(parsed), error)
    elif len(parsed) == 1:
        raise BadDocument("empty_file", f"the CSV has a header but no data rows: {header}")


def rows(text: str, max_field_chars: int) -> tuple[list[list[str]], BadDocument | None]:
    """The non-blank rows of the CSV (header first), and the error that stopped parsing, if any.

    Rows and fields are those ``csv.reader`` gives for the text; fields are bounded here
    rather than by ``csv.field_size_limit``, which is process-wide: setting and restoring
    it around a parse let a parse on another thread meet the wrong bound. Parsing stops at
    the first field over the bound: inside a quoted field that spans lines the parser
    cannot tell where the next row starts, and would make rows out of the field's lines.

    >>> rows('a,b\\r\\n\\r\\n1,"x\\ny"\\r\\n', 10)
    ([['a', 'b'], ['1', 'x\\ny']], None)
    >>> rows('a,b\\n1,"0123456789ABC"\\n2,3\\n', 10)[1].reason
    'too_large'
    """
    found: list[list[str]] = []
    position, end = 0, len(text)
    while position < end:
        line_end = _LINE_END.match(text, position)
        if line_end:  # a blank line
            position = line_end.end()
            continue
        row = []
        while True:
            field = _FIELD.match(text, position)
            quoted, after_quote, plain = field.groups()
            value = plain if plain is not None else quoted.replace('""', '"') + (after_quote or "")
            if len(value) > max_field_chars:
                line = 1 + len(_LINE_END.findall(text, 0, field.start() + max_field_chars))
                return found, BadDocument(
                    "too_large",
                    f"field larger than field limit ({max_field_chars}, max_record_chars) at line {line}; "
                    "the rows after it are not read: the parser cannot tell where the next row starts",
                )
            row.append(value)
            position = field.end()
            if position < end and text[position] == ",":
                position += 1
                continue
            line_end = _LINE_END.match(text, position)
            position = line_end.end() if line_end else position
            break
        found.append(row)
    return found, None

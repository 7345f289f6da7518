"""The download's lines: each speech as one JSON object, its document's citation fields and
its sections and paragraphs nested, built by Arrow a column at a time.

A line is exactly what ``json.dumps(record, ensure_ascii=False, separators=(",", ":"))``
writes for the speech's record (a property test holds the two together), but made for a
block of speeches at once from the tables' columns, which is much faster than a dict
dumped per speech.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import schemas
from pipeline import records

#: The key of the object each line holds of its speech's document: the columns
#: ``schemas.DOWNLOAD_DOCUMENT_COLUMNS`` of its row of ``documents`` (null for a speech of
#: no document), so that a line alone can be cited.
DOCUMENT = "document"
#: Tables nested into each speech's line, and the columns left out of them (those that
#: point at the enclosing speech or its document): the line carries those values once.
NESTED_TABLES = ("sections", "paragraphs")
_PARENT_REFERENCES = frozenset(
    [f"speeches.{k}" for k in schemas.SPEECHES.key] + [f"documents.{k}" for k in schemas.DOCUMENTS.key]
)


class Speeches:
    """The lines of the speeches of ``tables``, for any speech rows.

    A line is built by Arrow a column at a time, as ``json.dumps(record,
    ensure_ascii=False, separators=(",", ":"))`` writes it: each value becomes its JSON
    text, a row's texts are joined into an object, its document's object follows, and a
    speech's section and paragraph objects, in ordinal order, are joined into its arrays;
    much faster than dumping a dict per speech, and the same bytes (a property test holds
    the two together).
    """

    def __init__(self, tables: dict[str, pa.Table], only: set[str] | None = None):
        """``only``: the speeches whose lines will be asked for, when few are (a download
        that copies most members need not order every paragraph)."""
        self._speeches = tables["speeches"]
        self._documents = _Documents(tables["documents"], self._speeches)
        self._children = {name: _Children(_of_speeches(tables[name], only), name, self._speeches)
                          for name in NESTED_TABLES}

    def lines(self, rows: list[int]) -> Lines:
        """The lines of the speeches at ``rows`` of the speeches table, in that order."""
        rows = pa.array(rows, pa.int64())
        speeches = records.take(self._speeches, rows)
        parts = [_object_open(speeches), f",{json.dumps(DOCUMENT)}:", self._documents.objects(rows)]
        for name in NESTED_TABLES:
            parts += [f",{json.dumps(name)}:[", self._children[name].arrays(rows), "]"]
        return Lines(pc.binary_join_element_wise(*parts, "}\n", ""))


class _Documents:
    """The ``document`` object of each speech row: its document's citation columns."""

    def __init__(self, documents: pa.Table, speeches: pa.Table):
        # a release has far fewer documents than speeches: each object is made once
        names = list(schemas.DOWNLOAD_DOCUMENT_COLUMNS)
        self._objects = pc.binary_join_element_wise(_object_open(documents.select(names)), "}", "")
        self._rows = pc.index_in(speeches.column("doc_id").combine_chunks(), value_set=documents.column("doc_id").combine_chunks())

    def objects(self, rows: pa.Array) -> pa.Array:
        """The document object of each speech row of ``rows``; ``null`` for a speech whose
        document is not in the table (validation refuses such a release)."""
        return pc.fill_null(self._objects.take(self._rows.take(rows)), "null")


class _Children:
    """The rows of a nested table, ordered by their speech's row and their ordinal."""

    def __init__(self, table: pa.Table, name: str, speeches: pa.Table):
        names = [c.name for c in schemas.table(name).columns if c.references not in _PARENT_REFERENCES]
        speech_rows = pc.index_in(table.column("speech_id"), value_set=speeches.column("speech_id"))
        speech_rows = pc.fill_null(speech_rows, -1).to_numpy()  # a row of no speech is in no line
        order = np.lexsort((table.column("ordinal").to_numpy(), speech_rows))
        self._order = order[speech_rows[order] >= 0]  # rows are taken a block at a time, never all copied
        self._table = table.select(names)
        counts = np.bincount(speech_rows[self._order], minlength=speeches.num_rows)
        self._starts = np.concatenate([[0], np.cumsum(counts)])

    def arrays(self, rows: list[int]) -> pa.Array:
        """For each speech row of ``rows``, its child objects joined by commas."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, ends = self._starts[rows], self._starts[rows + 1]
        taken = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)]) if len(rows) else np.empty(0, np.int64)
        objects = pc.binary_join_element_wise(_object_open(records.take(self._table, self._order[taken])), "}", "")
        offsets = np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int32)
        return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), objects), ",")


def _object_open(table: pa.Table) -> pa.Array:
    """Each row of ``table`` as a JSON object without its closing brace."""
    parts = []
    for i, name in enumerate(table.column_names):
        parts += [("{" if i == 0 else ",") + json.dumps(name) + ":", _json_values(table.column(name).combine_chunks())]
    return pc.binary_join_element_wise(*parts, "")


#: What ``json.dumps`` escapes in a string: rows holding one go through it, the others
#: only need quotes (Chinese text quotes with “”, and its lines are paragraphs).
_ESCAPED = r'["\\\x00-\x1f]'
_ESCAPED_BUT_QUOTES = r'[\\\x00-\x1f]'


def _json_values(values: pa.Array) -> pa.Array:
    """The JSON text of each value (null: ``null``), as ``json.dumps`` writes it."""
    kind = values.type
    if pa.types.is_string(kind):
        return _json_strings(values)
    if pa.types.is_integer(kind):
        text = pc.cast(values, pa.string())
    elif pa.types.is_boolean(kind):
        text = pc.if_else(values, "true", "false")
    elif pa.types.is_date(kind):
        text = pc.binary_join_element_wise('"', pc.cast(values, pa.string()), '"', "")
    elif pa.types.is_list(kind) and pa.types.is_string(kind.value_type):
        return _json_string_lists(values)
    else:  # floats (Python's repr), and whatever else json.dumps takes
        return pa.array([json.dumps(v, ensure_ascii=False) for v in _python_values(values)], pa.string())
    return pc.fill_null(text, "null")


def _json_strings(values: pa.Array) -> pa.Array:
    text = pc.binary_join_element_wise('"', values, '"', "")
    return pc.fill_null(_dumped_where(pc.match_substring_regex(values, _ESCAPED), values, text), "null")


def _json_string_lists(values: pa.ListArray) -> pa.Array:
    """``["a","b"]`` for each list of strings, its items joined by ``","`` in one pass rather
    than quoted one token at a time. A list whose items hold a character to escape (a
    quote: the joined items then hold more than the separators do), or a null item, is
    left to ``json.dumps``."""
    joined = pc.binary_join(values, '","')  # null for a null list or a null item
    lengths = pc.list_value_length(values)
    separators = pc.multiply(pc.max_element_wise(pc.subtract(lengths, 1), 0), 2)
    plain = pc.and_(pc.equal(pc.count_substring(joined, '"'), separators),  # a plain count: a regex is slower
                    pc.invert(pc.match_substring_regex(joined, _ESCAPED_BUT_QUOTES)))
    text = pc.if_else(pc.equal(lengths, 0), "[]", pc.binary_join_element_wise('["', joined, '"]', ""))
    not_plain = pc.and_(pc.invert(pc.fill_null(plain, False)), pc.is_valid(values))
    return pc.fill_null(_dumped_where(not_plain, values, text), "null")


def _dumped_where(mask: pa.Array, values: pa.Array, text: pa.Array) -> pa.Array:
    """``text``, with ``json.dumps`` of ``values`` where ``mask`` holds."""
    mask = pc.fill_null(mask, False)
    if not pc.any(mask).as_py():
        return text
    rows = pa.array(np.flatnonzero(mask.to_numpy(zero_copy_only=False)))
    dumped = [json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in values.take(rows).to_pylist()]
    return pc.replace_with_mask(text, mask, pa.array(dumped, pa.string()))


class Lines:
    """UTF-8 lines, any consecutive ones joined as bytes without going through Python strings."""

    def __init__(self, lines: pa.Array):
        self._lines = lines
        offsets, data = lines.buffers()[1:3]
        self._offsets = np.frombuffer(offsets, np.int32)[lines.offset:lines.offset + len(lines) + 1]
        self._data = memoryview(data) if data is not None else memoryview(b"")

    def joined(self, start: int, end: int) -> bytes:
        return bytes(self._data[self._offsets[start]:self._offsets[end]])

    def __iter__(self) -> Iterator[bytes]:
        return (self.joined(i, i + 1) for i in range(len(self._lines)))


def _python_values(column: pa.Array | pa.ChunkedArray) -> list:
    """The column as JSON-ready Python values: dates and timestamps as ISO strings."""
    values = column.to_pylist()
    if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
        return [None if v is None else v.isoformat() for v in values]
    return values


def _of_speeches(table: pa.Table, only: frozenset[str] | None) -> pa.Table:
    """The rows of ``table`` that belong to the speeches ``only``; all of them without it."""
    if only is None:
        return table
    return table.filter(pc.is_in(table.column("speech_id"), pa.array(sorted(only), pa.string())))

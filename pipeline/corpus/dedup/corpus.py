"""The corpus dedup compares, read from the release tables, and its columns written back.

Records are numbered by their row in the table (paragraph p, speech s) and distinct
folded texts in the order first seen (text k); every relation below refers to these
numbers. Columns are plain lists: the stage walks them row by row in Python, where a
list is the fastest to index.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.corpus.dedup import folding, index
from pipeline.errors import ConfigError


@dataclass
class Paragraphs:
    """The paragraphs table, one entry per row in table order."""

    ids: list[str]
    #: The paragraph's speech s.
    speech_of: list[int]
    ordinal: list[int]
    #: Whether the paragraph carries a flag (truncated, after_gap, …).
    flagged: list[bool]
    #: The paragraph's folded text k.
    text_of: list[int]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class FoldedTexts:
    """The distinct folded texts of the paragraphs, in the order first seen.

    Text k has ``sha1[k]`` and ``chars[k]``. ``folded(k)`` is the text itself: a text the
    index knew is folded only when asked for, from the raw text of its first paragraph.
    """

    sha1: list[str]
    chars: list[int]
    #: Text k, or None until ``folded(k)`` folds the raw text of paragraph ``first_paragraph[k]``.
    texts: list[str | None]
    first_paragraph: list[int]
    raw: pa.ChunkedArray

    def __len__(self) -> int:
        return len(self.sha1)

    def folded(self, k: int) -> str:
        if self.texts[k] is None:
            self.texts[k] = folding.fold(self.raw[self.first_paragraph[k]].as_py())
        return self.texts[k]


@dataclass
class Speeches:
    """The speeches table, one entry per row in table order."""

    ids: list[str]
    #: The speech's paragraphs p, by ordinal.
    paragraphs: list[list[int]]
    #: sha1 and length of the speech's folded paragraphs joined.
    sha1: list[str]
    folded_chars: list[int]
    #: ``char_count`` of the speech.
    chars: list[int]
    #: Its sort key under ``CANONICAL_RULE`` without rules (1) and (4), which need the
    #: relations and the cluster: (flagged paragraphs, placeholders, converted characters,
    #: date unknown, date, document id, ordinal).
    rank: list[tuple]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Corpus:
    """Everything dedup compares, read once from the tables."""

    paragraphs: Paragraphs
    texts: FoldedTexts
    speeches: Speeches
    #: Paragraphs whose text was folded, not known from the index of carried documents.
    paragraphs_folded: int


def read_corpus(tables: dict[str, pa.Table], previous: pa.Table | None = None,
         carried: pa.Array | None = None) -> Corpus:
    """The corpus of ``tables``. Paragraphs and speeches of ``carried`` documents take
    their folded sha1 and length from the index ``previous``; only the others are folded."""
    for name in ("documents", "speeches", "paragraphs"):
        if name not in tables:
            raise ConfigError(f"dedup.annotate needs the {name!r} table; got {sorted(tables)}")
    speeches, paragraphs = tables["speeches"], tables["paragraphs"]
    speech_ids = speeches.column("speech_id").to_pylist()
    known_sha1, known_chars = index.carried_folds(previous, "paragraph", paragraphs, "paragraph_id", carried)
    texts, text_of = _distinct_texts(paragraphs.column("text"), known_sha1, known_chars)
    speech_index = {sid: i for i, sid in enumerate(speech_ids)}
    flagged = pc.greater(pc.list_value_length(paragraphs.column("flags")), 0)
    read_paragraphs = Paragraphs(
        ids=paragraphs.column("paragraph_id").to_pylist(),
        speech_of=[speech_index[sid] for sid in paragraphs.column("speech_id").to_pylist()],
        ordinal=paragraphs.column("ordinal").to_pylist(),
        flagged=pc.fill_null(flagged, False).to_pylist(),
        text_of=text_of,
    )
    known_speech_sha1, _ = index.carried_folds(previous, "speech", speeches, "speech_id", carried)
    return Corpus(
        paragraphs=read_paragraphs,
        texts=texts,
        speeches=_speeches(speech_ids, speeches, tables["documents"], read_paragraphs, texts,
                           known_speech_sha1.to_pylist()),
        paragraphs_folded=known_sha1.null_count,
    )


def _distinct_texts(raw: pa.ChunkedArray, known_sha1: pa.ChunkedArray,
                    known_chars: pa.ChunkedArray) -> tuple[FoldedTexts, list[int]]:
    """The distinct folded texts of the paragraphs' ``raw`` texts, and each paragraph's
    text k. A paragraph with a known sha1 and length is not folded."""
    fresh = folding.fold_column(raw.filter(pc.is_null(known_sha1)))
    texts: list[str | None] = []
    sha1: list[str] = []
    chars: list[int] = []
    first_paragraph: list[int] = []
    seen: dict[str, int] = {}
    text_of: list[int] = []
    for p, (digest, length) in enumerate(zip(known_sha1.to_pylist(), known_chars.to_pylist())):
        folded = None
        if digest is None:
            folded = next(fresh)
            digest, length = hashlib.sha1(folded.encode("utf-8")).hexdigest(), len(folded)
        k = seen.get(digest)
        if k is None:
            k = seen[digest] = len(texts)
            texts.append(folded)
            sha1.append(digest)
            chars.append(length)
            first_paragraph.append(p)
        elif texts[k] is None:
            texts[k] = folded
        text_of.append(k)
    return FoldedTexts(sha1=sha1, chars=chars, texts=texts, first_paragraph=first_paragraph, raw=raw), text_of


def _speeches(ids: list[str], speeches: pa.Table, documents: pa.Table, paragraphs: Paragraphs,
              texts: FoldedTexts, known_sha1: list[str | None]) -> Speeches:
    """The speeches with their paragraphs, folded sha1 and length (folded from their
    paragraphs where not ``known_sha1``) and their canonical-rule sort key."""
    speech_of, ordinal, text_of = paragraphs.speech_of, paragraphs.ordinal, paragraphs.text_of
    paragraphs_of: list[list[int]] = [[] for _ in ids]
    for p in sorted(range(len(text_of)), key=lambda p: (speech_of[p], ordinal[p])):
        paragraphs_of[speech_of[p]].append(p)
    sha1, folded_chars = [], []
    for members, digest in zip(paragraphs_of, known_sha1):
        if digest is None:
            joined = "".join(texts.folded(text_of[p]) for p in members)
            digest = hashlib.sha1(joined.encode("utf-8")).hexdigest()
        sha1.append(digest)
        folded_chars.append(sum(texts.chars[text_of[p]] for p in members))

    doc_ids = documents.column("doc_id").to_pylist()
    converted = dict(zip(doc_ids, documents.column("converted_char_count").to_pylist()))
    published = dict(zip(doc_ids, documents.column("published_date").to_pylist()))
    flagged = paragraphs.flagged
    flagged_count = [sum(flagged[p] for p in members) for members in paragraphs_of]
    rank = [
        (flagged_count[i], placeholders, converted.get(doc) or 0,
         published.get(doc) is None, published[doc].toordinal() if published.get(doc) else 0, doc, speech_ordinal)
        for i, (doc, speech_ordinal, placeholders) in enumerate(zip(
            speeches.column("doc_id").to_pylist(), speeches.column("ordinal").to_pylist(),
            speeches.column("placeholder_count").to_pylist()))
    ]
    return Speeches(ids=ids, paragraphs=paragraphs_of, sha1=sha1,
                    folded_chars=folded_chars, chars=speeches.column("char_count").to_pylist(), rank=rank)


def with_columns(table: pa.Table, columns: dict[str, list]) -> pa.Table:
    """``table`` with the named columns replaced, keeping each field's type and metadata."""
    for name, values in columns.items():
        i = table.schema.get_field_index(name)
        field = table.schema.field(i)
        table = table.set_column(i, field, pa.array(values, type=field.type))
    return table

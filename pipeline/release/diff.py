"""What changed between two releases, speech by speech: added, removed and changed.

``compare(old, new)`` takes the tables of two releases (``read`` gives them from a
release folder) and lists the speeches only the new one holds, those only the old one
holds, and those both hold whose contents differ, with how many paragraphs differ.

A speech of the new release is the same speech as one of the old release when it has
the same ``speech_id``; otherwise when it stands at the same place: the same input
(``source_path`` and ``source_line`` of its document) and the same ``ordinal``. Ids
derive from the source bytes, so an input edited between the releases (a page scraped
again with a correction) gives its speeches new ids: they are *changed*, not removed and
added, and the entry names both ids.

Two speeches differ when a compared column of the speech or of one of its paragraphs
does. Not compared: ids and references (they follow the source bytes), offsets into the
source (they move with any edit above them), and the columns the corpus-wide steps
compute (``schemas.CORPUS_WIDE_COLUMNS``: keywords, duplicate marks), which change when
other speeches come or go. Sections are not compared apart: their headings are lines of
the speech's ``text``, and their number is its ``section_count``.

Pure: Arrow tables in, plain values out.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import schemas
from pipeline.incremental import equal_rows
from pipeline.release import parquet

#: The tables a comparison reads.
TABLES = ("documents", "speeches", "paragraphs")
#: What each entry says of where its speech stands.
_PLACE = ("source_path", "source_line")
#: The kinds of change, in the order they are listed.
KINDS = ("added", "removed", "changed")


@dataclass(frozen=True)
class Entry:
    """One speech that was added, removed or changed.

    ``speech_id``, ``title`` and ``ordinal`` are the new release's (the old one's for a
    removed speech); ``doc_id``, ``source_path`` and ``source_line`` locate its document.
    For a changed speech: ``previous_speech_id`` (the old release's id; the same unless
    its input was edited), ``fields`` (the speech's columns that differ) and
    ``paragraphs_differing`` (paragraphs that differ, were added or were removed, counted
    on the longest common run of equal ones: one edited paragraph counts 1).
    """

    speech_id: str
    title: str | None
    doc_id: str
    source_path: str
    source_line: int | None
    ordinal: int
    previous_speech_id: str | None = None
    fields: tuple[str, ...] = ()
    paragraphs_differing: int = 0

    def to_dict(self, kind: str) -> dict:
        out = asdict(self)
        out["fields"] = list(self.fields)
        if kind != "changed":
            for name in ("previous_speech_id", "fields", "paragraphs_differing"):
                del out[name]
        return out


@dataclass(frozen=True)
class Changes:
    """The speeches added, removed and changed, each list in input order (path, line,
    ordinal)."""

    added: list[Entry] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    changed: list[Entry] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {kind: len(getattr(self, kind)) for kind in KINDS}

    def to_dict(self, old_release: str | None = None, new_release: str | None = None) -> dict:
        """The JSON form: ``speechcorpus diff --json`` prints it, a release holds it as
        ``changes.json``."""
        return {
            "old_release": old_release,
            "new_release": new_release,
            "counts": self.counts(),
            **{kind: [e.to_dict(kind) for e in getattr(self, kind)] for kind in KINDS},
        }


def compared_columns(table: schemas.Table) -> list[str]:
    """The columns of ``table`` two versions of a row are compared on (see the module)."""
    corpus_wide = schemas.CORPUS_WIDE_COLUMNS.get(table.name, ())
    return [c.name for c in table.columns
            if not (c.unique or c.references or c.name in table.key or c.name in corpus_wide
                    or c.name.endswith(("source_start", "source_end")))]


def _needed(name: str) -> list[str]:
    """The columns of table ``name`` a comparison reads."""
    spec = schemas.table(name)
    if name == "documents":
        return ["doc_id", *_PLACE]
    if name == "speeches":
        return ["speech_id", "doc_id", *(c for c in compared_columns(spec) if c not in ("speech_id", "doc_id"))]
    return ["speech_id", *(c for c in compared_columns(spec) if c != "speech_id")]


def read(release: Path) -> dict[str, pa.Table]:
    """The tables of the release folder ``release`` a comparison needs, with the columns it
    needs (of those the release has: one of an older schema lacks the newer ones), part
    by part, or from its one file per table (layout 1)."""
    out = {}
    for name in TABLES:
        present = set(parquet.read_schema(release, name).names)
        out[name] = parquet.read_table(release, name, columns=[c for c in _needed(name) if c in present])
    return out


def compare(old: dict[str, pa.Table], new: dict[str, pa.Table]) -> Changes:
    """The speeches ``new`` adds, removes and changes against ``old`` (see the module).

    ``old`` and ``new``: the ``documents``, ``speeches`` and ``paragraphs`` tables of two
    releases, whole or with the columns ``read`` takes. Columns one side lacks are not
    compared.
    """
    old_speeches, new_speeches = _located(old), _located(new)
    old_rows, new_rows = _pairs(old_speeches, new_speeches)
    speech_columns = [c for c in compared_columns(schemas.SPEECHES)
                      if c in old_speeches.column_names and c in new_speeches.column_names]
    old_paired, new_paired = old_speeches.take(old_rows), new_speeches.take(new_rows)
    differing_fields = {c: ~equal_rows(old_paired.select([c]), new_paired.select([c])) for c in speech_columns}
    paragraph_columns = [c for c in compared_columns(schemas.PARAGRAPHS)
                         if c in old["paragraphs"].column_names and c in new["paragraphs"].column_names]
    old_ids, new_ids = old_paired.column("speech_id"), new_paired.column("speech_id")
    same_paragraphs = _same_paragraphs(old["paragraphs"], new["paragraphs"], old_ids, new_ids, paragraph_columns)
    renamed = ~equal_rows(old_paired.select(["speech_id"]), new_paired.select(["speech_id"]))

    differs = renamed | ~same_paragraphs
    for column in speech_columns:
        differs |= differing_fields[column]
    changed_pairs = np.flatnonzero(differs)
    differing = _paragraphs_differing(old["paragraphs"], new["paragraphs"], old_ids.take(changed_pairs),
                                      new_ids.take(changed_pairs), paragraph_columns)
    changed = [
        dataclasses.replace(entry, previous_speech_id=previous.speech_id, paragraphs_differing=n,
                            fields=tuple(c for c in speech_columns if differing_fields[c][i]))
        for i, entry, previous, n in zip(changed_pairs.tolist(), _entries(new_speeches, new_rows[changed_pairs]),
                                         _entries(old_speeches, old_rows[changed_pairs]), differing)
    ]
    added = _entries(new_speeches, np.setdiff1d(np.arange(new_speeches.num_rows), new_rows))
    removed = _entries(old_speeches, np.setdiff1d(np.arange(old_speeches.num_rows), old_rows))
    return Changes(_ordered(added), _ordered(removed), _ordered(changed))


def between(old_release: Path, new: dict[str, pa.Table]) -> Changes:
    """``compare`` of the release folder ``old_release`` with the tables ``new``."""
    return compare(read(old_release), new)


def without_documents(tables: dict[str, pa.Table], doc_ids: pa.Array | pa.ChunkedArray) -> dict[str, pa.Table]:
    """The ``TABLES`` of ``tables`` without the rows of the documents ``doc_ids``: an
    incremental build compares only the documents it did not carry over, since a carried
    document's rows are the previous release's but for the corpus-wide columns."""
    value_set = doc_ids.combine_chunks() if isinstance(doc_ids, pa.ChunkedArray) else doc_ids
    return {name: tables[name].filter(pc.invert(pc.is_in(tables[name].column("doc_id"), value_set=value_set)))
            for name in TABLES}


def _located(tables: dict[str, pa.Table]) -> pa.Table:
    """The speeches, with the place of their document (``source_path``, ``source_line``)."""
    speeches = tables["speeches"]
    documents = tables["documents"]
    rows = pc.index_in(speeches.column("doc_id").combine_chunks(), value_set=documents.column("doc_id").combine_chunks())
    for name in _PLACE:
        speeches = speeches.append_column(name, documents.column(name).combine_chunks().take(rows))
    return speeches


def _pairs(old: pa.Table, new: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``old`` and of ``new`` that hold the same speech: the same id, or else the
    same place (input path and line, ordinal) among the speeches left unpaired."""
    new_ids, old_ids = new.column("speech_id").combine_chunks(), old.column("speech_id").combine_chunks()
    by_id = pc.fill_null(pc.index_in(new_ids, value_set=old_ids), -1).to_numpy()
    new_rows, old_rows = list(np.flatnonzero(by_id >= 0)), list(by_id[by_id >= 0])
    unpaired_old = np.setdiff1d(np.arange(old.num_rows), by_id[by_id >= 0])
    places: dict[tuple, int] = {}
    for row, place in zip(unpaired_old.tolist(), _places(old, unpaired_old)):
        places.setdefault(place, row)
    unpaired_new = np.flatnonzero(by_id < 0)
    for row, place in zip(unpaired_new.tolist(), _places(new, unpaired_new)):
        if place in places:
            new_rows.append(row)
            old_rows.append(places.pop(place))
    order = np.argsort(np.asarray(new_rows, dtype=np.int64), kind="stable")
    return np.asarray(old_rows, dtype=np.int64)[order], np.asarray(new_rows, dtype=np.int64)[order]


def _places(speeches: pa.Table, rows: np.ndarray) -> list[tuple]:
    """(source_path, source_line, ordinal) of the speeches at ``rows``."""
    taken = speeches.select([*_PLACE, "ordinal"]).take(pa.array(rows, pa.int64()))
    return list(zip(*(taken.column(c).to_pylist() for c in taken.column_names)))


def _same_paragraphs(old: pa.Table, new: pa.Table, old_ids: pa.Array, new_ids: pa.Array,
                     columns: list[str]) -> np.ndarray:
    """Per pair of speeches (``old_ids[i]``, ``new_ids[i]``): whether they have as many
    paragraphs and the same ones, ordinal by ordinal, on ``columns``."""
    pairs = len(old_ids)
    old_pair, new_pair = _pair_of(old, old_ids), _pair_of(new, new_ids)
    old_counts = np.bincount(old_pair[old_pair >= 0], minlength=pairs)
    new_counts = np.bincount(new_pair[new_pair >= 0], minlength=pairs)
    # a paragraph's place: its pair and ordinal, as one integer
    width = int(max(pc.max(old.column("ordinal")).as_py() or 0, pc.max(new.column("ordinal")).as_py() or 0)) + 1
    old_key = np.where(old_pair >= 0, old_pair * width + old.column("ordinal").to_numpy(), -1)
    new_key = np.where(new_pair >= 0, new_pair * width + new.column("ordinal").to_numpy(), -2)
    found = pc.fill_null(pc.index_in(pa.array(new_key), value_set=pa.array(old_key)), -1).to_numpy()
    matched = np.flatnonzero((new_pair >= 0) & (found >= 0))
    equal = equal_rows(old.select(columns).take(found[matched]), new.select(columns).take(matched))
    same_count = np.bincount(new_pair[matched[equal]], minlength=pairs)
    return (old_counts == new_counts) & (same_count == new_counts)


def _pair_of(paragraphs: pa.Table, speech_ids: pa.Array) -> np.ndarray:
    """Per paragraph, the index of its speech in ``speech_ids``, or -1."""
    return pc.fill_null(pc.index_in(paragraphs.column("speech_id").combine_chunks(), value_set=speech_ids), -1).to_numpy()


def _paragraphs_differing(old: pa.Table, new: pa.Table, old_ids: pa.Array, new_ids: pa.Array,
                          columns: list[str]) -> list[int]:
    """Per pair of speeches, how many paragraphs differ: those outside the longest runs of
    equal paragraphs, an edit counting its larger side (one paragraph rewritten: 1)."""
    if not len(old_ids):
        return []
    old_sequences, new_sequences = _sequences(old, old_ids, columns), _sequences(new, new_ids, columns)
    counts = []
    for a, b in zip(old_sequences, new_sequences):
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        counts.append(sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"))
    return counts


def _sequences(paragraphs: pa.Table, speech_ids: pa.Array, columns: list[str]) -> list[list]:
    """The paragraphs of each of ``speech_ids`` in ordinal order, each as a hashable value
    of its ``columns`` but its ordinal (a paragraph moved up by one removed before it is
    the same paragraph)."""
    pair = _pair_of(paragraphs, speech_ids)
    rows = np.flatnonzero(pair >= 0)
    values = [c for c in columns if c != "ordinal"]
    taken = paragraphs.select(["ordinal", *values]).take(pa.array(rows, pa.int64())).to_pylist()
    out: list[list] = [[] for _ in range(len(speech_ids))]
    for p, row in sorted(zip(pair[rows].tolist(), taken), key=lambda item: (item[0], item[1]["ordinal"])):
        out[p].append(repr([row[c] for c in values]))
    return out


def _entries(speeches: pa.Table, rows: np.ndarray) -> list[Entry]:
    """The entries of the speeches at ``rows``, as ``Entry`` values (nothing changed yet)."""
    names = ["speech_id", "title", "doc_id", *_PLACE, "ordinal"]
    taken = speeches.select([n for n in names if n in speeches.column_names]).take(pa.array(rows, pa.int64()))
    return [Entry(**{"title": None, **row}) for row in taken.to_pylist()]


def _ordered(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.source_path or "", e.source_line or 0, e.ordinal, e.speech_id))

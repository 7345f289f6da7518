"""Keywords per speech: TF-IDF over jieba tokens, with an IDF learnt from the release.

The IDF comes from the release's own speeches (document frequency over speeches), so
words every speech of this corpus uses (发展, 工作) sink and the topics of each speech
rise. A corpus too small to learn from falls back to the IDF table jieba ships. The IDF
used is returned as a table and stored with the release.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import schemas.index as index_schemas
from pipeline.corpus.quality import PLACEHOLDER
from pipeline.text.chardata import HAN
from schemas.index import written_under

RESOURCES = Path(__file__).parents[1] / "resources"
DEFAULT_STOPWORDS = RESOURCES / "stopwords.txt"
# found, not imported: jieba.analyse loads its own IDF table when imported (a second and
# 130 MB), in every process that counts terms, which is every batch worker
JIEBA_IDF = Path(importlib.util.find_spec("jieba").origin).parent / "analyse" / "idf.txt"

_WORD = re.compile(f"[{HAN}]")


@dataclass(frozen=True)
class KeywordConfig:
    """How keywords are chosen.

    ``top_k``: keywords per speech. ``min_speeches``: below this many speeches the corpus
    IDF is too noisy and jieba's shipped IDF is used instead. ``stopwords``: words that
    never become keywords (function words of speeches: 我们, 进一步, 一是…).
    """

    top_k: int = 10
    min_speeches: int = 50
    stopwords: Path = DEFAULT_STOPWORDS


def candidate(token: str, stopwords: frozenset[str]) -> bool:
    """Whether a token may be a keyword: two or more characters, Han, not a stopword or
    placeholder.

    >>> candidate("脱贫攻坚", frozenset()), candidate("的", frozenset()), candidate("XX", frozenset())
    (True, False, False)
    """
    return len(token) >= 2 and bool(_WORD.search(token)) and token not in stopwords and not PLACEHOLDER.fullmatch(token)


@functools.cache
def load_stopwords(path: Path) -> frozenset[str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@functools.cache
def jieba_idf() -> tuple[dict[str, float], float]:
    """jieba's shipped IDF table and its median (the weight of unknown words)."""
    table = {}
    for line in JIEBA_IDF.read_text(encoding="utf-8").splitlines():
        word, _, value = line.partition(" ")
        if value:
            table[word] = float(value)
    values = sorted(table.values())
    return table, values[len(values) // 2]


def annotate(speech_tokens: dict[str, list[str]], config: KeywordConfig = KeywordConfig()) -> tuple[dict[str, tuple[str, ...]], pa.Table, str]:
    """``annotate_table`` for tokens given as lists: ``speech_tokens`` maps speech_id to
    the speech's tokens in order."""
    ids = list(speech_tokens)
    paragraphs = pa.table({
        "speech_id": pa.array(ids, pa.string()),
        "ordinal": pa.array(range(len(ids)), pa.int32()),
        "tokens": pa.array([list(t) for t in speech_tokens.values()], pa.list_(pa.string())),
    })
    ranking = annotate_table(paragraphs, ids, config)
    return ranking.keywords, ranking.idf, ranking.source


def terms_schema(config: KeywordConfig = KeywordConfig()) -> pa.Schema:
    """Schema of the term counts a release persists (``schemas.index.terms_schema``): one
    row per speech and candidate word.

    The metadata records what the counts depend on besides the tokens; counts written
    under other stopwords or another candidate rule are ignored (counted again).
    """
    return index_schemas.terms_schema(_terms_metadata(config))


def _terms_metadata(config: KeywordConfig) -> dict[bytes, bytes]:
    rule = f"len>=2\n{_WORD.pattern}\n{PLACEHOLDER.pattern}\n" + "\n".join(sorted(load_stopwords(config.stopwords)))
    return {b"candidates_sha256": hashlib.sha256(rule.encode("utf-8")).hexdigest().encode()}


class Ranking(NamedTuple):
    """What ``annotate_table`` found: ``keywords`` per speech id, the ``idf`` table used,
    its ``source`` ("corpus" or "jieba"), the ``terms`` to persist, and how many speeches'
    tokens were ``counted`` (the others' counts came from the previous release)."""

    keywords: dict[str, tuple[str, ...]]
    idf: pa.Table
    source: str
    terms: pa.Table
    counted: int


def annotate_table(paragraphs: pa.Table, speech_ids: list[str], config: KeywordConfig = KeywordConfig(),
                   previous: pa.Table | None = None, carried: pa.Array | pa.ChunkedArray | None = None,
                   batch_terms: Sequence[pa.Table] = ()) -> Ranking:
    """Keywords of every speech, the IDF table used and the term counts to persist.

    ``paragraphs`` needs ``speech_id``, ``ordinal`` and ``tokens``; ``speech_ids`` are all
    speeches (a speech without paragraphs gets no keywords, and counts for the IDF). Ties
    between equal scores go to the word seen first in the speech, so results are
    deterministic.

    ``previous`` is the ``terms`` table of the latest release and ``carried`` the speeches
    whose tokens are as that release holds them: their counts are taken from it.
    ``batch_terms`` are the counts of speeches of some batches (``batch_terms``), made
    where their records were made. Only the tokens of speeches found in neither are
    read; the counts, and so the result, are the same.

    In three steps: count each speech's candidate words, weigh them by an IDF, rank them.
    """
    counts = _counts(paragraphs, speech_ids, config, previous, carried, batch_terms)
    idf = _idf(counts, len(speech_ids), config.min_speeches)
    return Ranking(
        keywords=_keywords(counts, idf.weights, speech_ids, config.top_k),
        idf=idf.table,
        source=idf.source,
        terms=_terms_table(counts, config),
        counted=counts.counted,
    )


def batch_terms(paragraphs: pa.Table, speech_ids: list[str], config: KeywordConfig = KeywordConfig()) -> pa.Table:
    """The term counts of the speeches ``speech_ids`` (``term_counts``), marked with what
    they depend on besides the tokens: what a batch of records passes on to
    ``annotate_table``, so that the corpus-wide pass does not read its tokens again."""
    counted = term_counts(paragraphs, speech_ids, load_stopwords(config.stopwords))
    return counted.replace_schema_metadata(_terms_metadata(config))


def _usable(terms: pa.Table, config: KeywordConfig) -> bool:
    """Whether ``terms`` were counted under ``config``'s candidate rule and stopwords."""
    return written_under(terms, _terms_metadata(config)) and \
        {"speech_id", "word", "count", "first"} <= set(terms.column_names)


@dataclass
class _Counts:
    """Term counts as integer codes: one row per speech and candidate word it uses, in
    speech order, each speech's words by first use. ``speech`` indexes ``speech_ids``,
    ``word`` the sorted ``vocabulary`` (``words`` as an Arrow array). ``counted`` speeches
    were counted from their tokens, here or with their batch; the others' rows came from
    the previous release."""

    speech_ids: pa.Array
    vocabulary: list[str]
    words: pa.Array
    speech: np.ndarray
    word: np.ndarray
    count: np.ndarray
    first: np.ndarray
    counted: int


def _counts(paragraphs: pa.Table, speech_ids: list[str], config: KeywordConfig, previous: pa.Table | None,
            carried: pa.Array | pa.ChunkedArray | None, batch_terms: Sequence[pa.Table]) -> _Counts:
    """The counts of every speech: a ``carried`` speech's rows from ``previous``, then a
    speech's rows from the first of ``batch_terms`` that counted it, and the remaining
    speeches counted from their tokens."""
    ids = pa.array(speech_ids, pa.string())
    done = np.zeros(len(speech_ids), dtype=bool)  # whose rows a part already gives
    parts: list[pa.Table] = []
    speeches: list[np.ndarray] = []
    keep: list[np.ndarray] = []

    def take(part: pa.Table, counted: np.ndarray) -> None:
        """The rows of ``part`` of the speeches it ``counted`` that no earlier part gave:
        a speech's rows come from one part (a repeated input's batch counts it again)."""
        codes = _codes(part.column("speech_id"), ids)
        # rows stay where they are and are masked, not filtered: a filter copies every row of counts
        kept = codes >= 0
        kept[kept] = counted[codes[kept]] & ~done[codes[kept]]
        done[counted] = True
        parts.append(part)
        speeches.append(codes)
        keep.append(kept)

    reused = 0
    if previous is not None and carried is not None and _usable(previous, config):
        is_carried = np.zeros(len(speech_ids), dtype=bool)
        carried_codes = _codes(pa.chunked_array([carried]) if isinstance(carried, pa.Array) else carried, ids)
        is_carried[carried_codes[carried_codes >= 0]] = True
        take(previous, is_carried)
        reused = int(is_carried.sum())
    for part in batch_terms:
        if _usable(part, config):
            take(part, _counted_speeches(part, ids) & ~done)
    if not done.all():
        rest = paragraphs if not done.any() else \
            paragraphs.filter(pc.invert(pa.array(done[_codes(paragraphs.column("speech_id"), ids)])))
        take(term_counts(rest, speech_ids, load_stopwords(config.stopwords)), ~done)
    return _merged(parts, ids, speeches, keep, counted=len(speech_ids) - reused)


def _counted_speeches(part: pa.Table, ids: pa.Array) -> np.ndarray:
    """Which of ``ids`` the term counts ``part`` counted: every speech of its dictionary
    (``term_counts`` encodes the speeches it was given, those without a candidate word
    too), else those with a row."""
    counted = np.zeros(len(ids), dtype=bool)
    for chunk in part.column("speech_id").chunks:
        values = chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk
        codes = pc.fill_null(pc.index_in(values, value_set=ids), -1).to_numpy()
        counted[codes[codes >= 0]] = True
    return counted


def _merged(parts: list[pa.Table], ids: pa.Array, speeches: list[np.ndarray], keep: list[np.ndarray],
            counted: int) -> _Counts:
    """The ``keep`` rows of the term count tables ``parts`` (plain or dictionary-encoded),
    whose speeches are the codes ``speeches`` into ``ids``, as one set of codes."""
    vocabulary = _referenced_words([part.column("word") for part in parts], keep)
    words = pa.array(vocabulary, pa.string())
    speech = np.concatenate([np.zeros(0, dtype=np.int32)] + [codes[k] for codes, k in zip(speeches, keep)])
    word = np.concatenate([np.zeros(0, dtype=np.int32)]
                          + [_codes(part.column("word"), words)[k] for part, k in zip(parts, keep)])
    count = np.concatenate([np.zeros(0, dtype=np.int32)]
                           + [part.column("count").to_numpy()[k] for part, k in zip(parts, keep)]).astype(np.int32)
    first = np.concatenate([np.zeros(0, dtype=np.int32)]
                           + [part.column("first").to_numpy()[k] for part, k in zip(parts, keep)]).astype(np.int32)
    speech, word, count, first = _by_speech_then_first_use(speech, word, count, first)
    return _Counts(ids, vocabulary, words, speech, word, count, first, counted)


def _terms_table(counts: _Counts, config: KeywordConfig) -> pa.Table:
    """The counts as the ``terms`` index table, speeches and words dictionary-encoded."""
    return pa.table([
        pa.DictionaryArray.from_arrays(pa.array(counts.speech, pa.int32()), counts.speech_ids),
        pa.DictionaryArray.from_arrays(pa.array(counts.word, pa.int32()), counts.words),
        pa.array(counts.count, pa.int32()),
        pa.array(counts.first, pa.int32()),
    ], schema=terms_schema(config))


class _Idf(NamedTuple):
    """The IDF: ``weights`` per vocabulary code, the ``table`` to persist, its ``source``."""

    weights: np.ndarray
    table: pa.Table
    source: str


def _idf(counts: _Counts, speeches: int, min_speeches: int) -> _Idf:
    """The IDF learnt from the ``speeches`` of the release (document frequency over
    speeches, smoothed), or jieba's shipped table, when they are fewer than
    ``min_speeches``, with its median for words it lacks."""
    vocabulary = counts.vocabulary
    if speeches >= min_speeches:
        df = np.bincount(counts.word, minlength=len(vocabulary))  # a (speech, word) pair is one row
        weights = [math.log((speeches + 1) / (int(d) + 1)) + 1.0 for d in df.tolist()]
        source, df_column = "corpus", pa.array(df, pa.int32())
    else:
        shipped, default = jieba_idf()
        weights = [shipped.get(w, default) for w in vocabulary]
        source, df_column = "jieba", pa.array([None] * len(vocabulary), pa.int32())
    table = pa.Table.from_arrays(
        [counts.words, pa.array(weights, pa.float64()), df_column],
        schema=index_schemas.idf_schema({b"source": source.encode(), b"speeches": str(speeches).encode()}))
    return _Idf(np.array(weights, dtype=np.float64), table, source)


def _keywords(counts: _Counts, weights: np.ndarray, speech_ids: list[str], top_k: int) -> dict[str, tuple[str, ...]]:
    """The ``top_k`` words of best TF-IDF of every speech, none part of a better one.

    A block of speeches at a time (``_RANKED_ROWS`` rows): a release's term counts have
    millions of rows, and ranking them all at once held several copies of them."""
    speech = counts.speech
    keywords = {sid: () for sid in speech_ids}
    # block edges on speech boundaries: the rows come by speech
    edges = np.searchsorted(speech, speech[np.arange(0, len(speech), _RANKED_ROWS)], side="left").tolist()
    for lo, hi in zip(edges, edges[1:] + [len(speech)]):
        if lo < hi:
            keywords.update(_ranked_block(counts, weights, speech_ids, top_k, lo, hi))
    return keywords


#: Term count rows ranked at once by ``_keywords`` (whole speeches are added to reach it).
_RANKED_ROWS = 1 << 20


def _ranked_block(counts: _Counts, weights: np.ndarray, speech_ids: list[str], top_k: int, lo: int,
                  hi: int) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(speech id, keywords) of the speeches of rows ``lo:hi`` of ``counts``."""
    speech, word, vocabulary = counts.speech[lo:hi], counts.word[lo:hi], counts.vocabulary
    # Best score first within each speech, ties to the word seen first: the rows come by
    # speech, then first use, and the sort is stable, so sorting on (speech, score) is
    # enough; and the speeches stay where they are, so only the words are gathered.
    order = pc.sort_indices(pa.table({"speech": speech, "score": counts.count[lo:hi].astype(np.float64) * weights[word]}),
                            [("speech", "ascending"), ("score", "descending")]).to_numpy()
    ranked = word[order]
    del order
    for s, best in _ranked_words(speech, ranked, top_k * _SHORTLIST):
        chosen = _distinct([vocabulary[w] for w in best], top_k)
        if len(chosen) < top_k and len(best) == top_k * _SHORTLIST:
            # the shortlist was all parts of better keywords: rank the whole speech
            chosen = _distinct([vocabulary[w] for w in ranked[speech == s].tolist()], top_k)
        yield speech_ids[s], chosen


def term_counts(paragraphs: pa.Table, speech_ids: list[str], stopwords: frozenset[str]) -> pa.Table:
    """``speech_id``, ``word`` (both dictionary-encoded), ``count``, ``first``: one row per
    speech of ``speech_ids`` and candidate word it uses, ``first`` ranking the words of a
    speech by first use.

    Tokens stay in Arrow: counts and first uses are a group-by over integer codes, and
    only the distinct tokens become Python strings (a Python list of every token costs
    many times the release's size in memory).
    """
    ordered = paragraphs.select(["speech_id", "ordinal", "tokens"])
    if not _in_reading_order(ordered):
        # a copy of every token: only when needed
        ordered = ordered.take(pc.sort_indices(ordered, [("speech_id", "ascending"), ("ordinal", "ascending")]))
    lists = ordered.column("tokens").combine_chunks()
    flat = pc.list_flatten(lists)
    vocabulary = pa.array(sorted(t for t in pc.unique(flat).to_pylist() if t is not None and candidate(t, stopwords)),
                          pa.string())
    ids = pa.array(speech_ids, pa.string())
    speech_of_paragraph = pc.index_in(ordered.column("speech_id"), ids)
    tokens = pa.table({
        "speech": pc.take(speech_of_paragraph, pc.list_parent_indices(lists)),
        "word": pc.index_in(flat, vocabulary),
        "position": pa.array(np.arange(len(flat), dtype=np.int32 if len(flat) < 2**31 else np.int64)),
    }).drop_null()
    del ordered, lists, flat  # the tokens as strings (a copy when the table had chunks): not needed past here
    # The order of first use is each pair's first position, not the order a group-by
    # returns its groups in (not first-seen order, even on one thread).
    pairs = tokens.group_by(["speech", "word"], use_threads=False).aggregate([([], "count_all"), ("position", "min")])
    del tokens
    pairs = pairs.take(pc.sort_indices(pairs, [("speech", "ascending"), ("position_min", "ascending")]))
    speech = pairs.column("speech").combine_chunks()
    # dictionary-encoded: the caller wants codes back, not a string per row to look up again
    return pa.table({
        "speech_id": pa.DictionaryArray.from_arrays(speech, ids),
        "word": pa.DictionaryArray.from_arrays(pairs.column("word").combine_chunks(), vocabulary),
        "count": pc.cast(pairs.column("count_all"), pa.int32()),
        "first": pa.array(_rank_in_runs(speech.to_numpy()), pa.int32()),
    })


def _by_speech_then_first_use(speech: np.ndarray, word: np.ndarray, count: np.ndarray,
                              first: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rows in speech order, each speech's words by first use.

    Each part of the rows already lists a speech's words by first use, and one speech's
    rows come from one part: a stable sort on the speech alone merges the parts, much
    faster than a sort on both keys. The order is checked, and rows that arrive
    otherwise are sorted on both keys.
    """
    order = np.argsort(speech, kind="stable")
    by_speech, by_first = speech[order], first[order]
    same_speech = by_speech[1:] == by_speech[:-1]
    if np.any(by_first[1:][same_speech] <= by_first[:-1][same_speech]):
        order = np.lexsort((first, speech))
        by_speech, by_first = speech[order], first[order]
    del same_speech
    return by_speech, word[order], count[order], by_first


def _codes(column: pa.ChunkedArray, values: pa.Array) -> np.ndarray:
    """Position of each value of ``column`` (plain or dictionary-encoded) in ``values``,
    -1 where absent; a dictionary is looked up once, not per row. 32-bit, as Arrow's
    indices are: a release's term counts have millions of rows."""
    out = [np.zeros(0, dtype=np.int32)]
    for chunk in column.chunks:
        if pa.types.is_dictionary(chunk.type):
            lookup = pc.fill_null(pc.index_in(chunk.dictionary, value_set=values), -1).to_numpy().astype(np.int32)
            out.append(lookup[chunk.indices.to_numpy()])
        else:
            out.append(pc.fill_null(pc.index_in(chunk, value_set=values), -1).to_numpy().astype(np.int32))
    return np.concatenate(out)


def _referenced_words(columns: list[pa.ChunkedArray], keep: list[np.ndarray]) -> list[str]:
    """The sorted distinct words of the kept rows of ``columns``, plain or
    dictionary-encoded (a dictionary may hold words only removed speeches used)."""
    words: set[str] = set()
    for column, kept in zip(columns, keep):
        offset = 0
        for chunk in column.chunks:
            rows = kept[offset:offset + len(chunk)]
            offset += len(chunk)
            if pa.types.is_dictionary(chunk.type):
                used = np.bincount(chunk.indices.to_numpy()[rows], minlength=len(chunk.dictionary)) > 0
                words.update(chunk.dictionary.filter(pa.array(used)).to_pylist())
            else:
                words.update(pc.unique(chunk.filter(pa.array(rows))).to_pylist())
    return sorted(words)


def _in_reading_order(paragraphs: pa.Table) -> bool:
    """Whether each speech's paragraphs come in ordinal order, wherever the speech's rows
    are: all the counting needs (a release's tables are sorted by document, then speech).

    >>> t = lambda ids, ordinals: pa.table({"speech_id": ids, "ordinal": ordinals})
    >>> _in_reading_order(t(["b", "a", "b", "a"], [1, 1, 2, 2])), _in_reading_order(t(["a", "b", "a"], [2, 1, 1]))
    (True, False)
    """
    order = pc.sort_indices(paragraphs, [("speech_id", "ascending"), ("ordinal", "ascending")]).to_numpy()
    speeches = pc.take(paragraphs.column("speech_id"), order)
    same_speech = pc.equal(speeches.slice(1), speeches.slice(0, len(speeches) - 1)).to_numpy(zero_copy_only=False) \
        if len(order) > 1 else np.zeros(0, dtype=bool)
    return bool(np.all(order[1:][same_speech] > order[:-1][same_speech]))


#: Ranked words per speech looked at, as a multiple of ``top_k``; the rest is only read
#: when these are too many substrings of each other to give ``top_k`` keywords.
_SHORTLIST = 4


def _ranked_words(speeches: np.ndarray, ranked: np.ndarray, limit: int) -> Iterator[tuple[int, list[int]]]:
    """``(speech, first `limit` word codes)`` per speech, from the speech of each row
    (sorted) and the word codes ranked within each speech."""
    rank = _rank_in_runs(speeches)
    starts = np.flatnonzero(rank == 0)
    head_words = ranked[rank < limit].tolist()
    offset = 0
    for speech, count in zip(speeches[starts].tolist(), np.minimum(np.diff(np.r_[starts, len(speeches)]), limit).tolist()):
        yield speech, head_words[offset:offset + count]
        offset += count


def _rank_in_runs(keys: np.ndarray) -> np.ndarray:
    """Each element's position within its run of equal neighbours.

    >>> _rank_in_runs(np.array([3, 3, 5, 5, 5, 2])).tolist()
    [0, 1, 0, 1, 2, 0]
    """
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return np.arange(len(keys)) - np.repeat(starts, np.diff(np.r_[starts, len(keys)]))


def _distinct(ranked: list[str], k: int) -> tuple[str, ...]:
    """The first ``k`` words that are not part of a better-ranked keyword (疫情 adds
    nothing after 疫情防控).

    >>> _distinct(["疫情防控", "疫情", "复工复产", "防控", "项目"], 3)
    ('疫情防控', '复工复产', '项目')
    """
    chosen: list[str] = []
    for word in ranked:
        if len(chosen) == k:
            break
        if not any(word in kept for kept in chosen):
            chosen.append(word)
    return tuple(chosen)

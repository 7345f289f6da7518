"""Keywords per speech: TF-IDF over jieba tokens, with an IDF learnt from the release.

The IDF comes from the release's own speeches (document frequency over speeches), so
words every speech of this corpus uses (发展, 工作) sink and the topics of each speech
rise. A corpus too small to learn from falls back to the IDF table jieba ships. The IDF
used is returned as a table and stored with the release.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import jieba.analyse
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.chardata import HAN
from pipeline.quality import PLACEHOLDER

RESOURCES = Path(__file__).parent / "resources"
DEFAULT_STOPWORDS = RESOURCES / "stopwords.txt"
JIEBA_IDF = Path(jieba.analyse.__file__).parent / "idf.txt"

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
    return annotate_table(paragraphs, ids, config)


def annotate_table(paragraphs: pa.Table, speech_ids: list[str],
                   config: KeywordConfig = KeywordConfig()) -> tuple[dict[str, tuple[str, ...]], pa.Table, str]:
    """Keywords of every speech, the IDF table used, and where it came from.

    ``paragraphs`` needs ``speech_id``, ``ordinal`` and ``tokens``; ``speech_ids`` are all
    speeches (a speech without paragraphs gets no keywords, and counts for the IDF).
    Returns ``({speech_id: keywords}, idf_table, "corpus" | "jieba")``; ties between equal
    scores go to the word seen first in the speech, so results are deterministic.

    Tokens stay in Arrow: counts and document frequencies are group-bys over integer
    codes, one sort ranks every speech, and only each speech's shortlist becomes Python
    strings (lists of every token of a 50 MB release cost 900 MB).
    """
    stopwords = load_stopwords(config.stopwords)
    ordered = paragraphs.select(["speech_id", "ordinal", "tokens"])
    if not _in_reading_order(ordered):
        # a copy of every token (0.9 s for 2,000 documents, measured): only when needed
        ordered = ordered.take(pc.sort_indices(ordered, [("speech_id", "ascending"), ("ordinal", "ascending")]))
    lists = ordered.column("tokens").combine_chunks()
    flat = pc.list_flatten(lists)
    vocabulary = sorted(t for t in pc.unique(flat).to_pylist() if t is not None and candidate(t, stopwords))
    n = len(speech_ids)
    # One row per (speech, word) with its count, as integer codes: Python objects per
    # token cost seconds and gigabytes at 50 MB. Grouped on one thread, groups come out in
    # the order of their first row, so a pair's row number orders the words of a speech
    # by first occurrence (the tie-break) with no position column per token.
    speech_of_paragraph = pc.index_in(ordered.column("speech_id"), pa.array(speech_ids, pa.string()))
    tokens = pa.table({
        "speech": pc.take(speech_of_paragraph, pc.list_parent_indices(lists)),
        "word": pc.index_in(flat, pa.array(vocabulary, pa.string())),
    }).drop_null()
    pairs = tokens.group_by(["speech", "word"], use_threads=False).aggregate([([], "count_all")])
    del tokens
    pairs = pairs.append_column("first", pa.array(np.arange(pairs.num_rows, dtype=np.int64)))
    if n >= config.min_speeches:
        df = pairs.group_by("word").aggregate([("speech", "count")])
        learnt = {vocabulary[w]: d for w, d in zip(df.column("word").to_pylist(), df.column("speech_count").to_pylist())}
        ordered_words = sorted(learnt)
        idf = {w: math.log((n + 1) / (learnt[w] + 1)) + 1.0 for w in ordered_words}
        default = max(idf.values(), default=1.0)
        source = "corpus"
        table = pa.table({
            "word": pa.array(ordered_words, pa.string()),
            "idf": pa.array([idf[w] for w in ordered_words], pa.float64()),
            "df": pa.array([learnt[w] for w in ordered_words], pa.int32()),
        })
    else:
        idf, default = jieba_idf()
        source = "jieba"
        table = pa.table({
            "word": pa.array(vocabulary, pa.string()),
            "idf": pa.array([idf.get(w, default) for w in vocabulary], pa.float64()),
            "df": pa.array([None] * len(vocabulary), pa.int32()),
        })
    table = table.replace_schema_metadata({"source": source, "speeches": str(n)})
    weights = pa.array([idf.get(w, default) for w in vocabulary], pa.float64())
    scored = pairs.append_column("score", pc.multiply(
        pc.cast(pairs.column("count_all"), pa.float64()), pc.take(weights, pairs.column("word"))))
    # Ties go to the word seen first in the speech; "first" is unique, so the order is total.
    scored = scored.sort_by([("speech", "ascending"), ("score", "descending"), ("first", "ascending")])
    keywords = {sid: () for sid in speech_ids}
    for speech, words in _ranked_words(scored, config.top_k * _SHORTLIST):
        chosen = _distinct([vocabulary[w] for w in words], config.top_k)
        if len(chosen) < config.top_k and len(words) == config.top_k * _SHORTLIST:
            # the shortlist was all parts of better keywords: rank the whole speech
            everything = scored.filter(pc.equal(scored.column("speech"), speech)).column("word").to_pylist()
            chosen = _distinct([vocabulary[w] for w in everything], config.top_k)
        keywords[speech_ids[speech]] = chosen
    return keywords, table, source


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


def _ranked_words(scored: pa.Table, limit: int) -> Iterator[tuple[int, list[int]]]:
    """``(speech, first `limit` word codes)`` per speech of ``scored``, sorted by speech."""
    speeches = scored.column("speech").to_numpy()
    if not len(speeches):
        return
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(speeches)) + 1, [len(speeches)]))
    rank = np.arange(len(speeches)) - np.repeat(bounds[:-1], np.diff(bounds))
    head_words = scored.filter(pa.array(rank < limit)).column("word").to_pylist()
    offset = 0
    for speech, count in zip(speeches[bounds[:-1]].tolist(), np.minimum(np.diff(bounds), limit).tolist()):
        yield speech, head_words[offset:offset + count]
        offset += count


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

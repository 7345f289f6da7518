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
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import jieba.analyse
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

    Tokens stay in Arrow: document frequencies are a group-by, and each speech's tokens
    become Python strings only while that speech is ranked (lists of every token of a
    50 MB release cost 900 MB).
    """
    stopwords = load_stopwords(config.stopwords)
    ordered = paragraphs.select(["speech_id", "ordinal", "tokens"]).sort_by(
        [("speech_id", "ascending"), ("ordinal", "ascending")])
    lists = ordered.column("tokens").combine_chunks()
    flat = pc.list_flatten(lists)
    words = frozenset(t for t in pc.unique(flat).to_pylist() if t is not None and candidate(t, stopwords))
    n = len(speech_ids)
    if n >= config.min_speeches:
        # (speech, word) pairs as integer codes: grouping millions of string pairs cost
        # more memory than the tokens themselves
        vocabulary = sorted(words)
        speech_of_paragraph = pc.index_in(ordered.column("speech_id"), pa.array(speech_ids, pa.string()))
        pairs = pa.table({
            "speech": pc.take(speech_of_paragraph, pc.list_parent_indices(lists)),
            "word": pc.index_in(flat, pa.array(vocabulary, pa.string())),
        })
        pairs = pairs.filter(pc.is_valid(pairs.column("word")))
        df = pairs.group_by(["speech", "word"]).aggregate([]).group_by("word").aggregate([("speech", "count")])
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
        used = sorted(words)
        table = pa.table({
            "word": pa.array(used, pa.string()),
            "idf": pa.array([idf.get(w, default) for w in used], pa.float64()),
            "df": pa.array([None] * len(used), pa.int32()),
        })
    table = table.replace_schema_metadata({"source": source, "speeches": str(n)})
    keywords = {sid: () for sid in speech_ids}
    for speech_id, lo, hi in _ranges(ordered.column("speech_id").to_pylist(), lists.offsets.to_pylist()):
        tokens = flat.slice(lo, hi - lo).to_pylist()
        counts = Counter(tokens)
        # dict keys keep insertion order: the rank of each word's first occurrence
        first = {t: i for i, t in enumerate(dict.fromkeys(tokens))}
        ranked = sorted(words.intersection(counts), key=lambda w: (-counts[w] * idf.get(w, default), first[w]))
        keywords[speech_id] = _distinct(ranked, config.top_k)
    return keywords, table, source


def _ranges(speech_ids: list[str], offsets: list[int]):
    """``(speech_id, start, end)`` of each speech's tokens in the flattened token column,
    from the sorted paragraphs' speech ids and the list column's offsets."""
    start = 0
    for i in range(1, len(speech_ids) + 1):
        if i == len(speech_ids) or speech_ids[i] != speech_ids[start]:
            yield speech_ids[start], offsets[start], offsets[i]
            start = i


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

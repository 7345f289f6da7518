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


def corpus_idf(documents: list[list[str]], stopwords: frozenset[str]) -> dict[str, tuple[float, int]]:
    """Smoothed IDF ``log((N + 1) / (df + 1)) + 1`` and document frequency of every
    candidate word, over the given token lists (one per speech)."""
    n = len(documents)
    words = _candidates(documents, stopwords)
    df = Counter(w for tokens in documents for w in words.intersection(tokens))
    return {w: (math.log((n + 1) / (d + 1)) + 1.0, d) for w, d in df.items()}


def _candidates(documents, stopwords: frozenset[str]) -> frozenset[str]:
    """The distinct tokens of ``documents`` that may be keywords; ``candidate`` runs once
    per distinct token (about 1 in 150 of all tokens) instead of once per token."""
    distinct = set().union(*documents) if documents else set()
    return frozenset(t for t in distinct if candidate(t, stopwords))


def annotate(speech_tokens: dict[str, list[str]], config: KeywordConfig = KeywordConfig()) -> tuple[dict[str, tuple[str, ...]], pa.Table, str]:
    """Keywords of every speech, the IDF table used, and where it came from.

    ``speech_tokens`` maps speech_id to the speech's tokens in order. Returns
    ``({speech_id: keywords}, idf_table, "corpus" | "jieba")``; ties between equal scores
    go to the word seen first in the speech, so results are deterministic.
    """
    stopwords = load_stopwords(config.stopwords)
    if len(speech_tokens) >= config.min_speeches:
        learnt = corpus_idf(list(speech_tokens.values()), stopwords)
        idf = {w: v for w, (v, _) in learnt.items()}
        default = max(idf.values(), default=1.0)
        source = "corpus"
        table = pa.table({
            "word": pa.array(sorted(learnt), pa.string()),
            "idf": pa.array([learnt[w][0] for w in sorted(learnt)], pa.float64()),
            "df": pa.array([learnt[w][1] for w in sorted(learnt)], pa.int32()),
        })
    else:
        idf, default = jieba_idf()
        source = "jieba"
        used = sorted(_candidates(list(speech_tokens.values()), stopwords))
        table = pa.table({
            "word": pa.array(used, pa.string()),
            "idf": pa.array([idf.get(w, default) for w in used], pa.float64()),
            "df": pa.array([None] * len(used), pa.int32()),
        })
    table = table.replace_schema_metadata({"source": source, "speeches": str(len(speech_tokens))})
    words = _candidates(list(speech_tokens.values()), stopwords)
    keywords = {}
    for speech_id, tokens in speech_tokens.items():
        counts = Counter(tokens)
        # dict keys keep insertion order: the rank of each word's first occurrence
        first = {t: i for i, t in enumerate(dict.fromkeys(tokens))}
        ranked = sorted(words.intersection(counts), key=lambda w: (-counts[w] * idf.get(w, default), first[w]))
        keywords[speech_id] = _distinct(ranked, config.top_k)
    return keywords, table, source


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

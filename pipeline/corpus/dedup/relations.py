"""Relations between records: paragraph twins, then exact, near and contained speeches.

A paragraph pair proposed by LSH is checked with the exact Jaccard similarity of its
shingle sets (a paragraph has few shingles); a speech pair with the MinHash estimate (a
report has tens of thousands, and copies and other speeches lie far apart). Containment
is computed from the paragraph twins with sparse matrix products, never by comparing
speeches pairwise.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Collection

import numpy as np
from scipy import sparse

from pipeline.corpus.dedup import minhash
from pipeline.corpus.dedup.lsh import candidate_pairs

if TYPE_CHECKING:
    from pipeline.corpus.dedup.config import DedupConfig
    from pipeline.corpus.dedup.corpus import Corpus

#: Shingle sets kept while the candidate pairs are checked (pairs come sorted, so the
#: texts of nearby pairs repeat).
_SHINGLE_SETS_CACHED = 1024


@dataclass
class Twins:
    """Paragraph twins between distinct folded texts.

    ``eligible[k]``: text k is long enough to be a twin. ``near[k]``: (other text, Jaccard)
    for every near twin, in the order found.
    """

    eligible: list[bool]
    near: dict[int, list[tuple[int, float]]]

    def near_counts(self, texts: int) -> np.ndarray:
        """How many near twins each of the ``texts`` distinct texts has."""
        counts = np.zeros(texts, dtype=np.int64)
        for k, found in self.near.items():
            counts[k] = len(found)
        return counts


def paragraph_twins(corpus: Corpus, signatures: np.ndarray, config: DedupConfig,
                    known: Collection[str] = (), known_twins: dict[str, dict[str, float]] | None = None) -> Twins:
    """Near twins among the distinct folded texts: candidates from LSH, checked by the
    exact Jaccard similarity of their shingle sets.

    ``known`` are the texts of the previous index and ``known_twins`` their twins there.
    Whether two texts are candidates depends on their signatures alone, so a pair of
    known texts was checked by the build that wrote the index: its result is taken from
    there, not checked again.
    """
    texts = corpus.texts
    eligible = [chars >= config.min_paragraph_chars for chars in texts.chars]
    candidates = np.flatnonzero(eligible)
    pairs = candidate_pairs(signatures[candidates], config.threshold)
    shingle_set = functools.lru_cache(maxsize=_SHINGLE_SETS_CACHED)(
        lambda k: minhash.shingles(texts.folded(k), config.shingle_size))
    near: dict[int, list[tuple[int, float]]] = defaultdict(list)
    known_twins = known_twins or {}
    sha1 = texts.sha1
    for i, j in candidates[pairs].tolist():
        a, b = sha1[i], sha1[j]
        if a in known and b in known:
            score = known_twins.get(a, {}).get(b)
            if score is None:
                continue
        else:
            score = minhash.jaccard(shingle_set(i), shingle_set(j))
        if score >= config.threshold:
            near[i].append((j, score))
            near[j].append((i, score))
    return Twins(eligible=eligible, near=dict(near))


@dataclass
class Relations:
    """Relations between speeches s: ``exact`` groups of two or more, ``near``
    {(a, b): Jaccard} with a < b, ``contained_in`` {a: {b: share}}."""

    exact: list[list[int]]
    near: dict[tuple[int, int], float]
    contained_in: dict[int, dict[int, float]]

    @property
    def exact_pairs(self) -> int:
        return sum(len(m) * (len(m) - 1) // 2 for m in self.exact)


def speech_relations(corpus: Corpus, speech_signatures: np.ndarray, twins: Twins, config: DedupConfig) -> Relations:
    """Exact groups, near pairs and containment between speeches.

    Speech similarity is the MinHash estimate, not the exact Jaccard: exact shingle sets
    of every candidate speech would cost more than all the hashing, and copies and
    different speeches lie much further apart than the estimate's standard error.
    """
    speeches = corpus.speeches
    by_sha1: dict[str, list[int]] = defaultdict(list)
    for s, digest in enumerate(speeches.sha1):
        if speeches.folded_chars[s]:
            by_sha1[digest].append(s)
    exact = [members for members in by_sha1.values() if len(members) > 1]
    representatives = [members[0] for members in by_sha1.values()]

    near: dict[tuple[int, int], float] = {}
    for i, j in candidate_pairs(speech_signatures[representatives], config.threshold).tolist():
        a, b = sorted((representatives[i], representatives[j]))
        score = minhash.estimate(speech_signatures, a, b)
        if score >= config.threshold:
            near[(a, b)] = score

    contained_in: dict[int, dict[int, float]] = defaultdict(dict)
    length = speeches.folded_chars
    for a, b, share in containment(corpus, twins, config):
        key = (min(a, b), max(a, b))
        if length[a] < config.threshold * length[b]:
            # Inside b, a shares at most its own length's worth of b: an estimate at or
            # above the threshold is MinHash noise, and a is an excerpt.
            near.pop(key, None)
            contained_in[a][b] = share
            continue
        if key in near:
            continue
        score = minhash.estimate(speech_signatures, a, b)
        if score >= config.threshold:  # a near duplicate, not an excerpt (LSH missed the pair)
            near[key] = score
        else:
            contained_in[a][b] = share
    return Relations(exact=exact, near=near, contained_in=dict(contained_in))


def containment(corpus: Corpus, twins: Twins, config: DedupConfig) -> list[tuple[int, int, float]]:
    """(a, b, share) for every speech a contained in a longer speech b: ``share`` of a's
    folded paragraph characters are in paragraphs with a twin (or the same text) in b.

    With K twin-eligible texts and S speeches: X (K×S) marks the speeches holding a twin
    of each text, M (S×K) holds each speech's characters per text, and (M·X)[a, b] is the
    number of a's characters with a twin in b. Only pairs sharing a paragraph are stored.
    """
    text_of, speech_of, text_chars = corpus.paragraphs.text_of, corpus.paragraphs.speech_of, corpus.texts.chars
    texts = [k for k, ok in enumerate(twins.eligible) if ok]
    column = {k: c for c, k in enumerate(texts)}
    n_texts, n_speeches = len(texts), len(corpus.speeches)
    members = [p for p in range(len(text_of)) if twins.eligible[text_of[p]]]
    if not members or n_speeches < 2:
        return []
    pairs = [(column[i], column[j]) for i, others in twins.near.items() for j, _ in others]
    near = sparse.coo_matrix(
        (np.ones(n_texts + len(pairs)),
         (np.r_[np.arange(n_texts), [i for i, _ in pairs]].astype(np.int64),
          np.r_[np.arange(n_texts), [j for _, j in pairs]].astype(np.int64))),
        shape=(n_texts, n_texts)).tocsr()
    rows = np.array([column[text_of[p]] for p in members], dtype=np.int64)
    speeches = np.array([speech_of[p] for p in members], dtype=np.int64)
    holds = sparse.coo_matrix((np.ones(len(members)), (rows, speeches)), shape=(n_texts, n_speeches)).tocsr()
    has_twin_in = near @ holds
    has_twin_in.data[:] = 1.0
    chars = np.array([text_chars[text_of[p]] for p in members], dtype=np.float64)
    weights = sparse.coo_matrix((chars, (speeches, rows)), shape=(n_speeches, n_texts)).tocsr()
    found = (weights @ has_twin_in).tocoo()

    length = np.asarray(corpus.speeches.folded_chars, dtype=np.float64)
    a, b, twinned = found.row, found.col, found.data
    keep = (a != b) & (length[a] < length[b]) & (twinned >= config.containment * length[a])
    result = sorted(zip(a[keep].tolist(), b[keep].tolist(), (twinned[keep] / length[a[keep]]).tolist()))
    return [(x, y, min(share, 1.0)) for x, y, share in result]

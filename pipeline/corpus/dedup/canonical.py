"""Clusters of duplicate speeches, the canonical speech of each, and the ``duplicate_*`` columns.

Clusters are the connected components of the exact, near and contained relations between
speeches; each has one canonical speech chosen by ``CANONICAL_RULE``, and every other
record points at a better one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from pipeline.corpus.dedup.minhash import estimate

if TYPE_CHECKING:
    from pipeline.corpus.dedup.relations import Relations, Twins
    from pipeline.corpus.dedup.corpus import Corpus

CANONICAL_RULE = (
    "Each cluster of duplicate speeches has one canonical speech, chosen by these rules in "
    "order: (1) a speech contained in another member of the cluster (an excerpt, a copy cut "
    "short by a paywall) is never canonical; (2) fewer paragraphs carrying a flag (truncated, "
    "after_gap, not_prose, foreign_language, summary, mojibake); (3) fewer placeholders "
    "(masked names and figures such as XX, ×××, ***); (4) more characters, counted in whole "
    "percent of the cluster's longest speech, rounded up, so that a kept header line does not "
    "decide; (5) fewer characters converted from traditional to simplified in its document, so "
    "a source published in simplified characters wins over a traditional mirror; (6) earlier "
    "publish date of its document, unknown dates last; (7) its document id and its position "
    "in the document, so the choice never changes between builds. Every other member is kept "
    "and points at the canonical speech, or at the speech that contains it, in duplicate_of."
)

#: duplicate_of (as record numbers), duplicate_kind and duplicate_score of every record.
Columns = tuple[list[int | None], list[str | None], list[float | None]]


class _UnionFind:
    """Disjoint sets over 0..n-1; the root of a set is its smallest member."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster_roots(n: int, relations: Relations) -> list[int]:
    """The cluster of every speech, as its smallest member: connected components of the
    exact, near and contained relations."""
    sets = _UnionFind(n)
    for members in relations.exact:
        for other in members[1:]:
            sets.union(members[0], other)
    for a, b in relations.near:
        sets.union(a, b)
    for a, containers in relations.contained_in.items():
        for b in containers:
            sets.union(a, b)
    return [sets.find(s) for s in range(n)]


def speech_order(corpus: Corpus, contained_in: dict[int, dict[int, float]], roots: list[int]) -> list[int]:
    """Each speech's position in the order of ``CANONICAL_RULE`` (0 = best).

    Length counts in whole percent (rounded up) of the longest speech of the cluster: a
    mirror that kept a header line is not "longer" than the simplified source it copies.
    """
    chars, rank = corpus.speeches.chars, corpus.speeches.rank
    longest: dict[int, int] = defaultdict(int)
    for s, root in enumerate(roots):
        longest[root] = max(longest[root], chars[s])

    def key(s: int) -> tuple:
        flagged, placeholders, *rest = rank[s]
        most = longest[roots[s]]
        percent = -(-100 * chars[s] // most) if most else 100  # rounded up
        return (s in contained_in, flagged, placeholders, -percent, *rest)

    position = [0] * len(roots)
    for i, s in enumerate(sorted(range(len(roots)), key=key)):
        position[s] = i
    return position


def canonical_of(roots: list[int], order: list[int]) -> list[int]:
    """For every speech, the canonical speech of its cluster: its best-ordered member."""
    best: dict[int, int] = {}
    for s, root in enumerate(roots):
        if root not in best or order[s] < order[best[root]]:
            best[root] = s
    return [best[root] for root in roots]


def speech_columns(corpus: Corpus, relations: Relations, canonical: list[int],
                   speech_signatures: np.ndarray) -> Columns:
    """duplicate_of (as speeches s), duplicate_kind and duplicate_score of every speech."""
    sha1 = corpus.speeches.sha1
    target: list[int | None] = []
    kinds: list[str | None] = []
    scores: list[float | None] = []
    for s, best in enumerate(canonical):
        containers = relations.contained_in.get(s, {})
        if s == best:
            t, kind, score = None, None, None
        elif containers:
            t = best if best in containers else max(sorted(containers), key=containers.__getitem__)
            kind, score = "contained", containers[t]
        elif sha1[s] == sha1[best]:
            t, kind, score = best, "exact", 1.0
        else:
            key = (min(s, best), max(s, best))
            t, kind = best, "near"
            score = relations.near[key] if key in relations.near else estimate(speech_signatures, s, best)
        target.append(t)
        kinds.append(kind)
        scores.append(score)
    return target, kinds, scores


def paragraph_columns(corpus: Corpus, twins: Twins, speech_target: list[int | None], order: list[int]) -> Columns:
    """duplicate_of (as paragraphs p), duplicate_kind and duplicate_score of every paragraph.

    A paragraph of a speech pointing at T points at its best twin in T. Any other
    paragraph points at its best-ranked twin (same text or near) in another speech that
    ranks better than its own, so shared stock paragraphs all point at one copy and
    every score is at least the threshold.
    """
    paragraphs = corpus.paragraphs
    speech_of, text_of, ordinal = paragraphs.speech_of, paragraphs.text_of, paragraphs.ordinal
    paragraphs_of = corpus.speeches.paragraphs
    n = len(paragraphs)
    target: list[int | None] = [None] * n
    kinds: list[str | None] = [None] * n
    scores: list[float | None] = [None] * n
    text_array = np.asarray(text_of, dtype=np.int64)
    speech_array = np.asarray(speech_of, dtype=np.int64)
    speech_rank = np.asarray(order, dtype=np.int64)[speech_array]
    ordinal_array = np.asarray(ordinal, dtype=np.int64)
    eligible = np.asarray(twins.eligible, dtype=bool)

    def rank(p: int) -> tuple[int, int]:
        return order[speech_of[p]], ordinal[p]

    # the best-ranked paragraph of each eligible text: first of its text in rank order
    candidates = np.flatnonzero(eligible[text_array])
    ranked = candidates[np.lexsort((ordinal_array[candidates], speech_rank[candidates], text_array[candidates]))]
    first = np.r_[True, text_array[ranked][1:] != text_array[ranked][:-1]] if len(ranked) else np.zeros(0, dtype=bool)
    best_with_text = np.full(len(corpus.texts), -1, dtype=np.int64)
    best_with_text[text_array[ranked[first]]] = ranked[first]

    # Only a paragraph of a speech with a target, or whose text has near twins or a
    # better-ranked copy, can point anywhere; the loop below visits those alone.
    has_near = twins.near_counts(len(corpus.texts)) > 0
    speech_has_target = np.asarray([t is not None for t in speech_target], dtype=bool)
    visit = eligible[text_array] & (speech_has_target[speech_array] | has_near[text_array]
                                    | (best_with_text[text_array] != np.arange(n)))
    first_in: dict[int, dict[int, int]] = {}
    for p in np.flatnonzero(visit).tolist():
        s, k = speech_of[p], text_of[p]
        t = speech_target[s]
        if t is not None:
            if t not in first_in:
                first_in[t] = {}
                for q in paragraphs_of[t]:
                    first_in[t].setdefault(text_of[q], q)
            found = [(0.0, 0, first_in[t][k], 1.0)] if k in first_in[t] else [
                (-score, ordinal[first_in[t][v]], first_in[t][v], score)
                for v, score in twins.near.get(k, ()) if v in first_in[t]]
        else:
            found = [(rank(q), q, score) for q, score in
                     [(int(best_with_text[k]), 1.0)] + [(int(best_with_text[v]), score) for v, score in twins.near.get(k, ())]
                     if speech_of[q] != s and order[speech_of[q]] < order[s]]
        if found:
            q, score = min(found)[-2:]
            target[p], scores[p] = q, score
            kinds[p] = "exact" if text_of[q] == k else "near"
    return target, kinds, scores

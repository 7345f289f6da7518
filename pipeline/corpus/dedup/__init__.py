"""Duplicates across the whole release: exact, near and contained speeches and paragraphs.

The same speech circulates on many sites: mirrored in traditional characters with
pinyin, with names masked, cut short by a paywall, or inside a compilation. Once the
per-document stages have normalised every text (t2s, punctuation width, pinyin
stripped), this stage compares every paragraph and speech of the release with every
other one and fills the ``duplicate_*`` columns of ``speeches`` and ``paragraphs``.
Nothing is dropped or reordered: non-canonical records are kept and marked.

How, in order (one module each):

1. ``folding``: each paragraph is folded: placeholders become one private-use character,
   and only Han characters, Latin letters and digits are kept, so punctuation, spacing
   and the way a text was masked do not count as differences (``corpus`` reads the
   records and keeps each distinct folded text once).
2. Exact duplicates share the sha1 of the folded text (paragraph level, and speech
   level over the folded paragraphs joined in order).
3. ``minhash``: a MinHash signature of the set of shingles of each distinct folded
   paragraph; a speech's signature is the element-wise minimum of its paragraphs'.
4. ``lsh`` proposes candidate pairs over bands of the signatures; ``relations`` checks
   paragraph pairs by the exact Jaccard similarity of their shingle sets and speech
   pairs by the MinHash estimate, and finds containment: speech A is contained in
   speech B when the paragraphs of A that have an exact or near twin in B hold at least
   ``containment`` of A's folded paragraph characters, A is shorter than B, and the two
   are not near duplicates of each other.
5. ``canonical``: clusters are the connected components of the exact, near and contained
   relations between speeches; each has one canonical speech chosen by
   ``CANONICAL_RULE``, and the ``duplicate_*`` columns point at it.

The MinHash signatures, folded lengths and near twins are returned as an index table the
release persists (``index``); a later build passes it back as ``previous`` and redoes
only the work that new texts need.
"""

from __future__ import annotations

import time
from collections import defaultdict

import pyarrow as pa

from pipeline.corpus.dedup import canonical, index, minhash, relations
from pipeline.corpus.dedup.canonical import CANONICAL_RULE
from pipeline.corpus.dedup.config import DedupConfig, DedupStats
from pipeline.corpus.dedup.corpus import read_corpus, with_columns
from pipeline.corpus.dedup.folding import FOLD_VERSION, PLACEHOLDER_TOKEN, fold, fold_column
from pipeline.corpus.dedup.index import index_schema
from pipeline.corpus.dedup.lsh import LSH_RECALL_AT_THRESHOLD, lsh_bands
from pipeline.corpus.dedup.minhash import SCHEME, SHINGLE_HASH, jaccard, shingle_hash, shingles

__all__ = [
    "CANONICAL_RULE", "FOLD_VERSION", "LSH_RECALL_AT_THRESHOLD", "PLACEHOLDER_TOKEN", "SCHEME", "SHINGLE_HASH",
    "DedupConfig", "DedupStats", "annotate", "fold", "fold_column", "index_schema", "jaccard", "lsh_bands",
    "shingle_hash", "shingles",
]


def annotate(tables: dict[str, pa.Table], config: DedupConfig = DedupConfig(),
             previous: pa.Table | None = None,
             carried: pa.Array | None = None) -> tuple[dict[str, pa.Table], pa.Table, DedupStats]:
    """The tables with the ``duplicate_*`` columns of speeches and paragraphs filled, the
    MinHash index to persist with the release, and what was found.

    ``tables`` needs ``documents``, ``speeches`` and ``paragraphs``; other tables pass
    through untouched. Rows keep their order and the tables their schema. ``previous``
    is the index of the latest release: signatures of folded texts it holds are reused.
    ``carried`` names documents whose paragraphs are exactly as that release holds them:
    their folded texts are taken from the index too, and only folded again when a
    candidate pair needs their shingles.

    Speeches: every speech gets ``duplicate_cluster`` (its cluster's canonical speech). A
    non-canonical speech contained in a member points at its container (the canonical one
    if it contains it, else the container of highest share) with kind ``contained`` and
    the share as score; any other non-canonical speech points at the canonical speech
    with kind ``exact`` (score 1) or ``near`` (score: estimated Jaccard with the canonical
    speech, even when the cluster links them through another member).

    Paragraphs of a speech that points at T point at their best twin in T (the same
    folded text first, else the highest Jaccard), or at nothing. Paragraphs of canonical
    and unique speeches point at their best-ranked twin in a better-ranked speech, if
    any: a stock paragraph shared by unrelated speeches points at one copy of it.
    """
    started = time.perf_counter()
    previous = index.usable(previous, config)
    corpus = read_corpus(tables, previous, carried)
    known = index.previous_signatures(previous, config.num_perm)
    signatures, reused = minhash.text_signatures(corpus.texts, known, config.shingle_size, config.num_perm, config.seed)
    text_of = corpus.paragraphs.text_of
    speech_signatures = minhash.union_signatures(
        signatures, [[text_of[p] for p in members] for members in corpus.speeches.paragraphs], config.num_perm)

    twins = relations.paragraph_twins(corpus, signatures, config, known.keys(), index.previous_twins(previous))
    related = relations.speech_relations(corpus, speech_signatures, twins, config)
    roots = canonical.cluster_roots(len(corpus.speeches), related)
    order = canonical.speech_order(corpus, related.contained_in, roots)
    canonical_of = canonical.canonical_of(roots, order)
    speech_target, speech_kind, speech_score = canonical.speech_columns(corpus, related, canonical_of, speech_signatures)
    paragraph_target, paragraph_kind, paragraph_score = canonical.paragraph_columns(corpus, twins, speech_target, order)

    speech_ids, paragraph_ids = corpus.speeches.ids, corpus.paragraphs.ids
    out = dict(tables)
    out["speeches"] = with_columns(tables["speeches"], {
        "duplicate_of": [None if t is None else speech_ids[t] for t in speech_target],
        "duplicate_kind": speech_kind,
        "duplicate_score": speech_score,
        "duplicate_cluster": [speech_ids[c] for c in canonical_of],
    })
    out["paragraphs"] = with_columns(tables["paragraphs"], {
        "duplicate_of": [None if t is None else paragraph_ids[t] for t in paragraph_target],
        "duplicate_kind": paragraph_kind,
        "duplicate_score": paragraph_score,
    })
    cluster_sizes: dict[int, int] = defaultdict(int)
    for c in canonical_of:
        cluster_sizes[c] += 1
    stats = DedupStats(
        paragraphs=len(corpus.paragraphs),
        speeches=len(corpus.speeches),
        paragraphs_folded=corpus.paragraphs_folded,
        signatures_reused=reused,
        signatures_computed=len(corpus.texts) - reused,
        exact_pairs=related.exact_pairs,
        near_pairs=len(related.near),
        contained=len(related.contained_in),
        clusters=sum(size > 1 for size in cluster_sizes.values()),
        non_canonical=sum(t is not None for t in speech_target),
        seconds=round(time.perf_counter() - started, 3),
    )
    return out, index.index_table(corpus, signatures, speech_signatures, twins, config), stats

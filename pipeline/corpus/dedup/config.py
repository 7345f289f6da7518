"""The settings of duplicate detection and the summary of a run."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from pipeline.corpus.dedup.canonical import CANONICAL_RULE
from pipeline.corpus.dedup.minhash import SCHEME, SHINGLE_HASH
from pipeline.errors import ConfigError


@dataclass(frozen=True)
class DedupConfig:
    """Settings of duplicate detection.

    ``threshold``: Jaccard similarity of the folded shingle sets at or above which two
    paragraphs or two speeches are near duplicates. On the fixture corpus
    (``benchmarks/dedup_fixtures.py``: government work reports, each also as a
    traditional mirror with pinyin, a masked copy and a paywall-cut copy) speech clusters
    come out right at every threshold tried, since copies and different reports lie far
    apart. The threshold moves the margins: too low, a paywall-cut copy holding most of
    its report becomes ``near`` instead of ``contained``; too high, paragraph twins are
    lost (the seed's excerpt has a paragraph that ends early). 0.7 keeps a step of margin
    on both sides.
    ``num_perm``: MinHash permutations; 128 gives a standard error of at most 0.045 on
    an estimated Jaccard similarity.
    ``shingle_size``: characters per shingle. Against 3 and 4 on the fixture corpus: the
    same precision and recall, but unrelated reports on the same topics lie further
    apart, while a masked name or changed figure still costs few shingles.
    ``containment``: share of a speech's folded paragraph characters that must have a twin
    in a longer speech for it to be ``contained`` in it (an excerpt, a lecture inside a
    compilation, a paywall-cut copy).
    ``min_paragraph_chars``: folded characters (about one full sentence) below which a
    paragraph is never anyone's twin: salutations (同志们：) and stock phrases
    (下面，我讲三点意见。) repeat across unrelated speeches and would link them.
    ``seed``: MinHash seed; fixed so that signatures, and so the index, are reproducible.
    """

    threshold: float = 0.7
    num_perm: int = 128
    shingle_size: int = 5
    containment: float = 0.6
    min_paragraph_chars: int = 20
    seed: int = 1

    def __post_init__(self) -> None:
        for name in ("threshold", "containment"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ConfigError(f"DedupConfig.{name} must be in (0, 1], got {value!r}")
        for name, low in (("num_perm", 8), ("shingle_size", 1), ("min_paragraph_chars", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or value < low:
                raise ConfigError(f"DedupConfig.{name} must be an integer >= {low}, got {value!r}")

    def describe(self) -> dict:
        """The settings, the method and the canonical rule, for the manifest and dataset card."""
        return {
            **asdict(self),
            "method": f"MinHash ({SCHEME}, datasketch; shingles hashed by {SHINGLE_HASH}) LSH candidates over "
                      f"{self.shingle_size}-character shingles of folded text; paragraph pairs verified by exact Jaccard similarity, "
                      "speech pairs by the MinHash estimate",
            "canonical_rule": CANONICAL_RULE,
        }


@dataclass(frozen=True)
class DedupStats:
    """What a run found and what it cost.

    ``paragraphs_folded``: paragraphs whose text was folded, not known from the index of
    carried documents. ``signatures_reused`` / ``signatures_computed``: distinct folded
    paragraph texts whose MinHash came from the previous index / was computed.
    ``exact_pairs``, ``near_pairs``:
    pairs of speeches with the same folded text / a Jaccard similarity at or above the
    threshold. ``contained``: speeches contained in another. ``clusters``: clusters of two
    or more speeches. ``non_canonical``: speeches marked as duplicating another.
    """

    paragraphs: int
    speeches: int
    paragraphs_folded: int
    signatures_reused: int
    signatures_computed: int
    exact_pairs: int
    near_pairs: int
    contained: int
    clusters: int
    non_canonical: int
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)

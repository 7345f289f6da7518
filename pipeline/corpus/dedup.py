"""Duplicates across the whole release: exact, near and contained speeches and paragraphs.

The same speech circulates on many sites: mirrored in traditional characters with
pinyin, with names masked, cut short by a paywall, or inside a compilation. Once the
per-document stages have normalised every text (t2s, punctuation width, pinyin
stripped), this stage compares every paragraph and speech of the release with every
other one and fills the ``duplicate_*`` columns of ``speeches`` and ``paragraphs``.
Nothing is dropped or reordered: non-canonical records are kept and marked.

How, in order:

1. ``fold`` each paragraph: placeholders become one private-use character, and only
   Han characters, Latin letters and digits are kept, so punctuation, spacing and the
   way a text was masked do not count as differences.
2. Exact duplicates share the sha1 of the folded text (paragraph level, and speech
   level over the folded paragraphs joined in order).
3. Near duplicates: a MinHash signature (datasketch, ``num_perm`` permutations, seeded)
   of the set of ``shingle_size``-character shingles of each distinct folded paragraph;
   a speech's signature is the element-wise minimum of its paragraphs' signatures, i.e.
   the MinHash of the union of their shingles (so speeches are never hashed again).
   Locality-sensitive hashing over bands of the signatures proposes candidate pairs.
   A paragraph pair is then checked with the exact Jaccard similarity of its shingle
   sets (cheap: a paragraph has ~200 shingles); a speech pair with the MinHash estimate
   (a report has ~20,000 shingles, and copies and other speeches lie far apart).
4. Containment: speech A is contained in speech B when the paragraphs of A that have an
   exact or near twin in B hold at least ``containment`` of A's folded paragraph
   characters, A is shorter than B, and the two are not near duplicates of each other.
   It is computed from the paragraph twins with sparse matrix products, never by
   comparing speeches pairwise.
5. Clusters are the connected components of the exact, near and contained relations
   between speeches; each has one canonical speech chosen by ``CANONICAL_RULE``.

The MinHash signatures, folded lengths and near twins are returned as an index table the
release persists. A later build passes it back as ``previous``: it hashes only folded texts
that are new, folds only paragraphs of documents that were not carried over, and checks
only candidate pairs with a new text.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Collection, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datasketch import MinHash
from scipy import sparse

from pipeline.text.chardata import HAN
from pipeline.errors import ConfigError
from pipeline.corpus.quality import PLACEHOLDER

#: What every placeholder (XX, ×××, ***, xxx, ____) folds to: one private-use character.
PLACEHOLDER_TOKEN = "\ue000"
_NOT_KEPT = re.compile(rf"[^{HAN}A-Za-z0-9{PLACEHOLDER_TOKEN}]+")
#: Every placeholder holds one of these; most paragraphs hold none, and skip the slow regex.
_PLACEHOLDER_CHARS = re.compile(r"[×Xx*_]")

#: What the folded texts of an index depend on: an index written under another ``fold``
#: has its folds and signatures recomputed.
FOLD_VERSION = hashlib.sha1(f"{PLACEHOLDER.pattern}\n{_NOT_KEPT.pattern}".encode()).hexdigest()[:12]

#: datasketch 2.0's default permutation scheme: each shingle's 32-bit hash through a
#: MurmurHash3 finaliser, then a*h+b mod 2^32; signatures are uint32.
SCHEME = "affine32"
#: How a shingle is hashed (``shingle_hash``), instead of datasketch's default sha1_hash32:
#: numpy computes it for every shingle of the corpus at once. sha1 in Python took 2.3 s of
#: 4.3 s of dedup on a 50 MB build, and 60% of a first run of the dedup benchmark (measured).
SHINGLE_HASH = "polynomial64-fmix64-high32"
_POLYNOMIAL = 0x100000001B3  # odd, so no code point's contribution is lost mod 2^64
_FMIX64 = (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53)
_MASK64 = 2**64 - 1
#: Characters of folded text hashed per numpy pass (8 bytes per character, twice).
_HASH_CHUNK_CHARS = 4_000_000
_SIGNATURE_DTYPE = np.dtype("<u4")
#: Most bytes in one chunk of a binary column (its offsets are int32).
_MAX_BINARY_BYTES = 2**31 - 1

#: Probability that LSH proposes a pair whose Jaccard similarity is exactly the threshold.
#: Candidates are verified exactly, so the banding is tuned for recall, not precision.
LSH_RECALL_AT_THRESHOLD = 0.98

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


@dataclass(frozen=True)
class DedupConfig:
    """Settings of duplicate detection.

    ``threshold``: Jaccard similarity of the folded shingle sets at or above which two
    paragraphs or two speeches are near duplicates. Measured on the fixture corpus
    (``benchmarks/dedup_fixtures.py``: 30 government work reports, each also as a
    traditional mirror with pinyin, a masked copy and a paywall-cut copy), speech
    clusters have precision and recall 1.0 at every threshold from 0.5 to 0.95: copies
    score ≥ 0.97 against their report, different reports ≤ 0.11. What moves is below:
    under 0.65 a paywall-cut copy holding 60% of the text becomes ``near`` instead of
    ``contained``; above 0.75 paragraph twins are lost (paragraph F1 0.963 at 0.7, 0.960
    at 0.8, 0.919 at 0.95); and the seed's excerpt has a paragraph that ends early
    (Jaccard 0.747 with its twin). 0.7 is the best paragraph F1 with a step of margin
    on both sides.
    ``num_perm``: MinHash permutations; 128 gives a standard error of at most 0.045 on
    an estimated Jaccard similarity.
    ``shingle_size``: characters per shingle. Measured against 3 and 4 on the fixture
    corpus: the same precision and recall, but unrelated reports on the same topics are
    further apart (highest Jaccard between two different reports 0.21 with 3, 0.15 with
    4, 0.11 with 5), while a masked name or changed figure still costs few shingles.
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


def fold(text: str) -> str:
    """The form texts are compared in: placeholders as one token, only Han characters,
    Latin letters (lower case) and digits kept.

    Punctuation and spacing differ between copies of one speech for reasons that say
    nothing about its content (page breaks, half-width commas on mirrors), and a name
    masked as ``xxx`` on one site is ``***`` or ``XX`` on another.

    >>> fold("习近平同志指出：“发展是第一要务。” GDP增长5.2%")
    '习近平同志指出发展是第一要务gdp增长52'
    >>> fold("xxx同志、×××书记和XX市") == fold("***同志、XX书记和xx市")
    True
    """
    if _PLACEHOLDER_CHARS.search(text):
        text = PLACEHOLDER.sub(PLACEHOLDER_TOKEN, text)
    return _NOT_KEPT.sub("", text).lower()


def fold_column(texts: pa.ChunkedArray | pa.Array) -> Iterator[str]:
    """``fold`` of every text of a string column, in order.

    Texts without a placeholder character are folded by Arrow, outside the interpreter
    (Python's ``fold`` took 1.1 s of 2.3 s of dedup for 133,000 paragraphs, measured);
    placeholders need lookarounds that Arrow's regex engine lacks, so the few texts that
    may hold one go through ``fold``.
    """
    texts = pa.chunked_array([texts]) if isinstance(texts, pa.Array) else texts
    for start in range(0, len(texts), 50_000):
        part = texts.slice(start, 50_000)
        folded = pc.utf8_lower(pc.replace_substring_regex(part, _NOT_KEPT.pattern, "")).to_pylist()
        maybe_placeholder = pc.fill_null(pc.match_substring_regex(part, _PLACEHOLDER_CHARS.pattern), False)
        rows = np.flatnonzero(maybe_placeholder.to_numpy(zero_copy_only=False))
        for row, raw in zip(rows.tolist(), part.take(rows).to_pylist()):
            folded[row] = fold(raw)
        yield from folded


def shingles(folded: str, size: int) -> set[str]:
    """The set of ``size``-character substrings of a folded text; a shorter, non-empty
    text is its own single shingle.

    >>> sorted(shingles("统筹推进发展", 5))
    ['筹推进发展', '统筹推进发']
    >>> shingles("同志们", 5), shingles("", 5)
    ({'同志们'}, set())
    """
    if len(folded) <= size:
        return {folded} if folded else set()
    return {folded[i:i + size] for i in range(len(folded) - size + 1)}


def shingle_hash(shingle: str) -> int:
    """The 32-bit hash a signature is made of: the shingle's code points as a polynomial
    mod 2^64 (Horner), MurmurHash3's 64-bit finaliser, the high 32 bits. datasketch
    recomputes a signature with ``MinHash(num_perm, seed=seed, scheme=SCHEME,
    hashfunc=shingle_hash)`` updated with ``shingles(folded, shingle_size)``.

    >>> shingle_hash("统筹推进发")
    1158476824
    """
    h = 0
    for char in shingle:
        h = (h * _POLYNOMIAL + ord(char)) & _MASK64
    for multiplier in _FMIX64:
        h = ((h ^ (h >> 33)) * multiplier) & _MASK64
    return (h ^ (h >> 33)) >> 32


def _shingle_hashes(texts: list[str], size: int) -> Iterator[list[int]]:
    """``shingle_hash`` of every shingle of each text (with repeats), a text at a time:
    the same values, computed by numpy over all the windows of many texts at once."""
    chunk: list[str] = []
    chars = 0
    for text in texts:
        chunk.append(text)
        chars += len(text)
        if chars >= _HASH_CHUNK_CHARS:
            yield from _shingle_hashes_of_chunk(chunk, size)
            chunk, chars = [], 0
    yield from _shingle_hashes_of_chunk(chunk, size)


def _shingle_hashes_of_chunk(texts: list[str], size: int) -> Iterator[list[int]]:
    points = np.frombuffer("".join(texts).encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    windows = max(len(points) - size + 1, 0)
    h = np.zeros(windows, dtype=np.uint64)
    for offset in range(size):  # uint64 arithmetic wraps: mod 2^64, as in shingle_hash
        h = h * np.uint64(_POLYNOMIAL) + points[offset:offset + windows]
    for multiplier in _FMIX64:
        h = (h ^ (h >> np.uint64(33))) * np.uint64(multiplier)
    h = (h ^ (h >> np.uint64(33))) >> np.uint64(32)
    start = 0
    for text in texts:
        if len(text) > size:  # windows that cross into the next text are skipped
            yield h[start:start + len(text) - size + 1].tolist()
        else:
            yield [shingle_hash(text)] if text else []
        start += len(text)


def jaccard(a: set, b: set) -> float:
    """|a ∩ b| / |a ∪ b|, and 0.0 for two empty sets.

    >>> jaccard({"a", "b", "c"}, {"b", "c", "d"})
    0.5
    """
    if not a and not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def lsh_bands(threshold: float, num_perm: int, recall: float = LSH_RECALL_AT_THRESHOLD) -> tuple[int, int]:
    """(bands, rows per band) for locality-sensitive hashing of ``num_perm``-value signatures.

    Two signatures are candidates when they agree on every value of at least one band;
    for a pair of Jaccard similarity J that happens with probability 1 - (1 - J^rows)^bands.
    This is the most rows per band (the fewest chance candidates) that still proposes a
    pair at exactly ``threshold`` with probability ``recall``.

    >>> lsh_bands(0.7, 128)
    (25, 5)
    >>> lsh_bands(1.0, 128)
    (1, 128)
    """
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold ** rows) ** bands >= recall:
            return bands, rows
    return num_perm, 1


def index_schema(config: DedupConfig = DedupConfig()) -> pa.Schema:
    """Schema of the MinHash index a release persists: one row per paragraph and per speech.

    The metadata records what the signatures depend on; an index whose metadata differs
    from the current config is ignored (every signature is recomputed).
    """
    return pa.schema(
        [
            pa.field("level", pa.string(), nullable=False, metadata={"doc": "'paragraph' or 'speech'."}),
            pa.field("record_id", pa.string(), nullable=False, metadata={"doc": "paragraph_id or speech_id."}),
            pa.field("folded_sha1", pa.string(), nullable=False,
                     metadata={"doc": "sha1 of the folded text (a speech: its folded paragraphs joined)."}),
            pa.field("folded_chars", pa.int32(), nullable=False,
                     metadata={"doc": "Characters of the folded text (a speech: of its folded paragraphs joined)."}),
            pa.field("minhash", pa.binary(), nullable=False,
                     metadata={"doc": f"MinHash hash values, {config.num_perm} little-endian uint32."}),
            pa.field("twins", _TWINS_TYPE, metadata={"doc": (
                "Paragraph rows: every other folded text of the release whose shingle sets have a "
                "Jaccard similarity at or above the threshold with this one, by folded_sha1; null on speech rows.")}),
        ],
        metadata=_index_metadata(config),
    )


def _index_metadata(config: DedupConfig) -> dict[bytes, bytes]:
    return {
        b"num_perm": str(config.num_perm).encode(),
        b"seed": str(config.seed).encode(),
        b"shingle_size": str(config.shingle_size).encode(),
        b"scheme": SCHEME.encode(),
        b"shingle_hash": SHINGLE_HASH.encode(),
        b"fold": FOLD_VERSION.encode(),
        b"twins": f"threshold={config.threshold!r} min_paragraph_chars={config.min_paragraph_chars}".encode(),
    }


_TWINS_TYPE = pa.list_(pa.struct([pa.field("folded_sha1", pa.string(), nullable=False),
                                  pa.field("jaccard", pa.float64(), nullable=False)]))


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
    candidate pair needs their shingles (folding 130,000 paragraphs took 0.8 s of a
    one-new-page build, measured).

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
    previous = _usable(previous, config)
    corpus = _Corpus.read(tables, previous, carried)
    previous_signatures = _previous_signatures(previous, config)
    signatures, reused, computed = _signatures(corpus, config, previous_signatures)
    speech_signatures = _speech_signatures(corpus, signatures, config)

    twins = _paragraph_twins(corpus, signatures, config, previous_signatures.keys(), _previous_twins(previous))
    relations = _speech_relations(corpus, speech_signatures, twins, config)
    roots = _cluster_roots(len(corpus.speech_ids), relations)
    order = _speech_order(corpus, relations.contained_in, roots)
    canonical_of = _canonical_of(roots, order)
    speech_target, speech_kind, speech_score = _speech_columns(corpus, relations, canonical_of, speech_signatures)
    paragraph_target, paragraph_kind, paragraph_score = _paragraph_columns(corpus, twins, speech_target, order)

    out = dict(tables)
    out["speeches"] = _with_columns(tables["speeches"], {
        "duplicate_of": [None if t is None else corpus.speech_ids[t] for t in speech_target],
        "duplicate_kind": speech_kind,
        "duplicate_score": speech_score,
        "duplicate_cluster": [corpus.speech_ids[c] for c in canonical_of],
    })
    out["paragraphs"] = _with_columns(tables["paragraphs"], {
        "duplicate_of": [None if t is None else corpus.paragraph_ids[t] for t in paragraph_target],
        "duplicate_kind": paragraph_kind,
        "duplicate_score": paragraph_score,
    })
    cluster_sizes = defaultdict(int)
    for c in canonical_of:
        cluster_sizes[c] += 1
    stats = DedupStats(
        paragraphs=len(corpus.paragraph_ids),
        speeches=len(corpus.speech_ids),
        paragraphs_folded=corpus.paragraphs_folded,
        signatures_reused=reused,
        signatures_computed=computed,
        exact_pairs=relations.exact_pairs,
        near_pairs=len(relations.near),
        contained=len(relations.contained_in),
        clusters=sum(size > 1 for size in cluster_sizes.values()),
        non_canonical=sum(t is not None for t in speech_target),
        seconds=round(time.perf_counter() - started, 3),
    )
    return out, _index_table(corpus, signatures, speech_signatures, twins, config), stats


# --- reading the tables -------------------------------------------------------------


@dataclass
class _Corpus:
    """The columns dedup reads, as parallel lists, plus the folded texts.

    ``text_of[p]`` is the index of paragraph p's folded text among the distinct folded
    texts (in first-seen order), which have ``text_sha1`` and ``text_chars``;
    ``paragraphs_of[s]`` lists speech s's paragraphs by ordinal. ``folded(k)`` is text k.
    """

    paragraph_ids: list[str]
    paragraph_speech: list[int]
    paragraph_ordinal: list[int]
    paragraph_flagged: list[bool]
    text_sha1: list[str]
    text_chars: list[int]
    text_of: list[int]
    speech_ids: list[str]
    paragraphs_of: list[list[int]]
    speech_sha1: list[str]
    speech_length: list[int]
    speech_chars: list[int]
    speech_rank: list[tuple]
    #: folded text k, or None until ``folded(k)`` folds the raw text of paragraph ``text_paragraph[k]``
    texts: list[str | None]
    text_paragraph: list[int]
    raw_texts: pa.ChunkedArray
    paragraphs_folded: int

    def folded(self, k: int) -> str:
        if self.texts[k] is None:
            self.texts[k] = fold(self.raw_texts[self.text_paragraph[k]].as_py())
        return self.texts[k]

    @classmethod
    def read(cls, tables: dict[str, pa.Table], previous: pa.Table | None = None,
             carried: pa.Array | None = None) -> _Corpus:
        for name in ("documents", "speeches", "paragraphs"):
            if name not in tables:
                raise ConfigError(f"dedup.annotate needs the {name!r} table; got {sorted(tables)}")
        speeches, paragraphs, documents = tables["speeches"], tables["paragraphs"], tables["documents"]
        speech_ids = speeches.column("speech_id").to_pylist()
        speech_index = {sid: i for i, sid in enumerate(speech_ids)}
        paragraph_speech = [speech_index[sid] for sid in paragraphs.column("speech_id").to_pylist()]
        paragraph_ordinal = paragraphs.column("ordinal").to_pylist()
        flagged = pc.greater(pc.list_value_length(paragraphs.column("flags")), 0)
        paragraph_flagged = pc.fill_null(flagged, False).to_pylist()

        known_sha1, known_chars = _known(previous, "paragraph", paragraphs, "paragraph_id", carried)
        raw_texts = paragraphs.column("text")
        fresh = fold_column(raw_texts.filter(pc.is_null(known_sha1)))
        texts: list[str | None] = []
        text_sha1: list[str] = []
        text_chars: list[int] = []
        text_paragraph: list[int] = []
        seen: dict[str, int] = {}
        text_of: list[int] = []
        for p, (digest, chars) in enumerate(zip(known_sha1.to_pylist(), known_chars.to_pylist())):
            folded = None
            if digest is None:
                folded = next(fresh)
                digest, chars = hashlib.sha1(folded.encode("utf-8")).hexdigest(), len(folded)
            k = seen.get(digest)
            if k is None:
                k = seen[digest] = len(texts)
                texts.append(folded)
                text_sha1.append(digest)
                text_chars.append(chars)
                text_paragraph.append(p)
            elif texts[k] is None:
                texts[k] = folded
            text_of.append(k)

        paragraphs_of: list[list[int]] = [[] for _ in speech_ids]
        for p in sorted(range(len(text_of)), key=lambda p: (paragraph_speech[p], paragraph_ordinal[p])):
            paragraphs_of[paragraph_speech[p]].append(p)
        known_speech_sha1, _ = _known(previous, "speech", speeches, "speech_id", carried)
        speech_sha1, speech_length = [], []
        corpus = cls(
            paragraph_ids=paragraphs.column("paragraph_id").to_pylist(),
            paragraph_speech=paragraph_speech,
            paragraph_ordinal=paragraph_ordinal,
            paragraph_flagged=paragraph_flagged,
            text_sha1=text_sha1,
            text_chars=text_chars,
            text_of=text_of,
            speech_ids=speech_ids,
            paragraphs_of=paragraphs_of,
            speech_sha1=speech_sha1,
            speech_length=speech_length,
            speech_chars=speeches.column("char_count").to_pylist(),
            speech_rank=[],
            texts=texts,
            text_paragraph=text_paragraph,
            raw_texts=raw_texts,
            paragraphs_folded=known_sha1.null_count,
        )
        for members, digest in zip(paragraphs_of, known_speech_sha1.to_pylist()):
            if digest is None:
                joined = "".join(corpus.folded(text_of[p]) for p in members)
                digest = hashlib.sha1(joined.encode("utf-8")).hexdigest()
            speech_sha1.append(digest)
            speech_length.append(sum(text_chars[text_of[p]] for p in members))

        doc_ids = documents.column("doc_id").to_pylist()
        converted = dict(zip(doc_ids, documents.column("converted_char_count").to_pylist()))
        published = dict(zip(doc_ids, documents.column("published_date").to_pylist()))
        flagged_count = [sum(paragraph_flagged[p] for p in members) for members in paragraphs_of]
        corpus.speech_rank = [  # CANONICAL_RULE without (1), which needs the relations, and (4), the cluster
            (flagged_count[i], placeholders, converted.get(doc) or 0,
             published.get(doc) is None, published[doc].toordinal() if published.get(doc) else 0, doc, ordinal)
            for i, (doc, ordinal, placeholders) in enumerate(zip(
                speeches.column("doc_id").to_pylist(), speeches.column("ordinal").to_pylist(),
                speeches.column("placeholder_count").to_pylist()))
        ]
        return corpus


def _known(previous: pa.Table | None, level: str, table: pa.Table, key: str,
           carried: pa.Array | None) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Per row of ``table``, the folded sha1 and length the index ``previous`` holds for
    it when its document is ``carried``, else null."""
    if previous is None or carried is None or not len(carried):
        return pa.chunked_array([pa.nulls(table.num_rows, pa.string())]), \
            pa.chunked_array([pa.nulls(table.num_rows, pa.int32())])
    rows = previous.select(["level", "record_id", "folded_sha1", "folded_chars"])  # not the signatures
    rows = rows.filter(pc.equal(rows.column("level"), level))
    position = pc.index_in(table.column(key), value_set=rows.column("record_id"))
    position = pc.if_else(pc.is_in(table.column("doc_id"), value_set=carried), position, pa.scalar(None, pa.int32()))
    return rows.column("folded_sha1").take(position), rows.column("folded_chars").take(position)


# --- signatures and the index ---------------------------------------------------------


def _signatures(corpus: _Corpus, config: DedupConfig, known: dict[str, np.ndarray]) -> tuple[np.ndarray, int, int]:
    """One MinHash signature per distinct folded text, shape (len(texts), num_perm), and
    how many were reused from ``known`` (the previous index's) / computed.

    Reuse is keyed on the folded text's sha1 alone: a signature depends on nothing else
    (given the metadata ``_usable`` checked), so a paragraph repeated by a new document
    reuses the signature of its published twin too.
    """
    out = np.empty((len(corpus.text_sha1), config.num_perm), dtype=_SIGNATURE_DTYPE)
    missing = []
    for k, digest in enumerate(corpus.text_sha1):
        row = known.get(digest)
        if row is None:
            missing.append(k)
        else:
            out[k] = row
    # The hashes are computed ahead, so datasketch's hashfunc only has to take them as they are.
    generated = MinHash.generator(
        _shingle_hashes([corpus.folded(k) for k in missing], config.shingle_size),
        num_perm=config.num_perm, seed=config.seed, scheme=SCHEME, hashfunc=int,
    )
    for k, minhash in zip(missing, generated):
        out[k] = minhash.hashvalues
    return out, len(out) - len(missing), len(missing)


def _usable(previous: pa.Table | None, config: DedupConfig) -> pa.Table | None:
    """``previous`` when it is an index written under ``config`` and the current ``fold``,
    else None (an index of other settings, or of an older release, is recomputed)."""
    if previous is None:
        return None
    missing = {"level", "record_id", "folded_sha1", "minhash"} - set(previous.column_names)
    if missing:
        raise ConfigError(f"previous dedup index lacks column(s) {sorted(missing)}; columns: {previous.column_names}")
    metadata = previous.schema.metadata or {}
    if any(metadata.get(key) != value for key, value in _index_metadata(config).items()):
        return None
    missing = {"folded_chars", "twins"} - set(previous.column_names)
    if missing:
        raise ConfigError(f"previous dedup index lacks column(s) {sorted(missing)}; columns: {previous.column_names}")
    width = config.num_perm * _SIGNATURE_DTYPE.itemsize
    if pc.any(pc.not_equal(pc.binary_length(previous.column("minhash")), width)).as_py():
        return None
    return previous


def _previous_signatures(previous: pa.Table | None, config: DedupConfig) -> dict[str, np.ndarray]:
    """folded_sha1 → signature of the paragraph rows of a usable previous index."""
    if previous is None:
        return {}
    matrices = []
    for chunk in previous.column("minhash").chunks:  # views on Arrow's buffers, no copy
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset:chunk.offset + len(chunk) + 1]
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
        matrices.append(data.view(_SIGNATURE_DTYPE).reshape(len(chunk), config.num_perm))
    signatures = [row for matrix in matrices for row in matrix]
    digests = previous.column("folded_sha1").to_pylist()
    # the paragraph rows picked by position, not filtered: a filter copied every signature
    paragraph_rows = np.flatnonzero(pc.equal(previous.column("level"), "paragraph").to_numpy(zero_copy_only=False))
    return {digests[i]: signatures[i] for i in paragraph_rows.tolist()}


def _previous_twins(previous: pa.Table | None) -> dict[str, dict[str, float]]:
    """folded_sha1 → {twin's folded_sha1: Jaccard} of the paragraph texts of a usable
    previous index that had twins."""
    if previous is None:
        return {}
    rows = previous.select(["folded_sha1", "twins"])
    rows = rows.filter(pc.fill_null(pc.greater(pc.list_value_length(rows.column("twins")), 0), False))
    return {digest: {t["folded_sha1"]: t["jaccard"] for t in twins}
            for digest, twins in zip(rows.column("folded_sha1").to_pylist(), rows.column("twins").to_pylist())}


def _speech_signatures(corpus: _Corpus, signatures: np.ndarray, config: DedupConfig) -> np.ndarray:
    """Element-wise minimum of each speech's paragraph signatures: the MinHash of the union
    of their shingle sets. A speech without paragraphs gets the empty signature (all max)."""
    out = np.full((len(corpus.speech_ids), config.num_perm), np.iinfo(_SIGNATURE_DTYPE).max, dtype=_SIGNATURE_DTYPE)
    for s, members in enumerate(corpus.paragraphs_of):
        if members:
            out[s] = signatures[[corpus.text_of[p] for p in members]].min(axis=0)
    return out


def _index_table(corpus: _Corpus, signatures: np.ndarray, speech_signatures: np.ndarray, twins: _Twins,
                 config: DedupConfig) -> pa.Table:
    """The index rows, paragraphs then speeches, each sorted by record id. The signatures
    are written once into one buffer that Arrow then shares (a release of 300,000
    paragraphs holds 150 MB of them)."""
    paragraph_ids, speech_ids = pa.array(corpus.paragraph_ids, pa.string()), pa.array(corpus.speech_ids, pa.string())
    # Arrow orders strings by their UTF-8 bytes, which is code point order, as sorted() does
    paragraph_order, speech_order = pc.sort_indices(paragraph_ids), pc.sort_indices(speech_ids)
    text_rows = np.asarray(corpus.text_of, dtype=np.int64)[paragraph_order.to_numpy()]
    n = len(text_rows) + len(speech_order)
    matrix = np.empty((n, config.num_perm), dtype=_SIGNATURE_DTYPE)
    for start in range(0, len(text_rows), 65536):
        rows = text_rows[start:start + 65536]
        matrix[start:start + len(rows)] = signatures[rows]
    matrix[len(text_rows):] = speech_signatures[speech_order.to_numpy()]
    width = config.num_perm * _SIGNATURE_DTYPE.itemsize
    per_chunk = _MAX_BINARY_BYTES // width
    minhash = pa.chunked_array([
        pa.Array.from_buffers(pa.binary(), len(part), [
            None, pa.py_buffer(np.arange(0, (len(part) + 1) * width, width, dtype=np.int32)), pa.py_buffer(part)])
        for part in (matrix[i:i + per_chunk] for i in range(0, n, per_chunk))
    ], type=pa.binary())
    return pa.table({
        "level": ["paragraph"] * len(text_rows) + ["speech"] * len(speech_order),
        "record_id": pa.concat_arrays([paragraph_ids.take(paragraph_order), speech_ids.take(speech_order)]),
        "folded_sha1": pa.concat_arrays([pa.array(corpus.text_sha1, pa.string()).take(pa.array(text_rows)),
                                         pa.array(corpus.speech_sha1, pa.string()).take(speech_order)]),
        "folded_chars": np.concatenate([np.asarray(corpus.text_chars, dtype=np.int32)[text_rows],
                                        np.asarray(corpus.speech_length, dtype=np.int32)[speech_order.to_numpy()]]),
        "minhash": minhash,
        "twins": _twins_column(corpus, twins, text_rows, len(speech_order)),
    }, schema=index_schema(config))


def _twins_column(corpus: _Corpus, twins: _Twins, text_rows: np.ndarray, speeches: int) -> pa.Array:
    """The ``twins`` of each paragraph row (its text's near twins, by sha1), then a null
    per speech row; built from offsets, and only the rows whose text has twins are visited
    (most have none: visiting every row took 0.36 s for 2,000 documents, measured)."""
    lengths = twins.near_counts(len(corpus.text_sha1))[text_rows]
    offsets = np.zeros(len(text_rows) + speeches + 1, dtype=np.int32)
    offsets[1:len(text_rows) + 1] = np.cumsum(lengths)
    offsets[len(text_rows) + 1:] = offsets[len(text_rows)]
    sha1s, scores = [], []
    for k in text_rows[lengths > 0].tolist():
        found = sorted((corpus.text_sha1[other], score) for other, score in twins.near[k])
        sha1s.extend(digest for digest, _ in found)
        scores.extend(score for _, score in found)
    values = pa.StructArray.from_arrays([pa.array(sha1s, pa.string()), pa.array(scores, pa.float64())],
                                        fields=list(_TWINS_TYPE.value_type))
    valid = np.r_[np.ones(len(text_rows), dtype=bool), np.zeros(speeches, dtype=bool)]
    return pa.ListArray.from_arrays(pa.array(offsets), values, type=_TWINS_TYPE, mask=pa.array(~valid))


# --- candidate pairs ------------------------------------------------------------------------


def _candidate_pairs(signatures: np.ndarray, threshold: float) -> np.ndarray:
    """Pairs (i, j), i < j, of rows that agree on every value of at least one LSH band;
    shape (n, 2), sorted.

    Banding is done here with numpy sorts rather than in datasketch's ``MinHashLSH``,
    which keeps Python dicts per band (620 MB for 100,000 signatures, measured): same
    rule, a few bytes per signature and band. Each band is reduced to a 64-bit key; a key
    collision only adds a candidate, which the exact check then rejects.
    """
    n, num_perm = signatures.shape
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    bands, rows = lsh_bands(threshold, num_perm)
    found = []
    for band in range(bands):
        key = np.zeros(n, dtype=np.uint64)
        for column in signatures[:, band * rows:(band + 1) * rows].T:
            key = key * np.uint64(0x100000001B3) ^ column.astype(np.uint64)
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        sizes = np.diff(np.r_[starts, n])
        pairs_of_two = starts[sizes == 2]
        found.append(np.stack([order[pairs_of_two], order[pairs_of_two + 1]], axis=1))
        for start, size in zip(starts[sizes > 2], sizes[sizes > 2]):
            found.append(np.array(list(itertools.combinations(order[start:start + size], 2)), dtype=np.int64))
    pairs = np.sort(np.concatenate(found).astype(np.int64), axis=1)
    return np.unique(pairs, axis=0)


@dataclass
class _Twins:
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


def _paragraph_twins(corpus: _Corpus, signatures: np.ndarray, config: DedupConfig,
                     known: Collection[str] = (), known_twins: dict[str, dict[str, float]] | None = None) -> _Twins:
    """Near twins among the distinct folded texts: candidates from LSH, checked by the
    exact Jaccard similarity of their shingle sets.

    ``known`` are the texts of the previous index and ``known_twins`` their twins there.
    Whether two texts are candidates depends on their signatures alone, so a pair of
    known texts was checked by the build that wrote the index: its result is taken from
    there (checking 4,400 pairs again took 0.3 s of a one-new-page build, measured).
    """
    eligible = [chars >= config.min_paragraph_chars for chars in corpus.text_chars]
    candidates = np.flatnonzero(eligible)
    pairs = _candidate_pairs(signatures[candidates], config.threshold)
    shingle_set = functools.lru_cache(maxsize=1024)(lambda k: shingles(corpus.folded(k), config.shingle_size))
    near: dict[int, list[tuple[int, float]]] = defaultdict(list)
    known_twins = known_twins or {}
    for i, j in candidates[pairs].tolist():
        a, b = corpus.text_sha1[i], corpus.text_sha1[j]
        if a in known and b in known:
            score = known_twins.get(a, {}).get(b)
            if score is None:
                continue
        else:
            score = jaccard(shingle_set(i), shingle_set(j))
        if score >= config.threshold:
            near[i].append((j, score))
            near[j].append((i, score))
    return _Twins(eligible=eligible, near=dict(near))


# --- speech relations -------------------------------------------------------------------


def _estimate(signatures: np.ndarray, a: int, b: int) -> float:
    """MinHash estimate of the Jaccard similarity of rows a and b: the share of equal values."""
    return float(np.count_nonzero(signatures[a] == signatures[b])) / signatures.shape[1]


@dataclass
class _Relations:
    """Relations between speeches (indices): ``exact`` groups of two or more, ``near``
    {(a, b): Jaccard} with a < b, ``contained_in`` {a: {b: share}}."""

    exact: list[list[int]]
    near: dict[tuple[int, int], float]
    contained_in: dict[int, dict[int, float]]

    @property
    def exact_pairs(self) -> int:
        return sum(len(m) * (len(m) - 1) // 2 for m in self.exact)


def _speech_relations(corpus: _Corpus, speech_signatures: np.ndarray, twins: _Twins,
                      config: DedupConfig) -> _Relations:
    """Exact groups, near pairs and containment between speeches.

    Speech similarity is the MinHash estimate, not the exact Jaccard: a report holds
    ~20,000 shingles, exact sets for every candidate would cost more than all the
    hashing, and copies and different speeches lie far apart (on the fixture corpus,
    copies ≥ 0.97 and different reports ≤ 0.11, against a standard error of ≤ 0.045).
    """
    by_sha1: dict[str, list[int]] = defaultdict(list)
    for s, digest in enumerate(corpus.speech_sha1):
        if corpus.speech_length[s]:
            by_sha1[digest].append(s)
    exact = [members for members in by_sha1.values() if len(members) > 1]
    representatives = [members[0] for members in by_sha1.values()]

    near: dict[tuple[int, int], float] = {}
    for i, j in _candidate_pairs(speech_signatures[representatives], config.threshold).tolist():
        a, b = sorted((representatives[i], representatives[j]))
        score = _estimate(speech_signatures, a, b)
        if score >= config.threshold:
            near[(a, b)] = score

    contained_in: dict[int, dict[int, float]] = defaultdict(dict)
    for a, b, share in _containment(corpus, twins, config):
        key = (min(a, b), max(a, b))
        if corpus.speech_length[a] < config.threshold * corpus.speech_length[b]:
            # Inside b, a shares at most its own length's worth of b: an estimate at or
            # above the threshold is MinHash noise, and a is an excerpt.
            near.pop(key, None)
            contained_in[a][b] = share
            continue
        if key in near:
            continue
        score = _estimate(speech_signatures, a, b)
        if score >= config.threshold:  # a near duplicate, not an excerpt (LSH missed the pair)
            near[key] = score
        else:
            contained_in[a][b] = share
    return _Relations(exact=exact, near=near, contained_in=dict(contained_in))


def _containment(corpus: _Corpus, twins: _Twins, config: DedupConfig) -> list[tuple[int, int, float]]:
    """(a, b, share) for every speech a contained in a longer speech b: ``share`` of a's
    folded paragraph characters are in paragraphs with a twin (or the same text) in b.

    With K twin-eligible texts and S speeches: X (K×S) marks the speeches holding a twin
    of each text, M (S×K) holds each speech's characters per text, and (M·X)[a, b] is the
    number of a's characters with a twin in b. Only pairs sharing a paragraph are stored.
    """
    texts = [k for k, ok in enumerate(twins.eligible) if ok]
    column = {k: c for c, k in enumerate(texts)}
    n_texts, n_speeches = len(texts), len(corpus.speech_ids)
    members = [p for p in range(len(corpus.text_of)) if twins.eligible[corpus.text_of[p]]]
    if not members or n_speeches < 2:
        return []
    pairs = [(column[i], column[j]) for i, others in twins.near.items() for j, _ in others]
    near = sparse.coo_matrix(
        (np.ones(n_texts + len(pairs)),
         (np.r_[np.arange(n_texts), [i for i, _ in pairs]].astype(np.int64),
          np.r_[np.arange(n_texts), [j for _, j in pairs]].astype(np.int64))),
        shape=(n_texts, n_texts)).tocsr()
    rows = np.array([column[corpus.text_of[p]] for p in members], dtype=np.int64)
    speeches = np.array([corpus.paragraph_speech[p] for p in members], dtype=np.int64)
    holds = sparse.coo_matrix((np.ones(len(members)), (rows, speeches)), shape=(n_texts, n_speeches)).tocsr()
    has_twin_in = near @ holds
    has_twin_in.data[:] = 1.0
    chars = np.array([corpus.text_chars[corpus.text_of[p]] for p in members], dtype=np.float64)
    weights = sparse.coo_matrix((chars, (speeches, rows)), shape=(n_speeches, n_texts)).tocsr()
    found = (weights @ has_twin_in).tocoo()

    length = np.asarray(corpus.speech_length, dtype=np.float64)
    a, b, twinned = found.row, found.col, found.data
    keep = (a != b) & (length[a] < length[b]) & (twinned >= config.containment * length[a])
    result = sorted(zip(a[keep].tolist(), b[keep].tolist(), (twinned[keep] / length[a[keep]]).tolist()))
    return [(x, y, min(share, 1.0)) for x, y, share in result]


# --- clusters, canonical choice and the columns ------------------------------------------


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


def _cluster_roots(n: int, relations: _Relations) -> list[int]:
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


def _speech_order(corpus: _Corpus, contained_in: dict[int, dict[int, float]], roots: list[int]) -> list[int]:
    """Each speech's position in the order of ``CANONICAL_RULE`` (0 = best).

    Length counts in whole percent (rounded up) of the longest speech of the cluster: a
    mirror that kept a header line is not "longer" than the simplified source it copies.
    """
    longest: dict[int, int] = defaultdict(int)
    for s, root in enumerate(roots):
        longest[root] = max(longest[root], corpus.speech_chars[s])

    def key(s: int) -> tuple:
        flagged, placeholders, *rest = corpus.speech_rank[s]
        most = longest[roots[s]]
        percent = -(-100 * corpus.speech_chars[s] // most) if most else 100  # rounded up
        return (s in contained_in, flagged, placeholders, -percent, *rest)

    position = [0] * len(roots)
    for i, s in enumerate(sorted(range(len(roots)), key=key)):
        position[s] = i
    return position


def _canonical_of(roots: list[int], order: list[int]) -> list[int]:
    """For every speech, the canonical speech of its cluster: its best-ordered member."""
    best: dict[int, int] = {}
    for s, root in enumerate(roots):
        if root not in best or order[s] < order[best[root]]:
            best[root] = s
    return [best[root] for root in roots]


def _speech_columns(corpus: _Corpus, relations: _Relations, canonical_of: list[int],
                    speech_signatures: np.ndarray) -> tuple[list[int | None], list[str | None], list[float | None]]:
    """duplicate_of (as speech indices), duplicate_kind and duplicate_score of every speech."""
    target: list[int | None] = []
    kinds: list[str | None] = []
    scores: list[float | None] = []
    for s, canonical in enumerate(canonical_of):
        containers = relations.contained_in.get(s, {})
        if s == canonical:
            t, kind, score = None, None, None
        elif containers:
            t = canonical if canonical in containers else max(sorted(containers), key=containers.__getitem__)
            kind, score = "contained", containers[t]
        elif corpus.speech_sha1[s] == corpus.speech_sha1[canonical]:
            t, kind, score = canonical, "exact", 1.0
        else:
            key = (min(s, canonical), max(s, canonical))
            t, kind = canonical, "near"
            score = relations.near[key] if key in relations.near else _estimate(speech_signatures, s, canonical)
        target.append(t)
        kinds.append(kind)
        scores.append(score)
    return target, kinds, scores


def _paragraph_columns(corpus: _Corpus, twins: _Twins, speech_target: list[int | None],
                       order: list[int]) -> tuple[list[int | None], list[str | None], list[float | None]]:
    """duplicate_of (as paragraph indices), duplicate_kind and duplicate_score of every paragraph.

    A paragraph of a speech pointing at T points at its best twin in T. Any other
    paragraph points at its best-ranked twin (same text or near) in another speech that
    ranks better than its own, so shared stock paragraphs all point at one copy and
    every score is at least the threshold.
    """
    n = len(corpus.paragraph_ids)
    target: list[int | None] = [None] * n
    kinds: list[str | None] = [None] * n
    scores: list[float | None] = [None] * n
    text_of = np.asarray(corpus.text_of, dtype=np.int64)
    speech_of = np.asarray(corpus.paragraph_speech, dtype=np.int64)
    speech_rank = np.asarray(order, dtype=np.int64)[speech_of]
    ordinal = np.asarray(corpus.paragraph_ordinal, dtype=np.int64)
    eligible = np.asarray(twins.eligible, dtype=bool)

    def rank(p: int) -> tuple[int, int]:
        return order[corpus.paragraph_speech[p]], corpus.paragraph_ordinal[p]

    # the best-ranked paragraph of each eligible text: first of its text in rank order
    candidates = np.flatnonzero(eligible[text_of])
    ranked = candidates[np.lexsort((ordinal[candidates], speech_rank[candidates], text_of[candidates]))]
    first = np.r_[True, text_of[ranked][1:] != text_of[ranked][:-1]] if len(ranked) else np.zeros(0, dtype=bool)
    best_with_text = np.full(len(corpus.text_sha1), -1, dtype=np.int64)
    best_with_text[text_of[ranked[first]]] = ranked[first]

    # Only a paragraph of a speech with a target, or whose text has near twins or a
    # better-ranked copy, can point anywhere; the loop below visits those alone.
    has_near = twins.near_counts(len(corpus.text_sha1)) > 0
    speech_has_target = np.asarray([t is not None for t in speech_target], dtype=bool)
    visit = eligible[text_of] & (speech_has_target[speech_of] | has_near[text_of]
                                 | (best_with_text[text_of] != np.arange(n)))
    first_in: dict[int, dict[int, int]] = {}
    for p in np.flatnonzero(visit).tolist():
        s, k = corpus.paragraph_speech[p], corpus.text_of[p]
        t = speech_target[s]
        if t is not None:
            if t not in first_in:
                first_in[t] = {}
                for q in corpus.paragraphs_of[t]:
                    first_in[t].setdefault(corpus.text_of[q], q)
            found = [(0.0, 0, first_in[t][k], 1.0)] if k in first_in[t] else [
                (-score, corpus.paragraph_ordinal[first_in[t][v]], first_in[t][v], score)
                for v, score in twins.near.get(k, ()) if v in first_in[t]]
        else:
            found = [(rank(q), q, score) for q, score in
                     [(int(best_with_text[k]), 1.0)] + [(int(best_with_text[v]), score) for v, score in twins.near.get(k, ())]
                     if corpus.paragraph_speech[q] != s and order[corpus.paragraph_speech[q]] < order[s]]
        if found:
            q, score = min(found)[-2:]
            target[p], scores[p] = q, score
            kinds[p] = "exact" if corpus.text_of[q] == k else "near"
    return target, kinds, scores


def _with_columns(table: pa.Table, columns: dict[str, list]) -> pa.Table:
    """``table`` with the named columns replaced, keeping each field's type and metadata."""
    for name, values in columns.items():
        i = table.schema.get_field_index(name)
        field = table.schema.field(i)
        table = table.set_column(i, field, pa.array(values, type=field.type))
    return table

"""Shingles, their hashes and MinHash signatures.

A paragraph's signature is the MinHash (datasketch, ``num_perm`` permutations, seeded)
of the set of its folded text's ``shingle_size``-character shingles; a speech's is the
element-wise minimum of its paragraphs' signatures, which is the MinHash of the union of
their shingles, so speeches are never hashed again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import numpy as np
from datasketch import MinHash

if TYPE_CHECKING:
    from pipeline.corpus.dedup.corpus import FoldedTexts

#: datasketch 2.0's default permutation scheme: each shingle's 32-bit hash through a
#: MurmurHash3 finaliser, then a*h+b mod 2^32; signatures are uint32.
SCHEME = "affine32"
#: How a shingle is hashed (``shingle_hash``), instead of datasketch's default sha1_hash32:
#: numpy computes it for every shingle of the corpus at once, where sha1 ran in Python
#: shingle by shingle and was most of a first run's time.
SHINGLE_HASH = "polynomial64-fmix64-high32"
_POLYNOMIAL = 0x100000001B3  # odd, so no code point's contribution is lost mod 2^64
_FMIX64 = (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53)
_MASK64 = 2**64 - 1
#: Characters of folded text hashed per numpy pass (8 bytes per character, three times):
#: large enough that numpy's cost per call is nothing, small enough to stay a few MB.
HASH_CHUNK_CHARS = 1_000_000
SIGNATURE_DTYPE = np.dtype("<u4")


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


def jaccard(a: set, b: set) -> float:
    """|a ∩ b| / |a ∪ b|, and 0.0 for two empty sets.

    >>> jaccard({"a", "b", "c"}, {"b", "c", "d"})
    0.5
    """
    if not a and not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


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


def shingle_hashes(texts: list[str], size: int, chunk_chars: int = HASH_CHUNK_CHARS) -> Iterator[list[int]]:
    """``shingle_hash`` of every shingle of each text (with repeats), a text at a time:
    the same values, computed by numpy over all the windows of about ``chunk_chars``
    characters of texts at once.

    >>> list(shingle_hashes(["统筹推进发", "同志们", ""], 5)) == [[shingle_hash("统筹推进发")], [shingle_hash("同志们")], []]
    True
    """
    chunk: list[str] = []
    chars = 0
    for text in texts:
        chunk.append(text)
        chars += len(text)
        if chars >= chunk_chars:
            yield from _shingle_hashes_of_chunk(chunk, size)
            chunk, chars = [], 0
    yield from _shingle_hashes_of_chunk(chunk, size)


def _shingle_hashes_of_chunk(texts: list[str], size: int) -> Iterator[list[int]]:
    points = np.frombuffer("".join(texts).encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    windows = max(len(points) - size + 1, 0)
    # in place: a temporary per operation held two more copies of the chunk's windows
    h = np.zeros(windows, dtype=np.uint64)
    for offset in range(size):  # uint64 arithmetic wraps: mod 2^64, as in shingle_hash
        h *= np.uint64(_POLYNOMIAL)
        h += points[offset:offset + windows]
    del points
    for multiplier in _FMIX64:
        h ^= h >> np.uint64(33)
        h *= np.uint64(multiplier)
    h ^= h >> np.uint64(33)
    h >>= np.uint64(32)
    start = 0
    for text in texts:
        if len(text) > size:  # windows that cross into the next text are skipped
            yield h[start:start + len(text) - size + 1].tolist()
        else:
            yield [shingle_hash(text)] if text else []
        start += len(text)


def text_signatures(texts: FoldedTexts, known: dict[str, np.ndarray], shingle_size: int, num_perm: int,
                    seed: int) -> tuple[np.ndarray, int]:
    """One MinHash signature per distinct folded text, shape (texts, num_perm), and how
    many were reused from ``known`` (folded sha1 → signature, from the previous index).

    Reuse is keyed on the folded text's sha1 alone: a signature depends on nothing else
    (given the settings the index was checked against), so a paragraph repeated by a new
    document reuses the signature of its published twin too.
    """
    out = np.empty((len(texts), num_perm), dtype=SIGNATURE_DTYPE)
    missing = []
    for k, digest in enumerate(texts.sha1):
        row = known.get(digest)
        if row is None:
            missing.append(k)
        else:
            out[k] = row
    # The hashes are computed ahead, so datasketch's hashfunc only has to take them as they are.
    generated = MinHash.generator(shingle_hashes([texts.folded(k) for k in missing], shingle_size),
                                  num_perm=num_perm, seed=seed, scheme=SCHEME, hashfunc=int)
    for k, minhash in zip(missing, generated):
        out[k] = minhash.hashvalues
    return out, len(out) - len(missing)


def union_signatures(signatures: np.ndarray, members: list[list[int]], num_perm: int) -> np.ndarray:
    """Per list of rows of ``signatures`` (a speech's paragraph texts), their element-wise
    minimum: the MinHash of the union of their shingle sets. An empty list gets the
    empty signature (all max)."""
    out = np.full((len(members), num_perm), np.iinfo(SIGNATURE_DTYPE).max, dtype=SIGNATURE_DTYPE)
    for s, rows in enumerate(members):
        if rows:
            out[s] = signatures[rows].min(axis=0)
    return out


def estimate(signatures: np.ndarray, a: int, b: int) -> float:
    """MinHash estimate of the Jaccard similarity of rows a and b: the share of equal values."""
    return float(np.count_nonzero(signatures[a] == signatures[b])) / signatures.shape[1]

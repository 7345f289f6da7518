"""Locality-sensitive hashing: candidate pairs of MinHash signatures.

Two signatures are candidates when they agree on every value of at least one band of
``rows`` values. Candidates are verified afterwards, so the banding is tuned for recall,
not precision.
"""

from __future__ import annotations

import itertools

import numpy as np

#: Probability that LSH proposes a pair whose Jaccard similarity is exactly the threshold.
LSH_RECALL_AT_THRESHOLD = 0.98


def lsh_bands(threshold: float, num_perm: int, recall: float = LSH_RECALL_AT_THRESHOLD) -> tuple[int, int]:
    """(bands, rows per band) for locality-sensitive hashing of ``num_perm``-value signatures.

    For a pair of Jaccard similarity J, some band agrees with probability
    1 - (1 - J^rows)^bands. This is the most rows per band (the fewest chance candidates)
    that still proposes a pair at exactly ``threshold`` with probability ``recall``.

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


def candidate_pairs(signatures: np.ndarray, threshold: float) -> np.ndarray:
    """Pairs (i, j), i < j, of rows that agree on every value of at least one LSH band;
    shape (n, 2), sorted.

    Banding is done here with numpy sorts rather than in datasketch's ``MinHashLSH``,
    which keeps Python dicts per band: same rule, a few bytes per signature and band.
    Each band is reduced to a 64-bit key; a key collision only adds a candidate, which
    the check that follows rejects.
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

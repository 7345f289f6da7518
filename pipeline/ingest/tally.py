"""Bounding the rejects of one file: past a threshold, one row stands for them all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TypeVar

from pipeline.records import Reject

T = TypeVar("T")

#: Rejected lines a summary row quotes, and how much of each one's detail.
EXAMPLES = 3
EXAMPLE_CHARS = 160


def bounded(results: Iterable[T | Reject], limit: int) -> Iterator[T | Reject]:
    """``results`` (one file's documents and rejects) with at most ``limit`` reject rows of
    lines, and never more than one row about the whole file.

    Everything that is not a reject passes through as it comes. The rejects are held, at
    most ``limit`` of them, and come last: all of them when there are no more than
    ``limit``; else one row (line ``None``, reason ``too_many_rejects``) whose detail
    counts them by reason and quotes the first ``EXAMPLES``. A reject of the whole file
    (line ``None``: a gzip stream that breaks off, a text that is not prose) keeps its
    reason and takes that count into its detail, so the file still has one such row.

    >>> rows = list(bounded([Reject("a.jsonl", n, "0" * 64, "malformed_record", "not JSON") for n in (1, 2, 3)], 2))
    >>> [(r.source_line, r.reason) for r in rows]
    [(None, 'too_many_rejects')]
    >>> rows[0].detail.split(". ")[0]
    '3 rejected lines, more than max_rejects_per_file (2); this row stands for them all'
    """
    held: list[Reject] = []
    counts: Counter[str] = Counter()
    whole_file: Reject | None = None
    for item in results:
        if not isinstance(item, Reject):
            yield item
        elif item.source_line is None:
            if whole_file is not None:  # a file has one; should a reader give two, none is lost
                yield whole_file
            whole_file = item
        else:
            counts[item.reason] += 1
            if len(held) < max(limit, EXAMPLES):
                held.append(item)
    total = sum(counts.values())
    if total <= limit:
        yield from held
        if whole_file is not None:
            yield whole_file
        return
    summary = (f"{total:,} rejected lines, more than max_rejects_per_file ({limit:,}); this row stands for them all. "
               "By reason: " + ", ".join(f"{reason} {n:,}" for reason, n in counts.most_common()) + ". The first: "
               + "; ".join(f"line {r.source_line} ({r.reason}): {_cut(r.detail)}" for r in held[:EXAMPLES]))
    if whole_file is not None:
        yield Reject(whole_file.source_path, None, whole_file.source_sha256, whole_file.reason,
                     f"{whole_file.detail}. Before that: {summary}")
    else:
        first = held[0]
        yield Reject(first.source_path, None, first.source_sha256, "too_many_rejects", summary)


def _cut(detail: str) -> str:
    return detail if len(detail) <= EXAMPLE_CHARS else detail[:EXAMPLE_CHARS - 1] + "…"

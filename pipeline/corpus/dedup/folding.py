"""Folding: the form paragraph texts are compared in.

Punctuation and spacing differ between copies of one speech for reasons that say nothing
about its content (page breaks, half-width commas on mirrors), and a name masked as
``xxx`` on one site is ``***`` or ``XX`` on another: a folded text keeps only Han
characters, Latin letters (lower case) and digits, with every placeholder as one
private-use character.
"""

from __future__ import annotations

import hashlib
import re
from typing import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.corpus.quality import PLACEHOLDER
from pipeline.text.chardata import HAN

#: What every placeholder (XX, ×××, ***, xxx, ____) folds to: one private-use character.
PLACEHOLDER_TOKEN = "\ue000"
_NOT_KEPT = re.compile(rf"[^{HAN}A-Za-z0-9{PLACEHOLDER_TOKEN}]+")
#: Every placeholder holds one of these; most paragraphs hold none, and skip the slow regex.
_PLACEHOLDER_CHARS = re.compile(r"[×Xx*_]")

#: What the folded texts of an index depend on: an index written under another ``fold``
#: has its folds and signatures recomputed.
FOLD_VERSION = hashlib.sha1(f"{PLACEHOLDER.pattern}\n{_NOT_KEPT.pattern}".encode()).hexdigest()[:12]

#: Texts folded per Arrow call.
_BATCH_ROWS = 50_000


def fold(text: str) -> str:
    """The form texts are compared in: placeholders as one token, only Han characters,
    Latin letters (lower case) and digits kept.

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

    Texts without a placeholder character are folded by Arrow, outside the interpreter;
    placeholders need lookarounds that Arrow's regex engine lacks, so the few texts that
    may hold one go through ``fold``.
    """
    texts = pa.chunked_array([texts]) if isinstance(texts, pa.Array) else texts
    for start in range(0, len(texts), _BATCH_ROWS):
        part = texts.slice(start, _BATCH_ROWS)
        folded = pc.utf8_lower(pc.replace_substring_regex(part, _NOT_KEPT.pattern, "")).to_pylist()
        maybe_placeholder = pc.fill_null(pc.match_substring_regex(part, _PLACEHOLDER_CHARS.pattern), False)
        rows = np.flatnonzero(maybe_placeholder.to_numpy(zero_copy_only=False))
        for row, raw in zip(rows.tolist(), part.take(rows).to_pylist()):
            folded[row] = fold(raw)
        yield from folded

"""How much of a report's text the pipeline kept: the reference body of a zh.wikisource
record, and the Han characters a cleaned text changed against it."""

from __future__ import annotations

import difflib
import re

from pipeline.text import normalize
from schemas.characters import HAN

FOOTER = "本作品是中华人民共和国的"
_HAN = re.compile(f"[{HAN}]")


def reference_body(content: str) -> str:
    """The report as published: the text before the licence footer, hyperlink line breaks
    joined, characters normalised."""
    body = content.split(FOOTER)[0]
    body = re.sub(r"(?<=[^\n])\n(?=[^\n])", "", body)
    return normalize.string(body)


def han_changes(reference: str, cleaned: str) -> tuple[int, int]:
    """(changed Han characters, Han characters in the reference)."""
    a, b = "".join(_HAN.findall(reference)), "".join(_HAN.findall(cleaned))
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return max(len(a), len(b)) - same, len(a)

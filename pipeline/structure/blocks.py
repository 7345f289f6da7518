"""Blocks: the paragraph-sized pieces of a speech body, page-break spaces removed.

A body is cut into blocks at newlines and at paragraph-boundary spaces; every other space
between Chinese characters is a page-break artefact and is removed (and recorded). A
space is a boundary when it follows sentence-final punctuation (。！？；…”), a heading, a
titled sub-lecture or a salutation (the rules of the seed's gold README). Text without
breaks is cut after an opening salutation and before a heading marker that continues its
numbering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.spans import Text
from pipeline.structure.outline import MAX_HEADING_CHARS, marker
from pipeline.text.chardata import DATE_LINE, DATE_START, SALUTATION, SENTENCE_END, SPEAKER_LINE, cn_number

#: Spaces that may be page breaks. The ideographic space (U+3000) is deliberate layout.
_SPACE_RUN = re.compile(r"[ \t\u00a0]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9%.]")
_INLINE_MARKER = re.compile(r"(?<=[。！？；])(?:([一二三四五六七八九十]+)、|（([一二三四五六七八九十]+)）)")


@dataclass(frozen=True)
class Block:
    """A paragraph-sized piece of a speech body; ``line`` when it is a whole line of text."""

    text: Text
    line: bool
    metadata: str | None = None  # "speaker" or "date" for a metadata line


def split(body: Text, lectures: set[str], page_breaks: list[tuple[int, int]]) -> list[Block]:
    """The blocks (headings and paragraphs) of a speech body, page-break spaces removed.

    ``page_breaks`` receives the source range of every space removed inside a block.
    Speaker and date lines come out whole and unjoined, marked as metadata.
    """
    out: list[Block] = []
    chars = body.chars
    lines = list(re.finditer(r"[^\n]+", chars))
    skip_to = -1
    for i, line in enumerate(lines):
        if line.start() < skip_to:
            continue
        content = line.group().strip()
        kind = "speaker" if SPEAKER_LINE.fullmatch(content) else "date" if DATE_LINE.fullmatch(content) else None
        end = line.end()
        if kind is None and i + 1 < len(lines) and DATE_START.match(content):
            # A date line the page broke in two: ``——2026年1月26日在…第十四届`` + ``人民代表大会…上``.
            joined = content + lines[i + 1].group().strip()
            if DATE_LINE.fullmatch(joined):
                kind, end, skip_to = "date", lines[i + 1].end(), lines[i + 1].end()
        if kind:
            out.append(Block(strip(body.slice(line.start(), end)), True, kind))
            continue
        start = line.start()
        first = len(out)
        joins: list[tuple[int, int]] = []
        for space in _SPACE_RUN.finditer(chars, line.start(), line.end()):
            s, e = space.span()
            left = chars[start:s].strip()
            if not left:
                start = e
                continue
            if e == line.end():
                break
            if _is_boundary(left, lectures):
                out.append(Block(_block(body, start, s, joins, page_breaks), False))
                start, joins = e, []
            elif not _keeps_space(chars[s - 1], chars[e]):
                joins.append((s, e))
        if chars[start:line.end()].strip():
            out.append(Block(_block(body, start, line.end(), joins, page_breaks), len(out) == first))
    return [piece for b in out for piece in _split_inline(b) if len(piece.text)]


def strip(text: Text) -> Text:
    """The text without leading and trailing whitespace (ideographic indents included)."""
    chars = text.chars
    left = len(chars) - len(chars.lstrip())
    right = len(chars.rstrip())
    return text.slice(left, max(left, right))


def _split_inline(block: Block) -> list[Block]:
    """A block cut where text without breaks hides structure (peiji, xiezuofangchengshi):
    after an opening salutation (``同志们：今天…``) and before a heading marker that follows
    a sentence end and continues its numbering (``…大局。二、突出工作重点…``)."""
    if block.metadata:
        return [block]
    chars = block.text.chars
    cuts = []
    salutation = SALUTATION.match(chars)
    if salutation and salutation.group().endswith(("：", ":")) and salutation.end() < len(chars):
        cuts.append(salutation.end())
    last: dict[str, int] = {}
    for m in _INLINE_MARKER.finditer(chars):
        kind = "cn" if m.group(1) else "paren_cn"
        number = cn_number(m.group(1) or m.group(2))
        if number == last.get(kind, 0) + 1:
            last[kind] = number
            cuts.append(m.start())
    if not cuts:
        return [block]
    bounds = [0, *cuts, len(chars)]
    return [Block(strip(block.text.slice(a, b)), False) for a, b in zip(bounds, bounds[1:]) if b > a]


def _keeps_space(before: str, after: str) -> bool:
    """A space that is neither a boundary nor a page break: between Latin words or
    numbers, or after a closing quote that ends a phrase, not a sentence
    (``践行“三严三实” 推行“四个全面”``)."""
    return bool(_ASCII_WORD.match(before) and _ASCII_WORD.match(after)) or before in "”’」』"


def _is_boundary(left: str, lectures: set[str]) -> bool:
    """Whether a space after the block text ``left`` ends the block.

    A closing quote ends a sentence only after sentence-final punctuation (``。”``).
    """
    if left[-1] in "”’」』":
        return len(left) > 1 and left[-2] in SENTENCE_END
    if left[-1] in SENTENCE_END:
        return True
    if SALUTATION.fullmatch(left) or left in lectures:
        return True
    return len(left) <= MAX_HEADING_CHARS and "。" not in left and marker(left) is not None


def _block(body: Text, start: int, end: int, joins: list[tuple[int, int]], page_breaks: list) -> Text:
    for s, e in joins:
        page_breaks.append(body.source_span(s, e))
    block = body.slice(start, end).delete([(s - start, e - start) for s, e in joins])
    return strip(block)

"""Character normalisation that keeps every offset: line ends, OpenCC, punctuation width.

The fixes run in the order of ``FIXES``. Each keeps the text's length or deletes
characters through ``Text.delete``, so every remaining character still knows its source
offset. None of them folds width the way NFKC or ftfy's defaults do: those turn
``，：；！？（）`` and the ideographic space into ASCII, which damages Chinese text.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

import numpy as np
import opencc

from pipeline.text.chardata import CHINESE_RE, HALF_TO_FULL, HAN_RE
from pipeline.errors import ConfigError
from pipeline.spans import Text


@dataclass(frozen=True)
class NormalizeConfig:
    """How characters are normalised.

    ``opencc_profile``: the OpenCC conversion to simplified. ``t2s`` converts characters
    and the few phrases OpenCC's standard marks as traditional; the phrase-level profiles
    (``tw2sp``, ``hk2sp``) rewrite vocabulary and damage already-simplified text, so they
    are not the default.
    """

    opencc_profile: str = "t2s"

    def __post_init__(self) -> None:
        valid = sorted(c.removesuffix(".json") for c in opencc.CONFIGS)
        if self.opencc_profile not in valid:
            raise ConfigError(f"unknown OpenCC profile {self.opencc_profile!r}; valid: {valid}")


@functools.cache
def make_converter(profile: str) -> opencc.OpenCC:
    """One OpenCC converter per profile and process: loading its dictionaries costs far more
    than converting a document."""
    return opencc.OpenCC(profile)


def line_ends(text: Text) -> Text:
    """The text with ``\\r\\n`` and lone ``\\r`` turned into ``\\n`` (offsets kept).

    >>> line_ends(Text.from_source("甲\\r\\n乙\\r丙")).chars
    '甲\\n乙\\n丙'
    """
    if "\r" not in text.chars:
        return text
    crlf = [(m.start(), m.start() + 1) for m in re.finditer("\r\n", text.chars)]
    text = text.delete(crlf)
    return text.replace_chars(text.chars.replace("\r", "\n"))


def simplified(text: Text, converter: opencc.OpenCC) -> Text:
    """The text converted by OpenCC, each character keeping the offset of the one it replaced.

    OpenCC's dictionaries map almost everything one to one. When a phrase changes length,
    the whole run of Han characters it belongs to is re-converted on its own and its
    characters share the run's source span, so offsets stay monotone.
    """
    converted = converter.convert(text.chars)
    if len(converted) == len(text.chars) and _only_han_changed(text.chars, converted):
        return text.replace_chars(converted) if converted != text.chars else text
    parts: list[Text] = []
    pos = 0
    for m in re.finditer(f"(?:{HAN_RE.pattern})+", text.chars):
        if m.start() > pos:
            parts.append(text.slice(pos, m.start()))
        run = text.slice(m.start(), m.end())
        out = converter.convert(run.chars)
        if len(out) == len(run):
            parts.append(run.replace_chars(out))
        else:
            start, end = run.source_span(0, len(run))
            spread = [start + (end - start) * i // max(len(out), 1) for i in range(len(out))]
            parts.append(Text(out, type(text.offsets)("q", spread)))
        pos = m.end()
    parts.append(text.slice(pos, len(text)))
    return Text.concat(parts)


def _differing(before: str, after: str) -> list[int]:
    """Indices where two equally long strings differ (vectorised: texts run to megabytes)."""
    a = np.frombuffer(before.encode("utf-32-le"), dtype=np.uint32)
    b = np.frombuffer(after.encode("utf-32-le"), dtype=np.uint32)
    return np.flatnonzero(a != b).tolist()


def _only_han_changed(before: str, after: str) -> bool:
    return all(HAN_RE.match(before[i]) and HAN_RE.match(after[i]) for i in _differing(before, after))


_HALF_WIDTH_RE = re.compile("[,:;!?()]")
_BRACKET_OR_LINE_RE = re.compile("[\n(（)）]")


def punctuation_width(s: str) -> str:
    """``s`` with half-width ``, : ; ! ? ( )`` made full-width where they stand in Chinese text.

    A mark is in Chinese text when the nearest non-space character on either side is Han
    or Chinese punctuation. Commas and colons between two digits (``1,000``, ``3:00``)
    stay; brackets convert in pairs so ``（G2G）`` never ends up half converted. The result
    has the same length, and applying it twice changes nothing.

    >>> punctuation_width("同志们: 我们(一)要抓好, 不能松懈!")
    '同志们： 我们（一）要抓好， 不能松懈！'
    >>> punctuation_width("GDP的4.6%, 约1,000亿; Hello, world (ok)")
    'GDP的4.6%， 约1,000亿； Hello, world (ok)'
    >>> punctuation_width("在(G2G)模式下")
    '在（G2G）模式下'
    """
    if not _HALF_WIDTH_RE.search(s):
        return s  # nothing half-width to convert (most clean text): skip the scans below
    chars = list(s)
    while True:
        convert = {i for i in _candidates(chars) if _in_chinese_context(chars, i)}
        convert |= _bracket_partners(chars, convert)
        if not convert:
            return "".join(chars)
        for i in convert:
            chars[i] = HALF_TO_FULL[chars[i]]


def _candidates(chars: list[str]) -> list[int]:
    return [m.start() for m in _HALF_WIDTH_RE.finditer("".join(chars))]


def _neighbour(chars: list[str], i: int, step: int) -> str:
    j = i + step
    while 0 <= j < len(chars) and chars[j] in " \t":
        j += step
    return chars[j] if 0 <= j < len(chars) else ""


def _in_chinese_context(chars: list[str], i: int) -> bool:
    left, right = _neighbour(chars, i, -1), _neighbour(chars, i, 1)
    if chars[i] in ",:" and left.isascii() and left.isdigit() and right.isascii() and right.isdigit():
        return False
    return bool(CHINESE_RE.match(left) or CHINESE_RE.match(right))


def _bracket_partners(chars: list[str], convert: set[int]) -> set[int]:
    """Indices of the matching bracket of every converted bracket (within one line)."""
    partners: set[int] = set()
    stack: list[int] = []
    for match in _BRACKET_OR_LINE_RE.finditer("".join(chars)):
        i, c = match.start(), match.group()
        if c == "\n":
            stack.clear()
        elif c in "(（":
            stack.append(i)
        elif c in ")）" and stack:
            j = stack.pop()
            open_full = chars[j] == "（" or j in convert
            close_full = chars[i] == "）" or i in convert
            if open_full != close_full:
                partners.add(i if open_full else j)
    return partners


def punctuation(text: Text) -> Text:
    """``punctuation_width`` on a ``Text`` (the mapping is one to one, so offsets stay)."""
    fixed = punctuation_width(text.chars)
    return text if fixed == text.chars else text.replace_chars(fixed)


def converted_han(before: str, after: str) -> int:
    """How many Han characters OpenCC changed between ``before`` and ``after``.

    >>> converted_han("打贏了，", "打赢了，")
    1
    """
    if len(before) == len(after):
        return sum(1 for i in _differing(before, after) if HAN_RE.match(before[i]))
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)  # a phrase changed length
    return sum(i2 - i1 for op, i1, i2, _, _ in matcher.get_opcodes() if op != "equal")


def characters(text: Text, config: NormalizeConfig = NormalizeConfig()) -> Text:
    """The text after every character fix, in order: line ends, OpenCC, punctuation width."""
    text = line_ends(text)
    text = simplified(text, make_converter(config.opencc_profile))
    return punctuation(text)


def string(s: str, config: NormalizeConfig = NormalizeConfig()) -> str:
    """``characters`` on a plain string, for callers that do not need offsets.

    >>> string("打贏脱贫攻坚战, 决战决胜!")
    '打赢脱贫攻坚战， 决战决胜！'
    """
    return characters(Text.from_source(s), config).chars

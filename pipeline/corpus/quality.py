"""Measuring text, then deciding: the prose gate, placeholders and paragraph flags.

Scores are computed first (``stats``), thresholds live in ``QualityConfig``, and the
decisions are small separate functions, so a threshold can be tuned without touching
the measurements. Lengths are in code points: one Chinese character counts one.

Content-level corruption (spun synonyms, machine translation, summaries in place of the
speech) is flagged, never "repaired".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.text.chardata import HAN, SENTENCE_END

#: Placeholders of templates and masking (noise catalogue §2.1): ×××, XX月, xx, 20xx年,
#: 202x, ***, ____. They stand for names, dates and places and are kept as written.
PLACEHOLDER = re.compile(
    r"×{1,3}\*?"
    r"|(?<![A-Za-z])X{1,3}(?![A-Za-z])"
    r"|(?<![A-Za-z0-9])x{2,3}(?![A-Za-z])"
    r"|20[0-9]?[xX*]{1,2}(?=[ \u3000]?年)"
    r"|\*{2,3}"
    r"|_{2,}"
)

_HAN_RE = re.compile(f"[{HAN}]")
#: Openings of an editor's note or an auto-written summary standing in for the speech.
_SUMMARY = re.compile(r"编者按|(?:内容)?摘要[：:]|《[^》\n]{2,80}》(?:一文)?(?:讲解了|阐述了|介绍了|主要讲|围绕|从.{1,10}方面)")
_LATIN_RE = re.compile(r"[A-Za-z]")
_SPACE_RE = re.compile(r"\s")


@dataclass(frozen=True)
class QualityConfig:
    """Thresholds of the prose gate.

    ``min_han_ratio_document``: below this share of Han characters among non-space
    characters a whole document is not Chinese prose (binary junk, an English page, a
    PPT whose punctuation became spaces); it becomes a ``not_prose`` reject.
    ``min_han_ratio_paragraph``: below this a paragraph is flagged ``not_prose``.
    ``min_latin_ratio_foreign``: at or above this share of Latin letters a paragraph is
    flagged ``foreign_language`` (appended machine translations).
    ``min_chars``: texts shorter than this are too short to judge.
    """

    min_han_ratio_document: float = 0.2
    min_han_ratio_paragraph: float = 0.3
    min_latin_ratio_foreign: float = 0.6
    min_chars: int = 20


@dataclass(frozen=True)
class Stats:
    """Measurements of a text (over non-space characters)."""

    chars: int
    han_ratio: float
    latin_ratio: float


def stats(text: str) -> Stats:
    """Han and Latin shares of the non-space characters.

    >>> stats("统筹推进 GDP")
    Stats(chars=7, han_ratio=0.5714285714285714, latin_ratio=0.42857142857142855)
    """
    chars = len(text) - len(_SPACE_RE.findall(text))
    if not chars:
        return Stats(0, 0.0, 0.0)
    return Stats(chars, len(_HAN_RE.findall(text)) / chars, len(_LATIN_RE.findall(text)) / chars)


def is_prose_document(s: Stats, config: QualityConfig = QualityConfig()) -> bool:
    """Whether a cleaned document is Chinese prose worth segmenting."""
    return s.chars < config.min_chars or s.han_ratio >= config.min_han_ratio_document


def paragraph_flags(text: str, config: QualityConfig = QualityConfig()) -> list[str]:
    """The content flags of a paragraph: not_prose, foreign_language, summary.

    >>> paragraph_flags("Comrades: The work session of the provincial government is held today.")
    ['foreign_language']
    >>> paragraph_flags("编者按：本文主要从三个方面进行阐述。")
    ['summary']
    >>> paragraph_flags("《在市安委办安全生产调度会议上的讲话》讲解了当前全市安全生产形势。")
    ['summary']
    """
    flags = []
    s = stats(text)
    if s.chars >= config.min_chars:
        if s.latin_ratio >= config.min_latin_ratio_foreign:
            flags.append("foreign_language")
        elif s.han_ratio < config.min_han_ratio_paragraph:
            flags.append("not_prose")
    if _SUMMARY.match(text):
        flags.append("summary")
    return flags


def placeholders(text: str) -> list[str]:
    """Placeholders in ``text``, as written and in order.

    >>> placeholders("XX同志在20xx年×××会议上指出，GDP增长XX%，***总书记")
    ['XX', '20xx', '×××', 'XX', '***']
    """
    return PLACEHOLDER.findall(text)


def ends_sentence(text: str) -> bool:
    """Whether the text ends with sentence-final punctuation (closing quotes/brackets allowed)."""
    stripped = text.rstrip("”’」）)》】")
    return bool(stripped) and (stripped[-1] in SENTENCE_END or text[-1] in "”」")

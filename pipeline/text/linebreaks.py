"""Line breaks inside sentences: found so the sentence reads whole again.

Each finder returns the breaks to remove as ``detect.Span`` tuples (kind ``line_wrap``),
like a detector; ``clean.document`` runs them after the detectors, and never across a cut
a rule or detector left. A break around a heading, a salutation, a speaker or a date line
is structure and stays.
"""

from __future__ import annotations

import functools
import re

from pipeline.text.chardata import DATE_LINE, SALUTATION, SENTENCE_END, SPEAKER_LINE
from pipeline.text.detect import Span
from schemas.characters import HAN


def layout_wraps(chars: str) -> list[Span]:
    """Line breaks the layout put inside sentences.

    Two layouts need it. Wikisource-style text separates paragraphs with blank lines, so a
    single newline is a former hyperlink (``劉少奇同志\\n關於憲法草案的報告\\n並進行了``).
    PDF text breaks at a fixed width: five or more consecutive lines of the same length
    (±1) that do not end a sentence. Text with one paragraph per line is left alone.

    >>> [start for start, *_ in layout_wraps("甲乙\\n丙丁。\\n\\n戊己\\n庚。\\n\\n辛。")]
    [2, 10]
    """
    spans: list[Span] = []
    single = list(re.finditer(r"(?<=[^\n])\n(?=[^\n])", chars))
    blank = len(re.findall(r"(?<=[^\n])\n\s*\n(?=[^\n])", chars))
    if blank >= 2 and blank >= 0.2 * len(single):
        for m in single:
            if not _ends_sentence(chars, m.start()) and not _keeps_line_break(chars, m.start(), m.end()):
                spans.append((m.start(), m.end(), "line_wrap", "single_newline_in_paragraph", False))
    lines = list(re.finditer(r"[^\n]+", chars))
    run: list[re.Match] = []
    for line in lines + [None]:
        if line is not None and run and abs(len(line.group()) - len(run[0].group())) <= 1 and _is_next_line(run[-1], line):
            run.append(line)
            continue
        if len(run) >= 5:
            # The last full-width line wraps into the paragraph's shorter last line too.
            for wrapped in run:
                if wrapped.end() < len(chars) and chars[wrapped.end()] == "\n" and not _ends_sentence(chars, wrapped.end()):
                    spans.append((wrapped.end(), wrapped.end() + 1, "line_wrap", "fixed_width_wrap", False))
        run = [line] if line is not None and len(line.group()) >= 10 else []
    return spans


def sentence_breaks(chars: str) -> list[Span]:
    """Line breaks a PDF left in the middle of a word or sentence, in text that otherwise
    has one paragraph per line (``党中央反复\\n强调``, ``中国\\n共产党``, ``社\\n会主义``).

    A break is joined when its line does not end a sentence, is not a heading, speaker or
    date line, and either stops after a comma (the sentence is unfinished) or a word of
    jieba's dictionary spans the break. Headings without punctuation stay on their line.
    """
    spans: list[Span] = []
    for m in re.finditer(rf"(?<=[{HAN}，、])\n(?=[{HAN}])", chars):
        line_start = chars.rfind("\n", 0, m.start()) + 1
        line = chars[line_start:m.start()]
        if _ends_sentence(chars, m.start()) or _keeps_line_break(chars, m.start(), m.end()):
            continue
        tail = line[max(line.rfind(c) for c in "。！？；") + 1:] if any(c in line for c in "。！？；") else line
        if "，" in tail or "、" in tail or _word_spans(chars, line_start, m.start(), m.end()):
            spans.append((m.start(), m.end(), "line_wrap", "break_inside_sentence", False))
    return spans


def _word_spans(chars: str, line_start: int, before: int, after: int) -> bool:
    """Whether a word of the dictionary runs across the break ``chars[before:after]``.

    Only asked when nothing else decides, so a document without such a break never pays
    for loading the dictionary (a small build would otherwise pay it for nothing)."""
    left, right = chars[max(line_start, before - 3):before], chars[after:after + 3]
    words = trusted_words()
    return any(left[-i:] + right[:j] in words for i in range(1, len(left) + 1) for j in range(1, len(right) + 1)
               if i + j >= 2)


@functools.cache
def trusted_words() -> frozenset[str]:
    """Words of jieba's main dictionary seen often enough to trust (frequency ≥ 100).

    Read from the dictionary file (``word frequency [tag]`` lines), as jieba reads it:
    far cheaper than building a jieba tokenizer in a worker that segments with rjieba."""
    import jieba

    words = set()
    with jieba.get_dict_file() as lines:
        for line in lines:
            word, frequency = line.decode("utf-8").split(" ")[:2]
            if len(word) >= 2 and int(frequency) >= 100:
                words.add(word)
    return frozenset(words)


def _is_next_line(previous: re.Match, line: re.Match) -> bool:
    return line.start() == previous.end() + 1


def _ends_sentence(chars: str, end: int) -> bool:
    before = chars[:end].rstrip()
    return not before or before[-1] in SENTENCE_END or before[-1] in "：:"


_HEADING_START = re.compile(r"[ \t\u3000]*(?:[一二三四五六七八九十百]+、|（[一二三四五六七八九十百]+）|第[一二三四五六七八九十百]+[章节])")


def _keeps_line_break(chars: str, before: int, after: int) -> bool:
    """A break that is structure, not a wrap: around a heading, a salutation, a speaker or
    date line."""
    previous = chars[chars.rfind("\n", 0, before) + 1:before].strip()
    following = chars[after:(chars.find("\n", after) + 1 or len(chars) + 1) - 1].strip()
    if _HEADING_START.match(previous) or _HEADING_START.match(following):
        return True
    return any(p.fullmatch(line) for p in (SALUTATION, SPEAKER_LINE, DATE_LINE) for line in (previous, following))

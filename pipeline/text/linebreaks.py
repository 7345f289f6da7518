"""Line breaks inside sentences: found so the sentence reads whole again.

Each finder returns the breaks to remove as ``detect.Span`` tuples (kind ``line_wrap``),
like a detector; ``clean.document`` runs them after the detectors, and never across a cut
a rule or detector left. A break around a heading, a salutation, a speaker or a date line
is structure and stays.

A break is joined only on evidence of wrapping (issue 19, point 1): lines of one width
(``layout_wraps``), a word of the dictionary across the break, a line that starts with a
mark no line can start with, or, where indentation marks the paragraphs, a line without
indentation inside an indented paragraph. A line that merely lacks a full stop (a toast
line ending in ，, a salutation line, a subhead) is no evidence: it keeps its break.
"""

from __future__ import annotations

import functools
import re

from pipeline.text.chardata import (DATELINE, MAX_ORDINAL_HEADING_CHARS, MAX_SUBHEAD_CHARS, ORDINAL_OPENING, SALUTATION,
                                    SENTENCE_END, SENTENCE_STOP, SUBTITLE_LINE, couplet, date_line,
                                    ordinals_in_sequence, sibling_frames, speaker_parts)
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
    """Line breaks a PDF, an export or a wrapper left in the middle of a sentence.

    Three kinds of evidence, each a rule:

    - ``line_starts_with_punctuation``: the next line starts with ，、。；：！？ or a closing
      bracket or quote, which no line of text starts with (``…五十二个\\n，完工十九个。``);
    - ``unindented_continuation``: the text marks paragraphs by indentation (U+3000 or
      spaces), the break is inside an indented paragraph that has not ended its sentence,
      and the next line is not indented (``充分发挥好\\n基层党组织战斗堡垒作用\\n和…``); a short
      unpunctuated line followed by an indented one is a subhead unless a word runs
      across the break;
    - ``break_inside_sentence``: a word of jieba's dictionary spans the break (``中国\\n共产党``,
      ``社\\n会主义``);
    - ``clause_cut``: the line's last sentence has a comma and stops on a character
      without a mark, so the sentence goes on (``党的十八大以来，党中央反复\\n强调，…``).

    A break after a sentence end, around a heading, salutation, speaker or date line, after
    a part heading opening with an ordinal (``_ordinal_heading_lines``), or indented on the
    next line stays.
    """
    spans: list[Span] = []
    lines = list(re.finditer(r"[^\n]*", chars))
    lines = [m for m in lines if m.start() == 0 or chars[m.start() - 1] == "\n"]
    indented = _indented_layout([m.group() for m in lines])
    part_headings = _ordinal_heading_lines([m.group() for m in lines])
    subhead_frames = _subhead_frames(lines)
    in_paragraph = False
    for i, line in enumerate(lines):
        raw = line.group()
        if not raw.strip():
            in_paragraph = False
            continue
        starts_indented = _INDENT.match(raw) is not None
        if i == 0 or not lines[i - 1].group().strip():
            in_paragraph = starts_indented
            continue
        before, after = line.start() - 1, line.start()
        previous = lines[i - 1]
        if _LINE_START_PUNCTUATION.match(raw):
            end = after + len(raw) - len(raw.lstrip(" \t\u3000"))
            spans.append((before, end, "line_wrap", "line_starts_with_punctuation", False))
            continue
        if starts_indented:
            in_paragraph = True
            continue
        if _ends_sentence(chars, before) or _keeps_line_break(chars, before, after) or i - 1 in part_headings:
            in_paragraph = False
            continue
        left_han = HAN_RE.match(chars[before - 1]) is not None and HAN_RE.match(raw[0]) is not None
        if indented:
            # Unindented lines outside a paragraph are titles, headings and metadata lines:
            # a word across their break is a coincidence, not evidence.
            following = lines[i + 1].group() if i + 1 < len(lines) else ""
            subhead = (_reads_as_short_line(raw.strip()) and _INDENT.match(following) is not None
                       and not (left_han and _word_spans(chars, previous.start(), before, after)))
            if in_paragraph and not subhead:
                spans.append((before, after, "line_wrap", "unindented_continuation", False))
                continue
            in_paragraph = False
            continue
        in_paragraph = False
        if _stands_with_siblings(chars, lines, i - 1, subhead_frames):
            continue  # ``做工作上有本事的人`` + ``本领不是…`` holds 人本, but its siblings stand alone
        if couplet(previous.group().strip()) and _ends_sentence(chars, max(0, previous.start() - 1)):
            continue  # a subhead of two parallel clauses (``读有字之书，也读无字之书``), no clause cut
        if _balanced_phrases(previous.group().strip()):
            continue  # a subhead of phrases of one length (``严律己 作表率``): no wrapped line ends so
        if left_han and _cut_clause(previous.group()):
            spans.append((before, after, "line_wrap", "clause_cut", False))
        elif left_han and _word_spans(chars, previous.start(), before, after):  # last: it loads the dictionary
            spans.append((before, after, "line_wrap", "break_inside_sentence", False))
    return spans


def _ordinal_heading_lines(lines: list[str]) -> set[int]:
    """Indices of part headings that open with an ordinal and hold a comma
    (``第一，统一思想，充分认清防汛形势的严峻性``): short lines without a sentence end, each
    after a line that ends one, two or more numbered in sequence. A lone line of that shape
    may be a sentence cut after a clause (``_cut_clause``); parts numbered one after the
    other are structure.

    >>> sorted(_ordinal_heading_lines(["开场。", "第一，统一思想，认清形势", "正文。", "第二，压实责任，落实措施", "正文。"]))
    [1, 3]
    """
    openings = []
    for i, raw in enumerate(lines):
        line = raw.strip()
        previous = lines[i - 1].strip() if i else ""
        if (ORDINAL_OPENING.match(line) and len(line) <= MAX_ORDINAL_HEADING_CHARS and HAN_RE.match(line[-1])
                and not any(c in SENTENCE_STOP for c in line) and (not previous or previous[-1] in SENTENCE_END + "：:")):
            openings.append((i, line))
    return ordinals_in_sequence(openings)


def _subhead_frames(lines: list[re.Match]) -> dict[int, list[list[int]]]:
    """Short unpunctuated lines (up to ``MAX_SUBHEAD_CHARS``) that stand after a
    sentence end before a longer line, by index, with the frames they share with other such
    lines (``sibling_frames``: ``做政治上靠得住的人`` … ``做工作上有本事的人``). Read from the text alone; ``_stands_with_siblings`` decides.

    >>> text = "开场。\\n做政治上靠得住的人\\n对党忠诚是第一品质。\\n做工作上有本事的人\\n本领不是天生的，是干出来的。"
    >>> _subhead_frames(list(re.finditer("[^\\n]+", text)))
    {1: [[1, 3]], 3: [[1, 3]]}
    """
    frames: dict[str, list[int]] = {}
    for i in range(1, len(lines) - 1):
        line, previous, following = (lines[k].group().strip() for k in (i, i - 1, i + 1))
        if (_reads_as_short_line(line) and len(line) <= MAX_SUBHEAD_CHARS
                and previous[-1:] in tuple(SENTENCE_END) and len(following) > len(line)):
            for frame in sibling_frames(line):
                frames.setdefault(frame, []).append(i)
    shared: dict[int, list[list[int]]] = {}
    for members in frames.values():
        if len(members) >= 2:
            for i in members:
                shared.setdefault(i, []).append(members)
    return shared


def _stands_with_siblings(chars: str, lines: list[re.Match], i: int, frames: dict[int, list[list[int]]]) -> bool:
    """Whether line ``i`` is a subhead by its siblings: two lines of one of its frames
    (``_subhead_frames``) have no word of the dictionary across their break, so a word
    across this one's is chance. A page break does not fall so twice in one frame."""
    return any(sum(not _word_spans(chars, lines[k].start(), lines[k].end(), lines[k + 1].start()) for k in members) >= 2
               for members in frames.get(i, []))


def _cut_clause(line: str) -> bool:
    """A line whose last sentence has a comma in it and stops on a character, without a
    mark: a sentence cut at the line end (``党的十八大以来，党中央反复`` + ``强调，…``).
    Subheads have no comma, and toast and salutation lines end on their comma."""
    tail = re.split(r"[。！？；]", line.strip())[-1]
    return "，" in tail and not _HEADING_START.match(line)


#: Indentation at a line start: an ideographic space, or two or more spaces or a tab.
_INDENT = re.compile(r"\u3000|[ \u00a0]{2,}|\t")
#: Marks that close or continue a sentence: no line of text starts with one.
_LINE_START_PUNCTUATION = re.compile(r"[ \t\u3000]*[，、。；：！？）」』”,;:!?)]")
HAN_RE = re.compile(f"[{HAN}]")


def _indented_layout(lines: list[str]) -> bool:
    """Whether indentation marks the paragraphs: at least two indented lines, and at least
    a third of the non-empty lines after the first."""
    body = [line for line in lines[1:] if line.strip()]
    indented = sum(1 for line in body if _INDENT.match(line))
    return indented >= 2 and indented * 3 >= len(body)


_PHRASES = re.compile(f"[{HAN}]{{2,8}}(?: [{HAN}]{{2,8}})+")


def _balanced_phrases(line: str) -> bool:
    """A line of two or more Han phrases of one length, one space apart (``严律己 作表率``,
    ``守初心 担使命 找差距 抓落实``): a subhead or a slogan, whole on its line."""
    return _PHRASES.fullmatch(line) is not None and len({len(p) for p in line.split(" ")}) == 1


def _reads_as_short_line(line: str) -> bool:
    """A short line without sentence punctuation: a subhead, a kicker, a name."""
    return 0 < len(line) <= 30 and not any(c in line for c in "。！？；：，、,;:!?")


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
    """Words of jieba's main dictionary seen often enough to trust (frequency ≥ 100)."""
    return frozenset(_trusted_tags())


def word_tag(word: str) -> str | None:
    """The part of speech jieba's dictionary gives a trusted word (``n``, ``v``, ``c``,
    ``p``…), or None for a word it does not trust."""
    return _trusted_tags().get(word)


def is_idiom(word: str) -> bool:
    """Whether ``word`` is a four-character idiom or set phrase of jieba's dictionary (tag
    ``i`` or ``l``), however rare in its counts (``大有可为``): a whole unit of meaning."""
    return word in _idioms()


@functools.cache
def _idioms() -> frozenset[str]:
    import jieba

    found = set()
    with jieba.get_dict_file() as lines:
        for line in lines:
            word, _, *tag = line.decode("utf-8").split()
            if len(word) == 4 and tag and tag[0] in ("i", "l"):
                found.add(word)
    return frozenset(found)


@functools.cache
def _trusted_tags() -> dict[str, str]:
    """Trusted words (two characters or more, frequency ≥ 100) and their tags.

    Read from the dictionary file (``word frequency [tag]`` lines), as jieba reads it:
    far cheaper than building a jieba tokenizer in a worker that segments with rjieba."""
    import jieba

    tags = {}
    with jieba.get_dict_file() as lines:
        for line in lines:
            word, frequency, *tag = line.decode("utf-8").split()
            if len(word) >= 2 and int(frequency) >= 100:
                tags[word] = tag[0] if tag else ""
    return tags


def _is_next_line(previous: re.Match, line: re.Match) -> bool:
    return line.start() == previous.end() + 1


def _ends_sentence(chars: str, end: int) -> bool:
    before = chars[:end].rstrip()
    return not before or before[-1] in SENTENCE_END or before[-1] in "：:"


_HEADING_START = re.compile(r"[ \t\u3000]*(?:[一二三四五六七八九十百]+、|（[一二三四五六七八九十百]+）|第[一二三四五六七八九十百]+[章节])")


def _keeps_line_break(chars: str, before: int, after: int) -> bool:
    """A break that is structure, not a wrap: around a heading, a salutation, a speaker or
    date line, a dateline or a subtitle."""
    previous = chars[chars.rfind("\n", 0, before) + 1:before].strip()
    following = chars[after:(chars.find("\n", after) + 1 or len(chars) + 1) - 1].strip()
    if _HEADING_START.match(previous) or _HEADING_START.match(following):
        return True
    return any(SALUTATION.fullmatch(line) or speaker_parts(line) or date_line(line) or DATELINE.match(line)
               or SUBTITLE_LINE.fullmatch(line) for line in (previous, following))

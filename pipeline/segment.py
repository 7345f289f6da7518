"""Splitting a cleaned document into speeches, sections and paragraphs.

Speeches come from the table of contents (each entry heads its speech in the body), or
the whole document is one speech. Inside a speech the text is cut into blocks at
newlines and at paragraph-boundary spaces; every other space between Chinese characters
is a page-break artefact and is removed (and recorded). A space is a boundary when it
follows sentence-final punctuation (。！？；…”), a heading, a titled sub-lecture or a
salutation (the rules of the seed's gold README).

Headings are 公文 markers (一、 （一） 第一章 第一节 （1） ①) at the start of a block, or the
titles of sub-lectures numbered 一/二/三 inside a compilation. Levels come from the order
in which marker kinds first appear, the way an outline works: the first kind seen is
level 1, a new kind nests one deeper, and a kind already open closes everything below it.
A marker only counts when its number continues its kind's sequence, so a stray ``三、``
inside running text does not open a section.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from pipeline.chardata import SENTENCE_END, cn_number
from pipeline.spans import Text

#: Marker kinds: (kind, regex at the start of a block). The regex's group 1 is the number.
MARKERS: tuple[tuple[str, re.Pattern], ...] = (
    ("chapter", re.compile(r"第([一二三四五六七八九十百]+)章")),
    ("jie", re.compile(r"第([一二三四五六七八九十百]+)节")),
    ("cn", re.compile(r"([一二三四五六七八九十百]+)、")),
    ("paren_cn", re.compile(r"（([一二三四五六七八九十百]+)）")),
    ("paren_arabic", re.compile(r"（([0-9]{1,2})）")),
    ("circled", re.compile(r"([①-⑳])")),
)

#: Salutations after which a space is a paragraph boundary (gold README).
SALUTATION = re.compile(r"(同志们|各位代表|各位委员|各位同志|同事们|朋友们|女士们、先生们|各位领导)[：:，]?")

#: A standalone heading longer than this is taken for running text.
MAX_HEADING_CHARS = 100

#: Spaces that may be page breaks. The ideographic space (U+3000) is deliberate layout.
_SPACE_RUN = re.compile(r"[ \t\u00a0]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9%.]")
_NUMERAL_TAIL = re.compile(r"([一二三四五六七八九十])$")
_LECTURE_CANDIDATE = re.compile(rf"[^\s，。！？；：、“”（）]{{3,40}}")

#: Genre keywords. A title's head noun comes last (关于政府工作报告的决议 is a 决议), so the
#: keyword that ends latest wins; on a tie the earlier entry does.
GENRES: tuple[tuple[str, re.Pattern], ...] = (
    ("党课讲稿", re.compile("党课(?:讲稿)?")),
    ("工作报告", re.compile("工作报告|政府工作报告")),
    ("致辞", re.compile("致辞|贺词|致词")),
    ("决议", re.compile("决议")),
    ("发言", re.compile("发言")),
    ("讲话", re.compile("讲话|讲稿")),
    ("报告", re.compile("报告")),
)


@dataclass(frozen=True)
class Heading:
    """A section heading: its outline position and the text it covers."""

    kind: str
    number: int
    marker: str
    title: str
    run_in: bool
    level: int
    parent: int | None  # index of the parent heading in the speech's heading list
    text: Text  # the heading as it stands, marker and closing 。 included


@dataclass(frozen=True)
class Paragraph:
    """A paragraph and the heading it falls under (index into the speech's headings)."""

    text: Text
    section: int | None


@dataclass
class SpeechDraft:
    """A speech before ids and tokens: title, headings, paragraphs and its whole text."""

    title: str | None
    title_text: Text | None
    body: Text
    headings: list[Heading] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Segmented:
    """A document's speeches, how they were found, and the page-break spaces removed."""

    speeches: list[SpeechDraft]
    method: str  # "toc" or "single"
    page_breaks: list[tuple[int, int]]  # source ranges of removed spaces


def genre(title: str | None) -> str | None:
    """The genre a title names, or None.

    >>> genre("党课讲稿：学习统筹推进疫情防控和脱贫攻坚"), genre("在全市电视电话会议上的讲话"), genre("汇编")
    ('党课讲稿', '讲话', None)
    """
    if not title:
        return None
    found = [(m.end(), -rank, name) for rank, (name, pattern) in enumerate(GENRES) for m in pattern.finditer(title)]
    return max(found)[2] if found else None


def document(text: Text, toc_titles: list[str], title: str | None) -> Segmented:
    """The speeches of a cleaned document, from its TOC titles when they head the body."""
    starts = _title_positions(text.chars, toc_titles)
    page_breaks: list[tuple[int, int]] = []
    drafts: list[SpeechDraft] = []
    if starts:
        method = "toc"
        preamble = text.slice(0, starts[0][1])
        if preamble.chars.strip():
            drafts.append(_speech(None, None, preamble, page_breaks))
        for i, (speech_title, start, end) in enumerate(starts):
            stop = starts[i + 1][1] if i + 1 < len(starts) else len(text)
            drafts.append(_speech(speech_title, text.slice(start, end), text.slice(end, stop), page_breaks))
    else:
        method = "single"
        drafts.append(_speech(title, None, text, page_breaks))
    return Segmented(drafts, method, page_breaks)


def _title_positions(chars: str, titles: list[str]) -> list[tuple[str, int, int]]:
    """Where each TOC title stands alone in the body, in TOC order; missing ones are skipped."""
    found, pos = [], 0
    for title in titles:
        m = re.compile(rf"(?:^|(?<=\s)){re.escape(title)}(?=\s|$)").search(chars, pos)
        if m:
            found.append((title, m.start(), m.end()))
            pos = m.end()
    return found


def _speech(title: str | None, title_text: Text | None, body: Text, page_breaks: list) -> SpeechDraft:
    draft = SpeechDraft(title=title, title_text=title_text, body=body)
    lectures = lecture_titles(body.chars)
    outline = _Outline()
    for block in blocks(body, lectures, page_breaks):
        draft.lines.append(block.chars)
        heading = outline.heading(block, lectures)
        if heading is None:
            draft.paragraphs.append(Paragraph(block, outline.current))
            continue
        draft.headings.append(heading)
        rest = block.slice(len(heading.text), len(block))
        rest = _strip(rest)
        if len(rest):
            draft.paragraphs.append(Paragraph(rest, outline.current))
    return draft


def lecture_titles(chars: str) -> set[str]:
    """Titles of sub-lectures numbered in sequence: ``讲稿一``, ``讲稿二``, ``讲稿三``.

    A candidate is the first word of a block (the text before its first space) with no
    punctuation, ending in a Chinese numeral. Candidates sharing the part before the
    numeral and numbered 一, 二, … without a gap are titles; a lone one is not.

    >>> sorted(lecture_titles("党课讲稿一 正文。 党课讲稿二 正文。"))
    ['党课讲稿一', '党课讲稿二']
    >>> lecture_titles("坚持党的集中统一 领导。")
    set()
    """
    groups: dict[str, dict[int, str]] = defaultdict(dict)
    for start in _block_starts(chars):
        m = _LECTURE_CANDIDATE.match(chars, start)
        if not m or (m.end() < len(chars) and not chars[m.end()].isspace()):
            continue
        word = m.group()
        tail = _NUMERAL_TAIL.search(word)
        if tail and not any(p.match(word) for _, p in MARKERS):
            groups[word[:-1]].setdefault(cn_number(tail.group(1)), word)
    titles: set[str] = set()
    for numbered in groups.values():
        run = 0
        while run + 1 in numbered:
            run += 1
        if run >= 2:
            titles.update(numbered[n] for n in range(1, run + 1))
    return titles


def _block_starts(chars: str) -> list[int]:
    """Positions that certainly start a block: text start, after a newline or a sentence end + space."""
    starts = [m.end() for m in re.finditer(rf"(?:^|\n|[{SENTENCE_END}])[ \t\u00a0\u3000]*", chars)]
    return [s for s in starts if s < len(chars)]


def blocks(body: Text, lectures: set[str], page_breaks: list[tuple[int, int]]) -> list[Text]:
    """The blocks (headings and paragraphs) of a speech body, page-break spaces removed.

    ``page_breaks`` receives the source range of every space removed inside a block.
    """
    out: list[Text] = []
    chars = body.chars
    for line in re.finditer(r"[^\n]+", chars):
        start = line.start()
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
                out.append(_block(body, start, s, joins, page_breaks))
                start, joins = e, []
            elif not (_ASCII_WORD.match(chars[s - 1]) and _ASCII_WORD.match(chars[e])):
                joins.append((s, e))
        if chars[start:line.end()].strip():
            out.append(_block(body, start, line.end(), joins, page_breaks))
    return [b for b in out if len(b)]


def _is_boundary(left: str, lectures: set[str]) -> bool:
    """Whether a space after the block text ``left`` ends the block."""
    if left[-1] in SENTENCE_END:
        return True
    if SALUTATION.fullmatch(left) or left in lectures:
        return True
    return len(left) <= MAX_HEADING_CHARS and "。" not in left and _marker(left) is not None


def _block(body: Text, start: int, end: int, joins: list[tuple[int, int]], page_breaks: list) -> Text:
    for s, e in joins:
        page_breaks.append(body.source_span(s, e))
    block = body.slice(start, end).delete([(s - start, e - start) for s, e in joins])
    return _strip(block)


def _strip(text: Text) -> Text:
    """The text without leading and trailing whitespace (ideographic indents included)."""
    chars = text.chars
    left = len(chars) - len(chars.lstrip())
    right = len(chars.rstrip())
    return text.slice(left, max(left, right))


def _marker(chars: str) -> tuple[str, int, str] | None:
    """``(kind, number, marker)`` of a heading marker at the start of ``chars``."""
    for kind, pattern in MARKERS:
        m = pattern.match(chars)
        if m:
            raw = m.group(1)
            number = int(raw) if raw.isdigit() else cn_number(raw) if kind != "circled" else ord(raw) - ord("①") + 1
            if number:
                return kind, number, m.group()
    return None


class _Outline:
    """The stack of open heading kinds of one speech, with the last number of each."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, int, int]] = []  # (kind, number, heading index)
        self.count = 0

    @property
    def current(self) -> int | None:
        return self.stack[-1][2] if self.stack else None

    def heading(self, block: Text, lectures: set[str]) -> Heading | None:
        """The heading this block opens, or None when it is running text."""
        chars = block.chars
        if chars in lectures:
            kind, number, marker, title, run_in, cover = "lecture", 0, "", chars, False, len(chars)
        else:
            found = _marker(chars)
            if found is None:
                return None
            kind, number, marker = found
            stop = chars.find("。")
            run_in = stop != -1
            if not run_in and len(chars) > MAX_HEADING_CHARS:
                return None
            title = chars[len(marker): stop if run_in else len(chars)].strip()
            cover = stop + 1 if run_in else len(chars)
            if not title or len(title) > MAX_HEADING_CHARS or not self._continues(kind, number):
                return None
        depth = next((i for i, (k, _, _) in enumerate(self.stack) if k == kind), len(self.stack))
        del self.stack[depth:]
        parent = self.stack[-1][2] if self.stack else None
        index = self.count
        self.stack.append((kind, number, index))
        self.count += 1
        return Heading(kind, number, marker, title, run_in, depth + 1, parent, block.slice(0, cover))

    def _continues(self, kind: str, number: int) -> bool:
        """A kind already open must go on from its last number (one may be missing);
        a new kind must start at 1."""
        for k, last, _ in self.stack:
            if k == kind:
                return last < number <= last + 2
        return number == 1

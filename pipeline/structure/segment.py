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

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from pipeline.text.chardata import (
    CN_DIGIT_VALUE,
    DATE_LINE,
    DATE_START,
    SALUTATION,
    SENTENCE_END,
    SPEAKER_LINE,
    cn_number,
)
from pipeline.spans import Text
from schemas.characters import UNIFIED_HAN

#: Marker kinds: (kind, regex at the start of a block). The regex's group 1 is the number.
MARKERS: tuple[tuple[str, re.Pattern], ...] = (
    ("chapter", re.compile(r"第([一二三四五六七八九十百]+)章")),
    ("jie", re.compile(r"第([一二三四五六七八九十百]+)节")),
    ("cn", re.compile(r"([一二三四五六七八九十百]+)、")),
    ("paren_cn", re.compile(r"（([一二三四五六七八九十百]+)）")),
    ("paren_arabic", re.compile(r"（([0-9]{1,2})）")),
    ("circled", re.compile(r"([①-⑳])")),
    ("arabic_dot", re.compile(r"([0-9]{1,2})[.．](?![0-9])")),
    ("arabic_dun", re.compile(r"([0-9]{1,2})、")),
)

#: Kinds that are list items as often as headings: they only count as headings when they
#: stand alone on a short line, never run in.
STANDALONE_ONLY = frozenset({"arabic_dot", "arabic_dun"})

#: A line with no marker is a heading when it stands alone, is at most this long, has
#: no sentence punctuation and a longer paragraph follows (newline-structured texts).
MAX_UNMARKED_HEADING_CHARS = 30
_UNMARKED_FORBIDDEN = set("。！？；：，、,:;!?“”\"")

#: The meeting named in a title: ``在全市…电视电话会议上的讲话``.
OCCASION_IN_TITLE = re.compile(r"在(?P<occasion>.{2,80}?)上的(?:讲话|发言|致辞|报告|讲稿|总结讲话|主持词)")

#: Compilation markers that start a speech when there is no table of contents.
COMPILATION_MARKERS = (
    re.compile(r"第(?P<n>[0-9]{1,2}|[一二三四五六七八九十]{1,3})篇[：:]?[ \t\u3000]*(?P<title>[^\n]*)"),
    re.compile(r"篇(?P<n>[0-9]{1,2}|[一二三四五六七八九十]{1,3})[：:]?[ \t\u3000]*(?P<title>[^\n]*)"),
    re.compile(r"(?:[0-9]{1,2}[.．、])?(?P<title>[^\n]{2,80}?)[ \t\u3000]*(?:范文第(?P<n>[0-9]{1,2})篇|篇(?P<n2>[0-9]{1,2}|[一二三四五六七八九十]{1,3}))"),
)


#: A standalone heading longer than this is taken for running text.
MAX_HEADING_CHARS = 100

#: Spaces that may be page breaks. The ideographic space (U+3000) is deliberate layout.
_SPACE_RUN = re.compile(r"[ \t\u00a0]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9%.]")
_NUMERAL_TAIL = re.compile(r"([一二三四五六七八九十])$")
_LECTURE_CANDIDATE = re.compile(r"[^\s，。！？；：、“”（）]{3,40}")

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
    speaker: str | None = None
    delivered_on: dt.date | None = None
    occasion: str | None = None
    salutation: str | None = None
    #: Speaker and date lines: kept as metadata, so out of the paragraphs.
    metadata_lines: list[Text] = field(default_factory=list)


@dataclass(frozen=True)
class Block:
    """A paragraph-sized piece of a speech body; ``line`` when it is a whole line of text."""

    text: Text
    line: bool
    metadata: str | None = None  # "speaker" or "date" for a metadata line


@dataclass(frozen=True)
class Segmented:
    """A document's speeches, how they were found, and the page-break spaces removed."""

    speeches: list[SpeechDraft]
    method: str  # "toc", "markers" or "single"
    page_breaks: list[tuple[int, int]]  # source ranges of removed spaces


#: Kinds of meeting, most specific first: the first of these named in the occasion (or
#: the title) is the speech's occasion_type, so 人民代表大会第四次会议 is a 人民代表大会.
OCCASION_TYPES = (
    "电视电话会议", "视频会议", "视频会", "调度会", "座谈会", "推进会", "动员会", "部署会", "现场会", "务虚会",
    "专题会", "培训班", "研讨会", "报告会", "表彰大会", "纪念大会", "常委会", "全体会议", "全会",
    "人民代表大会", "代表大会", "民主生活会", "组织生活会", "中心组学习", "茶话会", "党课", "工作会议", "会议",
)


def occasion_type(occasion: str | None, title: str | None) -> str | None:
    """The kind of meeting named in the occasion, else in the title.

    >>> occasion_type("全市统筹推进新冠肺炎疫情防控和经济社会发展工作落实电视电话会议", None)
    '电视电话会议'
    >>> occasion_type(None, "统筹推进新冠肺炎疫情防控和经济社会发展工作调度会上的发言")
    '调度会'
    >>> occasion_type("上海市第十六届人民代表大会第四次会议", None)
    '人民代表大会'
    """
    for text in (occasion, title):
        if text:
            found = next((t for t in OCCASION_TYPES if t in text), None)
            if found:
                return found
    return None


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
        drafts = _speeches_at(text, starts, None, page_breaks)
    elif markers := _compilation_starts(text.chars):
        method = "markers"
        drafts = _speeches_at(text, markers, title, page_breaks)
    else:
        method = "single"
        drafts.append(_speech(title, None, text, page_breaks))
    return Segmented(drafts, method, page_breaks)


def _speeches_at(text: Text, starts: list[tuple[str | None, int, int]], preamble_title: str | None,
                 page_breaks: list) -> list[SpeechDraft]:
    """One speech per start ``(title, title_start, title_end)``, running to the next start;
    text before the first start, if any, is a speech of its own titled ``preamble_title``."""
    drafts = []
    preamble = text.slice(0, starts[0][1])
    if preamble.chars.strip():
        drafts.append(_speech(preamble_title, None, preamble, page_breaks))
    for i, (speech_title, start, end) in enumerate(starts):
        stop = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        drafts.append(_speech(speech_title, text.slice(start, end), text.slice(end, stop), page_breaks))
    return drafts


def _compilation_starts(chars: str) -> list[tuple[str | None, int, int]]:
    """Lines that open the speeches of a compilation without a TOC: ``第一篇：…``, ``篇一``,
    ``…范文第1篇``, numbered 1, 2, 3… in order (at least two). The marker line is the title."""
    for pattern in COMPILATION_MARKERS:
        found: list[tuple[str | None, int, int]] = []
        for line in re.finditer(r"(?m)^[ \t\u3000]*([^\n]+?)[ \t\u3000]*$", chars):
            m = pattern.fullmatch(line.group(1))
            if not m:
                continue
            raw = m.group("n") or m.groupdict().get("n2")
            number = int(raw) if raw.isdigit() else cn_number(raw)
            if number != len(found) + 1:
                continue
            title = m.group("title").strip() or None
            found.append((title, line.start(1), line.end(1)))
        if len(found) >= 2:
            return found
    return []


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
    if title and (m := OCCASION_IN_TITLE.search(title)):
        draft.occasion = m.group("occasion")
    lectures = lecture_titles(body.chars)
    outline = _Outline()
    pieces = blocks(body, lectures, page_breaks)
    for i, piece in enumerate(pieces):
        block = piece.text
        if piece.metadata:
            _take_metadata(draft, piece)
            continue
        draft.lines.append(block.chars)
        heading = outline.heading(block, lectures)
        if heading is None and piece.line and _reads_as_unmarked_heading(block.chars, pieces[i + 1:]):
            heading = outline.unmarked(block)
        if heading is None and _is_bare_name_before_salutation(draft, piece, pieces[i + 1:]):
            _take_metadata(draft, Block(block, True, "speaker"))
            draft.lines.pop()
            continue
        if heading is None:
            if not draft.paragraphs and SALUTATION.fullmatch(block.chars):
                draft.salutation = block.chars
            draft.paragraphs.append(Paragraph(block, outline.current))
            continue
        draft.headings.append(heading)
        rest = block.slice(len(heading.text), len(block))
        rest = _strip(rest)
        if len(rest):
            draft.paragraphs.append(Paragraph(rest, outline.current))
    return draft


def _take_metadata(draft: SpeechDraft, piece: Block) -> None:
    draft.metadata_lines.append(piece.text)
    line = re.sub(r"\s*\n\s*", "", piece.text.chars)
    if piece.metadata == "speaker":
        draft.speaker = draft.speaker or line
        return
    m = DATE_LINE.fullmatch(line)
    if m and draft.delivered_on is None:
        draft.delivered_on = _date(m.group("date"))
    if m and m.group("occasion") and draft.occasion is None:
        draft.occasion = m.group("occasion")
    if m and m.group("speaker") and draft.speaker is None:
        draft.speaker = m.group("speaker")


def _is_bare_name_before_salutation(draft: SpeechDraft, piece: Block, following: list[Block]) -> bool:
    """A line of two to four Han characters right before the opening salutation, with no
    speaker found yet: the speaker's name on its own (``毛伟明`` then ``各位代表：``)."""
    if draft.paragraphs or draft.speaker or not piece.line or not re.fullmatch(f"[{UNIFIED_HAN}]{{2,4}}", piece.text.chars):
        return False
    nxt = next((b for b in following if not b.metadata), None)
    return nxt is not None and SALUTATION.fullmatch(nxt.text.chars) is not None


def _date(text: str) -> dt.date | None:
    """The date of ``2026年2月3日`` or ``二〇二六年一月二十七日``; None when impossible.

    >>> _date("二〇二六年一月二十七日"), _date("2026年2月30日")
    (datetime.date(2026, 1, 27), None)
    """
    m = re.fullmatch(r"(.{4})年(.{1,3})月(.{1,3})日", text)
    if not m:
        return None
    year = "".join(c if c.isdigit() else str(CN_DIGIT_VALUE[c]) for c in m.group(1))
    values = [int(year)] + [int(v) if v.isdigit() else (cn_number(v) or 0) for v in (m.group(2), m.group(3))]
    try:
        return dt.date(*values)
    except ValueError:
        return None


def _reads_as_unmarked_heading(line: str, following: list[Block]) -> bool:
    """A short whole line without sentence punctuation, followed by a longer paragraph."""
    if not 2 <= len(line) <= MAX_UNMARKED_HEADING_CHARS or any(c in _UNMARKED_FORBIDDEN for c in line):
        return False
    nxt = next((b for b in following if not b.metadata), None)
    return nxt is not None and len(nxt.text) > 2 * len(line) and nxt.text.chars[-1] in SENTENCE_END


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


def blocks(body: Text, lectures: set[str], page_breaks: list[tuple[int, int]]) -> list[Block]:
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
            out.append(Block(_strip(body.slice(line.start(), end)), True, kind))
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


_INLINE_MARKER = re.compile(r"(?<=[。！？；])(?:([一二三四五六七八九十]+)、|（([一二三四五六七八九十]+)）)")


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
    return [Block(_strip(block.text.slice(a, b)), False) for a, b in zip(bounds, bounds[1:]) if b > a]


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
            if kind == "circled":
                number = ord(raw) - ord("①") + 1
            else:  # str.isdigit() is also true for ①, hence the branch above
                number = int(raw) if raw.isascii() and raw.isdigit() else cn_number(raw)
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
            if kind in STANDALONE_ONLY and (run_in or len(chars) > MAX_UNMARKED_HEADING_CHARS + len(marker)):
                return None
            title = chars[len(marker): stop if run_in else len(chars)].strip()
            cover = stop + 1 if run_in else len(chars)
            if not title or len(title) > MAX_HEADING_CHARS or not self._continues(kind, number):
                return None
        return self._open(kind, number, marker, title, run_in, block.slice(0, cover))

    def unmarked(self, block: Text) -> Heading:
        """A heading line without a marker; it takes the outline slot of its kind."""
        return self._open("unmarked", 0, "", block.chars, False, block)

    def _open(self, kind: str, number: int, marker: str, title: str, run_in: bool, text: Text) -> Heading:
        depth = next((i for i, (k, _, _) in enumerate(self.stack) if k == kind), len(self.stack))
        del self.stack[depth:]
        parent = self.stack[-1][2] if self.stack else None
        index = self.count
        self.stack.append((kind, number, index))
        self.count += 1
        return Heading(kind, number, marker, title, run_in, depth + 1, parent, text)

    def _continues(self, kind: str, number: int) -> bool:
        """A kind already open must go on from its last number (one may be missing);
        a new kind must start at 1."""
        for k, last, _ in self.stack:
            if k == kind:
                return last < number <= last + 2
        return number == 1

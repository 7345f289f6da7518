"""Headings and their levels: the outline of one speech.

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
from dataclasses import dataclass

from pipeline.spans import Text
from pipeline.text.chardata import SENTENCE_END, cn_number

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

#: A standalone heading longer than this is taken for running text.
MAX_HEADING_CHARS = 100

_NUMERAL_TAIL = re.compile(r"([一二三四五六七八九十])$")
_LECTURE_CANDIDATE = re.compile(r"[^\s，。！？；：、“”（）]{3,40}")


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


def marker(chars: str) -> tuple[str, int, str] | None:
    """``(kind, number, marker)`` of a heading marker at the start of ``chars``.

    >>> marker("（三）抓好落实。"), marker("②坚持"), marker("三是要抓好")
    (('paren_cn', 3, '（三）'), ('circled', 2, '②'), None)
    """
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


def reads_as_unmarked_heading(line: str, next_paragraph: str | None) -> bool:
    """A short whole line without sentence punctuation, followed by a longer paragraph.

    >>> reads_as_unmarked_heading("坚持稳中求进", "今年要坚持稳中求进工作总基调，做好各项工作。")
    True
    >>> reads_as_unmarked_heading("坚持稳中求进。", "今年要坚持稳中求进工作总基调，做好各项工作。")
    False
    """
    if not 2 <= len(line) <= MAX_UNMARKED_HEADING_CHARS or any(c in _UNMARKED_FORBIDDEN for c in line):
        return False
    return next_paragraph is not None and len(next_paragraph) > 2 * len(line) and next_paragraph[-1] in SENTENCE_END


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
    for start in _certain_block_starts(chars):
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


def _certain_block_starts(chars: str) -> list[int]:
    """Positions that certainly start a block: text start, after a newline or a sentence end + space."""
    starts = [m.end() for m in re.finditer(rf"(?:^|\n|[{SENTENCE_END}])[ \t\u00a0\u3000]*", chars)]
    return [s for s in starts if s < len(chars)]


class Outline:
    """The stack of open heading kinds of one speech, with the last number of each."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, int, int]] = []  # (kind, number, heading index)
        self.count = 0
        self.seen: set[str] = set()  # kinds opened so far
        self.last: dict[str, int] = {}  # the last number of each kind, open or closed

    @property
    def current(self) -> int | None:
        """The index of the innermost open heading: the section a paragraph falls under."""
        return self.stack[-1][2] if self.stack else None

    def heading(self, block: Text, lectures: set[str], standalone: bool = False) -> Heading | None:
        """The heading this block opens, or None when it is running text.

        ``standalone``: the block stands apart as a heading (a whole line without a full
        stop, or one a sub-heading numbered 1 follows), so the first marker of its kind
        may start past 1 (an excerpt that begins at ``三、``)."""
        chars = block.chars
        if chars in lectures:
            kind, number, found_marker, title, run_in, cover = "lecture", 0, "", chars, False, len(chars)
        else:
            found = marker(chars)
            if found is None:
                return None
            kind, number, found_marker = found
            stop = chars.find("。")
            run_in = stop != -1
            if not run_in and len(chars) > MAX_HEADING_CHARS:
                return None
            if kind in STANDALONE_ONLY and (run_in or len(chars) > MAX_UNMARKED_HEADING_CHARS + len(found_marker)):
                return None
            title = chars[len(found_marker): stop if run_in else len(chars)].strip()
            cover = stop + 1 if run_in else len(chars)
            skips = standalone and not run_in and kind not in self.seen
            if not title or len(title) > MAX_HEADING_CHARS or not (skips or self._continues(kind, number)):
                return None
        return self._open(kind, number, found_marker, title, run_in, block.slice(0, cover))

    def unmarked(self, block: Text) -> Heading:
        """A heading line without a marker; it takes the outline slot of its kind."""
        return self._open("unmarked", 0, "", block.chars, False, block)

    def _open(self, kind: str, number: int, marker: str, title: str, run_in: bool, text: Text) -> Heading:
        depth = next((i for i, (k, _, _) in enumerate(self.stack) if k == kind), len(self.stack))
        del self.stack[depth:]
        parent = self.stack[-1][2] if self.stack else None
        index = self.count
        self.stack.append((kind, number, index))
        self.seen.add(kind)
        self.last[kind] = number
        self.count += 1
        return Heading(kind, number, marker, title, run_in, depth + 1, parent, text)

    def _continues(self, kind: str, number: int) -> bool:
        """A kind already open must go on from its last number (one may be missing); a kind
        not open starts at 1, or goes on from where it stopped under the previous parent
        (公文 often number （一）…（十四） straight through 一、二、三、)."""
        for k, last, _ in self.stack:
            if k == kind:
                return last < number <= last + 2
        return number == 1 or number == self.last.get(kind, -1) + 1

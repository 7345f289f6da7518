"""The text of an HTML page, each character keeping its offset in the markup.

For an HTML input the decoded markup is the source and this module's text is the body
the pipeline cleans, so every later offset (paragraphs, removals) still points into the
page as it was scraped. The standard library's ``HTMLParser`` does the tokenising: it is a
real, forgiving parser (unclosed tags, stray ``<``), and with ``convert_charrefs=False`` it
reports each entity on its own, which is what lets every output character be traced back.

Its one weakness is time: at the end of the input it gives up on an unclosed construct
(``<a`` with no ``>`` after it), emits it as text up to the next ``<`` or ``>`` and
scans the rest of the page again from there, so a page of such constructs costs time
quadratic in its length (``"<a" * 40_000`` took seconds). ``_parser_input`` defuses the
constructs that can never close before the parser sees them, so it reads them as text in
one pass; what is left (tags whose quotes never balance) is counted as the parser rescans
it, and a page past its budget is ``too_slow`` (``page``).

The page's block structure is authoritative. Text of two different blocks (``<p>``,
``<div>``, ``<li>``, ``<td>``, headings…) is separated by a blank line, which no later
step reads as a line wrapped inside a sentence; a ``<br>`` ends a line within its block.
The one join made here is the page's own: a title it breaks over two or three short
lines (``国务院关于2018年度`` / ``国家科学技术奖励的决定``) is one line again when the page
states the whole title elsewhere (its ``<title>``, or a metadata table's 标题 cell).
"""

from __future__ import annotations

import html
import re
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

from pipeline.errors import BadDocument
from pipeline.ingest.decoding import without_controls
from pipeline.spans import Removed, Text

#: Elements whose content is not page text: the ``head`` (metadata), scripts and styles,
#: fallbacks and templates a browser does not render, and ``title``, which ``title()``
#: reads on its own.
SKIPPED = frozenset({"head", "title", "script", "style", "noscript", "template"})

#: Elements allowed inside ``head``. Any other start tag ends an unclosed ``head``, as it
#: does in a browser; without this a page missing ``</head>`` would lose its whole body.
HEAD_CONTENT = frozenset({"title", "meta", "link", "base", "style", "script", "noscript", "template"})

#: Elements that begin or end a line of text: this is the paragraph structure the segmenter
#: reads. Table cells are here too, so that neighbouring cells do not run together.
BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "details",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "summary", "table", "td", "th", "tr", "ul",
})

#: Editor markup whose blocks are the lines the author typed, not paragraphs: Quill's
#: ``<p class="ql-block">`` (meipian.cn and the pages copied from it wraps paragraphs at
#: the editor's width, mid-sentence). Its blocks end a line like ``<br>``, so the line
#: repair downstream may join them as it joins the lines of a text file.
LINE_CLASSES = frozenset({"ql-block"})

#: A title broken over lines: at most this many lines, each at most this long, joined
#: only when the page states the joined title elsewhere and it is at least
#: ``MIN_JOINED_TITLE_CHARS`` long.
MAX_TITLE_LINES = 3
MAX_TITLE_LINE_CHARS = 40
MIN_JOINED_TITLE_CHARS = 8

_SENTENCE_END = "。！？；!?;"

#: Line breaks and tabs inside a text node are layout of the markup, not of the page:
#: outside ``pre`` they become spaces, one for one, so offsets stay 1:1. Runs of spaces
#: are kept (the page-break-space rules downstream decide about them).
_LAYOUT_WHITESPACE = str.maketrans("\n\r\t\f", "    ")

#: Whitespace that is layout of the markup at the start of a line (an ``&nbsp;`` indent
#: too); the ideographic space U+3000 is not in it: Chinese text indents with it.
_MARKUP_SPACES = " \t\n\r\f\xa0"

#: An ``&#`` that is not a character reference as ``html.parser`` recognises one
#: (``&#(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F]``). It makes Python 3.11's parser, at the
#: end of input, emit everything after it (tags included) as text; ``_parser_input``
#: defuses it.
_NOT_A_CHARREF = re.compile("&#(?!(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F])")
# ``<![`` is defused too: it sends ``html.parser`` into marked-section parsing, which
# raises ``AssertionError`` on anything but a handful of keywords.

#: The end of a comment as ``html.parser`` (``_markupbase``) looks for it.
_COMMENT_CLOSE = re.compile(r"--\s*>")


@dataclass(frozen=True)
class Page:
    """What one parse of a page gives: its text (``text``), its title (``title``) and the
    parser's work in passes over the markup (``passes``: 1 for a page read straight
    through, more for each construct the parser gave up on and read again)."""

    text: Text
    title: str | None
    passes: float


def page(markup: str, max_passes: float | None = None) -> Page:
    """The page's text and title (see ``text`` and ``title``), from one parse.

    The parser's work is counted in characters read: the page once, and for each construct
    it gives up on (text that reaches ``handle_data`` starting with ``<``), the rest of the
    page, which it may have scanned looking for the construct's end. Past ``max_passes``
    times the page's length the parse stops and the page is ``too_slow``: a bound on time
    that counts work instead of watching a clock, so it is the same on every machine.

    >>> p = page("<title>报告</title><p>正文")
    >>> p.text.chars, p.title, p.passes
    ('正文', '报告', 1.0)
    """
    parser = _Extractor(markup, None if max_passes is None else max_passes * max(len(markup), 1))
    try:
        parser.feed(_parser_input(markup))
        parser.close()
    except _OverBudget:
        raise BadDocument(
            "too_slow",
            f"the HTML parser would read the page more than {max_passes:g} times over (max_parse_passes): "
            f"markup it reads again at every tag, such as attribute quotes that never close "
            f"(it had read {parser.work:,} characters of {len(markup):,} when it stopped)",
        ) from None
    raw_title = " ".join("".join(parser.title).split()) or None
    title_text = " ".join(without_controls("".join(parser.title)).split()) or None
    return Page(join_title_lines(parser.text(), raw_title), title_text, parser.work / max(len(markup), 1))


def text(markup: str, max_passes: float | None = None) -> Text:
    """The visible text of the page, with offsets into ``markup``.

    Text characters keep their own offsets; an entity or character reference becomes the
    character(s) it stands for at the offset of its ``&``. A block element boundary
    becomes a blank line (``\\n\\n``) and a ``<br>`` a line end (``\\n``), at the offset of
    the tag's ``<``; markup whitespace at the start of a line is dropped. Nothing in
    ``head``, ``script``, ``style``, ``noscript`` or ``template`` is kept, and a title the
    page breaks over lines is joined (``join_title_lines``). Malformed markup never raises.

    >>> body = text("<title>报告</title><p>中国&amp;世界</p><p>你好<br>再见")
    >>> body.chars
    '中国&世界\\n\\n你好\\n再见'
    >>> list(body.offsets)
    [20, 21, 22, 27, 28, 29, 29, 36, 37, 38, 42, 43]
    """
    return page(markup, max_passes).text


def join_title_lines(body: Text, page_title: str | None = None) -> Text:
    """``body`` with a title the page breaks over two or three short lines made one line.

    A run of lines is joined when each is short (``MAX_TITLE_LINE_CHARS``), none but the
    last ends a sentence, and the joined text, spaces aside, is another line of the page
    (a metadata table's 标题 cell) or part of its ``<title>``. The line ends and spaces
    between them are dropped: they are layout, and the markup removals cover their source.

    >>> join_title_lines(Text.from_source("国务院关于2018年度\\n\\n国家科学技术奖励的决定\\n\\n正文。"),
    ...                  "国务院关于2018年度国家科学技术奖励的决定_中国政府网").chars
    '国务院关于2018年度国家科学技术奖励的决定\\n\\n正文。'
    >>> join_title_lines(Text.from_source("第一行\\n\\n第二行")).chars
    '第一行\\n\\n第二行'
    """
    chars = body.chars
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\s](?:[^\n]*[^\s])?", chars)]
    if len(lines) < 2:
        return body
    squashed = ["".join(chars[a:b].split()) for a, b in lines]
    stated = Counter(squashed)
    whole_title = "".join((page_title or "").split())
    gaps: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        for k in range(MAX_TITLE_LINES, 1, -1):
            run = squashed[i:i + k]
            if (len(run) < k or any(len(line) > MAX_TITLE_LINE_CHARS for line in run)
                    or any(line[-1] in _SENTENCE_END for line in run[:-1])):
                continue
            joined = "".join(run)
            if len(joined) >= MIN_JOINED_TITLE_CHARS and (stated[joined] or joined in whole_title):
                gaps += [(lines[j][1], lines[j + 1][0]) for j in range(i, i + k - 1)]
                i += k - 1
                break
        i += 1
    return body.delete(gaps) if gaps else body


def title(markup: str) -> str | None:
    """The text of the page's first ``<title>``, whitespace collapsed and control characters
    (bidirectional ones too) dropped; ``None`` if it has none.

    >>> title("<head><title> 2026年 政府工作报告&#x3000;</title></head>")
    '2026年 政府工作报告'
    >>> title("<title>讲&#x202e;话</title>"), title("<p>无标题</p>") is None
    ('讲话', True)
    """
    return page(markup).title


class _OverBudget(Exception):
    """The parser's work passed the budget: raised from a handler, it stops the parse."""


def _parser_input(markup: str) -> str:
    """``markup`` with the constructs ``html.parser`` mishandles defused, length kept.

    Only the parser sees this string; the output characters are always read from the
    original markup, so the substitutions never show. Defused: an ``&#`` that is no
    character reference and a ``<![`` (see ``_NOT_A_CHARREF``); every ``<``
    after the page's last ``>``, where no tag, end tag, comment or declaration can close;
    and every ``<!--`` that no ``-->`` follows. The parser reads those as text, as it did
    before, but in one pass: it gave up on each at the end of the input and scanned the
    rest of the page again from the next one.

    >>> _parser_input("&#; <p>甲 &#x4e2d; <![if x]>")
    '&_; <p>甲 &#x4e2d; <!xif x]>'
    >>> _parser_input("<p>甲</p><!--x> <a <b")
    '<p>甲</p> !--x>  a  b'
    """
    defused = _NOT_A_CHARREF.sub("&_", markup).replace("<![", "<!x")
    last_close = markup.rfind(">")
    defused = defused[:last_close + 1] + defused[last_close + 1:].replace("<", " ")
    # html.parser looks for a comment's end from i + 4: a "<!--" at i >= (the last end) - 3 has none
    unclosed_from = max(max((m.start() for m in _COMMENT_CLOSE.finditer(markup)), default=-1) - 3, 0)
    return defused[:unclosed_from] + defused[unclosed_from:].replace("<!--", " !--")


class _Extractor(HTMLParser):
    """Collects the body text with offsets, and the first title, while the parser runs."""

    def __init__(self, markup: str, budget: float | None = None):
        super().__init__(convert_charrefs=False)
        self.markup = markup
        #: Characters the parser has read (see ``page``), and how many it may.
        self.work = len(markup)
        self.budget = budget
        #: How many blocks of each tag ``blocks`` holds: a closing tag of none costs no search.
        self.open_blocks: Counter[str] = Counter()
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", markup)]
        self.chars: list[str] = []
        self.offsets = array("q")
        self.open = dict.fromkeys(SKIPPED, 0)
        self.pre = 0
        self.title: list[str] = []
        self.title_done = False
        #: Line ends the text ends with: 2 after a block, 1 after a ``<br>``.
        self.trailing = 0
        #: Open block elements and the line ends each one's boundaries make.
        self.blocks: list[tuple[str, int]] = []

    def text(self) -> Text:
        return Text("".join(self.chars), self.offsets)

    def position(self) -> int:
        """Offset in the markup of the construct being handled (its first character)."""
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def skipping(self) -> bool:
        return any(self.open.values())

    def in_title(self) -> bool:
        return self.open["title"] > 0 and not self.title_done

    def line_end(self, count: int) -> None:
        """End the line: ``count`` 2 for a block boundary (a blank line), 1 for a ``<br>``."""
        if self.chars and not self.skipping() and self.trailing < count:
            self.emit("\n" * (count - self.trailing), [self.position()] * (count - self.trailing))

    def emit(self, chars: str, offsets) -> None:
        self.chars.append(chars)
        self.offsets.extend(offsets)
        stripped = chars.rstrip("\n")
        self.trailing = self.trailing + len(chars) if not stripped else len(chars) - len(stripped)

    def at_line_start(self) -> bool:
        return not self.chars or self.trailing > 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.open["head"] and tag not in HEAD_CONTENT:
            self.open["head"] = 0
        if tag in SKIPPED:
            self.open[tag] += 1
        elif tag == "pre":
            self.pre += 1
        if tag in BLOCKS:
            count = _boundary(tag, attrs)
            if tag != "br":
                self.blocks.append((tag, count))
                self.open_blocks[tag] += 1
            self.line_end(count)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)  # <br/> is a <br>; a self-closed <p/> opens nothing

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.line_end(1 if tag == "br" else self.close_block(tag))
        if tag in SKIPPED:
            self.open[tag] = max(0, self.open[tag] - 1)
            self.title_done = self.title_done or (tag == "title" and bool(self.title))
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)

    def close_block(self, tag: str) -> int:
        """The line ends of the innermost open ``tag`` block, now closed with the blocks
        inside it (2 if none is open). Linear over a page: a block is searched past only
        when it is closed, and a tag with no open block is not searched for."""
        if not self.open_blocks[tag]:
            return 2
        for i in range(len(self.blocks) - 1, -1, -1):
            if self.blocks[i][0] == tag:
                count = self.blocks[i][1]
                self.open_blocks.subtract(t for t, _ in self.blocks[i:])
                del self.blocks[i:]
                return count
        return 2  # not reached: open_blocks counts what blocks holds

    def handle_data(self, data: str) -> None:
        start = self.position()
        if len(data) > 1 and data[0] == "<" and self.cdata_elem is None:
            # A construct the parser gave up on: it may have scanned the rest of the page.
            self.work += len(self.markup) - start
            if self.budget is not None and self.work > self.budget:
                raise _OverBudget
        raw = self.markup[start:start + len(data)]
        if self.in_title():
            self.title.append(raw)
        if self.skipping():
            return
        text = raw if self.pre else raw.translate(_LAYOUT_WHITESPACE)
        if not self.pre and self.at_line_start():
            # Indentation of the markup, not of the page; an ideographic space is the page's.
            kept = text.lstrip(_MARKUP_SPACES)
            start, text = start + len(text) - len(kept), kept
            if not text:
                return
        self.emit(text, range(start, start + len(text)))

    def handle_entityref(self, name: str) -> None:
        self.reference("&" + name)

    def handle_charref(self, name: str) -> None:
        self.reference("&#" + name)

    def reference(self, head: str) -> None:
        """An entity or character reference: its value at the offset of its ``&``.

        A name HTML does not define (``&foo;``) is not a reference but literal text, and
        keeps the offsets of its own characters.
        """
        start = self.position()
        end = start + len(head) + self.markup.startswith(";", start + len(head))
        raw = self.markup[start:end]
        value = html.unescape(raw)
        if self.in_title():
            self.title.append(value)
        if self.skipping() or not value or (self.at_line_start() and not value.strip(_MARKUP_SPACES)):
            return
        self.emit(value, range(start, end) if value == raw else [start] * len(value))


def _boundary(tag: str, attrs: list) -> int:
    """The line ends a block's start tag makes: 1 for a ``<br>`` or an editor line
    (``LINE_CLASSES``), else 2."""
    if tag == "br":
        return 1
    classes = next((value or "" for name, value in attrs if name == "class"), "").split()
    return 1 if LINE_CLASSES.intersection(classes) else 2


def markup_removed(source: str, covered: Iterable[tuple[int, int]]) -> list[Removed]:
    """The markup of the page ``source``, as removals: each run of source characters that
    none of the ``covered`` spans (the document's paragraphs, headings, titles and other
    removals) holds, trimmed of the whitespace around it (whitespace-only runs are not
    removals). Tags, and the entities and line ends that only stood for layout (an
    ``&nbsp;`` after a date line, the end of a block), are all that is left.

    >>> page = "<p>甲乙</p>&nbsp;<p>丙</p>"
    >>> [(r.start, r.end) for r in markup_removed(page, [(3, 5), (18, 19)])]
    [(0, 3), (5, 18), (19, 23)]
    """
    kept = bytearray(len(source))
    for start, end in covered:
        kept[start:end] = b"\x01" * (end - start)
    runs = [m.span() for m in re.finditer(b"\x00+", kept)]
    removed = []
    for a, b in runs:
        piece = source[a:b]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            removed.append(Removed("html_markup", "markup_between_text", a + lead, a + len(piece.rstrip())))
    return removed

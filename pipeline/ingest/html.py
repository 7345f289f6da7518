"""The text of an HTML page, each character keeping its offset in the markup.

For an HTML input the decoded markup is the source and this module's text is the body
the pipeline cleans, so every later offset (paragraphs, removals) still points into the
page as it was scraped. The standard library's ``HTMLParser`` does the tokenising: it is a
real, forgiving parser (unclosed tags, stray ``<``), and with ``convert_charrefs=False`` it
reports each entity on its own, which is what lets every output character be traced back.
"""

from __future__ import annotations

import html
import re
from array import array
from html.parser import HTMLParser

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

#: Line breaks and tabs inside a text node are layout of the markup, not of the page:
#: outside ``pre`` they become spaces, one for one, so offsets stay 1:1. Runs of spaces
#: are kept (the page-break-space rules downstream decide about them).
_LAYOUT_WHITESPACE = str.maketrans("\n\r\t\f", "    ")

#: A character reference exactly as ``html.parser`` recognises one. An ``&#`` that does
#: not match makes Python 3.11's parser, at the end of input, emit everything after it
#: (tags included) as text; ``_parser_input`` defuses such ``&#``.
_CHARREF = re.compile("&#(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F]")
#: ``<![`` sends ``html.parser`` into marked-section parsing, which raises
#: ``AssertionError`` on anything but a handful of keywords.
_MARKED_SECTION = re.compile(r"<!\[")


def text(markup: str) -> Text:
    """The visible text of the page, with offsets into ``markup``.

    Text characters keep their own offsets; an entity or character reference becomes the
    character(s) it stands for at the offset of its ``&``; a block element boundary becomes
    one ``\\n`` at the offset of the tag's ``<``. Nothing in ``head``, ``script``, ``style``,
    ``noscript`` or ``template`` is kept. Malformed markup never raises.

    >>> body = text("<title>报告</title><p>中国&amp;世界</p><p>你好<br>再见")
    >>> body.chars
    '中国&世界\\n你好\\n再见'
    >>> list(body.offsets)
    [20, 21, 22, 27, 28, 29, 36, 37, 38, 42, 43]
    """
    return _parse(markup).text()


def title(markup: str) -> str | None:
    """The text of the page's first ``<title>``, whitespace collapsed; ``None`` if it has none.

    >>> title("<head><title> 2026年 政府工作报告&#x3000;</title></head>")
    '2026年 政府工作报告'
    >>> title("<p>无标题</p>") is None
    True
    """
    return " ".join("".join(_parse(markup).title).split()) or None


def _parse(markup: str) -> _Extractor:
    parser = _Extractor(markup)
    parser.feed(_parser_input(markup))
    parser.close()
    return parser


def _parser_input(markup: str) -> str:
    """``markup`` with the constructs ``html.parser`` mishandles defused, length kept.

    Only the parser sees this string; the output characters are always read from the
    original markup, so the substitutions never show.

    >>> _parser_input("&#; <p>甲 &#x4e2d; <![if x]>")
    '&_; <p>甲 &#x4e2d; <!xif x]>'
    """
    chars = list(markup)
    for m in re.finditer("&#", markup):
        if not _CHARREF.match(markup, m.start()):
            chars[m.start() + 1] = "_"
    for m in _MARKED_SECTION.finditer(markup):
        chars[m.start() + 2] = "x"
    return "".join(chars)


class _Extractor(HTMLParser):
    """Collects the body text with offsets, and the first title, while the parser runs."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=False)
        self.markup = markup
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", markup)]
        self.chars: list[str] = []
        self.offsets = array("q")
        self.open = dict.fromkeys(SKIPPED, 0)
        self.pre = 0
        self.title: list[str] = []
        self.title_done = False

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

    def newline(self) -> None:
        if self.chars and not self.chars[-1].endswith("\n") and not self.skipping():
            self.chars.append("\n")
            self.offsets.append(self.position())

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.open["head"] and tag not in HEAD_CONTENT:
            self.open["head"] = 0
        if tag in SKIPPED:
            self.open[tag] += 1
        elif tag == "pre":
            self.pre += 1
        if tag in BLOCKS:
            self.newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.newline()
        if tag in SKIPPED:
            self.open[tag] = max(0, self.open[tag] - 1)
            self.title_done = self.title_done or (tag == "title" and bool(self.title))
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        start = self.position()
        raw = self.markup[start:start + len(data)]
        if self.in_title():
            self.title.append(raw)
        if self.skipping():
            return
        self.chars.append(raw if self.pre else raw.translate(_LAYOUT_WHITESPACE))
        self.offsets.extend(range(start, start + len(raw)))

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
        if self.skipping() or not value:
            return
        self.chars.append(value)
        if value == raw:
            self.offsets.extend(range(start, end))
        else:
            self.offsets.extend([start] * len(value))


def markup_removed(source: str, text: Text) -> list[Removed]:
    """The markup that the extracted ``text`` of the page ``source`` left out, as removals:
    each run of source characters no extracted character comes from, trimmed of the
    whitespace around it (whitespace-only runs are not removals)."""
    kept = bytearray(len(source))
    for offset in text.offsets:
        kept[offset] = 1
    runs, start = [], None
    for i, flag in enumerate(kept):
        if not flag and start is None:
            start = i
        elif flag and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(kept)))
    removed = []
    for a, b in runs:
        piece = source[a:b]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            removed.append(Removed("html_markup", "markup_between_text", a + lead, a + len(piece.rstrip())))
    return removed

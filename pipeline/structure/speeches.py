"""Where the speeches of a document start.

A compilation's table of contents names its speeches, and each entry heads its speech in
the body. Without a TOC, a compilation marks its speeches with numbered lines (``第一篇：…``,
``篇一``, ``…范文第1篇``). A start is ``(title, start, end)``: the speech's title and the
range of the line that heads it.
"""

from __future__ import annotations

import re

from pipeline.text.chardata import cn_number, spaced_pattern

#: A speech start: its title (None when the marker line has none) and its heading line's range.
Start = tuple[str | None, int, int]

#: Compilation markers that start a speech when there is no table of contents.
COMPILATION_MARKERS = (
    re.compile(r"第(?P<n>[0-9]{1,2}|[一二三四五六七八九十]{1,3})篇[：:]?[ \t\u3000]*(?P<title>[^\n]*)"),
    re.compile(r"篇(?P<n>[0-9]{1,2}|[一二三四五六七八九十]{1,3})[：:]?[ \t\u3000]*(?P<title>[^\n]*)"),
    re.compile(r"(?:[0-9]{1,2}[.．、])?(?P<title>[^\n]{2,80}?)[ \t\u3000]*(?:范文第(?P<n>[0-9]{1,2})篇|篇(?P<n2>[0-9]{1,2}|[一二三四五六七八九十]{1,3}))"),
)


def toc_starts(chars: str, titles: list[str]) -> list[Start]:
    """Where each TOC title stands alone in the body, in TOC order; missing ones are skipped.

    A page break may have put a space into a title in the body or in the TOC (issue 19,
    point 3), so a title is found with one space allowed between any two characters. The
    speech's title keeps a space only where both copies have it: a space in one copy only
    is a page break, one in both is text (``深化区域合作 共创美好未来``).

    >>> toc_starts("目录里的第一篇讲话。 第一篇讲话 正文。", ["第一篇讲话", "第二篇讲话"])
    [('第一篇讲话', 11, 16)]
    >>> toc_starts("正文。 在全区安全 生产会议上的讲话 同志们：", ["在全区安全生产会议上的讲话"])
    [('在全区安全生产会议上的讲话', 4, 18)]
    """
    found, pos = [], 0
    for title in titles:
        m = re.compile(rf"(?:^|(?<=\s)){spaced_pattern(title)}(?=\s|$)").search(chars, pos)
        if m:
            found.append((_common_spacing(title, m.group()), m.start(), m.end()))
            pos = m.end()
    return found


def _common_spacing(toc: str, body: str) -> str:
    """The title with a space only where both the TOC and the body copy have one."""
    def gaps(s: str) -> set[int]:
        out, n = set(), 0
        for c in s:
            if c.isspace():
                out.add(n)
            else:
                n += 1
        return out
    both = gaps(toc) & gaps(body)
    out, n = [], 0
    for c in toc:
        if c.isspace():
            continue
        if n in both:
            out.append(" ")
        out.append(c)
        n += 1
    return "".join(out)


def compilation_starts(chars: str) -> list[Start]:
    """Lines that open the speeches of a compilation without a TOC: ``第一篇：…``, ``篇一``,
    ``…范文第1篇``, numbered 1, 2, 3… in order (at least two). The marker line is the title.

    >>> compilation_starts("第一篇：讲话甲\\n正文。\\n第二篇：讲话乙\\n正文。")
    [('讲话甲', 0, 7), ('讲话乙', 12, 19)]
    """
    for pattern in COMPILATION_MARKERS:
        found: list[Start] = []
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

"""HTML text extraction: paragraph structure, skipped elements, and offsets into the markup."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import BadDocument
from pipeline.ingest import html

PAGE = """<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8">
  <title>2026年政府工作报告 &mdash; 人民网</title>
  <style>body { font-family: "宋体"; }</style>
  <script type="text/javascript">document.write("<p>广告</p>");</script>
</head>
<body>
  <div class="nav">首页 &gt; 时政</div>
  <h1>政府工作报告</h1>
  <p>各位代表：</p>
  <p>现在，我代表国务院，向大会报告政府工作，&ldquo;请予审议&rdquo;。</p>
  <p>一、2025年工作回顾<br>过去一年&#xFF0C;我们&#36873;择了&amp;坚持了……</p>
  <noscript>请启用脚本</noscript>
</body>
</html>
"""


def lines(markup: str) -> list[str]:
    return [line.strip() for line in html.text(markup).chars.split("\n") if line.strip()]


def test_page_text_has_one_paragraph_per_line_and_no_head_script_or_style():
    assert lines(PAGE) == [
        "首页 > 时政",
        "政府工作报告",
        "各位代表：",
        "现在，我代表国务院，向大会报告政府工作，“请予审议”。",
        "一、2025年工作回顾",
        "过去一年，我们选择了&坚持了……",
    ]
    assert html.title(PAGE) == "2026年政府工作报告 — 人民网"


def test_page_offsets_point_at_the_characters_entities_and_tags_they_came_from():
    body = html.text(PAGE)
    at = {c: PAGE[o] for c, o in zip(body.chars, body.offsets)}
    assert at["各"] == "各" and at["“"] == "&" and at["，"] in "，&"
    newline_sources = {PAGE[o] for c, o in zip(body.chars, body.offsets) if c == "\n"}
    assert newline_sources == {"<"}
    br = PAGE.index("<br>")
    assert br in list(body.offsets)


@pytest.mark.parametrize("markup, text", [
    ("<p>甲</p><p>乙</p>", "甲\n\n乙\n\n"),                         # blocks: a blank line between
    ("<p>甲</p>\n   <p>乙</p>", "甲\n\n乙\n\n"),                    # markup layout between blocks: dropped
    ("<p>\n  　　甲</p>", "　　甲\n\n"),                            # an ideographic indent is the page's
    ("<div>&nbsp;</div><p>&nbsp; 甲</p>", "甲\n\n"),
    ("甲<br>乙<br/>丙", "甲\n乙\n丙"),
    ("<ul><li>一</li><li>二</li></ul>", "一\n\n二\n\n"),
    ('<p class="ql-block">甲</p><p class="ql-block">乙</p>', "甲\n乙\n"),  # editor lines: a line end
    ("<table><tr><td>项目</td><td>金额</td></tr></table>", "项目\n\n金额\n\n"),
    ("甲<b>乙</b><span>丙</span>", "甲乙丙"),                       # inline elements: no break
    ("a&amp;b&lt;c&gt;d", "a&b<c>d"),
    ("&#x4e2d;&#22269;&#X56FD;", "中国国"),
    ("甲&nbsp;&amp 乙", "甲\xa0& 乙"),                              # legacy entity without ;
    ("末尾&amp", "末尾&amp"),                                        # ... unless it ends the input
    ("&foo; &#; &#xZZ; & x", "&foo; &#; &#xZZ; & x"),              # not references: literal text
    ("甲\n乙\t丙\r\n丁", "甲 乙 丙  丁"),                              # markup layout becomes spaces
    ("<pre>甲\n\t乙</pre>", "甲\n\t乙\n\n"),                          # except in <pre>
    ("甲  乙", "甲  乙"),                                             # runs of spaces are kept
    ("<script>var a = '<p>x</p>';</script>正文", "正文"),
    ("<style>p{}</style><noscript>启用</noscript><template>模</template>正文", "正文"),
    ("<head><title>标题</title><p>正文", "正文"),                    # an unclosed head ends at <p>
    ("<title>标题</title>正文", "正文"),
    ("<!-- 注释 -->甲<![if !IE]>乙<![endif]><![CDATA[丙]]>", "甲乙"),
    ("<?xml version='1.0'?>甲", "甲"),
    ("a < b <p&c>甲", "a < b 甲"),                                   # stray <; a tag named "p&c"
    ("甲<", "甲<"),
    ("甲</", "甲</"),
    ("<p>甲<div>乙", "甲\n\n乙"),                                     # unclosed tags
    ("<script>未闭合", ""),
    ("", ""),
])
def test_text(markup, text):
    assert html.text(markup).chars == text


@pytest.mark.parametrize("markup, title", [
    ("<title>甲&amp;乙</title>", "甲&乙"),
    ("<title>\n  两行\n  标题 </title>", "两行 标题"),
    ("<title></title><title>第二个</title>", "第二个"),
    ("<title>第一</title><title>第二</title>", "第一"),
    ("<p>无</p>", None),
    ("<title>   </title>", None),
])
def test_title(markup, title):
    assert html.title(markup) == title


# --- properties over generated markup ----------------------------------------------------

CHINESE = st.text(alphabet="中国人民政府工作报告，。、：“”（）一二三 \n\tab1", min_size=1, max_size=12)
PIECES = st.one_of(
    CHINESE,
    st.sampled_from([
        "<p>", "</p>", "<br>", "<br/>", "<div class='c'>", "</div>", "<b>", "</b>", "<li>", "<td>",
        "<pre>", "</pre>", "<title>", "</title>", "<head>", "</head>", "<body>", "<script>", "</script>",
        "<style>", "</style>", "<noscript>", "</noscript>", "<!-- 注释 -->", "<!DOCTYPE html>",
        "&amp;", "&nbsp;", "&#x4e2d;", "&#20013;", "&mdash;", "&foo;", "&#;", "&#x;", "&#12a;", "&",
        "<", ">", "</", "<p&", "<!", "<![", "<![CDATA[x]]>", "<![if x]>", "&amp", "&#0;", "&#x110000;",
    ]),
)
MARKUP = st.lists(PIECES, max_size=30).map("".join)


def check_offsets(markup: str) -> None:
    """Offsets ascend, stay inside the markup, and each output character is the markup's
    character there, or the value of the reference at an ``&``, or a break at a tag's ``<``,
    or a space standing for a line break or tab."""
    body = html.text(markup)
    assert len(body.chars) == len(body.offsets)
    offsets = list(body.offsets)
    assert offsets == sorted(offsets)
    assert all(0 <= o < len(markup) for o in offsets)
    for char, o in zip(body.chars, offsets):
        source = markup[o]
        assert (
            char == source
            or source == "&"
            or (char == "\n" and source == "<")
            or (char == " " and source in "\n\r\t\f")
        ), (char, o, source)


@given(MARKUP)
def test_offsets_map_back_into_generated_markup(markup):
    check_offsets(markup)


@given(st.text(max_size=200))
def test_any_string_is_parsed_without_raising(markup):
    check_offsets(markup)
    html.title(markup)


@given(st.text(alphabet=st.characters(blacklist_characters="<&\n\r\t\f"), max_size=100))
def test_plain_text_comes_through_unchanged_at_its_own_offsets(text):
    body = html.text(text)
    lead = len(text) - len(text.lstrip(" \xa0"))
    assert body.chars == text[lead:] and list(body.offsets) == list(range(lead, len(text)))


@given(st.lists(st.one_of(CHINESE.filter(lambda s: "\n" not in s), st.sampled_from(["<p>", "</p>", "<br>", "<b>", "</b>"])), max_size=20))
def test_text_outside_tags_survives_in_order(pieces):
    markup = "".join(pieces)
    kept = "".join(p for p in pieces if not p.startswith("<"))
    assert "".join(html.text(markup).chars.split()) == "".join(kept.split())


# --- adversarial markup: extraction is linear, and bounded anyway (issue 21, point 4) -----

#: Markup the standard library's parser reads in quadratic time: at the end of input it
#: gives up on an unclosed construct, emits it up to the next ``<`` or ``>`` as text and
#: scans the rest of the page again from there. ``"<a" * 40_000`` took 10 s, ``"<a\n"``
#: runs 130 s at 80 k characters, a 300 KB page 81 s.
QUADRATIC = {
    "unclosed start tags": "<a",
    "unclosed start tags on lines": "<a\n",
    "unclosed end tags": "</",
    "unclosed processing instructions": "<?",
    "unclosed declarations": "<!x",
    "comments never closed": "<!--x>",
}


def _page(unit: str, chars: int) -> str:
    return unit * (chars // len(unit))


@pytest.mark.parametrize("unit", QUADRATIC.values(), ids=QUADRATIC.keys())
def test_the_parser_reads_adversarial_markup_in_one_pass(unit):
    """Counted, not timed: the work of the parser, in passes over the page, stays at one
    whatever the page's length (it grew with the length: a pass per unclosed construct)."""
    for chars in (20_000, 80_000):
        markup = _page(unit, chars)
        page = html.page(markup, max_passes=4)
        assert page.passes == 1.0, (unit, chars, page.passes)
        assert "".join(page.text.chars.split()) == "".join(markup.split())  # text, as before: nothing closes


def test_markup_the_parser_rescans_is_too_slow_past_its_budget():
    """Unbalanced quotes in attributes make the parser scan far and give up a little further
    on, at every tag: the work, counted, passes the budget, and the page is ``too_slow``."""
    markup = _page('<a b="x" c=">', 100_000)
    with pytest.raises(BadDocument) as problem:
        html.page(markup, max_passes=16)
    assert problem.value.reason == "too_slow" and "16" in problem.value.detail
    assert html.page(_page('<a b="x" c=">', 2_000), max_passes=10_000).passes > 16  # what the budget stops


def test_closing_tags_that_match_no_open_block_cost_no_scan_of_the_open_ones():
    """Our own bookkeeping: each ``</div>`` searched every open ``<p>``, 9.6 s at 80 k characters."""
    markup = "<p>" * 100_000 + "</div>" * 100_000
    started = time.perf_counter()
    html.page(markup, max_passes=4)
    assert time.perf_counter() - started < 10  # 0.2 s; quadratic, it would take minutes


def test_pages_of_every_day_are_read_in_about_one_pass(tmp_path):
    assert html.page(PAGE, max_passes=2).passes < 1.5
    assert html.page(PAGE * 50, max_passes=2).passes < 1.5

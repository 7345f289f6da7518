"""Blocks of a speech body: boundaries, page-break spaces, inline structure, metadata lines."""

from __future__ import annotations

import pytest

from pipeline.spans import Text
from pipeline.structure import blocks


def _split(body: str, lectures: set[str] = frozenset()) -> tuple[list[tuple[str, bool, str | None]], list]:
    page_breaks: list[tuple[int, int]] = []
    found = blocks.split(Text.from_source(body), set(lectures), page_breaks)
    return [(b.text.chars, b.line, b.metadata) for b in found], page_breaks


@pytest.mark.parametrize("body, expected", [
    ("第一句。 第二句。", ["第一句。", "第二句。"]),                  # after a sentence end
    ("作 出决策，部署工作。", ["作出决策，部署工作。"]),               # a page break inside a sentence
    ("践行“三严三实” 推行“四个全面”。", ["践行“三严三实” 推行“四个全面”。"]),  # a phrase's closing quote
    ("他说：“好。” 大家鼓掌。", ["他说：“好。”", "大家鼓掌。"]),        # a sentence's closing quote
    ("GDP growth 5%。", ["GDP growth 5%。"]),                        # Latin words keep their space
    ("一、总体要求 今年要做好工作。", ["一、总体要求", "今年要做好工作。"]),  # after a heading
    ("同志们：今天召开会议。", ["同志们：", "今天召开会议。"]),         # after an opening salutation
    ("开场白。一、总体要求。二、突出重点。", ["开场白。", "一、总体要求。", "二、突出重点。"]),  # numbered run in text
    ("抓好落实。三、不是接着的编号。", ["抓好落实。三、不是接着的编号。"]),
])
def test_split(body, expected):
    assert [chars for chars, _, _ in _split(body)[0]] == expected


def test_removed_page_breaks_are_source_ranges():
    _, page_breaks = _split("作 出决策， 部署。")
    assert page_breaks == [(1, 2), (6, 7)]


def test_a_lecture_title_ends_its_block():
    assert [c for c, _, _ in _split("党课讲稿一 正文。", {"党课讲稿一"})[0]] == ["党课讲稿一", "正文。"]


def test_speaker_and_date_lines_come_out_whole_as_metadata():
    found, page_breaks = _split("上海市市长 龚 正\n——2026年1月26日在上海市第十六届\n人民代表大会第四次会议上\n正文。")
    assert found == [("上海市市长 龚 正", True, "speaker"),
                     ("——2026年1月26日在上海市第十六届\n人民代表大会第四次会议上", True, "date"),
                     ("正文。", True, None)]
    assert page_breaks == []


def test_a_whole_line_is_marked_as_a_line():
    assert _split("一行。\n第一句。 第二句。")[0] == [("一行。", True, None), ("第一句。", False, None), ("第二句。", False, None)]


def test_strip_keeps_offsets():
    text = blocks.strip(Text.from_source("\u3000\u3000正文。 \n"))
    assert (text.chars, text.source_span(0, len(text))) == ("正文。", (2, 5))

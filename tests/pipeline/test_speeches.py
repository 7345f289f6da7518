"""Where speeches start: TOC titles in the body, a compilation's numbered markers."""

from __future__ import annotations

import pytest

from pipeline.structure import speeches


def test_toc_titles_are_found_in_order_where_they_stand_alone():
    chars = "我们学习了第一篇讲话的精神。 第一篇讲话 正文。 第二篇发言 正文。"
    found = speeches.toc_starts(chars, ["第一篇讲话", "第二篇发言"])
    assert [(title, chars[a:b]) for title, a, b in found] == [("第一篇讲话", "第一篇讲话"), ("第二篇发言", "第二篇发言")]
    assert found[0][1] == chars.index(" 第一篇讲话 ") + 1


def test_a_toc_title_missing_from_the_body_is_skipped():
    assert [t for t, _, _ in speeches.toc_starts("第二篇发言\n正文。", ["第一篇讲话", "第二篇发言"])] == ["第二篇发言"]


@pytest.mark.parametrize("chars, titles", [
    ("第一篇：讲话甲\n正文。\n第二篇：讲话乙\n正文。", ["讲话甲", "讲话乙"]),
    ("篇一\n正文。\n篇二\n正文。", [None, None]),
    ("1.在全市会议上的讲话范文第1篇\n正文。\n2.在全省会议上的讲话范文第2篇\n正文。", ["在全市会议上的讲话", "在全省会议上的讲话"]),
    ("第一篇：讲话甲\n正文。", []),                                  # a single marker is no compilation
    ("第一篇：讲话甲\n正文。\n第三篇：讲话丙\n正文。", []),            # numbering must continue
])
def test_compilation_starts(chars, titles):
    assert [t for t, _, _ in speeches.compilation_starts(chars)] == titles

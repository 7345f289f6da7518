"""The outline of a speech: heading markers, their levels and parents, sub-lecture titles."""

from __future__ import annotations

import pytest

from pipeline.spans import Text
from pipeline.structure import outline


@pytest.mark.parametrize("chars, expected", [
    ("第二章 总则", ("chapter", 2, "第二章")),
    ("第三节 要求", ("jie", 3, "第三节")),
    ("十二、加强领导", ("cn", 12, "十二、")),
    ("（一）统一思想", ("paren_cn", 1, "（一）")),
    ("（3）完善制度", ("paren_arabic", 3, "（3）")),
    ("⑤落实责任", ("circled", 5, "⑤")),
    ("2.抓好落实", ("arabic_dot", 2, "2.")),
    ("4、注重实效", ("arabic_dun", 4, "4、")),
    ("3.5亿元", None),      # a decimal, not a marker
    ("一是要抓好", None),
])
def test_marker(chars, expected):
    assert outline.marker(chars) == expected


def _levels(blocks: list[str]) -> list[tuple[str, int, int | None] | None]:
    tree = outline.Outline()
    found = []
    for chars in blocks:
        h = tree.heading(Text.from_source(chars), set())
        found.append((h.marker, h.level, h.parent) if h else None)
    return found


def test_levels_follow_the_order_kinds_first_appear():
    assert _levels(["一、总体要求", "（一）指导思想", "（二）基本原则", "二、主要任务", "（一）抓好落实"]) == [
        ("一、", 1, None), ("（一）", 2, 0), ("（二）", 2, 0), ("二、", 1, None), ("（一）", 2, 3)]


def test_a_marker_out_of_sequence_is_running_text():
    assert _levels(["一、总体要求", "四、这一句不接着编号", "二、主要任务"]) == [("一、", 1, None), None, ("二、", 1, None)]
    assert _levels(["一、总体要求", "三、跳过一个编号"]) == [("一、", 1, None), ("三、", 1, None)]  # one may be missing


def test_a_new_kind_must_start_at_one():
    assert _levels(["（二）不是开头"]) == [None]


def test_a_kind_may_number_straight_through_its_parents():
    """公文 often number （一）…（十四） on through 一、二、三、: under 二、, （三） goes on from （二）."""
    assert _levels(["一、总体要求", "（一）指导思想", "（二）基本原则", "二、主要任务", "（三）抓好落实。", "（四）强化保障"]) == [
        ("一、", 1, None), ("（一）", 2, 0), ("（二）", 2, 0), ("二、", 1, None), ("（三）", 2, 3), ("（四）", 2, 3)]
    # but not from anywhere: a jump under the new parent is still running text
    assert _levels(["一、总体要求", "（一）指导思想", "二、主要任务", "（五）不接着编号"]) == [
        ("一、", 1, None), ("（一）", 2, 0), ("二、", 1, None), None]


def test_a_run_in_heading_covers_its_marker_and_first_sentence():
    tree = outline.Outline()
    h = tree.heading(Text.from_source("一、坚持稳中求进。今年要做好各项工作。"), set())
    assert (h.title, h.run_in, h.text.chars) == ("坚持稳中求进", True, "一、坚持稳中求进。")


def test_list_item_kinds_are_headings_only_alone_on_a_short_line():
    tree = outline.Outline()
    assert tree.heading(Text.from_source("1.抓好落实。要把各项工作落到实处。"), set()) is None
    assert tree.heading(Text.from_source("1.抓好落实"), set()).marker == "1."


def test_a_lecture_title_is_a_heading_without_a_marker():
    h = outline.Outline().heading(Text.from_source("党课讲稿一"), {"党课讲稿一"})
    assert (h.kind, h.marker, h.title, h.level) == ("lecture", "", "党课讲稿一", 1)


@pytest.mark.parametrize("chars, expected", [
    ("党课讲稿一 正文。 党课讲稿二 正文。 党课讲稿三 正文。", {"党课讲稿一", "党课讲稿二", "党课讲稿三"}),
    ("党课讲稿一 正文。 党课讲稿三 正文。", set()),   # a gap: not a numbered run
    ("党课讲稿一 正文。", set()),                    # a lone one
])
def test_lecture_titles(chars, expected):
    assert outline.lecture_titles(chars) == expected


@pytest.mark.parametrize("line, following, expected", [
    ("坚持稳中求进", "今年要坚持稳中求进工作总基调，做好各项工作。", True),
    ("坚持稳中求进", "做好工作。", False),           # the next paragraph is not longer
    ("坚持稳中求进，", "今年要坚持稳中求进工作总基调，做好各项工作。", False),
    ("坚持稳中求进", None, False),
])
def test_reads_as_unmarked_heading(line, following, expected):
    assert outline.reads_as_unmarked_heading(line, following) is expected

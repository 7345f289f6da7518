"""Segmentation: labelled cases (tests/cases/segment.json) and TOC-driven speech splitting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.structure import segment
from pipeline.text import normalize
from pipeline.spans import Text

CASES = json.loads((Path(__file__).parents[1] / "cases" / "segment.json").read_text(encoding="utf-8"))


def _segment(body: str, toc: list[str] | None = None, title: str | None = None) -> segment.Segmented:
    return segment.document(normalize.characters(Text.from_source(body)), toc or [], title)


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_case(case):
    (speech,) = _segment(case["body"]).speeches
    assert [p.text.chars for p in speech.paragraphs] == case["paragraphs"], case["comment"]
    got = [{"level": h.level, "marker": h.marker, "title": h.title, "run_in": h.run_in, "parent": h.parent}
           for h in speech.headings]
    assert got == case["sections"], case["comment"]


def test_page_break_spaces_are_reported_as_source_ranges():
    body = "作 出决策， 部署。"
    seg = _segment(body)
    assert seg.page_breaks == [(1, 2), (6, 7)]
    assert all(body[a:b] == " " for a, b in seg.page_breaks)


def test_speeches_follow_the_toc_titles_in_order():
    body = "前言 第一篇讲话 内容一。 第二篇发言 内容二。"
    seg = _segment(body, ["第一篇讲话", "第二篇发言"])
    assert seg.method == "toc"
    assert [s.title for s in seg.speeches] == [None, "第一篇讲话", "第二篇发言"]
    assert [[p.text.chars for p in s.paragraphs] for s in seg.speeches] == [["前言"], ["内容一。"], ["内容二。"]]


def test_toc_title_inside_a_sentence_does_not_start_a_speech():
    seg = _segment("我们学习了第一篇讲话的精神。 第一篇讲话 正文。", ["第一篇讲话"])
    assert [s.title for s in seg.speeches] == [None, "第一篇讲话"]


def test_without_toc_the_document_is_one_speech_titled_by_the_document():
    seg = _segment("正文第一段。 正文第二段。", [], "文档标题")
    assert seg.method == "single"
    assert [(s.title, len(s.paragraphs)) for s in seg.speeches] == [("文档标题", 2)]


@pytest.mark.parametrize("title, expected", [
    ("党课讲稿：统筹推进疫情防控和经济社会发展工作", "党课讲稿"),
    ("统筹推进新冠肺炎疫情防控和经济社会发展工作调度会上的发言", "发言"),
    ("在全市电视电话会议上的讲话", "讲话"),
    ("2024年政府工作报告", "工作报告"),
    ("在新年茶话会上的致辞", "致辞"),
    ("关于政府工作报告的决议", "决议"),
    ("2020学习统筹推进疫情防控和脱贫攻坚党课讲稿精选三篇", "党课讲稿"),
    ("汇编", None),
    (None, None),
])
def test_genre_from_title(title, expected):
    assert segment.genre(title) == expected

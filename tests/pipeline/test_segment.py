"""Segmentation: labelled cases (tests/cases/segment.json), speech splitting and speech metadata."""

from __future__ import annotations

import datetime as dt
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


def test_a_compilation_without_toc_splits_at_its_numbered_markers():
    seg = _segment("汇编说明。\n第一篇：讲话甲\n正文一。\n第二篇：讲话乙\n正文二。", [], "汇编")
    assert seg.method == "markers"
    assert [s.title for s in seg.speeches] == ["汇编", "讲话甲", "讲话乙"]
    assert [[p.text.chars for p in s.paragraphs] for s in seg.speeches] == [["汇编说明。"], ["正文一。"], ["正文二。"]]


def test_speaker_and_date_lines_are_metadata_not_paragraphs():
    body = "上海市市长 龚 正\n——2026年2月3日在上海市第十六届人民代表大会第四次会议上\n各位代表：\n现在，我代表市人民政府作报告。"
    (speech,) = _segment(body).speeches
    assert (speech.speaker, speech.speaker_title, speech.delivered_on, speech.occasion) == (
        "龚正", "上海市市长", dt.date(2026, 2, 3), "上海市第十六届人民代表大会第四次会议")
    assert [t.chars for t in speech.metadata_lines] == body.split("\n")[:2]
    assert [p.text.chars for p in speech.paragraphs] == ["各位代表：", "现在，我代表市人民政府作报告。"]
    assert speech.salutation == "各位代表："


def test_a_bare_name_before_the_salutation_is_the_speaker():
    (speech,) = _segment("毛伟明\n各位代表：\n现在，我代表省人民政府作报告。").speeches
    assert speech.speaker == "毛伟明"
    assert [p.text.chars for p in speech.paragraphs] == ["各位代表：", "现在，我代表省人民政府作报告。"]


def test_the_title_names_the_occasion():
    (speech,) = _segment("同志们：今天开会。", [], "在全市安全生产电视电话会议上的讲话").speeches
    assert speech.occasion == "全市安全生产电视电话会议"

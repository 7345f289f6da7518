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


def test_a_salutation_over_several_lines_is_one():
    (speech,) = _segment("尊敬的维尔德市市长先生，\n尊敬的各位使节，\n女士们，先生们：\n金秋时节，我们迎来了贵宾。").speeches
    assert speech.salutation == "尊敬的维尔德市市长先生，尊敬的各位使节，女士们，先生们："
    assert [p.text.chars for p in speech.paragraphs] == [speech.salutation, "金秋时节，我们迎来了贵宾。"]


def test_an_address_inside_the_text_is_no_salutation():
    (speech,) = _segment("同志们：\n今年汛期雨多。\n同志们，防汛工作责任重于泰山。").speeches
    assert speech.salutation == "同志们："
    assert speech.paragraphs[-1].text.chars == "同志们，防汛工作责任重于泰山。"


@pytest.mark.parametrize("items, paragraphs, headings", [
    # whole sentences in a row, numbered in sequence: a list (issue 19, point 7)
    ("（一）全面推进严格规范公正文明执法。\n（二）深化行政执法体制改革。\n各部门要抓好落实。",
     ["（一）全面推进严格规范公正文明执法。", "（二）深化行政执法体制改革。", "各部门要抓好落实。"], []),
    # items of one enumerated sentence, closed by ； and the last by 。
    ("要抓好三项工作：\n（1）建立评估制度，每年评估一次；\n（2）推行网上审批；\n（3）违建年底前清零。\n（一）强化督查\n要每月通报。",
     ["要抓好三项工作：", "（1）建立评估制度，每年评估一次；", "（2）推行网上审批；", "（3）违建年底前清零。", "要每月通报。"],
     ["强化督查"]),
    # NEGATIVE: a run-in heading with its body is a heading and a paragraph
    ("（一）加强组织领导。各级各部门要亲自抓。\n（二）强化督查考核。要定期通报。",
     ["各级各部门要亲自抓。", "要定期通报。"], ["加强组织领导", "强化督查考核"]),
    # NEGATIVE: one item alone heads the paragraph under it
    ("（一）加强组织领导。\n各级各部门要亲自抓。", ["各级各部门要亲自抓。"], ["加强组织领导"]),
])
def test_list_items(items, paragraphs, headings):
    (speech,) = _segment(items).speeches
    assert [p.text.chars for p in speech.paragraphs] == paragraphs
    assert [h.title for h in speech.headings] == headings


def test_an_editor_note_is_the_pages():
    body = "\u3000\u3000编者按：现将讲话刊发，供参考。\n——编 者\n\u3000\u3000同志们：\n\u3000\u3000今天开会。"
    seg = _segment(body)
    assert [t.chars for t in seg.editor_note] == ["编者按：现将讲话刊发，供参考。", "——编者"]
    assert [p.text.chars for p in seg.speeches[0].paragraphs] == ["同志们：", "今天开会。"]
    assert {r.kind for r in seg.removed()} == {"editor_note", "page_break_space"}


def test_a_multi_speaker_page_is_one_speech_per_turn():
    body = ("\u3000\u3000编者按：摘编部分发言。\n——编 者\n"
            "让网格成为服务群众的“最后一米”\n东湖区委书记  周敏\n\u3000\u3000我们划分了网格。\n"
            "石门镇党委书记  王  华\n\u3000\u3000石门镇推行党员联户。\n\u3000\u3000我们还组建了调解队伍。\n")
    seg = _segment(body, title="座谈会发言摘登")
    assert seg.method == "turns"
    assert [(s.title, s.speaker, s.speaker_title) for s in seg.speeches] == [
        ("让网格成为服务群众的“最后一米”", "周敏", "东湖区委书记"), ("座谈会发言摘登", "王华", "石门镇党委书记")]
    assert [len(s.paragraphs) for s in seg.speeches] == [1, 2]
    assert [t.chars for t in seg.editor_note] == ["编者按：摘编部分发言。", "——编者"]


@pytest.mark.parametrize("body", [
    "\u3000\u3000市委书记王华同志指出：“安全生产是民生大事。”\n\u3000\u3000我们要落实。",     # a quotation
    "\u3000\u3000省委书记李明同志在全会上强调：\n\u3000\u3000“要坚持高质量发展。”",            # reported speech
    "南屏大学党委书记  张  三\n\u3000\u3000教育是国之大计。\n\u3000\u3000要守好一段渠。",     # one voice
])
def test_one_voice_is_one_speech(body):
    seg = _segment(body, title="讲话")
    assert seg.method == "single" and len(seg.speeches) == 1


def test_a_short_speech_of_a_seed_compilation_takes_the_compilations_layout():
    """Its body alone has one space after a sentence end: too few to show the seed layout,
    and the spaces around its heading were read as page breaks."""
    text = ("在甲会议上的讲话 同志们： 今天召开会议。 我们要努力工作。 大家辛苦了。 "
            "在乙会议上的讲话 今天开会。下面，我讲几点意见： 一、关于招商工作的特点 我到任还不到一个月，重点是了解情况。")
    second = segment.document(Text.from_source(text), ["在甲会议上的讲话", "在乙会议上的讲话"], None).speeches[1]
    assert [h.text.chars for h in second.headings] == ["一、关于招商工作的特点"]
    assert [p.text.chars for p in second.paragraphs] == ["今天开会。下面，我讲几点意见：", "我到任还不到一个月，重点是了解情况。"]


def test_a_compilation_with_line_breaks_keeps_joining_page_break_spaces():
    # NEGATIVE: a compilation whose units stand on lines is not in the seed layout: a space
    # inside a sentence of its short speech is still a page break
    text = "在甲会议上的讲话\n同志们：\n今天召开会议。\n在乙会议上的讲话\n下面，我讲几点意见：\n要作 出决策，部署工作。\n"
    second = segment.document(Text.from_source(text), ["在甲会议上的讲话", "在乙会议上的讲话"], None).speeches[1]
    assert [p.text.chars for p in second.paragraphs] == ["下面，我讲几点意见：", "要作出决策，部署工作。"]

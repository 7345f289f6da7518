"""Line breaks inside sentences: the layout's wraps, and breaks a PDF left inside a word."""

from __future__ import annotations

import pytest

from pipeline.text import linebreaks


def _joined(chars: str) -> list[str]:
    return [chars[max(0, start - 2):end + 2] for start, end, *_ in linebreaks.sentence_breaks(chars)]


def test_a_word_across_a_break_is_joined_and_a_sentence_end_is_not():
    chars = "我们要始终坚持中国\n共产党的领导。\n同志们要认真落实。"
    assert _joined(chars) == ["中国\n共产"]


@pytest.mark.parametrize("chars, joined", [
    ("做好各项工作，\n落实责任。", []),                       # a comma alone is no evidence (a toast line)
    ("为伟大祖国的繁荣富强，\n为人民的幸福安康，\n干杯！", []),  # toast lines keep their breaks
    ("一、坚持稳中求进\n做好各项工作。", []),                 # a heading keeps its line
    ("在全市工作会议上的讲话\n同志们：\n今天召开会议。", []),  # a salutation keeps its line
    ("今天召开会议。\n部署全年工作。", []),                   # a sentence end
])
def test_breaks_decided_by_punctuation_or_structure_do_not_consult_the_dictionary(monkeypatch, chars, joined):
    """The dictionary is only asked about a break nothing else decides, so text without
    one never pays for loading it."""
    def unavailable():
        raise AssertionError("the dictionary was consulted")

    monkeypatch.setattr(linebreaks, "trusted_words", unavailable)
    assert _joined(chars) == joined


def test_the_trusted_words_are_those_of_jiebas_main_dictionary():
    """Read from jieba's file, they are the words a jieba tokenizer would have given."""
    from pipeline.corpus.tokenize import TokenizeConfig, make_tokenizer

    frequencies = make_tokenizer(TokenizeConfig(engine="jieba")).FREQ
    assert linebreaks.trusted_words() == {w for w, f in frequencies.items() if f >= 100 and len(w) >= 2}
    assert len(linebreaks.trusted_words()) > 30_000


def test_single_newlines_in_blank_line_paragraphs_are_wraps():
    chars = "劉少奇同志\n關於憲法草案的報告\n並進行了討論。\n\n第二段。\n\n第三段。"
    wraps = [(chars[a - 1:b + 1], rule) for a, b, _, rule, _ in linebreaks.layout_wraps(chars)]
    assert wraps == [("志\n關", "single_newline_in_paragraph"), ("告\n並", "single_newline_in_paragraph")]


def test_one_paragraph_per_line_is_left_alone():
    assert linebreaks.layout_wraps("第一段。\n第二段。\n第三段。") == []


def test_a_fixed_width_run_of_lines_is_joined_but_not_after_a_sentence_end():
    lines = ["这是一个固定宽度的文本行甲" for _ in range(5)] + ["短行结束。", "下一段。"]
    chars = "\n".join(lines)
    wraps = [a for a, _, _, rule, _ in linebreaks.layout_wraps(chars) if rule == "fixed_width_wrap"]
    width = len(lines[0]) + 1
    assert wraps == [width * i - 1 for i in range(1, 6)]


@pytest.mark.parametrize("chars, joined", [
    # a line cannot start with ， or 、: it goes on the line before (issue 19, point 1)
    ("目前已开工五十二个\n，完工十九个。", ["二个\n，完"]),
    # indentation marks the paragraphs: an unindented line inside one continues it
    ("标题\n\u3000\u3000社区工作者是骨干力量，\n也是重要依靠。\n\u3000\u3000下一步。", ["量，\n也是"]),
    ("标题\n\u3000\u3000要充分发挥好\n基层党组织战斗堡垒作用\n和党员先锋模范作用。\n\u3000\u3000下一步。",
     ["挥好\n基层", "作用\n和党"]),
    # …but an indented line starts a paragraph whatever the line before ended with
    ("标题\n\u3000\u3000现在，我提议，\n\u3000\u3000为江州的明天，\n\u3000\u3000干杯！", []),
    # …and a short unpunctuated line before an indented one is a subhead, not a wrap
    ("标题\n\u3000\u3000第一段没有句号\n夯实数字基础设施\n\u3000\u3000要适度超前布局。\n\u3000\u3000再一段。", []),
    # a subhead of phrases of one length keeps its break, though 作表率|领导 holds 率领
    ("标题\n严律己 作表率\n领导干部要带头廉洁自律。", []),
    # NEGATIVE: a wrapped line that holds a page-break space is still a wrapped line
    ("标题\n我们要始终 坚持中国\n共产党的领导。", ["中国\n共产"]),
    # a sentence cut after a clause: a comma in it, no mark at the end
    ("党的十八大以来，党中央反复\n强调，要坚持。", ["反复\n强调"]),
    # part headings opening with an ordinal and holding a comma, numbered in sequence, keep their lines
    ("开场。\n第一，统一思想，认清形势的严峻性\n据预测，今年降水偏多。\n第二，压实责任，落实各项措施\n要亲自部署。", []),
    # NEGATIVE: a lone one is a sentence cut after a clause
    ("开场。\n第一，统一思想，认清形势的严峻性\n据预测，今年降水偏多。\n第二，压实责任。要亲自部署。", ["峻性\n据预"]),
    # subheads ending the same way: where two stand clear, a word across the third's break (人本) is chance
    ("开场。\n做政治上靠得住的人\n对党忠诚是第一品质，旗帜要鲜明。\n做工作上有本事的人\n本领不是天生的，是干出来的。"
     "\n做作风上过得硬的人\n要慎独慎微，管住自己的手。", []),
    # a subhead of two parallel clauses keeps its line; NEGATIVE: clauses a wrap cut do not
    ("开场。\n读有字之书，也读无字之书\n大学是读书的好时光。", []),
    ("开场。\n要加强组织领导，切实抓好\n落实各项工作任务。", ["抓好\n落实"]),
    # NEGATIVE: with one sibling standing clear, the word across the break joins it
    ("开场。\n做政治上靠得住的人\n对党忠诚是第一品质，旗帜要鲜明。\n做工作上有本事的人\n本领不是天生的，是干出来的。",
     ["的人\n本领"]),
])
def test_evidence_of_wrapping(chars, joined):
    assert _joined(chars) == joined


def test_unindented_lines_outside_paragraphs_are_never_joined_by_the_dictionary():
    """A title, a dateline and a subhead above an indented body: a word across their breaks
    (讲话|本报 holds 话本) is a coincidence."""
    chars = "在全市大会上的讲话\n本报江州1月9日电（记者张伟）\n\u3000\u3000同志们：\n\u3000\u3000今天开会。"
    assert _joined(chars) == []

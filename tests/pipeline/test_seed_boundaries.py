"""Boundaries of the seed's one-line layout read from evidence in the text (issue 19, round 8).

Each case is written for the purpose: a positive case and a NEGATIVE one that must not change.
"""

from __future__ import annotations

from pipeline.spans import Text
from pipeline.structure import blocks

#: Enough sentence ends followed by a space: the seed layout.
SEED = "开场。 第二句话。 第三句话。 "


def _units(body: str) -> list[str]:
    found = blocks.split(Text.from_source(SEED + body), set(), [])
    return [b.text.chars for b in found][3:]


def test_a_stage_direction_after_a_sentence_end_closes_the_paragraph():
    assert _units("向各位来宾表示热烈的欢迎！（鼓掌） 时光飞逝，又到了毕业的季节。") == [
        "向各位来宾表示热烈的欢迎！（鼓掌）", "时光飞逝，又到了毕业的季节。"]


def test_a_bracket_inside_a_sentence_is_no_paragraph_end():
    # NEGATIVE: no sentence end before the bracket: the space is a page break
    assert _units("我们邀请了省里的专家（特邀） 为大家作专题辅导。") == ["我们邀请了省里的专家（特邀）为大家作专题辅导。"]


def test_an_address_without_its_mark_ends_where_the_greeting_answers_it():
    assert _units("尊敬的各位来宾，亲爱的校友们 大家晚上好！今天我们欢聚一堂。") == [
        "尊敬的各位来宾，亲爱的校友们", "大家晚上好！今天我们欢聚一堂。"]


def test_an_address_without_its_mark_and_no_greeting_runs_on():
    # NEGATIVE: no greeting after the space: a page break after 各位 stays a join
    assert _units("尊敬的各位 领导莅临指导，我们表示感谢。") == ["尊敬的各位领导莅临指导，我们表示感谢。"]


def test_a_section_label_in_lenticular_brackets_stands_alone():
    assert _units("【务实担当篇】 我县是农业大县，全县人口八十万。") == ["【务实担当篇】", "我县是农业大县，全县人口八十万。"]


def test_lenticular_brackets_opening_a_sentence_keep_their_text():
    # NEGATIVE: the bracket pair opens a sentence that a page break cuts later
    assert _units("【案例】某县开展专项 整治，成效明显。") == ["【案例】某县开展专项整治，成效明显。"]


def test_a_list_of_names_after_a_colon_closes_its_line():
    assert _units("出席今天大会的领导有：XX、XX、XX 担任评委的有：XX、XX、XX 请大家鼓掌欢迎！") == [
        "出席今天大会的领导有：XX、XX、XX", "担任评委的有：XX、XX、XX", "请大家鼓掌欢迎！"]


def test_a_list_whose_last_item_a_page_break_cut_runs_on():
    # NEGATIVE: the last item is shorter than its siblings: the space is inside it
    assert _units("出席会议的有：市委办、市府办、市人 大办的负责同志。") == ["出席会议的有：市委办、市府办、市人大办的负责同志。"]


def test_a_note_in_brackets_closes_its_line_when_a_sentence_opens_after_it():
    assert _units("下面宣读比赛规则（见规则单页） 下面我宣布，比赛正式开始！") == [
        "下面宣读比赛规则（见规则单页）", "下面我宣布，比赛正式开始！"]


def test_a_note_in_brackets_inside_a_sentence_runs_on():
    # NEGATIVE: what follows the note goes on with the sentence
    assert _units("下面宣读比赛规则（见规则单页） 和评分标准，请大家注意。") == ["下面宣读比赛规则（见规则单页）和评分标准，请大家注意。"]


def test_a_list_that_a_short_tail_closes_runs_on():
    # NEGATIVE: a few characters close the sentence after the space: the list goes on
    assert _units("出席会议的有：张晓明、李建国、王志强 同志。请大家鼓掌欢迎！") == [
        "出席会议的有：张晓明、李建国、王志强同志。请大家鼓掌欢迎！"]


def test_a_subject_before_its_listing_predicate_is_no_subhead():
    assert _units("出席今天会议的领导 有：XX、XX、XX 请大家鼓掌欢迎！") == ["出席今天会议的领导有：XX、XX、XX", "请大家鼓掌欢迎！"]


def test_a_subhead_before_a_sentence_opening_on_you_stays():
    # NEGATIVE: 有 opening a sentence, no colon: the subhead stands
    assert _units("扎实推进乡村振兴 有条件的地方要先行先试，形成可复制的经验。") == [
        "扎实推进乡村振兴", "有条件的地方要先行先试，形成可复制的经验。"]


def test_a_page_break_inside_a_quoted_sentence_before_a_particle_is_joined():
    assert _units("古人说“读书固然重要，但比读书更重要 的是修身。”我们要牢记。") == [
        "古人说“读书固然重要，但比读书更重要的是修身。”我们要牢记。"]


def test_two_phrases_inside_quotation_marks_keep_their_space():
    # NEGATIVE: a slogan written with its space inside quotation marks
    assert _units("本届论坛以“共享机遇 共创未来”为主题，共商合作大计。") == ["本届论坛以“共享机遇 共创未来”为主题，共商合作大计。"]


def test_a_page_break_inside_a_quoted_sentence_after_its_comma_is_joined():
    assert _units("古人说“读书固然重要，但比读书 更重要的是修身。”我们要牢记。") == [
        "古人说“读书固然重要，但比读书更重要的是修身。”我们要牢记。"]

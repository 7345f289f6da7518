"""Patterns of Chinese text: the salutation family and the speaker-line grammar."""

from __future__ import annotations

import pytest

from pipeline.text import chardata


@pytest.mark.parametrize("line, salutation", [
    ("同志们：", True),
    ("同志们，朋友们：", True),
    ("女士们，先生们，朋友们：", True),
    ("女士们，先生们，", True),                    # the first line of a two-line salutation
    ("尊敬的维尔德市市长先生，", True),
    ("尊敬的各位嘉宾，女士们，先生们：", True),
    ("老师们，同学们，朋友们：", True),
    ("亲爱的同学们：", True),
    ("各位企业家朋友们：", True),
    ("各位同仁：", True),
    ("各位代表！", True),
    ("我们：", False),                              # a pronoun addresses nobody
    ("大家上午好！", False),                         # a greeting, not an address
    ("同志们，防汛工作责任重于泰山。", False),         # an address opening a sentence
    ("现在，我提议：", False),
    ("尊敬的各位老领导、老同志，各位来宾：", True),   # 、 lists bare nouns under one opening
    ("亲爱的老师们、同学们：", True),
    ("各位代表、各位委员，领导们：", True),
    ("同志们，经济、社会：", False),                 # after ， an item must be an addressee
    ("运动员、教练员、裁判员同志们：", True),         # items before an addressee share its 同志们
    ("尊敬的各位领导，各位来宾，运动员、教练员、裁判员同志们：", True),
    ("市委、市政府：", False),                       # NEGATIVE: a list with no addressee after it
])
def test_salutations_are_a_family(line, salutation):
    assert bool(chardata.SALUTATION.fullmatch(line)) is salutation


@pytest.mark.parametrize("line, parts", [
    ("上海市市长 龚 正", ("龚正", "上海市市长")),                    # letter-spaced
    ("国务院总理　李　强", ("李强", "国务院总理")),                  # ideographic spaces
    ("省长　王予波", ("王予波", "省长")),
    ("北京市市长 殷勇", ("殷勇", "北京市市长")),                     # one space after an office
    ("南屏大学党委书记  张  三", ("张三", "南屏大学党委书记")),        # a layout gap
    ("市人大代表、江州第一中学校长  郑红", ("郑红", "市人大代表、江州第一中学校长")),
    ("市工商联主席王华：", ("王华", "市工商联主席")),                 # no space: the office ending decides
    ("南屏大学副校长陈立群", ("陈立群", "南屏大学副校长")),
    ("南屏大学农学院研究生许诺", ("许诺", "南屏大学农学院研究生")),
    ("市发展改革委主任刘洋", ("刘洋", "市发展改革委主任")),            # 任 is a surname too
    # NEGATIVE
    ("坚定信心 看好未来", None),                                    # a phrase pair
    ("清正廉洁 严于律己", None),                                    # …whose second phrase starts with a surname
    ("守初心 担使命 找差距 抓落实", None),
    ("省委书记李明同志在全会上强调", None),                          # reported speech
    ("本报江州1月9日电（记者张伟）", None),                          # a dateline naming a reporter
    ("——编 者", None),
    ("毛伟明", None),                                               # a name alone has no office
    ("（一）强化督查问责", None),                                    # a heading: 督 ends offices, 查问责 reads as a name
    # issue 19, round 5: a transliterated name after the gap or a space
    ("罗森堡市市长  艾米莉·卡特", ("艾米莉·卡特", "罗森堡市市长")),
    ("维拉斯市市长 马丁·霍夫曼", ("马丁·霍夫曼", "维拉斯市市长")),
    # NEGATIVE: an interpunct between place names, and a name too long to be one
    ("中国·江州  国际博览会", None),
    ("市长  奥古斯都·威廉姆斯·冯·霍亨索伦家族", None),
])
def test_speaker_parts(line, parts):
    assert chardata.speaker_parts(line) == parts


@pytest.mark.parametrize("line, date, place", [
    ("（2019年10月9日，北京）", "2019年10月9日", "北京"),
    ("（二〇二〇年十二月二十一日，江州）", "二〇二〇年十二月二十一日", "江州"),
    ("（2022年6月24日）", "2022年6月24日", None),
])
def test_date_lines(line, date, place):
    m = chardata.date_line(line)
    assert (m.group("date"), m.groupdict().get("place")) == (date, place)


@pytest.mark.parametrize("line", ["2019年10月9日，我们在北京召开了第一次联席会议。", "（2021年3月1日起施行）"])
def test_dates_in_sentences_are_not_date_lines(line):
    assert chardata.date_line(line) is None


@pytest.mark.parametrize("line, dateline", [
    ("新华社江州5月28日电", True),
    ("本报江州1月9日电（记者张伟）", True),
    ("前不久，新华社刊发长篇通讯", False),
])
def test_datelines(line, dateline):
    assert bool(chardata.DATELINE.fullmatch(line)) is dateline


@pytest.mark.parametrize("line, parallel", [
    ("读有字之书，也读无字之书", True),           # a linking 也 opens the second clause
    ("既要金山银山，也要绿水青山", True),
    ("守好一段渠，种好责任田", False),             # alike in one place only: not told from a cut sentence
    ("要加强组织领导，切实抓好落", False),         # a sentence a page break or a wrap cut
    ("党的十八大以来，党中央反复", False),
    ("读有字之书，也读无字之书。", False),          # a sentence, closed
    ("甲乙，丙丁", False),                          # too short to show anything
])
def test_a_couplet_is_two_parallel_clauses(line, parallel):
    assert chardata.couplet(line) is parallel


@pytest.mark.parametrize("openings, parts", [
    ([(0, "第一，甲"), (5, "第二，乙"), (9, "第三，丙")], {0, 5, 9}),
    ([(0, "第一个问题：甲"), (5, "第二个问题：乙")], {0, 5}),
    ([(0, "第一，甲")], set()),                                   # a lone one may be a sentence's point
    ([(0, "第二，甲"), (5, "第三，乙")], set()),                    # parts start at 第一
    ([(0, "第一，甲"), (5, "第三，乙")], set()),                    # …and go on one by one
])
def test_ordinal_parts_are_numbered_in_sequence(openings, parts):
    assert chardata.ordinals_in_sequence(openings) == parts


@pytest.mark.parametrize("line, alone", [
    ("郑怀远", True), ("艾米莉·卡特", True), ("欧阳明", True),
    # NEGATIVE: words opening with a surname, an address, a name with an office
    ("金秋", False), ("高度", False), ("同志们", False), ("市长郑怀远", False),
])
def test_a_name_alone(line, alone):
    assert chardata.name_alone(line) is alone


@pytest.mark.parametrize("line, bare", [
    ("2023年12月", True), ("（二〇二三年十二月）", True), ("2023年12月26日", True),
    # NEGATIVE: a date in a sentence or a title holding a year
    ("2023年12月，我们召开了会议", False), ("2023年工作回顾", False), ("在2023年12月会议上的讲话", False),
])
def test_a_bare_date(line, bare):
    assert (chardata.BARE_DATE.fullmatch(line) is not None) is bare


@pytest.mark.parametrize("subhead, frame", [
    ("实绩是干出来的", True), ("口碑是群众给的", True),
    # NEGATIVE: a 的 with no 是 before it, a 是 opening the line, a 的 not at the end
    ("做政治上靠得住的人", False), ("是干出来的", False), ("创新是引领发展的第一动力", False),
])
def test_statements_share_a_frame(subhead, frame):
    assert ("是…的" in chardata.sibling_frames(subhead)) is frame

"""Speech metadata: genre and kind of meeting from the title, speaker and date lines."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.structure import metadata


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
    assert metadata.genre(title) == expected


@pytest.mark.parametrize("occasion, title, expected", [
    ("上海市第十六届人民代表大会第四次会议", None, "人民代表大会"),   # the most specific kind named
    ("全市安全生产电视电话会议", "在全市会议上的讲话", "电视电话会议"),  # the occasion before the title
    (None, "在市委理论学习中心组学习会上的发言", "中心组学习"),
    (None, "政府工作报告", None),
])
def test_occasion_type(occasion, title, expected):
    assert metadata.occasion_type(occasion, title) == expected


@pytest.mark.parametrize("title, expected", [
    ("在全市安全生产电视电话会议上的讲话", "全市安全生产电视电话会议"),
    ("在省委十二届三次全会上的总结讲话", "省委十二届三次全会"),
    ("政府工作报告", None),
    (None, None),
])
def test_occasion_in_title(title, expected):
    assert metadata.occasion_in_title(title) == expected


@pytest.mark.parametrize("text, expected", [
    ("2026年2月3日", dt.date(2026, 2, 3)),
    ("二〇二六年一月二十七日", dt.date(2026, 1, 27)),
    ("2026年二月十三日", dt.date(2026, 2, 13)),
    ("2026年2月30日", None),     # impossible
    ("2026年2月", None),         # not a whole date
])
def test_date(text, expected):
    assert metadata.date(text) == expected


@pytest.mark.parametrize("chars, kind, expected", [
    # issue 23, point 2: the name without layout spaces, the office apart
    ("上海市市长 龚 正", "speaker", metadata.LineMetadata(speaker="龚正", speaker_title="上海市市长")),
    ("南屏大学党委书记  张  三", "speaker", metadata.LineMetadata(speaker="张三", speaker_title="南屏大学党委书记")),
    ("市发展改革委主任刘洋：", "speaker", metadata.LineMetadata(speaker="刘洋", speaker_title="市发展改革委主任")),
    ("毛伟明", "speaker", metadata.LineMetadata(speaker="毛伟明")),    # a bare name before the salutation
    ("（2009年2月18日）", "date", metadata.LineMetadata(delivered_on=dt.date(2009, 2, 18))),
    ("（2019年10月9日，北京）", "date", metadata.LineMetadata(delivered_on=dt.date(2019, 10, 9), place="北京")),
    ("（二〇二〇年十二月二十一日，江州）", "date", metadata.LineMetadata(delivered_on=dt.date(2020, 12, 21), place="江州")),
    ("——2026年1月26日在北京市第十六届\n人民代表大会第四次会议上", "date",
     metadata.LineMetadata(delivered_on=dt.date(2026, 1, 26), occasion="北京市第十六届人民代表大会第四次会议")),
    ("2026年1月26日 北京市市长 殷勇", "date",
     metadata.LineMetadata(speaker="殷勇", speaker_title="北京市市长", delivered_on=dt.date(2026, 1, 26))),
    ("本报江州1月9日电（记者张伟）", "dateline", metadata.LineMetadata(dateline="本报江州1月9日电（记者张伟）")),
    ("——在第二届东湖国际合作论坛上的主旨演讲", "subtitle",
     metadata.LineMetadata(subtitle="——在第二届东湖国际合作论坛上的主旨演讲", occasion="第二届东湖国际合作论坛")),
])
def test_from_line(chars, kind, expected):
    assert metadata.from_line(chars, kind) == expected


@pytest.mark.parametrize("line, following, expected", [
    ("毛伟明", "各位代表：", True),
    ("毛伟明", "今天召开会议。", False),      # no salutation follows
    ("毛伟明", None, False),
    ("湖南省人民政府省长", "各位代表：", False),  # longer than a name
])
def test_a_name_before_the_salutation(line, following, expected):
    assert metadata.is_name_before_salutation(line, following) is expected

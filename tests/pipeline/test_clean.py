"""Site-noise removal: site rules applied, the title and its repeats, the table of contents."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipeline.text import clean, normalize, rules
from pipeline.spans import Text
from pipeline.text.chardata import HALF_TO_FULL

FULL_TO_HALF = {full: half for half, full in HALF_TO_FULL.items()}

HEADER = "- 2021-04-23 发布 |\n- 37.5 KB |\n- 60页\n申明敬告: 本站不保证该用户上传的文档完整性,不预览。\n文档介绍\n"


def _clean(raw: str, config: clean.CleanConfig = clean.CleanConfig()) -> tuple[clean.Cleaned, str]:
    cleaned = clean.document(normalize.characters(Text.from_source(raw)), config)
    return cleaned, raw


def _removed(cleaned: clean.Cleaned, raw: str) -> list[tuple[str, str]]:
    """(kind, text) of each removal; a removed line takes its line break along, dropped here."""
    return [(r.kind, raw[r.start:r.end].removesuffix("\n")) for r in cleaned.removed]


def test_site_header_lines_become_metadata_and_removals():
    cleaned, raw = _clean(HEADER + "标题\n正文。")
    assert cleaned.site == "61taotao"
    assert (cleaned.published_date, cleaned.declared_size, cleaned.page_count) == (dt.date(2021, 4, 23), "37.5 KB", 60)
    assert ("site_header", "- 2021-04-23 发布 |") in _removed(cleaned, raw)
    assert ("disclaimer", "申明敬告: 本站不保证该用户上传的文档完整性,不预览。") in _removed(cleaned, raw)
    assert ("banner", "文档介绍") in _removed(cleaned, raw)
    assert cleaned.text.chars.strip() == "正文。"


def test_family_rules_do_not_apply_to_other_sites():
    cleaned, _ = _clean("正文。\n文档介绍\n正文。")
    assert cleaned.site is None
    assert "文档介绍" in cleaned.text.chars


def test_impossible_header_date_is_not_metadata():
    cleaned, _ = _clean("- 2021-02-30 发布 |\n标题\n正文。")
    assert cleaned.published_date is None


def test_title_its_repeat_and_the_toc():
    raw = "某某汇编2篇\n某某汇编2篇 目 录 1、第一篇讲话 2、第二篇发言 第一篇讲话 正文。"
    cleaned, raw = _clean(raw)
    assert cleaned.title == "某某汇编2篇" and cleaned.declared_speech_count == 2
    assert cleaned.toc_titles == ["第一篇讲话", "第二篇发言"]
    kinds = [k for k, _ in _removed(cleaned, raw)]
    assert kinds == ["document_title", "repeated_title", "toc"]
    assert cleaned.text.chars.split() == ["第一篇讲话", "正文。"]


def test_a_single_numbered_line_is_not_a_toc():
    cleaned, _ = _clean("标题\n目录里只有1、一项 正文。")
    assert cleaned.toc_titles == []


def test_a_sentence_is_not_a_title():
    cleaned, _ = _clean("这是正文的第一句。\n第二句。")
    assert cleaned.title is None


def test_trailing_prompt():
    cleaned, raw = _clean("标题\n正文。查看更多")
    assert ("trailing_prompt", "查看更多") in _removed(cleaned, raw)
    assert cleaned.text.chars.endswith("正文。")


@pytest.mark.parametrize("declared, count", [("发言6篇汇编", 6), ("党课讲稿精选三篇", 3), ("讲话稿", None)])
def test_declared_speech_count(declared, count):
    cleaned, _ = _clean(f"{declared}\n正文。")
    assert (cleaned.title, cleaned.declared_speech_count) == (declared, count)


def test_a_user_rules_dir_extends_the_cleaning(tmp_path):
    (tmp_path / "mysite.json").write_text(json.dumps({
        "family": "mysite", "detect": ["^我的网站$"],
        "rules": [{"name": "site_name", "kind": "banner", "scope": "line", "pattern": "我的网站"}],
    }), encoding="utf-8")
    cleaned, raw = _clean("我的网站\n标题\n正文。", clean.CleanConfig(rules_dirs=(rules.RULES_DIR, tmp_path)))
    assert cleaned.site == "mysite"
    assert ("banner", "我的网站") in _removed(cleaned, raw)


@pytest.mark.parametrize("raw, title", [
    ("在“不忘初心、牢记使命”主题教育总结大会上的讲话\n同志们：\n正文。", "在“不忘初心、牢记使命”主题教育总结大会上的讲话"),
    ("在《青川县志（1986—2015）》出版座谈会上的讲话\n正文。", "在《青川县志（1986—2015）》出版座谈会上的讲话"),
    ("《青川茶经》首发式致辞\n正文。", "《青川茶经》首发式致辞"),
    # a title wrapped after a word that cannot end it
    ("在全市深化“放管服”改革优化营商环境大会上的\n讲话\n　　同志们：\n　　正文。", "在全市深化“放管服”改革优化营商环境大会上的讲话"),
    # NEGATIVE: a title that ends where a title ends is not joined to a subhead under it
    ("在全市工作会议上的讲话\n夯实数字基础设施\n　　正文。", "在全市工作会议上的讲话"),
])
def test_titles_with_quotes_and_wrapped_titles(raw, title):
    cleaned, _ = _clean(raw)
    assert cleaned.title == title


def test_a_kicker_above_the_title():
    raw = "坚持以人民为中心的发展思想\n让发展成果更多更公平惠及全市人民\n（2022年11月8日）\n　　同志们：\n　　正文。"
    cleaned, raw = _clean(raw)
    assert (cleaned.kicker, cleaned.title) == ("坚持以人民为中心的发展思想", "让发展成果更多更公平惠及全市人民")
    assert [k for k, _ in _removed(cleaned, raw)] == ["document_title", "document_title"]


def test_a_date_under_the_title_is_no_main_title():
    """A month-only date line between the title and the speaker line (issue 19, round 5) reads
    like a second title line followed by a speaker: the title is still the first line."""
    raw = "在白鹭区2023年度科技创新大会上的讲话\n2023年12月\n白鹭区区长  江  帆\n　　同志们：\n　　正文。"
    cleaned, _ = _clean(raw)
    assert (cleaned.kicker, cleaned.title) == (None, "在白鹭区2023年度科技创新大会上的讲话")


@pytest.mark.parametrize("raw", [
    "2024年政府工作报告\n政府工作报告\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n各位代表：\n正文。",  # the title again
    "座谈会发言摘登\n让网格成为服务群众的“最后一米”\n东湖区委书记  周敏\n　　正文。\n"
    "党建引领凝聚治理合力\n石门镇党委书记  王  华\n　　正文。",                                            # the first turn's headline
    "在鹿鸣大学毕业典礼上的讲话\n——致即将远行的你们\n鹿鸣大学校长  程立言\n　　同学们：\n　　正文。",      # a subtitle, not the title
])
def test_not_a_kicker(raw):
    cleaned, _ = _clean(raw)
    assert cleaned.kicker is None and cleaned.title == raw.split("\n")[0]


@pytest.mark.parametrize("toc, titles", [
    # an entry holding a phrase space runs to the next number, the last to where the body starts
    ("目 录 1、深化区域合作 共创美好未来 2、在江海论坛上的致辞 深化区域合作 共创美好未来 女士们：正文。",
     ["深化区域合作 共创美好未来", "在江海论坛上的致辞"]),
    # a page-break space in the TOC's last entry, none in the body
    ("目 录 1、在全县森林防灭火工作会议上的讲话 2、在全县秋季学校安全工作 会议上的讲话 在全县森林防灭火工作会议上的讲话 同志们：正文。",
     ["在全县森林防灭火工作会议上的讲话", "在全县秋季学校安全工作 会议上的讲话"]),
    # one entry: a TOC when its title follows it
    ("目 录 1、在全县经济运行调度会上的讲话 在全县经济运行调度会上的讲话 同志们：正文。", ["在全县经济运行调度会上的讲话"]),
])
def test_toc_entries(toc, titles):
    cleaned, _ = _clean("某某等讲话汇编\n某某等讲话汇编 " + toc)
    assert cleaned.toc_titles == titles


#: Issue 21, point 1: a page's download line. The URL detector removes the address after
#: normalisation gave ``(PDF)`` its width from the ASCII beside it, leaving half-width
#: brackets in Chinese text that the paragraphs' contract refuses.
DOWNLOAD_LINE = "下载地址: www.example.gov.cn (PDF)\n各地区、各部门要认真贯彻落实。"


def test_punctuation_width_follows_url_removal():
    cleaned, raw = _clean("关于印发通知的说明\n" + DOWNLOAD_LINE)
    assert ("ad", "www.example.gov.cn") in _removed(cleaned, raw)
    line = cleaned.text.chars.strip().splitlines()[0]
    assert line.replace(" ", "") == "下载地址：（PDF）"
    # full width is one character for one: every kept character is still at its own offset
    assert all(raw[o] in (c, FULL_TO_HALF.get(c)) for c, o in zip(cleaned.text.chars, cleaned.text.offsets) if not c.isspace())
    assert [raw[o] for c, o in zip(cleaned.text.chars, cleaned.text.offsets) if c in "（）"] == ["(", ")"]

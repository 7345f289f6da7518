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

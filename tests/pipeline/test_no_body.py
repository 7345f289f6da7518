"""Pages that hold no speech (issue 20, section 4): a column banner, an advert word or a photo
credit alone is a ``no_body`` reject, not a document with an empty speech; a photo caption
shorter than a sentence is flagged ``caption`` so consumers can drop it."""

from __future__ import annotations

import pytest

from pipeline import ingest, process
from pipeline.records import Reject

NEWS = "全市防汛工作会议昨天召开，会议部署了今年的防汛抗旱工作，要求各地压实责任、做好准备。"


def _document(tmp_path, name: str, text: str):
    (tmp_path / name).write_text(text, encoding="utf-8")
    (source,) = ingest.read(tmp_path / name, tmp_path)
    return process.document(source)


@pytest.mark.parametrize("page", [
    "广告",
    "新书架",
    "本版图片来源：新华社 视觉中国",
    "新书架\n\n广告",
    "<html><body><div class='banner'>新书架</div><p>广告</p></body></html>",
    "<p>图为会议现场（新华社记者 李涛 摄）</p><p>本版图片来源：新华社</p>",
])
def test_a_page_with_no_running_text_is_a_no_body_reject(tmp_path, page):
    result = _document(tmp_path, "page.html" if page.startswith("<") else "page.txt", page)
    assert isinstance(result, Reject) and result.reason == "no_body"
    assert "no paragraph of running text" in result.detail


def test_a_page_cleaned_to_nothing_is_a_no_body_reject(tmp_path):
    result = _document(tmp_path, "page.html", "<html><head><title>广告</title></head><body></body></html>")
    assert isinstance(result, Reject) and result.reason in ("no_body", "not_prose")


@pytest.mark.parametrize("page", [
    NEWS,                                                       # one sentence is a body
    "同志们：\n今天召开会议。",
    "岁月不居，时节如流，我们一起走过了难忘的一年，向每一位同事致以新年的问候和最美好的祝愿，祝大家新年快乐",  # no 。
])
def test_a_short_page_of_running_text_is_a_document(tmp_path, page):
    assert not isinstance(_document(tmp_path, "page.txt", page), Reject)


def test_photo_captions_are_flagged_and_stay_in_the_text(tmp_path):
    bundle = _document(tmp_path, "page.txt", f"{NEWS}\n{NEWS}\n图为会议现场（新华社记者 李涛 摄）\n▲ 代表们步入会场")
    flagged = [(p.text[:2], "caption" in p.flags) for p in bundle.paragraphs]
    assert flagged == [(NEWS[:2], False), (NEWS[:2], False), ("图为", True), ("▲代", True)]


@pytest.mark.parametrize("text, caption", [
    ("图为会议现场（新华社记者 李涛 摄）", True),
    ("上图：青川县的茶园", True),
    ("资料图片", True),
    ("本报记者 王芳 摄", True),
    ("图为我们今后工作的方向。要把各项工作做得更好，让群众满意。", False),  # a sentence
    ("摄影爱好者协会今年举办了三次展览，吸引了众多市民参观。", False),
    ("一、总体要求", False),
])
def test_is_caption(text, caption):
    assert process.is_caption(text) is caption

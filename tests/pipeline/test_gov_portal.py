"""Government portal pages (issue 20, section 1): the gov_portal family on real page extracts.

tests/data/gov-portal/ holds two State Council pages cut to the portal's frame around the
document's first and last blocks (tests/data/SOURCES.md). The frame's metadata table
becomes document metadata, the QR and tool chrome removals, and the document keeps one
paragraph per block, its own title and its own date.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import DATA, unaccounted
from pipeline import ingest, process
from pipeline.ingest import html

PAGES = DATA / "gov-portal"

EXPECTED = {
    "policy_001.html": {
        "title": "国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见",
        "metadata": {"doc_number": "国发〔2019〕5号", "issuer": "国务院", "written_on": "2019-01-27",
                     "published_on": "2019-02-15", "subject": "市场监管、安全生产监管\\工商"},
    },
    "policy_002.html": {
        "title": "国务院办公厅关于有效发挥政府性融资担保基金作用切实支持小微企业和“三农”发展的指导意见",
        "metadata": {"doc_number": "国办发〔2019〕6号", "issuer": "国务院办公厅", "written_on": "2019-01-22",
                     "published_on": "2019-02-14", "subject": "财政、金融、审计\\银行"},
    },
}

#: What the portal's frame writes; none of it may be a paragraph or a heading.
FRAME = re.compile(r"索\s*引\s*号|主\s*题\s*分\s*类|发\s*文\s*机\s*关|成\s*文\s*日\s*期|标\s*题[：:]|发\s*文\s*字\s*号"
                   r"|发\s*布\s*日\s*期|主\s*题\s*词|扫一扫|打印|关闭")


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def page(request):
    path = PAGES / request.param
    (source,) = ingest.read(path, PAGES)
    return request.param, source, process.document(source)


def test_the_metadata_table_becomes_document_metadata(page):
    name, source, bundle = page
    doc = bundle.document
    assert doc.site == "gov_portal"
    assert json.loads(doc.metadata) == EXPECTED[name]["metadata"]
    assert doc.published_date.isoformat() == EXPECTED[name]["metadata"]["published_on"]


def test_the_title_comes_from_the_page_whole_though_the_page_breaks_it(page):
    name, _, bundle = page
    assert bundle.document.title == EXPECTED[name]["title"]
    (speech,) = bundle.speeches
    assert speech.title == EXPECTED[name]["title"]
    assert any(r.kind == "repeated_title" for r in bundle.removals)


def test_the_speech_is_dated_by_the_document_never_the_posting_date(page):
    name, _, bundle = page
    (speech,) = bundle.speeches
    assert speech.delivered_on.isoformat() == EXPECTED[name]["metadata"]["written_on"]


def test_no_frame_line_is_a_paragraph_or_heading(page):
    _, _, bundle = page
    texts = [p.text for p in bundle.paragraphs] + [s.title for s in bundle.sections]
    assert [t for t in texts if FRAME.search(t)] == []
    kinds = {(r.kind, r.rule) for r in bundle.removals}
    assert ("share_banner", "qr_code") in kinds
    assert {("document_metadata", rule) for rule in ("doc_number", "issuer", "written_on", "doc_number_line",
                                                      "signature", "publication_note")} <= kinds


def test_one_paragraph_per_block(page):
    _, source, bundle = page
    markup = source.text
    assert bundle.paragraphs[0].text == "各省、自治区、直辖市人民政府，国务院各部委、各直属机构："
    for p in bundle.paragraphs:
        assert "</p>" not in markup[p.source_start:p.source_end], p.text[:30]
    blocks = [b for b in re.findall(r"<p[ >].*?</p>", markup[markup.index("UCAP-CONTENT"):], re.S)
              if re.sub(r"<[^>]+>|\s|&nbsp;", "", b)]
    # title (its 1-3 blocks), 文号, the closing signature, date and note are not paragraphs
    assert len(bundle.paragraphs) + len([s for s in bundle.sections if not s.run_in]) >= len(blocks) - 7


def test_every_character_of_the_page_is_accounted_for(page):
    _, source, bundle = page
    assert unaccounted(source.text, bundle) == []


def test_the_family_is_about_the_frame_not_these_documents():
    """A page of the same portal the rules never saw: another document in the same frame."""
    frame = (PAGES / "policy_001.html").read_text(encoding="utf-8")
    body_start = frame.index('id="UCAP-CONTENT">') + len('id="UCAP-CONTENT">')
    body_end = frame.index("</td>", body_start)
    other = ('<p style="text-align: center;"><span>国务院关于2018年度</span></p>'
             '<p style="text-align: center;"><span>国家科学技术奖励的决定</span></p>'
             '<p style="text-align: center;">国发〔2019〕1号</p>'
             '<p>各省、自治区、直辖市人民政府，国务院各部委、各直属机构：</p>'
             '<p>为全面贯彻党的十九大精神，国务院决定，授予有关人员国家最高科学技术奖。</p>'
             '<p>国务院</p><p>2019年1月3日</p>')
    page = (frame[:body_start] + other + frame[body_end:]).replace(
        "国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见", "国务院关于2018年度国家科学技术奖励的决定")
    page = page.replace("2019年01月27日", "2019年01月03日").replace("国发〔2019〕5号", "国发〔2019〕1号")
    body = html.text(page)
    assert "国务院关于2018年度国家科学技术奖励的决定\n" in body.chars
    source = ingest.Source("other.html", None, "0" * 64, len(page), "html", "utf-8", page, body)
    bundle = process.document(source)
    assert bundle.document.title == "国务院关于2018年度国家科学技术奖励的决定"
    assert [p.text for p in bundle.paragraphs] == [
        "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
        "为全面贯彻党的十九大精神，国务院决定，授予有关人员国家最高科学技术奖。",
    ]
    assert bundle.speeches[0].delivered_on.isoformat() == "2019-01-03"
    assert json.loads(bundle.document.metadata)["doc_number"] == "国发〔2019〕1号"

"""Real corpora, from the extracts in tests/data: national reports (zh.wikisource JSONL) and
provincial reports scraped with page chrome (CSV). ``benchmarks/evaluate_corpus.py`` measures
the whole national corpus the same way."""

from __future__ import annotations

import re

import pytest

from conftest import NATIONAL, PROVINCIAL
from pipeline import ingest, process
from pipeline.text import normalize
from pipeline.records import Reject
from support.fidelity import han_changes, reference_body

#: Page chrome of the provincial pages: none of it may be (or start) a paragraph.
CHROME_LINES = re.compile(
    r"^(?:下载|打印|全屏|收藏|【字号：?|【字体：?|加大|还原|减小|】|小|中|大|首页|>|分享[:：]?|阅读量[:：]?|来源[:：].*|时间[:：].*"
    r"|发表时间[:：].*|您的位置.*|当前位置.*|相关报道[:：]?|相关文档[:：]?|扫一扫在手机打开当前页|\d{4}-\d{2}-\d{2}[ \d:]*)$"
)
CAPTION = re.compile(r"记者.{0,12}摄$")


def _bundles(path, inbox):
    out, rejects = [], []
    for source in ingest.read(path, inbox):
        result = source if isinstance(source, Reject) else process.document(source)
        (rejects if isinstance(result, Reject) else out).append((source, result))
    return out, rejects


@pytest.fixture(scope="module")
def national():
    built = {}
    for name in ("government_work_reports.jsonl", "cpc_congress_reports.jsonl"):
        built[name] = _bundles(NATIONAL / name, NATIONAL)
    return built


@pytest.fixture(scope="module")
def provincial():
    return {f.name: _bundles(f, PROVINCIAL) for f in sorted(PROVINCIAL.glob("*.csv"))}


def test_national_corpora_build_without_rejects_but_the_stub(national):
    """The 七大 record is a Wikisource disambiguation stub (論聯合政府的版本包括：…): no speech,
    so a no_body reject (issue 20); every other record is a document."""
    assert [len(national[n][0]) for n in national] == [9, 3]
    assert not national["government_work_reports.jsonl"][1]
    ((source, reject),) = national["cpc_congress_reports.jsonl"][1]
    assert reject.reason == "no_body" and source.title.startswith("論聯合政府")


def test_national_reports_keep_their_text(national):
    """Changed Han characters against the published body, after the footer, with hyperlink
    breaks joined, compared after t2s and punctuation width: at most 0.1% over the set."""
    changed = total = 0
    for source, bundle in national["government_work_reports.jsonl"][0]:
        if source.metadata.get("year") is None:
            continue
        metadata = "".join(normalize.string(r.text) for r in bundle.removals if r.kind == "speech_metadata")
        c, n = han_changes(reference_body(source.text), metadata + "".join(s.text for s in bundle.speeches))
        changed, total = changed + c, total + n
    assert total > 150_000  # eight reports
    assert changed / total <= 0.001


def test_national_reports_have_sections_and_no_licence_footer(national):
    reports = [b for s, b in national["government_work_reports.jsonl"][0] if s.metadata.get("year")]
    assert sum(len(b.sections) for b in reports) / len(reports) >= 5
    for bundle in reports:
        for p in bundle.paragraphs:
            assert "公有领域" not in p.text and "Public domain" not in p.text


def test_traditional_reports_come_out_simplified(national):
    (source, bundle), = [(s, b) for s, b in national["government_work_reports.jsonl"][0] if str(s.metadata.get("year")) == "1954"]
    text = "".join(p.text for p in bundle.paragraphs)
    assert "关于宪法草案的报告" in text and "關於" not in text


def test_provincial_reports_build_without_rejects_except_the_manifest(provincial):
    reports = {name: built for name, (built, rejects) in provincial.items() if name != "run_manifest_2026.csv"}
    assert len(reports) == 5 and all(len(built) == 1 for built in reports.values())
    assert all(not provincial[name][1] for name in reports)
    (_, reject), = provincial["run_manifest_2026.csv"][1]
    assert reject.reason == "no_text_column"


def test_provincial_reports_lose_their_page_chrome(provincial):
    for name, (built, _) in provincial.items():
        for _, bundle in built:
            for p in bundle.paragraphs:
                assert not CHROME_LINES.match(p.text), (name, p.text)
                assert not CAPTION.search(p.text), (name, p.text)


def test_provincial_speaker_date_and_salutation_are_speech_metadata(provincial):
    missing = []
    for name, (built, _) in provincial.items():
        for _, bundle in built:
            speech = bundle.speeches[0]
            if not (speech.delivered_on and speech.occasion and speech.salutation == "各位代表："):
                missing.append(name)
            if bundle.paragraphs[0].text != "各位代表：":
                missing.append(f"{name}: first paragraph {bundle.paragraphs[0].text[:20]}")
            assert all(not (speech.speaker or "") in p.text or not speech.speaker for p in bundle.paragraphs[:1])
    assert missing == [], missing


@pytest.mark.parametrize("name, speaker, office, line", [
    ("2026_上海市_政府工作报告.csv", "龚正", "上海市市长", "上海市市长 龚 正"),          # letter-spaced name
    ("2026_云南省_政府工作报告.csv", "王予波", "省长", "省长\u3000王予波"),             # an ideographic space
    ("2026_北京市_政府工作报告.csv", "殷勇", "北京市市长", "北京市市长 殷勇"),
    ("2026_宁夏回族自治区_政府工作报告.csv", "张雨浦", "自治区人民政府主席", "自治区人民政府主席 张雨浦"),
    ("2026_河北省_政府工作报告.csv", "王正谱", "河北省人民政府省长", "河北省人民政府省长 王正谱"),
])
def test_speaker_names_lose_their_layout_spaces(provincial, name, speaker, office, line):
    """Issue 23, point 2: ``speaker`` is the name as one groups by it, without the page's
    layout spaces, and the office is ``speaker_title``; the line as printed stays in the
    removals, so nothing is lost."""
    (_, bundle), = provincial[name][0]
    assert (bundle.speeches[0].speaker, bundle.speeches[0].speaker_title) == (speaker, office)
    assert line in [r.text for r in bundle.removals if r.kind == "speech_metadata"]


def test_national_list_items_stay_in_the_paragraph_stream(national):
    """Issue 19, point 7: items that are a marker and one whole sentence, one after the
    other (the 1978 report's （一）…（八）), are list paragraphs, not headings with no text
    under them; so every run-in heading of the reports has its paragraph right after it."""
    for source, bundle in national["government_work_reports.jsonl"][0]:
        starts = sorted([(s.source_start, s.source_end, "heading", s.run_in) for s in bundle.sections]
                        + [(p.source_start, p.source_end, "paragraph", False) for p in bundle.paragraphs])
        for (start, end, kind, run_in), following in zip(starts, starts[1:] + [None]):
            if kind == "heading" and run_in:
                assert following is not None and following[2] == "paragraph" and following[0] - end <= 3, \
                    (source.metadata.get("year"), source.text[start:end])
    (_, report), = [(s, b) for s, b in national["government_work_reports.jsonl"][0] if str(s.metadata.get("year")) == "1978"]
    items = [p.text for p in report.paragraphs if re.match(r"（[一二三四五六七八]）", p.text)]
    assert [t[:3] for t in items[:8]] == [f"（{n}）" for n in "一二三四五六七八"]

"""Document text is data, never markup: a release built from inputs carrying ``<script>``
and attribute-breaking strings shows them as text in report.html and in the dataset card."""

from __future__ import annotations

import datetime as dt
import html
import json
from html.parser import HTMLParser

import pyarrow as pa

from pipeline import ingest, process, validate
from pipeline.corpus import enrich
from pipeline.release import describe, report, store

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
BODY = (
    "同志们：\n今天我们召开全市工作会议，主要任务是总结去年工作，部署今年任务。\n一、提高认识\n"
    "要统一思想，提高认识，切实把各项工作抓紧抓实抓好。\n二、狠抓落实\n"
    "各级各部门要明确责任，细化措施，确保各项任务落到实处。\n"
)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_report_and_card_show_hostile_titles_and_names_as_text(tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    records = [
        {"title": SCRIPT + "在全市工作会议上的讲话", "content": "在全市工作会议上的讲话\n" + BODY},
        {"title": ATTRIBUTE + "在全县工作会议上的讲话", "content": "在全县工作会议上的讲话\n" + BODY.replace("全市", "全县")},
    ]
    (box / "speeches.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    (box / "<img src=x onerror=alert(2)>.txt").write_bytes(b"")  # a reject whose name is markup

    enriched = enrich.tables(process.tables([process.batch(ingest.inbox_files(box), box)]))
    titles = enriched.tables["speeches"].column("title").to_pylist()
    assert any(SCRIPT in t for t in titles) and any(ATTRIBUTE in t for t in titles)  # the pipeline kept them
    report = validate.validate(enriched.tables)
    manifest = describe.manifest("r1", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), enriched.tables,
                                report.to_dict(), process.BuildConfig())
    release = store.write_release(tmp_path / "out", "r1", enriched.tables, manifest, enriched.index)

    page = (release / "report.html").read_text(encoding="utf-8")
    card = (release / "README.md").read_text(encoding="utf-8")
    for text in (page, card):
        assert "<script" not in text.lower() and "<img" not in text.lower()
    assert html.escape(SCRIPT, quote=True) in page and html.escape(ATTRIBUTE, quote=True) in page
    assert html.escape("<img src=x onerror=alert(2)>.txt", quote=False) in card  # the reject, named as text
    elements = _Elements()
    elements.feed(page)
    assert not any(tag in ("script", "img", "iframe", "object") for tag, _ in elements.tags)
    assert not any(name.startswith("on") for _, attrs in elements.tags for name in attrs)


def test_the_run_summary_shows_document_text_as_text_in_its_tables(seed_bundle):
    """The Markdown artifact of a build: a reject reason or site name with markup, pipes or
    line breaks stays in its cell and shows as written."""
    tables = process.tables([process.from_records([seed_bundle], [])])
    rejects = tables["rejects"]
    hostile = pa.table({name: pa.array([{"reason": "<b>x|y\nz</b>"}.get(name, value)], rejects.schema.field(name).type)
                        for name, value in zip(rejects.column_names,
                                               ["a.txt", None, "0" * 64, "", "detail"])}, schema=rejects.schema)
    markdown = report.summary_markdown({**tables, "rejects": hostile}, {"release_id": "r1"})
    (row,) = [line for line in markdown.splitlines() if "x\\|y" in line]
    assert row == "| &lt;b&gt;x\\|y<br>z&lt;/b&gt; | 1 |"

"""CSV and JSONL exports as users bring them (issue 20, section 2): column names in any case,
date and title columns, a no_text_column reject that says what to do, and paragraphs
recovered from a text whose line breaks the export collapsed."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import DATA
from pipeline import process
from pipeline.ingest import IngestConfig
from support.reading import TEXT, read_all, read_one

SPEECH = DATA / "speeches" / "news_01.txt"


@pytest.mark.parametrize("column", ["Text", "CONTENT", "Full_Text", "raw_content", "text"])
def test_a_text_column_is_found_whatever_its_case(tmp_path, column):
    (tmp_path / "x.csv").write_text(f"Title,{column}\n标题,{TEXT}\n", encoding="utf-8")
    source = read_one(tmp_path / "x.csv", tmp_path)
    assert source.text == TEXT and source.title == "标题"
    (tmp_path / "x.jsonl").write_text(json.dumps({column: TEXT, "TITLE": "标题"}, ensure_ascii=False) + "\n", encoding="utf-8")
    source = read_one(tmp_path / "x.jsonl", tmp_path)
    assert source.text == TEXT and source.title == "标题"


def test_text_field_option_names_match_whatever_their_case(tmp_path):
    (tmp_path / "x.csv").write_text(f"Body,Note\n{TEXT},备注\n", encoding="utf-8")
    source = read_one(tmp_path / "x.csv", tmp_path, IngestConfig(text_fields=("body",)))
    assert source.text == TEXT and source.metadata == {"Note": "备注"}


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_no_text_column_names_the_columns_found_and_the_option(tmp_path, suffix):
    if suffix == "csv":
        (tmp_path / "x.csv").write_text(f"Headline,Body\n标题,{TEXT}\n", encoding="utf-8")
    else:
        (tmp_path / "x.jsonl").write_text(json.dumps({"Headline": "标题", "Body": TEXT}, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
    reject = read_one(tmp_path / f"x.{suffix}", tmp_path)
    assert reject.reason == "no_text_column"
    assert "'Headline'" in reject.detail and "'Body'" in reject.detail and "--text-field" in reject.detail


@pytest.mark.parametrize("column, value", [
    ("date", "2026-02-09"), ("Date", "2026/02/09"), ("published", "2026-02-09T08:30:00+08:00"),
    ("pub_date", "2026年2月9日"), ("time", "2026-02-09 10:00"), ("PUBLISH_DATE", "2026.02.09"),
])
def test_date_columns_fill_published_date(tmp_path, column, value):
    (tmp_path / "x.csv").write_text(f"text,{column},author\n{TEXT},{value},记者\n", encoding="utf-8")
    source = read_one(tmp_path / "x.csv", tmp_path)
    assert source.published_date == dt.date(2026, 2, 9)
    assert source.metadata == {"author": "记者"}


def test_an_unreadable_date_stays_in_the_metadata(tmp_path):
    (tmp_path / "x.csv").write_text(f"text,date\n{TEXT},2月9日\n", encoding="utf-8")
    source = read_one(tmp_path / "x.csv", tmp_path)
    assert source.published_date is None and source.metadata == {"date": "2月9日"}


def test_a_csv_with_a_Text_column_builds_documents_without_options(tmp_path):
    body = SPEECH.read_text(encoding="utf-8")
    rows = [["Title", "Text", "Date", "Section"], ["", body, "2021-03-02", "要闻"]]
    (tmp_path / "news.csv").write_text("\n".join(",".join(f'"{c}"' for c in row) for row in rows) + "\n",
                                       encoding="utf-8")
    batch = process.batch([tmp_path / "news.csv"], tmp_path)
    (doc,) = batch.tables["documents"].to_pylist()
    assert batch.tables["rejects"].num_rows == 0
    assert doc["published_date"] == dt.date(2021, 3, 2) and json.loads(doc["metadata"]) == {"Section": "要闻"}
    assert doc["paragraph_count"] > 5


def test_paragraphs_collapsed_into_indents_are_split_again(tmp_path):
    """An export that joined a speech's lines: its paragraphs survive as 　　 runs only."""
    lines = [line for line in SPEECH.read_text(encoding="utf-8").split("\n") if line.strip()]
    indented = [line for line in lines if line.startswith("\u3000\u3000")]
    collapsed = "".join(lines)
    (tmp_path / "x.jsonl").write_text(json.dumps({"title": lines[0], "content": collapsed}, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    (source,) = read_all(tmp_path / "x.jsonl", tmp_path)
    assert source.text == collapsed  # the source is what offsets point into: untouched
    assert source.body.chars.count("\n") == len(indented)
    bundle = process.document(source)
    assert not [p.text for p in bundle.paragraphs if "\u3000\u3000" in p.text]
    assert len(bundle.paragraphs) >= len(indented) - 2  # a salutation may be metadata
    for p in bundle.paragraphs:  # offsets still point into the record's text
        assert p.text[:4] in collapsed[p.source_start:p.source_end].replace("\u3000", "")


def test_a_text_with_its_lines_keeps_a_stray_indent_inside_a_line(tmp_path):
    text = f"{TEXT}\n第二段，　　强调一下。\n第三段。"
    (tmp_path / "x.jsonl").write_text(json.dumps({"text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert read_one(tmp_path / "x.jsonl", tmp_path).body.chars == text

"""Reading CSV: a source per good row, a reject with its row per bad one, the header, the
row parser against the csv module, field bounds, encodings."""

from __future__ import annotations

import concurrent.futures
import csv
import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import ingest
from pipeline.ingest import IngestConfig
from support.reading import TEXT, by_line, read_all, read_one


def test_csv_rows_become_sources_and_bad_rows_rejects_with_their_row(tmp_path):
    csv_text = (
        "province,year,title,source_url,publish_date,full_text\r\n"
        f'上海市,2026,标题一,https://example.org/1,2026-02-09,"{TEXT}\r\n第二段"\r\n'
        "\r\n"                                                    # blank: not a row
        "北京市,2026,标题二,https://example.org/2\r\n"              # row 2: too few fields
        "天津市,2026,标题三,,,\r\n"                                  # row 3: empty text
        f"重庆市,,,,2月3日,{TEXT}\r\n"                               # row 4: ok, date not ISO
    )
    data = b"\xef\xbb\xbf" + csv_text.encode("utf-8")
    (tmp_path / "p.csv").write_bytes(data)
    lines = by_line(read_all(tmp_path / "p.csv", tmp_path))
    assert {n: reason for n, (reason, _) in lines.items()} == {1: "ok", 2: "malformed_record", 3: "empty_text", 4: "ok"}
    first, fourth = lines[1][1], lines[4][1]
    assert (first.text, first.format, first.encoding) == (f"{TEXT}\r\n第二段", "csv", "utf-8-sig")
    assert (first.title, first.url, first.published_date) == ("标题一", "https://example.org/1", dt.date(2026, 2, 9))
    assert first.metadata == {"province": "上海市", "year": "2026"}
    assert (fourth.title, fourth.url, fourth.published_date) == (None, None, None)
    assert fourth.metadata == {"province": "重庆市", "publish_date": "2月3日"}
    assert "4 fields; the header has 6" in lines[2][1].detail


def test_csv_without_a_text_column_is_one_reject(tmp_path):
    (tmp_path / "m.csv").write_text("province,text_length\n北京市,16555\n天津市,16946\n", encoding="utf-8")
    result = read_one(tmp_path / "m.csv", tmp_path)
    assert (result.reason, result.source_line) == ("no_text_column", None)
    assert "'text_length'" in result.detail and "'full_text'" in result.detail


@pytest.mark.parametrize("text, rows", [
    ("a,b\n1,2\n", [["a", "b"], ["1", "2"]]),
    ("a\r\nb\rc\n", [["a"], ["b"], ["c"]]),                       # every line end
    ('"x,y","1""2"\n', [["x,y", '1"2']]),                          # a comma and a doubled quote inside quotes
    ('"ab"c,d\n', [["abc", "d"]]),                                 # text after the closing quote is kept
    ('a"b,c\n', [['a"b', "c"]]),                                   # a quote inside an unquoted field is text
    ('"open\nline', [["open\nline"]]),                            # a quote left open at the end
    ("a,,\n", [["a", "", ""]]),                                    # empty fields
    ('\n\n"",x\n\n', [["", "x"]]),                                 # blank lines are no rows; "" is a field
])
def test_csv_rows(text, rows):
    assert ingest.csv.rows(text, 100) == (rows, None)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet='ab,"\r\n \x00中', max_size=40))
def test_csv_rows_are_the_csv_modules_rows(text):
    """Within the bound, rows and fields are those of ``csv.reader`` (blank rows left out)."""
    expected = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    assert ingest.csv.rows(text, 1000) == (expected, None)


def test_large_csv_fields_parse_on_many_threads_at_once():
    """Nothing process-wide bounds a field: parses on other threads never see another bound."""
    field = "政" * 300_000
    text = f"title,full_text\n标题,{field}\n"

    def parse(_):
        return ingest.csv.rows(text, IngestConfig().max_record_chars)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(parse, range(32)))
    assert all(result == ([["title", "full_text"], ["标题", field]], None) for result in results)
    assert csv.field_size_limit() == 131072  # the module's default, untouched


def test_a_field_over_the_bound_is_too_large_and_stops_the_parse():
    rows, error = ingest.csv.rows('a,b\n1,2\n3,"' + "x" * 11 + '\ny"\n4,5\n', 10)
    assert rows == [["a", "b"], ["1", "2"]]
    assert error.reason == "too_large" and "at line 3" in error.detail


@pytest.mark.parametrize("csv_text, reason", [
    ("title,text\n", "empty_file"),
    ("\r\n\r\n", "empty_file"),
    ("text,text\na,b\n", "malformed_record"),
])
def test_csv_file_problems(tmp_path, csv_text, reason):
    (tmp_path / "p.csv").write_text(csv_text, encoding="utf-8")
    assert read_one(tmp_path / "p.csv", tmp_path).reason == reason


def test_csv_field_over_max_record_chars_stops_the_file_at_that_row(tmp_path):
    (tmp_path / "p.csv").write_text(f'id,text\n1,{TEXT}\n2,"{"长" * 100}\n续"\n3,{TEXT}\n', encoding="utf-8")
    lines = by_line(read_all(tmp_path / "p.csv", tmp_path, IngestConfig(max_record_chars=50)))
    assert {n: reason for n, (reason, _) in lines.items()} == {1: "ok", 2: "too_large"}
    assert "field limit" in lines[2][1].detail and "not read" in lines[2][1].detail


@pytest.mark.parametrize("encoding, expected", [("utf-16", "utf-16"), ("gb18030", "gb18030")])
def test_csv_in_other_encodings(tmp_path, encoding, expected):
    (tmp_path / "p.csv").write_bytes(f"标题,text\n报告,{TEXT}\n".encode(encoding))
    source = read_one(tmp_path / "p.csv", tmp_path)
    assert (source.text, source.encoding, source.metadata) == (TEXT, expected, {"标题": "报告"})

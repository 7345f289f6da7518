"""Reading inputs: every format of the inbox, encodings, rejects with reasons, the inbox walk."""

from __future__ import annotations

import concurrent.futures
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NATIONAL, PROVINCIAL
from pipeline import ingest
from pipeline.errors import ConfigError
from pipeline.ingest import IngestConfig, Source
from pipeline.records import Reject

TEXT = "统筹推进疫情防控和经济社会发展工作。"


def read_all(path: Path, inbox: Path, config: IngestConfig = IngestConfig()) -> list[Source | Reject]:
    return list(ingest.read(path, inbox, config))


def read_one(path: Path, inbox: Path, config: IngestConfig = IngestConfig()) -> Source | Reject:
    (item,) = read_all(path, inbox, config)
    return item


def by_line(items: list[Source | Reject]) -> dict[int | None, tuple[str, Source | Reject]]:
    """Each item under its line number, with "ok" or the reject reason."""
    out = {}
    for item in items:
        line = item.line if isinstance(item, Source) else item.source_line
        out[line] = ("ok", item) if isinstance(item, Source) else (item.reason, item)
    return out


# --- one-document files ---------------------------------------------------------------


@pytest.mark.parametrize("data, encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("gb18030"), "gb18030"),
    (TEXT.encode("gbk"), "gb18030"),
    (TEXT.encode("utf-16"), "utf-16"),
    (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16"),
])
def test_decodes(tmp_path, data, encoding):
    (tmp_path / "a.txt").write_bytes(data)
    source = read_one(tmp_path / "a.txt", tmp_path)
    assert (source.text, source.encoding, source.format, source.line) == (TEXT, encoding, "txt", None)
    assert source.sha256 == hashlib.sha256(data).hexdigest() and source.size == len(data)
    assert source.body.chars == TEXT and list(source.body.offsets) == list(range(len(TEXT)))
    assert (source.url, source.title, source.published_date, source.metadata) == (None, None, None, {})


@pytest.mark.parametrize("name", ["a.text", "A.TXT", "sub/b.Txt"])
def test_txt_suffixes_any_case(tmp_path, name):
    (tmp_path / name).parent.mkdir(exist_ok=True)
    (tmp_path / name).write_text(TEXT, encoding="utf-8")
    source = read_one(tmp_path / name, tmp_path)
    assert source.format == "txt" and source.path == name


@pytest.mark.parametrize("data, reason", [
    (b"", "empty_file"),
    (bytes(range(256)) * 4, "undecodable"),
    (b"\x00\x01\x02\x03" * 100 + TEXT.encode("utf-8"), "undecodable"),
])
def test_rejects_with_reason(tmp_path, data, reason):
    (tmp_path / "bad.txt").write_bytes(data)
    result = read_one(tmp_path / "bad.txt", tmp_path)
    assert isinstance(result, Reject)
    assert result.reason == reason and result.detail and result.source_line is None
    assert result.source_sha256 == hashlib.sha256(data).hexdigest()


def test_unreadable_file_is_a_reject_without_hash(tmp_path):
    result = read_one(tmp_path / "missing.txt", tmp_path)
    assert isinstance(result, Reject) and result.reason == "unreadable" and result.source_sha256 is None


@pytest.mark.parametrize("name, shown", [("report.pdf", "'.pdf'"), ("README", "'no extension'"), ("a.txt.gz", "'.gz'")])
def test_unknown_suffix_is_unsupported_format(tmp_path, name, shown):
    (tmp_path / name).write_bytes(TEXT.encode("utf-8"))
    result = read_one(tmp_path / name, tmp_path)
    assert (result.reason, result.source_sha256) == ("unsupported_format", None)
    assert shown in result.detail and ".jsonl.gz" in result.detail and ".csv" in result.detail


def test_file_over_max_file_bytes_is_too_large_unread(tmp_path):
    (tmp_path / "big.txt").write_bytes(TEXT.encode("utf-8"))
    result = read_one(tmp_path / "big.txt", tmp_path, IngestConfig(max_file_bytes=10))
    assert (result.reason, result.source_sha256) == ("too_large", None)
    assert "54 bytes" in result.detail and "max_file_bytes is 10" in result.detail


def test_symlink_outside_inbox_is_rejected_unread(tmp_path):
    inbox, outside = tmp_path / "inbox", tmp_path / "secret.txt"
    inbox.mkdir()
    outside.write_text(TEXT, encoding="utf-8")
    (inbox / "link.txt").symlink_to(outside)
    result = read_one(inbox / "link.txt", inbox)
    assert (result.reason, result.source_sha256, result.source_path) == ("outside_inbox", None, "link.txt")
    assert str(outside) in result.detail


def test_symlink_inside_inbox_is_read(tmp_path):
    (tmp_path / "real.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    assert read_one(tmp_path / "link.txt", tmp_path).text == TEXT


def test_path_outside_inbox_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not inside the inbox"):
        ingest.read(tmp_path / "a.txt", tmp_path / "inbox")


# --- the inbox walk and the config ---------------------------------------------------


def test_inbox_is_walked_recursively_in_stable_order_without_hidden_files(tmp_path):
    for name in ["b.txt", "a/c.txt", "a/.swp", ".git/config", "A.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in ingest.inbox_files(tmp_path)]
    assert found == ["A.txt", "a/c.txt", "b.txt"]


def test_inbox_walk_does_not_enter_symlinked_folders(tmp_path):
    inbox, elsewhere = tmp_path / "inbox", tmp_path / "elsewhere"
    for folder in (inbox, elsewhere):
        folder.mkdir()
        (folder / "doc.txt").write_text("x")
    (inbox / "linked").symlink_to(elsewhere, target_is_directory=True)
    (inbox / "loop").symlink_to(inbox, target_is_directory=True)
    assert [p.relative_to(inbox).as_posix() for p in ingest.inbox_files(inbox)] == ["doc.txt"]


def test_missing_inbox_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        ingest.inbox_files(tmp_path / "nope")


@pytest.mark.parametrize("kwargs, named", [
    ({"max_file_bytes": 0}, "max_file_bytes"),
    ({"max_record_chars": -1}, "max_record_chars"),
    ({"max_decompressed_bytes": True}, "max_decompressed_bytes"),
    ({"max_file_bytes": "512"}, "max_file_bytes"),
    ({"text_fields": ()}, "text_fields"),
    ({"text_fields": "content"}, "text_fields"),
    ({"url_fields": ("url", "")}, "url_fields"),
])
def test_bad_config_is_a_config_error_naming_the_value(kwargs, named):
    with pytest.raises(ConfigError, match=named) as caught:
        IngestConfig(**kwargs)
    assert repr(next(iter(kwargs.values()))) in str(caught.value)


# --- JSON Lines ------------------------------------------------------------------------

MIXED_LINES = [
    json.dumps({"title": " 标题 ", "url": "https://example.org/1", "content": TEXT, "year": 2025,
                "publish_date": "2025-03-05T09:00:00+08:00"}, ensure_ascii=False),  # 1 ok
    "",                                                    # 2 blank: skipped, still counted
    '{"content": "没有结束',                                # 3 not JSON
    "[1, 2]",                                              # 4 not an object
    '{"title": "只有标题", "year": null}',                   # 5 no text field
    '{"content": " \\n\\u3000 "}',                          # 6 whitespace text
    json.dumps({"content": None, "text": TEXT, "date": "2025年"}, ensure_ascii=False),  # 7 ok: text wins
    '{"content": null}',                                   # 8 text field null
    '{"content": ["段落"]}',                                 # 9 text not a string
    '{"content": "\\ud800 孤立代理"}',                        # 10 unpaired surrogate
    '{"content": NaN}',                                    # 11 not JSON (NaN)
    "   ",                                                 # 12 blank
    json.dumps({"raw_content": TEXT, "url": 7, "source_url": "https://example.org/13"}),  # 13 ok
]
EXPECTED_MIXED = {
    1: "ok", 3: "malformed_record", 4: "malformed_record", 5: "no_text_column", 6: "empty_text",
    7: "ok", 8: "empty_text", 9: "malformed_record", 10: "malformed_record", 11: "malformed_record", 13: "ok",
}


def _check_mixed(items: list[Source | Reject]) -> None:
    lines = by_line(items)
    assert {n: reason for n, (reason, _) in lines.items()} == EXPECTED_MIXED
    first, seventh, last = lines[1][1], lines[7][1], lines[13][1]
    assert (first.text, first.body.chars, first.format) == (TEXT, TEXT, "jsonl")
    assert (first.title, first.url, first.published_date) == ("标题", "https://example.org/1", dt.date(2025, 3, 5))
    assert first.metadata == {"year": 2025}
    assert (seventh.text, seventh.metadata) == (TEXT, {"content": None, "date": "2025年"})
    assert (last.url, last.metadata) == ("https://example.org/13", {"url": 7})
    details = {n: item.detail for n, (reason, item) in lines.items() if reason != "ok"}
    assert "not valid JSON" in details[3] and "JSON array, not an object" in details[4]
    assert "'title'" in details[5] and "'year'" in details[5] and "'full_text'" in details[5]
    assert "only whitespace" in details[6] and "null" in details[8] and "JSON array, not a string" in details[9]
    assert "surrogate '\\ud800'" in details[10] and "NaN" in details[11]


def test_jsonl_good_lines_become_sources_and_bad_lines_rejects_with_their_line(tmp_path):
    data = "\n".join(MIXED_LINES).encode("utf-8")
    (tmp_path / "c.jsonl").write_bytes(data)
    items = read_all(tmp_path / "c.jsonl", tmp_path)
    _check_mixed(items)
    assert {(i.sha256, i.size, i.encoding) for i in items if isinstance(i, Source)} == {
        (hashlib.sha256(data).hexdigest(), len(data), "utf-8")
    }
    assert all(i.source_sha256 == hashlib.sha256(data).hexdigest() for i in items if isinstance(i, Reject))


def test_jsonl_gz_reads_like_jsonl_with_the_compressed_files_provenance(tmp_path):
    data = gzip.compress("\r\n".join(MIXED_LINES).encode("utf-8"))
    (tmp_path / "c.JSONL.GZ").write_bytes(data)
    items = read_all(tmp_path / "c.JSONL.GZ", tmp_path)
    _check_mixed(items)
    assert {(i.sha256, i.size, i.format) for i in items if isinstance(i, Source)} == {
        (hashlib.sha256(data).hexdigest(), len(data), "jsonl")
    }


@pytest.mark.parametrize("line", [
    json.dumps({"content": "长" * 60}, ensure_ascii=False),   # over the limit in characters
    json.dumps({"content": "长" * 5000}, ensure_ascii=False),  # over it in bytes: never decoded whole
])
def test_jsonl_line_over_max_record_chars_is_too_large_and_the_rest_still_read(tmp_path, line):
    good = json.dumps({"content": TEXT}, ensure_ascii=False)
    (tmp_path / "c.jsonl").write_text("\n".join([good, line, good]), encoding="utf-8")
    lines = by_line(read_all(tmp_path / "c.jsonl", tmp_path, IngestConfig(max_record_chars=50)))
    assert {n: reason for n, (reason, _) in lines.items()} == {1: "ok", 2: "too_large", 3: "ok"}
    assert "max_record_chars" in lines[2][1].detail


@pytest.mark.parametrize("data, encoding", [
    (b"\xef\xbb\xbf" + json.dumps({"content": TEXT}).encode() + b"\n" + json.dumps({"content": TEXT}).encode(), "utf-8-sig"),
    (b'{"content": "' + TEXT.encode("gb18030") + b'"}', "gb18030"),
])
def test_jsonl_encodings(tmp_path, data, encoding):
    (tmp_path / "c.jsonl").write_bytes(data)
    items = read_all(tmp_path / "c.jsonl", tmp_path)
    assert items and all(isinstance(i, Source) and (i.text, i.encoding) == (TEXT, encoding) for i in items)


def test_utf16_jsonl_is_one_undecodable_reject(tmp_path):
    (tmp_path / "c.jsonl").write_bytes(json.dumps({"content": TEXT}).encode("utf-16"))
    result = read_one(tmp_path / "c.jsonl", tmp_path)
    assert (result.reason, result.source_line) == ("undecodable", None) and "UTF-16" in result.detail


def test_jsonl_of_blank_lines_is_an_empty_file(tmp_path):
    (tmp_path / "c.jsonl").write_bytes(b"\n \n\r\n")
    assert read_one(tmp_path / "c.jsonl", tmp_path).reason == "empty_file"


def test_gzip_bomb_is_too_large_after_the_lines_before_it(tmp_path):
    good = json.dumps({"content": TEXT}, ensure_ascii=False).encode("utf-8")
    bomb = gzip.compress(good + b"\n" + b" " * 50_000_000)
    assert len(bomb) < 100_000
    (tmp_path / "bomb.jsonl.gz").write_bytes(bomb)
    items = read_all(tmp_path / "bomb.jsonl.gz", tmp_path, IngestConfig(max_decompressed_bytes=1_000_000))
    assert [type(i) for i in items] == [Source, Reject]
    assert (items[1].reason, items[1].source_line) == ("too_large", None)
    assert "max_decompressed_bytes (1000000 bytes)" in items[1].detail


def test_gzip_bomb_without_newlines_is_too_large(tmp_path):
    (tmp_path / "bomb.jsonl.gz").write_bytes(gzip.compress(b"\0" * 20_000_000))
    result = read_one(tmp_path / "bomb.jsonl.gz", tmp_path, IngestConfig(max_decompressed_bytes=1_000_000))
    assert result.reason == "too_large"


@pytest.mark.parametrize("data, message", [
    (json.dumps({"content": TEXT}).encode(), "Not a gzipped file"),         # plain JSONL named .gz
    (gzip.compress(json.dumps({"content": TEXT}).encode())[:-12], "end-of-stream"),  # cut short
])
def test_broken_gzip_is_one_undecodable_reject(tmp_path, data, message):
    (tmp_path / "c.jsonl.gz").write_bytes(data)
    result = read_one(tmp_path / "c.jsonl.gz", tmp_path)
    assert (result.reason, result.source_line) == ("undecodable", None)
    assert "not a valid gzip file" in result.detail and message in result.detail
    assert result.source_sha256 == hashlib.sha256(data).hexdigest()


# --- CSV -------------------------------------------------------------------------------


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


# --- HTML ------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>政府工作报告</title>
<style>p {{ color: red; }}</style><script>var s = "<p>不是正文</p>";</script></head>
<body><p>各位代表：</p><p>现在，我代表国务院&nbsp;向大会报告。</p></body></html>"""


def test_html_is_read_to_text_with_offsets_into_the_markup(tmp_path):
    markup = PAGE.format(charset="utf-8")
    (tmp_path / "p.html").write_text(markup, encoding="utf-8")
    source = read_one(tmp_path / "p.html", tmp_path)
    assert (source.format, source.encoding, source.text, source.title) == ("html", "utf-8", markup, "政府工作报告")
    lines = [line for line in source.body.chars.split("\n") if line.strip()]
    assert lines == ["各位代表：", "现在，我代表国务院\xa0向大会报告。"]
    start = source.body.chars.index("各")
    assert markup[source.body.offsets[start]] == "各"


@pytest.mark.parametrize("declaration", ['<meta charset="gbk">', '<meta http-equiv="Content-Type" content="text/html; charset=GB2312">'])
def test_gbk_html_follows_its_meta_charset(tmp_path, declaration):
    markup = f"<html><head>{declaration}<title>报告</title></head><body><p>{TEXT}</p></body></html>"
    (tmp_path / "p.htm").write_bytes(markup.encode("gbk"))
    source = read_one(tmp_path / "p.htm", tmp_path)
    assert (source.encoding, source.text, source.title, source.body.chars.strip()) == ("gb18030", markup, "报告", TEXT)


def test_html_declaring_an_unread_charset_is_undecodable(tmp_path):
    (tmp_path / "p.html").write_bytes('<meta charset="big5"><p>政府工作報告</p>'.encode("big5"))
    result = read_one(tmp_path / "p.html", tmp_path)
    assert result.reason == "undecodable" and "'big5'" in result.detail


# --- the real corpus -------------------------------------------------------------------


@pytest.mark.parametrize("name, count", [("government_work_reports.jsonl", 9), ("cpc_congress_reports.jsonl", 4)])
def test_national_reports(name, count):
    items = read_all(NATIONAL / name, NATIONAL.parent)
    assert len(items) == count and all(isinstance(i, Source) for i in items)
    assert [i.line for i in items] == list(range(1, count + 1))
    assert all(i.url.startswith("https://zh.wikisource.org/") and i.title and i.text.strip() for i in items)
    assert all("content" not in i.metadata and "title" not in i.metadata for i in items)
    if name.startswith("government"):
        # The NPC resolutions on the reports are the records without a year.
        assert all((i.metadata["year"] is None) == ("决议" in i.title) for i in items)
        assert Counter(i.metadata["year"] is None for i in items) == {False: 8, True: 1}
    else:
        assert all(set(i.metadata) == {"congress", "type"} for i in items)


def test_provincial_reports():
    files = sorted(PROVINCIAL.glob("2026_*.csv"))
    assert len(files) == 5
    for path in files:
        (source,) = read_all(path, PROVINCIAL.parent)
        province = path.name.split("_")[1]
        assert (source.line, source.format, source.encoding) == (1, "csv", "utf-8-sig")
        assert source.title and source.url.startswith(("https://", "http://"))
        with path.open(encoding="utf-8-sig", newline="") as f:
            (row,) = csv.DictReader(f)
        assert source.published_date == dt.date.fromisoformat(row["publish_date"])
        assert dt.date(2026, 1, 1) < source.published_date < dt.date(2026, 3, 1)
        assert (source.title, source.url, source.text) == (row["title"], row["source_url"], row["full_text"])
        assert source.metadata == {"province": province, "year": "2026"}
        assert len(source.text) > 2000 and source.body.chars == source.text


def test_run_manifest_has_no_text_column():
    (result,) = read_all(PROVINCIAL / "run_manifest_2026.csv", PROVINCIAL.parent)
    assert (result.reason, result.source_line) == ("no_text_column", None)
    assert "text_length" in result.detail


def test_importing_ingest_does_not_import_prefect():
    code = "import sys, pipeline.ingest, pipeline.ingest.html; print('prefect' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "False"

"""Reading JSON Lines (.jsonl, .jsonl.gz): a source per good line, a reject with its line per
bad one, encodings, size limits, gzip bombs and broken streams."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json

import pytest

from pipeline.ingest import IngestConfig, Source
from pipeline.records import Reject
from support.reading import TEXT, by_line, read_all, read_one


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

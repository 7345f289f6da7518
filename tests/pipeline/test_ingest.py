"""Reading inputs: the inbox walk, one-document files and their encodings, HTML pages,
rejects with reasons, the real corpus. JSON Lines, CSV and HTML text have test modules of
their own (test_ingest_jsonl.py, test_ingest_csv.py, test_ingest_html.py)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import NATIONAL, PROVINCIAL
from pipeline import ingest
from pipeline.errors import ConfigError
from pipeline.ingest import IngestConfig, Source
from pipeline.records import Reject
from support.reading import TEXT, read_all, read_one


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


def test_a_long_text_with_a_few_control_characters_is_a_document(tmp_path):
    """Issue 21, point 8: 3 control characters in 2,700 characters made the whole text
    ``undecodable``; they are a damaged file's strays, removed later, not binary."""
    text = (TEXT * 150)[:2700]
    data = (text[:900] + "\x08" + text[900:1800] + "\x1b" + text[1800:2699] + "\x00").encode("utf-8")
    (tmp_path / "strays.txt").write_bytes(data)
    source = read_one(tmp_path / "strays.txt", tmp_path)
    assert isinstance(source, Source), source
    assert sum(c < " " and c not in "\t\n\r" for c in source.text) == 3


@pytest.mark.parametrize("data", [
    "各地区各部门要认真贯彻落实".encode("utf-16-le"),  # UTF-16 without its byte-order mark
    "Report of the Government".encode("utf-16-le") * 20,
    bytes(range(32)) * 50,
])
def test_binary_that_happens_to_decode_is_still_undecodable(tmp_path, data):
    (tmp_path / "bin.txt").write_bytes(data)
    result = read_one(tmp_path / "bin.txt", tmp_path)
    assert isinstance(result, Reject) and result.reason == "undecodable", result


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


def test_a_dangling_link_out_of_the_inbox_is_outside_inbox(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    result = read_one(inbox / "gone.txt", inbox)
    assert (result.reason, result.source_sha256) == ("outside_inbox", None)


def test_symlink_inside_inbox_is_read(tmp_path):
    (tmp_path / "real.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    assert read_one(tmp_path / "link.txt", tmp_path).text == TEXT


def test_path_outside_inbox_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not inside the inbox"):
        ingest.read(tmp_path / "a.txt", tmp_path / "inbox")


# --- the inbox walk and the config ---------------------------------------------------


def test_inbox_is_walked_recursively_in_stable_order(tmp_path):
    for name in ["b.txt", "a/c.txt", "A.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in ingest.inbox_files(tmp_path)]
    assert found == ["A.txt", "a/c.txt", "b.txt"]


def _hidden_and_linked(inbox: Path, elsewhere: Path) -> None:
    for folder in (inbox / "a", inbox / ".git" / "objects", elsewhere):
        folder.mkdir(parents=True)
    for name in ["doc.txt", "a/c.txt", "a/.c.txt.swp", ".hidden.txt", ".git/config", ".git/objects/x"]:
        (inbox / name).write_text(TEXT, encoding="utf-8")
    (elsewhere / "secret.txt").write_text(TEXT, encoding="utf-8")
    (inbox / "linked").symlink_to(elsewhere, target_is_directory=True)   # out of the inbox
    (inbox / "a" / "up").symlink_to(inbox, target_is_directory=True)     # its own ancestor
    (inbox / "alias").symlink_to(inbox / "a", target_is_directory=True)  # a folder read where it is
    (inbox / "self").symlink_to(inbox / "self")                          # resolves to itself
    (inbox / "loop_a.txt").symlink_to(inbox / "loop_b.txt")
    (inbox / "loop_b.txt").symlink_to(inbox / "loop_a.txt")


#: What each path of ``_hidden_and_linked`` becomes.
HIDDEN_AND_LINKED = {
    ".git": "hidden_file", ".hidden.txt": "hidden_file", "a/.c.txt.swp": "hidden_file",
    "a/c.txt": "ok", "a/up": "link_loop", "alias": "linked_folder", "doc.txt": "ok",
    "linked": "outside_inbox", "loop_a.txt": "link_loop", "loop_b.txt": "link_loop", "self": "link_loop",
}


def test_every_path_under_the_inbox_is_a_document_or_a_reject(tmp_path):
    """Issue 21, point 7: hidden files and folders, and linked folders, were neither
    documents nor rejects: the README promises every file ends up as one or the other.
    A hidden or linked folder is one reject; what it holds is not read."""
    inbox = tmp_path / "inbox"
    _hidden_and_linked(inbox, tmp_path / "elsewhere")
    found = ingest.inbox_files(inbox)
    outcome = {}
    for path in found:
        for item in read_all(path, inbox):
            outcome[ingest.relative_name(path, inbox)] = "ok" if isinstance(item, Source) else item.reason
    assert outcome == HIDDEN_AND_LINKED
    # every entry of the tree but the folders walked into is listed, or lies in a listed folder
    listed = {p.relative_to(inbox).as_posix() for p in found}
    for root, dirs, files in os.walk(inbox):
        for name in dirs + files:
            path = Path(root, name)
            if path.is_dir() and not path.is_symlink() and not name.startswith("."):
                continue
            relative = path.relative_to(inbox)
            assert {relative.as_posix(), *(p.as_posix() for p in relative.parents)} & listed, relative


def test_rejected_folders_say_what_they_are(tmp_path):
    inbox = tmp_path / "inbox"
    _hidden_and_linked(inbox, tmp_path / "elsewhere")
    rejects = {r.source_path: r for path in ingest.inbox_files(inbox) for r in read_all(path, inbox) if isinstance(r, Reject)}
    assert "hidden folder" in rejects[".git"].detail and rejects[".git"].source_sha256 is None
    assert str(tmp_path / "elsewhere") in rejects["linked"].detail
    assert "a" in rejects["alias"].detail and "a/c.txt" not in rejects  # read where it is, once
    assert "never end" in rejects["a/up"].detail


def test_a_folder_that_cannot_be_listed_is_unreadable(tmp_path, monkeypatch):
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "doc.txt").write_text(TEXT, encoding="utf-8")
    scandir = os.scandir
    def refuse(path="."):
        if Path(path) == tmp_path / "closed":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)
    monkeypatch.setattr(os, "scandir", refuse)
    (path,) = ingest.inbox_files(tmp_path)
    (reject,) = read_all(path, tmp_path)
    assert (reject.source_path, reject.reason) == ("closed", "unreadable") and "Permission denied" in reject.detail


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


@pytest.mark.parametrize("data, encoding", [
    (f"<p>{TEXT}</p>".encode("gb18030"), "gb18030"),                                # no declaration: the fallback
    (f'<meta charset="utf-8"><p>{TEXT}</p>'.encode("gbk"), "gb18030"),              # declared UTF-8, is not: the fallback
    (b"\xef\xbb\xbf" + f'<meta charset="gbk"><p>{TEXT}</p>'.encode("utf-8"), "utf-8-sig"),  # a BOM wins over the declaration
])
def test_html_without_a_usable_declaration_decodes_like_text(tmp_path, data, encoding):
    (tmp_path / "p.html").write_bytes(data)
    source = read_one(tmp_path / "p.html", tmp_path)
    assert (source.encoding, source.body.chars.strip()) == (encoding, TEXT)


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


@given(st.text(alphabet=st.characters(max_codepoint=0x40), max_size=60))
def test_the_binary_control_count_is_every_control_below_the_space_but_tab_line_ends_and_form_feed(text):
    from pipeline.ingest import decoding

    assert len(decoding._BINARY_CONTROL.findall(text)) == sum(1 for c in text if c < " " and c not in "\t\n\r\f")

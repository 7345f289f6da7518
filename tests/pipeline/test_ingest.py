"""Reading inputs: encodings, rejects with reasons, the inbox walk."""

from __future__ import annotations

import hashlib

import pytest

from pipeline import ingest
from pipeline.errors import ConfigError
from pipeline.records import Reject

TEXT = "统筹推进疫情防控和经济社会发展工作。"


@pytest.mark.parametrize("data, encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("gb18030"), "gb18030"),
    (TEXT.encode("gbk"), "gb18030"),
    (TEXT.encode("utf-16"), "utf-16"),
])
def test_decodes(tmp_path, data, encoding):
    (tmp_path / "a.txt").write_bytes(data)
    source = ingest.read(tmp_path / "a.txt", tmp_path)
    assert (source.text, source.encoding) == (TEXT, encoding)
    assert source.sha256 == hashlib.sha256(data).hexdigest() and source.size == len(data)


@pytest.mark.parametrize("data, reason", [
    (b"", "empty_file"),
    (bytes(range(256)) * 4, "undecodable"),
    (b"\x00\x01\x02\x03" * 100 + TEXT.encode("utf-8"), "undecodable"),
])
def test_rejects_with_reason(tmp_path, data, reason):
    (tmp_path / "bad.txt").write_bytes(data)
    result = ingest.read(tmp_path / "bad.txt", tmp_path)
    assert isinstance(result, Reject)
    assert result.reason == reason and result.detail
    assert result.source_sha256 == hashlib.sha256(data).hexdigest()


def test_unreadable_file_is_a_reject_without_hash(tmp_path):
    result = ingest.read(tmp_path / "missing.txt", tmp_path)
    assert isinstance(result, Reject) and result.reason == "unreadable" and result.source_sha256 is None


def test_inbox_is_walked_recursively_in_stable_order_without_hidden_files(tmp_path):
    for name in ["b.txt", "a/c.txt", "a/.swp", ".git/config", "A.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in ingest.inbox_files(tmp_path)]
    assert found == ["A.txt", "a/c.txt", "b.txt"]


def test_missing_inbox_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        ingest.inbox_files(tmp_path / "nope")

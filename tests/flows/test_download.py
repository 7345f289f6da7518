"""The JSONL download as a build writes it: the same bytes as ``jsonl.write``, whether its
members are serialised here (compressed on threads) or in a child process."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from flows import download
from pipeline import process
from pipeline.release import jsonl


@pytest.fixture(scope="module")
def seed_tables(seed_bundle):
    return process.tables([process.from_records([seed_bundle], [])])


def test_members_compressed_on_threads_are_the_bytes_of_a_plain_write(tmp_path, seed_tables):
    plain = jsonl.write(seed_tables, tmp_path / "plain.jsonl.gz")
    threaded = download.write(seed_tables, tmp_path / "threaded.jsonl.gz")
    assert (tmp_path / "threaded.jsonl.gz").read_bytes() == (tmp_path / "plain.jsonl.gz").read_bytes()
    assert threaded.equals(plain)


def test_a_child_process_writes_the_bytes_this_one_would(tmp_path, seed_tables, monkeypatch):
    here = jsonl.write(seed_tables, tmp_path / "here.jsonl.gz")
    monkeypatch.setattr(download, "CHILD_MIN_MEMBERS", 1)

    def not_here(*args, **kwargs):
        raise AssertionError("the lines were serialised in this process")

    monkeypatch.setattr(jsonl, "member_bodies", not_here)  # the child imports its own
    there = download.write(seed_tables, tmp_path / "there.jsonl.gz")
    assert (tmp_path / "there.jsonl.gz").read_bytes() == (tmp_path / "here.jsonl.gz").read_bytes()
    assert there.equals(here)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here.jsonl.gz", "there.jsonl.gz"]  # no work folder left


def test_a_failing_child_says_why_and_leaves_no_work_folder(tmp_path, seed_tables, monkeypatch):
    monkeypatch.setattr(download, "CHILD_MIN_MEMBERS", 1)
    monkeypatch.setattr(download.sys, "executable", "/bin/false")
    with pytest.raises(RuntimeError, match="failed in the child process"):
        download.write(seed_tables, tmp_path / "x.jsonl.gz")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_child_hands_back_its_mapped_pages_as_it_goes_and_writes_the_same_bytes(tmp_path, seed_tables,
                                                                                   monkeypatch):
    """Run in this process, so that the release after every member is seen: the bytes are
    those of a plain write all the same."""
    here = jsonl.write(seed_tables, tmp_path / "here.jsonl.gz")
    monkeypatch.setattr(download, "CHILD_MIN_MEMBERS", 1)
    monkeypatch.setattr(download, "RELEASE_MEMBERS", 1)
    released = []
    release = download.MappedArrowFile.release
    monkeypatch.setattr(download.MappedArrowFile, "release", lambda self: (released.append(self), release(self)))

    def child_here(command, **kwargs):
        download._serialise(Path(command[3]))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(download.subprocess, "run", child_here)
    there = download.write(seed_tables, tmp_path / "there.jsonl.gz")
    assert (tmp_path / "there.jsonl.gz").read_bytes() == (tmp_path / "here.jsonl.gz").read_bytes()
    assert there.equals(here)
    assert len(released) == here.num_rows * len(jsonl.LINE_TABLES) > 0

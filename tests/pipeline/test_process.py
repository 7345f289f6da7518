"""Whole-document invariants over generated documents (hypothesis) and batch merging."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import unaccounted
from pipeline import ingest, normalize, process
from pipeline.records import Reject
from pipeline.spans import Text

PIECES = [
    "统筹推进疫情防控", "经济社会发展", "脱贫攻坚", "。", "，", ",", "！", "?", ";", " ", " ", "  ", "\n",
    "一、", "二、", "（一）", "(二)", "同志们:", "目 录 1、甲篇 2、乙篇", "甲篇", "乙篇", "查看更多",
    "讲稿一", "讲稿二", "2020年", "4.6%", "GDP", "贏", "“", "”", "　", "XX",
]
documents = st.lists(st.sampled_from(PIECES), min_size=1, max_size=60).map("".join)


def _source(text: str) -> ingest.Source:
    data = text.encode("utf-8")
    return ingest.Source(path="gen.txt", line=None, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                         format="txt", encoding="utf-8", text=text, body=Text.from_source(text))


@given(documents)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_spans_rebuild_paragraphs_and_every_character_is_accounted_for(text):
    bundle = process.document(_source(text))
    if isinstance(bundle, Reject):
        assert bundle.reason == "not_prose" and bundle.detail
        return
    normalised = normalize.string(text)
    assert len(normalised) == len(text)
    removed = {i for r in bundle.removals for i in range(r.source_start, r.source_end)}
    for p in bundle.paragraphs:
        rebuilt = "".join(normalised[i] for i in range(p.source_start, p.source_end) if i not in removed)
        assert rebuilt.strip() == p.text

    assert unaccounted(text, bundle) == []


@given(documents)
@settings(max_examples=50, deadline=None)
def test_processing_is_deterministic(text):
    assert process.document(_source(text)) == process.document(_source(text))


def test_identical_files_keep_the_first_and_reject_the_rest(tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("标题\n正文第一段。 正文第二段。", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    batches = [process.batch([tmp_path / "b.txt"], tmp_path), process.batch([tmp_path / "a.txt", tmp_path / "empty.txt"], tmp_path)]
    tables = process.tables(batches)
    assert tables["documents"].column("source_path").to_pylist() == ["a.txt"]
    rejects = tables["rejects"].to_pylist()
    assert [(r["source_path"], r["reason"]) for r in rejects] == [("b.txt", "duplicate_input"), ("empty.txt", "empty_file")]
    assert "a.txt" in rejects[0]["detail"]
    assert tables["paragraphs"].num_rows == 2


def test_a_spilled_batch_loads_back_the_same_tables(tmp_path, seed_bundle):
    batch = process.from_records([seed_bundle], [])
    spilled = process.spill(batch, tmp_path / "batch")
    assert spilled.documents == batch.documents == 1
    loaded = spilled.load()
    assert all(loaded.tables[name].equals(batch.tables[name]) for name in batch.tables)
    assert process.tables([spilled]) == process.tables([batch])
    with pytest.raises(FileExistsError):
        process.spill(batch, tmp_path / "batch")

"""Duplicate detection on real documents: the seed compilation and the fixture corpus
built from the government work reports in tests/data."""

from __future__ import annotations

import pytest

from conftest import NATIONAL, SEED
from pipeline import ingest, process
from pipeline.corpus import dedup
from pipeline.corpus.dedup import DedupConfig
from support.dedup_fixtures import VARIANTS, build_fixtures, evaluate

REPORTS = NATIONAL / "government_work_reports.jsonl"
#: Every report of the extract with a year: 32 documents. ``benchmarks/dedup_fixtures.py``
#: prints the table over all thresholds and shingle sizes, on any number of reports.
FIXTURE_REPORTS = 8


@pytest.fixture(scope="module")
def seed_release():
    (source,) = ingest.read(SEED, SEED.parent)
    assert source.path == SEED.name
    tables = process.tables([process.batch([SEED], SEED.parent)])
    out, index, stats = dedup.annotate(tables)
    return out, index, stats


def test_seed_speech_3_is_contained_in_speech_2(seed_release, gold):
    (expected,) = gold["near_duplicates"]
    out, _, _ = seed_release
    by_ordinal = {row["ordinal"]: row for row in out["speeches"].to_pylist()}
    excerpt, container = by_ordinal[expected["speech"]], by_ordinal[expected["contained_in_speech"]]
    assert excerpt["duplicate_kind"] == "contained"
    assert excerpt["duplicate_of"] == container["speech_id"]
    assert excerpt["duplicate_score"] >= DedupConfig().containment
    assert container["duplicate_of"] is None  # speech 2 is canonical
    assert excerpt["duplicate_cluster"] == container["duplicate_cluster"] == container["speech_id"]

    paragraphs = out["paragraphs"].to_pylist()
    speech_of = {p["paragraph_id"]: p["speech_id"] for p in paragraphs}
    own = [p for p in paragraphs if p["speech_id"] == excerpt["speech_id"]]
    assert len(own) == 6
    assert sum(speech_of.get(p["duplicate_of"]) == container["speech_id"] for p in own) >= 5


def test_seed_has_no_other_duplicates(seed_release):
    out, _, stats = seed_release
    assert stats.non_canonical == 1 and stats.clusters == 1
    assert sum(k is not None for k in out["speeches"].column("duplicate_kind").to_pylist()) == 1


def test_fixture_generator_is_deterministic(tmp_path):
    build_fixtures(tmp_path / "a", REPORTS, 3, seed=11)
    build_fixtures(tmp_path / "b", REPORTS, 3, seed=11)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) == 3 * len(VARIANTS)
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_fixture_clusters_at_the_default_threshold(tmp_path):
    """Each report as original, traditional mirror with pinyin, masked and paywall-cut copy:
    the four form one cluster, different reports never share one."""
    assert len(build_fixtures(tmp_path, REPORTS, FIXTURE_REPORTS, seed=7)) == FIXTURE_REPORTS
    (result,) = evaluate(tmp_path, (DedupConfig().threshold,))
    assert result["speeches"] == FIXTURE_REPORTS * len(VARIANTS)
    assert result["precision"] >= 0.95, result
    assert result["recall"] >= 0.95, result
    assert result["kind_accuracy"] >= 0.95, result
    assert result["clusters"] == FIXTURE_REPORTS

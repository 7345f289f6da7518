"""Shared test fixtures: where the test data lives (all of it in the repo), and the seed processed once."""

from __future__ import annotations

import json
from pathlib import Path

import os

import pytest

from flows import runtime

runtime.offline_prefect()  # before any test imports Prefect

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SEED = REPO / "data" / "inbox" / "000_7cdd236544d05e86.txt"
#: sha256 of the seed page as scraped (tests/data/SOURCES.md)
SEED_SHA256 = "ffab8b4082c3d07126e07efc164e9543a48a0ff1643ef05f8a79912220fc020c"
GOLD = DATA / "gold" / "seed.json"
#: Extracts of the national reports (zh.wikisource JSONL) and of the provincial reports (CSV).
NATIONAL = DATA / "national-reports"
PROVINCIAL = DATA / "provincial-2026"


def unaccounted(text: str, bundle) -> list[str]:
    """Non-space characters of ``text`` that neither a removal, a paragraph, a heading nor
    a speech title covers (with a little context each): what cleaning would have lost."""
    covered = bytearray(len(text))
    spans = [(r.source_start, r.source_end) for r in bundle.removals]
    spans += [(p.source_start, p.source_end) for p in bundle.paragraphs]
    spans += [(s.source_start, s.source_end) for s in bundle.sections]
    spans += [(s.title_source_start, s.title_source_end) for s in bundle.speeches if s.title_source_start is not None]
    for a, b in spans:
        covered[a:b] = b"\x01" * (b - a)
    return [text[max(i - 5, 0):i + 5] for i, c in enumerate(text) if not c.isspace() and not covered[i]]


@pytest.fixture(scope="session")
def gold() -> dict:
    return json.loads(GOLD.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_source():
    from pipeline import ingest

    (source,) = ingest.read(SEED, SEED.parent)
    return source


@pytest.fixture(scope="session")
def seed_bundle(seed_source):
    from pipeline import process

    return process.document(seed_source)


@pytest.fixture(scope="session")
def harness():
    """One Prefect test harness (a temporary server) for every flow test of the session."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    # A fresh SQLite needs 12–18 s to migrate here; the default 30 s is too tight on busy CI.
    with prefect_test_harness(server_startup_timeout=120):
        url = PREFECT_API_URL.value()
        # Dask workers and served flows run in other interpreters: they find the server
        # through the environment, not through this process's settings context.
        os.environ["PREFECT_API_URL"] = url
        try:
            yield url
        finally:
            del os.environ["PREFECT_API_URL"]

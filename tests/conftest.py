"""Shared test fixtures: where the shared data lives, and the seed processed once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import flows  # noqa: F401  (sets Prefect's offline environment before any test imports prefect)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = REPO / "data" / "inbox" / "000_7cdd236544d05e86.txt"
GOLD = SHARED / "gold" / "seed.json"


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

"""Shared test fixtures: where the shared data lives, and the seed processed once."""

from __future__ import annotations

import json
from pathlib import Path

import os

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

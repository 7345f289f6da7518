"""Batch planning: every file once, in order, within the budgets, shared evenly by the workers."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.processing import inbox_batches, plan_batches


def _bytes(batch) -> int:
    return sum(p.stat().st_size for p in batch)


@pytest.fixture
def pages(tmp_path) -> list:
    """31 pages of 40-96 KB, as a provincial crawl holds."""
    rng = random.Random(31)
    paths = []
    for i in range(31):
        paths.append(tmp_path / f"page_{i:02d}.csv")
        paths[-1].write_bytes(b"x" * rng.randint(40_000, 96_000))
    return paths


def test_pages_shared_evenly_by_two_workers(pages):
    budget = _bytes(pages) // 5 + 1  # five batches' worth: one worker would get one more
    alone = plan_batches(pages, budget, 200)
    shared = plan_batches(pages, budget, 200, workers=2)
    assert len(alone) == 5 and len(shared) == 6
    assert [p for batch in shared for p in batch] == pages
    share = _bytes(pages) / len(shared)
    largest = max(p.stat().st_size for p in pages)
    assert all(abs(_bytes(batch) - share) < largest for batch in shared)


def test_an_inbox_of_one_batch_stays_one_batch_whatever_the_workers(pages):
    """The nightly run with a few new pages processes them in the flow, starting no worker."""
    few = pages[:3]
    assert plan_batches(few, 10**9, 200, workers=4) == [few]


@settings(max_examples=200, deadline=None)
@given(sizes=st.lists(st.integers(0, 5000), max_size=60), budget=st.integers(1, 20_000),
       max_files=st.integers(1, 12), workers=st.integers(1, 4))
def test_every_file_once_in_order_within_budgets(tmp_path_factory, sizes, budget, max_files, workers):
    folder = tmp_path_factory.mktemp("inbox")
    paths = []
    for i, size in enumerate(sizes):
        paths.append(folder / f"{i:03d}.txt")
        paths[-1].write_bytes(b"x" * size)
    batches = plan_batches(paths, budget, max_files, workers)
    assert [p for batch in batches for p in batch] == paths
    assert all(batch for batch in batches)
    assert all(len(batch) <= max_files for batch in batches)
    assert all(_bytes(batch) <= budget + max(p.stat().st_size for p in batch) for batch in batches)


def test_batches_are_planned_for_the_runners_parallel_workers():
    from flows import runners

    assert runners.parallelism(runners.task_runner("processes", 3)) == 3
    assert runners.parallelism(runners.task_runner("dask", 2)) == 2
    assert runners.parallelism(runners.task_runner("dask", 2, "tcp://127.0.0.1:8786")) == 1  # its size is not ours to know
    assert runners.parallelism(runners.task_runner("threads", 4)) == 1  # the GIL: threads are one worker


@pytest.mark.parametrize("runner, workers, batches, cores, chosen", [
    (None, None, 1, 2, ("threads", 1)),  # one file, a nightly run's few pages: in the flow, no worker
    (None, None, 6, 2, ("processes", 2)),  # the 23 MB benchmark inbox: both cores
    (None, None, 3, 8, ("processes", 3)),  # never more workers than batches
    (None, None, 6, 1, ("threads", 1)),  # one core: a worker process would only add its start
    ("threads", None, 6, 2, ("threads", 2)),
    ("dask", None, 6, 2, ("dask", 2)),
    (None, 4, 6, 2, ("processes", 4)),  # --workers alone keeps the automatic runner
    ("processes", 3, 1, 2, ("processes", 3)),  # both given: as given
])
def test_the_runner_and_workers_follow_the_inbox_unless_given(runner, workers, batches, cores, chosen):
    from flows import runners

    assert runners.choose(runner, workers, batches, cores) == chosen


def test_the_automatic_choice_counts_the_batches_a_full_build_makes(pages):
    assert inbox_batches(pages, 10**9, 200) == 1
    assert inbox_batches(pages, _bytes(pages) // 5 + 1, 200) == len(plan_batches(pages, _bytes(pages) // 5 + 1, 200))
    assert inbox_batches(pages, 10**9, 10) == 4  # 31 files, at most 10 a batch
    assert inbox_batches([], 10**9, 200) == 1


# --- a batch that never ends fails the run, clearly (issue 21, point 4) -----------------


def _hanging(paths, inbox, config, terms=None):
    """A batch stuck in Python code, as a pathological input would keep the stages busy."""
    while True:
        time.sleep(0.02)


@pytest.mark.parametrize("batches", [1, 2], ids=["one batch, in the flow", "batches on the task runner"])
def test_a_batch_past_its_time_limit_fails_the_run_naming_its_files(harness, tmp_path, monkeypatch, batches):
    from prefect import flow
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows import processing
    from pipeline import process

    paths = [tmp_path / f"page_{i}.html" for i in range(2 * batches)]
    for path in paths:
        path.write_text("<p>正文</p>", encoding="utf-8")
    monkeypatch.setattr(process, "batch", _hanging)
    monkeypatch.setattr(processing, "batch_timeout", lambda planned: 1.0)

    @flow(task_runner=ThreadPoolTaskRunner(max_workers=2))
    def run():
        return processing.process_batches([paths[i::batches] for i in range(batches)], tmp_path, process.BuildConfig())

    started = time.monotonic()
    with pytest.raises(processing.BatchTimedOut) as failure:
        run()
    assert time.monotonic() - started < 60  # not forever
    message = str(failure.value)
    assert "1 s" in message and "page_0.html" in message and "inspect" in message


def test_a_batch_gets_more_time_the_more_bytes_it_holds(tmp_path):
    from flows import processing

    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_bytes(b"x" * 1000)
    large.write_bytes(b"x" * 40_000_000)
    assert processing.batch_timeout([[small]]) == pytest.approx(processing.BATCH_TIMEOUT_FLOOR, abs=1)
    assert processing.batch_timeout([[small], [large, small]]) > processing.BATCH_TIMEOUT_FLOOR + 3000
    assert processing.process_batch.timeout_seconds == processing.BATCH_TIMEOUT_FLOOR

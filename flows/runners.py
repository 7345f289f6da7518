"""Task runners a build can use: threads, processes, or a Dask cluster; by default the
one an inbox of its size needs (``choose``).

Threads need nothing and suit small inboxes, but jieba and OpenCC hold the GIL, so only
processes or Dask workers use more than one core. Both of those need a real Prefect
server (see ``flows.server``): a worker process cannot share the temporary one.
"""

from __future__ import annotations

import os

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from flows import overlap

RUNNERS = ("threads", "processes", "dask")


def choose(kind: str | None, workers: int | None, batches: int, cores: int | None = None) -> tuple[str, int]:
    """The runner and workers of a build of ``batches`` batches on ``cores`` cores (this
    machine's by default), for what the user left unset (None).

    One batch runs in the flow's own process whatever the runner (``process_batches``), so
    a build of one batch (a file, a nightly run's few pages) gets threads and starts no
    worker; more batches get one process per core, at most one per batch, since the
    per-document stages hold the interpreter lock and only processes use a second core.
    (``tests/flows/test_processing.py`` has the table.)
    """
    cores = cores or os.cpu_count() or 1
    if kind is None:
        kind = "processes" if batches > 1 and cores > 1 else "threads"
    return kind, workers or max(1, min(cores, batches))


def task_runner(kind: str, workers: int, dask_address: str | None = None) -> TaskRunner:
    """The task runner ``kind`` with ``workers`` workers; ``dask_address`` (``tcp://…``)
    connects to an existing Dask scheduler instead of starting a local cluster."""
    if kind not in RUNNERS:
        raise ValueError(f"unknown runner {kind!r}; choose one of {RUNNERS}")
    if dask_address and kind != "dask":
        raise ValueError("--dask-address needs --runner dask")
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=workers)
    if kind == "processes":
        # a worker whose build was killed exits instead of waiting for its next batch forever
        return ProcessPoolTaskRunner(max_workers=workers, initializer=overlap.exit_with_parent, initargs=(os.getpid(),))
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                          "dashboard_address": None})


def parallelism(runner: TaskRunner) -> int:
    """How many batches ``runner`` processes at once, as far as it tells: its processes,
    or the workers of the local Dask cluster it starts; 1 for threads (jieba and OpenCC
    hold the GIL) and for a Dask cluster at an address (its size is not ours to know)."""
    if isinstance(runner, ProcessPoolTaskRunner):
        return runner._max_workers  # what the runner's own duplicate() reads
    return (getattr(runner, "cluster_kwargs", None) or {}).get("n_workers", 1)

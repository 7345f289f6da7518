"""Prefect's cost per task in this project's setup: why batches carry seconds of work.

Runs a flow that maps a task doing nothing over N inputs, with the thread runner (on
Prefect's temporary server) and with the process runner (against a local `prefect server`,
as `speechcorpus build --runner processes` does), and prints one JSON line with the wall
seconds per task of each. Run by hand:

    .venv/bin/python benchmarks/prefect_overhead.py --tasks 200
"""

from __future__ import annotations

import argparse
import json
import time

import flows.build  # noqa: F401  (Prefect offline and pyarrow set up as for a build)
from prefect import flow, task
from prefect.cache_policies import NO_CACHE


@task(cache_policy=NO_CACHE)
def nothing(i: int) -> int:
    return i


@flow
def mapped(n: int) -> int:
    return sum(nothing.map(range(n)).result())


def per_task_seconds(runner_name: str, n: int) -> float:
    from flows import runners

    run = mapped.with_options(task_runner=runners.task_runner(runner_name, 2))
    run(2)  # warm: the runner's pool, Prefect's client
    start = time.perf_counter()
    assert run(n) == n * (n - 1) // 2
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200)
    args = parser.parse_args()

    from flows import server

    result = {"tasks": args.tasks, "threads_ms_per_task": round(per_task_seconds("threads", args.tasks) * 1000, 1)}
    with server.local_server() as api_url, server.using(api_url):
        result["processes_ms_per_task"] = round(per_task_seconds("processes", args.tasks) * 1000, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

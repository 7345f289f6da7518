"""Scale-out and scheduling: the flow on a Dask LocalCluster, and `speechcorpus serve`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import PROVINCIAL, REPO, SEED
from flows.build import RunParams, build_release


@pytest.fixture
def inbox(tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    shutil.copy(SEED, box / SEED.name)
    for name in ("2026_上海市_政府工作报告.csv", "2026_北京市_政府工作报告.csv", "2026_河北省_政府工作报告.csv"):
        shutil.copy(PROVINCIAL / name, box / name)
    return box


def _data_files(release) -> dict[str, bytes]:
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted((release / "data").rglob("*")) if p.is_file()}


def test_dask_cluster_build_is_byte_identical_to_a_local_build(harness, inbox, tmp_path):
    from distributed import LocalCluster
    from prefect_dask import DaskTaskRunner

    params = dict(input_dir=inbox, batch_bytes=60_000)  # several batches, so work is spread
    local = build_release(RunParams(output_dir=tmp_path / "local", **params))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = build_release.with_options(task_runner=DaskTaskRunner(address=cluster.scheduler_address))(
            RunParams(output_dir=tmp_path / "dask", **params))
    a = _data_files(tmp_path / "local" / "releases" / local["release_id"])
    b = _data_files(tmp_path / "dask" / "releases" / on_dask["release_id"])
    assert len(a) == 7 and a == b


def test_data_files_are_the_same_whatever_the_runner_and_its_workers(harness, inbox, tmp_path):
    """The batches follow the workers (their number a multiple of them), so each runner and
    worker count cuts the inbox differently; the data files must not show it."""
    from flows import runners

    params = dict(input_dir=inbox, batch_bytes=60_000)
    releases = {}
    for kind, workers in (("threads", 1), ("threads", 2), ("processes", 1), ("processes", 3)):
        output = tmp_path / f"{kind}-{workers}"
        summary = build_release.with_options(task_runner=runners.task_runner(kind, workers))(
            RunParams(output_dir=output, **params))
        releases[kind, workers] = _data_files(output / "releases" / summary["release_id"])
    reference = releases["threads", 1]
    assert len(reference) == 7 and all(files == reference for files in releases.values())


def test_process_workers_are_gone_before_the_corpus_wide_steps(harness, inbox, tmp_path, monkeypatch):
    """The process runner's idle workers (~600 MB each) must not live through enrich,
    validate and publish, where the flow process peaks; the data stay those of a local build.
    Their subflow sends no heartbeats of its own."""
    import psutil
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.settings import get_current_settings

    from flows import processing, runners
    from pipeline import process
    from pipeline.corpus import enrich

    workers_during_enrich = []
    heartbeats = []  # seconds between heartbeats, in the build run and in the processing subflow
    real_enrich = enrich.combine

    def enrich_noting_workers(*args, **kwargs):
        heartbeats.append(get_current_settings().flows.heartbeat_frequency)
        workers_during_enrich.append([
            p.pid for p in psutil.Process().children(recursive=True)
            if "spawn_main" in " ".join(p.cmdline())  # pool workers, not the server or resource tracker
        ])
        return real_enrich(*args, **kwargs)

    monkeypatch.setattr(enrich, "combine", enrich_noting_workers)
    merged = []
    real_merge = process.tables

    def merge_noting_batches(batches, *args):
        merged.append([type(b).__name__ for b in batches])
        return real_merge(batches, *args)

    monkeypatch.setattr(process, "tables", merge_noting_batches)
    real_process_batches = processing.process_batches

    def process_batches_noting_heartbeats(*args, **kwargs):
        heartbeats.append(get_current_settings().flows.heartbeat_frequency)
        return real_process_batches(*args, **kwargs)

    monkeypatch.setattr(processing, "process_batches", process_batches_noting_heartbeats)
    params = dict(input_dir=inbox, batch_bytes=60_000)
    local = build_release(RunParams(output_dir=tmp_path / "local", **params))
    on_processes = build_release.with_options(task_runner=runners.task_runner("processes", 2))(
        RunParams(output_dir=tmp_path / "processes", **params))
    assert workers_during_enrich == [[], []]
    # the subflow runs in the build's process, whose run sends heartbeats for both
    assert heartbeats == [180, None, 180]  # local build; subflow, then build run of the processes build
    # the workers' batches came back as files (the carried batch is empty and in memory),
    # and the files are gone with the build
    assert set(merged[0][1:]) == {"Batch"} and set(merged[1][1:]) == {"SpilledBatch"} and len(merged[1]) > 2
    assert not list((tmp_path / "processes" / "releases").glob(".tmp-*"))
    with get_client(sync_client=True) as client:  # the processing ran as its own flow run
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["process_inbox"])))
    assert runs and all(run.state.is_completed() for run in runs)
    a = _data_files(tmp_path / "local" / "releases" / local["release_id"])
    b = _data_files(tmp_path / "processes" / "releases" / on_processes["release_id"])
    assert len(a) == 7 and a == b


def test_a_worker_imports_only_the_per_document_stages():
    """A process or Dask worker imports the module of the task it runs before its first
    batch; the corpus-wide libraries would cost each worker seconds and hundreds of MB there."""
    from flows.processing import process_batch

    heavy = ("pandas", "great_expectations", "scipy", "datasketch", "pipeline.corpus.enrich", "pipeline.validate",
             "pipeline.release.store", "flows.build")
    code = f"import sys, {process_batch.fn.__module__}; print([m for m in {heavy!r} if m in sys.modules])"
    imported = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "[]"


#: Memory a process keeps after freeing 200 MB of Arrow data and allocating a little more
#: for 1.5 s, in MB (mimalloc purges freed memory on later allocations once its purge
#: delay has passed).
_RETAINED_MB = """
import os, time
import flows.build, numpy as np, pyarrow as pa, pyarrow.compute as pc
rss = lambda: int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
before = rss()
freed = pc.multiply(pa.array(np.ones(25_000_000)), 2.0)
del freed
for _ in range(150):
    time.sleep(0.01)
    pc.add(pa.array(np.ones(100_000)), 1.0)
print((rss() - before) // 2**20, "MIMALLOC_PURGE_DELAY" in os.environ)
"""


def test_the_build_module_lets_arrow_keep_freed_memory_for_the_next_stage():
    """``flows.build`` sets mimalloc's purge delay before pyarrow loads it: a build frees and
    allocates hundreds of MB stage after stage, seconds apart, and with the 1 s that
    pyarrow's mimalloc waits by default it gave them back only to fault them in again."""
    environment = {k: v for k, v in os.environ.items() if k != "MIMALLOC_PURGE_DELAY"}

    def retained(**extra) -> tuple[int, bool]:
        probe = subprocess.run([sys.executable, "-c", _RETAINED_MB], cwd=REPO, env={**environment, **extra},
                               capture_output=True, text=True, check=True)
        megabytes, inherited = probe.stdout.split()
        return int(megabytes), inherited == "True"

    kept, inherited = retained()
    assert kept >= 150 and not inherited  # worker processes started later keep the default
    assert retained(MIMALLOC_PURGE_DELAY="1000")[0] < 100  # pyarrow's default; a user's setting wins


def test_serve_registers_the_schedule_and_a_triggered_run_publishes(harness, inbox, tmp_path):
    from prefect.deployments import run_deployment

    out = tmp_path / "out"
    served = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "serve", "--cron", "0 3 * * *", "--name", "test-nightly",
         "--input", str(inbox), "--output", str(out)],
        cwd=REPO, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deployment = _wait_for_deployment("build_release/test-nightly", served)
        assert [s.schedule.cron for s in deployment.schedules] == ["0 3 * * *"]
        run = run_deployment("build_release/test-nightly", timeout=600)
        assert run.state.is_completed(), run.state
        manifest = json.loads((out / "latest" / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["row_counts"]["documents"] == 4
    finally:
        os.killpg(served.pid, signal.SIGINT)
        try:
            served.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(served.pid, signal.SIGKILL)


def _wait_for_deployment(name: str, served: subprocess.Popen, timeout: float = 120):
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            if served.poll() is not None:
                raise AssertionError(f"serve exited early: {served.stdout.read().decode(errors='replace')}")
            try:
                return client.read_deployment_by_name(name)
            except Exception:
                time.sleep(1)
    raise AssertionError(f"deployment {name} was not registered within {timeout} s")

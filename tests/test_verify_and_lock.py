"""`speechcorpus verify` re-checks a release from disk; one build at a time per output."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from conftest import REPO, SEED
from pipeline import process, validate
from pipeline.corpus import enrich
from pipeline.release import describe, lock, store, verify


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    enriched = enrich.tables(process.tables([process.batch([SEED], SEED.parent)]))
    report = validate.validate(enriched.tables)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    manifest = describe.manifest("r1", now, enriched.tables, report.to_dict(), process.BuildConfig())
    return store.write_release(out, "r1", enriched.tables, manifest, enriched.index)


def _copy(release, tmp_path):
    import shutil

    target = tmp_path / "releases" / release.name
    shutil.copytree(release, target)
    return target


def test_a_published_release_verifies(release):
    assert verify.release(release) == []
    assert verify.output(release.parent.parent) == []


def test_a_changed_byte_is_found(release, tmp_path):
    copy = _copy(release, tmp_path)
    data = copy / "data" / "speeches.jsonl.gz"
    raw = bytearray(data.read_bytes())
    raw[-1] ^= 0xFF
    data.write_bytes(bytes(raw))
    assert verify.release(copy) == ["data/speeches.jsonl.gz: sha256 differs from the manifest"]


def test_a_wrong_row_count_and_a_broken_table_are_found(release, tmp_path):
    copy = _copy(release, tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["row_counts"]["paragraphs"] += 1
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert verify.release(copy) == ["data/paragraphs.parquet: 136 rows, manifest says 137"]


def test_a_dangling_reference_fails_the_suites(release, tmp_path):
    copy = _copy(release, tmp_path)
    table = pq.read_table(copy / "data" / "sections.parquet")
    dropped = table.slice(1)  # the first section goes; paragraphs still point at it
    pq.write_table(dropped, copy / "data" / "sections.parquet")
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["data/sections.parquet"] = {
        "sha256": store.sha256_file(copy / "data" / "sections.parquet"),
        "bytes": (copy / "data" / "sections.parquet").stat().st_size}
    manifest["row_counts"]["sections"] -= 1
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    problems = verify.release(copy)
    assert problems and all(p.startswith("validation: ") for p in problems)
    assert any("references sections.section_id" in p for p in problems), problems


def test_cli_verify_exit_codes(release, tmp_path):
    ok = subprocess.run([sys.executable, "-m", "flows.cli", "verify", str(release)], cwd=REPO, capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("ok:")
    copy = _copy(release, tmp_path)
    (copy / "data" / "rejects.parquet").unlink()
    bad = subprocess.run([sys.executable, "-m", "flows.cli", "verify", str(copy)], cwd=REPO, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "data/rejects.parquet: listed in the manifest but missing" in bad.stdout.splitlines()


def test_a_second_build_on_a_locked_output_exits_with_one_line(tmp_path):
    with lock.exclusive(tmp_path):
        result = subprocess.run([sys.executable, "-m", "flows.cli", "build", "--output", str(tmp_path)],
                                cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "another build" in lines[0] and str(tmp_path) in lines[0]


def test_the_lock_waits_for_another_holder_and_is_not_reentrant(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pipeline.release import lock\n"
         "with lock.exclusive(sys.argv[1]):\n    print('held', flush=True); time.sleep(1.5)", str(tmp_path)],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(lock.BuildLocked, match=f"pid {holder.pid}"):
        with lock.exclusive(tmp_path):
            pass
    start = time.monotonic()
    with lock.exclusive(tmp_path, wait_seconds=30):
        waited = time.monotonic() - start
        # a second hold is a second build, even in one process (the command line tells the flow it holds it)
        with pytest.raises(lock.BuildLocked, match=f"pid {os.getpid()}"), lock.exclusive(tmp_path):
            pass
    holder.wait()
    assert waited > 0.5

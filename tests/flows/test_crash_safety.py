"""Killed builds and concurrent builds leave a trustworthy output folder.

Each build here is a real `speechcorpus build` process (its own temporary Prefect server),
killed with SIGKILL at several points of its run: before, during and after publishing.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import PROVINCIAL, REPO, SEED
from pipeline.release import verify


@pytest.fixture
def inbox(tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    shutil.copy(SEED, box / SEED.name)
    shutil.copy(PROVINCIAL / "2026_北京市_政府工作报告.csv", box / "beijing.csv")
    return box


def _start(inbox, out) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flows.cli", "build", "--input", str(inbox), "--output", str(out)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own group: the temporary server dies with it


def _data(out) -> dict[str, bytes]:
    release = (out / "latest").resolve()
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted((release / "data").rglob("*")) if p.is_file()}


def test_sigkill_at_any_point_leaves_latest_valid_and_the_next_build_completes(inbox, tmp_path):
    out = tmp_path / "out"
    start = time.monotonic()
    first = _start(inbox, out)
    assert first.wait(timeout=600) == 0, first.stderr.read()
    duration = time.monotonic() - start
    reference = _data(out)
    rng = random.Random()  # a different set of kill points on every run
    for fraction in (rng.uniform(0.1, 0.5), rng.uniform(0.6, 0.9), rng.uniform(0.9, 1.05)):
        victim = _start(inbox, out)
        time.sleep(duration * fraction)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        assert verify.output(out) == [], f"after a kill at {fraction:.0%} of a build"
        again = _start(inbox, out)
        assert again.wait(timeout=600) == 0, again.stderr.read()
        assert _data(out) == reference
        assert not list((out / "releases").glob(".tmp-*")), "leftovers of the killed build were not cleaned"


def test_two_builds_at_once_give_one_release_and_a_clear_message(inbox, tmp_path):
    out = tmp_path / "out"
    builds = [_start(inbox, out), _start(inbox, out)]
    codes = [b.wait(timeout=600) for b in builds]
    assert sorted(codes) == [0, 3]
    loser = builds[codes.index(3)]
    message = loser.stderr.read().strip().splitlines()
    assert len(message) == 1 and "another build" in message[0]
    assert len([p for p in (out / "releases").iterdir() if not p.name.startswith(".")]) == 1
    assert verify.output(out) == []

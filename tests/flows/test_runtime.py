"""The process-wide settings the commands make: applied where asked, restored after."""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys

import pytest

from conftest import REPO
from flows import runtime


def test_building_freezes_the_objects_that_exist_and_lets_them_go_after():
    before = gc.get_freeze_count()
    with runtime.building():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), runtime.building():
        raise RuntimeError("a failing build")
    assert gc.get_freeze_count() == 0


def test_switching_often_shortens_the_switch_interval_only_while_inside():
    before = sys.getswitchinterval()
    with runtime.switching_often():
        assert sys.getswitchinterval() == min(before, runtime.SWITCH_INTERVAL)
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError), runtime.switching_often():
        raise RuntimeError("a failing step")
    assert sys.getswitchinterval() == before


def test_offline_prefect_defaults_never_override_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("PREFECT_HOME", raising=False)
    monkeypatch.setenv("DO_NOT_TRACK", "0")
    runtime.offline_prefect(tmp_path)
    assert os.environ["PREFECT_HOME"] == str(tmp_path.resolve())
    assert os.environ["DO_NOT_TRACK"] == "0"
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"


def test_great_expectations_logs_warnings_only():
    runtime.quiet_great_expectations()
    levels = [logger.level for name, logger in logging.root.manager.loggerDict.items()
              if name.startswith("great_expectations") and isinstance(logger, logging.Logger) and logger.level]
    assert levels and min(levels) >= logging.WARNING


TEARDOWN_PROBE = (
    "import atexit, logging, sys\n"
    "from flows import runtime\n"
    "exit_code = runtime.without_teardown()\n"
    "atexit.register(lambda: print('a later exit handler ran'))\n"
    "class Probe:\n"
    "    def __del__(self): print('torn down')\n"
    "probe = Probe()  # a module global: finalised only by the interpreter's teardown\n"
    "logging.basicConfig(stream=sys.stdout, format='%(message)s')\n"
    "logging.warning('logged')\n"
    "print('printed', end='')  # no newline: stays in the buffer until flushed\n"
    "{end}\n"
)


def _probe(end: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", TEARDOWN_PROBE.format(end=end)], cwd=REPO,
                          capture_output=True, text=True)


def test_without_teardown_ends_with_the_code_after_the_exit_handlers_and_flushes_output():
    ended = _probe("exit_code(3)\nsys.exit(0)")
    assert ended.returncode == 3
    assert ended.stdout.splitlines() == ["logged", "printeda later exit handler ran"]
    assert "torn down" not in ended.stdout


def test_without_a_code_the_process_ends_as_usual():
    raised = _probe("raise RuntimeError('a bug')")
    assert raised.returncode == 1 and "RuntimeError: a bug" in raised.stderr
    assert "a later exit handler ran" in raised.stdout and "torn down" in raised.stdout


FREED_MEMORY_PROBE = """
from pathlib import Path
from flows import runtime
runtime.load_arrow()  # the build's allocator: freed memory kept ARROW_PURGE_DELAY_MS
import numpy as np, pyarrow as pa, pyarrow.compute as pc

def resident():
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 >> 20

arrow = [pc.add(pa.array(np.ones(1 << 17)), 1) for _ in range(300)]  # 300 x 1 MB in Arrow's pool
heap = [np.ones(10_000) for _ in range(4_000)]  # 4,000 x 80 KB on the C heap
keep = heap[-1]  # the heap's top stays in use: only a trim gives back what lies below it
del arrow, heap
freed = resident()
runtime.give_back_memory()
print(freed, resident())
"""


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/statm; trims glibc's heap")
def test_give_back_memory_returns_what_both_allocators_keep():
    """Memory freed in pyarrow's pool (kept for its purge delay) and on the C heap (kept by
    glibc below a block in use) stays resident until ``give_back_memory``."""
    probe = subprocess.run([sys.executable, "-c", FREED_MEMORY_PROBE], cwd=REPO, capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
    assert probe.returncode == 0, probe.stderr
    freed, given_back = map(int, probe.stdout.split())
    assert freed - given_back > 500  # of about 300 + 320 MB freed

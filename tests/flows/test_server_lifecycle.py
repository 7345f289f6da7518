"""The Prefect server a command starts lives exactly as long as the command.

``build`` (whatever its runner) and ``serve`` start ``prefect server start``; killed
(SIGTERM or SIGKILL of the command's own process, as a supervisor or an operator's
``kill`` does), they used to leave the server (and the pool's workers) running with
ppid 1. Each test runs the real command in its own process with its own
``PREFECT_HOME`` and no ``PREFECT_API_URL``, as a user's shell would.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest

from conftest import REPO, SEED
from flows import server

#: More files than one batch holds (``max_batch_files``), so the processes runner
#: starts its pool of workers.
FILES = 260


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory):
    """One home for the module: only the first server migrates a fresh database."""
    return tmp_path_factory.mktemp("prefect-home")


@pytest.fixture(scope="module")
def many_files(tmp_path_factory):
    box = tmp_path_factory.mktemp("inbox")
    shutil.copy(SEED, box / SEED.name)
    for i in range(FILES):
        (box / f"page-{i:03d}.txt").write_text(f"在第{i}次工作会议上的讲话\n同志们：\n今天召开第{i}次会议，部署全年工作。\n",
                                               encoding="utf-8")
    return box


def _environment(home) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # start a server of its own
    env["PREFECT_HOME"] = str(home)
    return env


class Command:
    """A ``speechcorpus`` command run as a user runs it, its output lines timed as they come."""

    def __init__(self, args: list[str], home):
        self.process = subprocess.Popen([sys.executable, "-u", "-m", "flows.cli", *args], cwd=REPO,
                                        env=_environment(home), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, start_new_session=True)
        self.lines: list[tuple[float, str]] = []
        self.seen: list[psutil.Process] = []  # processes to kill if the test fails
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def wait_for(self, condition, what: str, timeout: float = 300):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = condition()
            if found:
                return found
            if self.process.poll() is not None:
                raise AssertionError(f"the command exited ({self.process.returncode}) before {what}:\n{self.output()[-3000:]}")
            time.sleep(0.2)
        raise AssertionError(f"no {what} within {timeout} s:\n{self.output()[-3000:]}")

    def descendants(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)

    def cleanup(self) -> None:
        """Whatever the test left: the processes seen, and the command's group."""
        for p in self.seen:
            _kill(p)
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _kill(process: psutil.Process) -> None:
    try:
        process.kill()
    except psutil.Error:
        pass


def _alive(processes: list[psutil.Process]) -> list[str]:
    left = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{p.pid} (ppid {p.ppid()}): {' '.join(p.cmdline())[:160]}")
        except psutil.Error:
            pass
    return left


def _server_and_workers(command: Command, workers: int) -> list[psutil.Process]:
    """The command's processes once its server answers and its pool has ``workers`` workers."""
    def started():
        found = command.descendants()
        servers = [p for p in found if "server" in p.cmdline() and "start" in p.cmdline()]
        pool = [p for p in found if any("spawn_main" in part for part in p.cmdline())]
        return found if servers and len(pool) >= workers else None

    return command.wait_for(started, f"a server and {workers} pool workers")


def _gone_within(processes: list[psutil.Process], seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while _alive(processes) and time.monotonic() < deadline:
        time.sleep(0.2)
    return _alive(processes)


@pytest.mark.parametrize("runner, workers", [("threads", 0), ("processes", 2)], ids=["default", "processes"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_build_leaves_no_process_it_started(signum, runner, workers, many_files, prefect_home, tmp_path):
    """The default build too: on Prefect's temporary server, a SIGKILL left that running."""
    command = Command(["build", "--runner", runner, "--workers", str(max(workers, 1)), "--input", str(many_files),
                       "--output", str(tmp_path / "out")], prefect_home)
    try:
        started = _server_and_workers(command, workers=workers)
        command.seen = started
        os.kill(command.process.pid, signum)  # the command only, as `kill PID` does: not its group
        command.process.wait(timeout=60)
        assert _gone_within(started, 30) == []
    finally:
        command.cleanup()
    assert not server.running_servers(prefect_home), "a server record outlived its server"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_serve_leaves_no_process_it_started(signum, many_files, prefect_home, tmp_path):
    command = Command(["serve", "--cron", "0 3 * * *", "--name", f"killed-{signum.name}", "--input", str(many_files),
                       "--output", str(tmp_path / "out")], prefect_home)
    try:
        command.wait_for(lambda: "serving build_release" in command.output(), "the serve banner")
        started = command.descendants()
        command.seen = started
        assert any("server" in p.cmdline() for p in started)
        os.kill(command.process.pid, signum)
        command.process.wait(timeout=60)
        assert _gone_within(started, 30) == []
    finally:
        command.cleanup()
    assert not server.running_servers(prefect_home), "a server record outlived its server"


def test_the_next_command_stops_a_server_left_by_a_dead_one(tmp_path):
    """A server that outlived its command (killed where no parent-death signal exists) is
    recorded in PREFECT_HOME; the next command that starts a server stops it first, and
    leaves alone the server of a command that still runs."""
    home = tmp_path / "home"
    sleep = [sys.executable, "-c", "import time; time.sleep(600)"]
    left, owned = (subprocess.Popen(sleep, start_new_session=True) for _ in range(2))
    try:
        dead_owner = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                                    text=True, check=True)
        server.record_server(home, left.pid, owner=int(dead_owner.stdout), port=1)
        server.record_server(home, owned.pid, owner=os.getpid(), port=2)
        assert len(server.running_servers(home)) == 2
        assert server.stop_stale_servers(home) == [left.pid]
        assert left.wait(timeout=30) is not None and owned.poll() is None
        assert [r["pid"] for r in server.running_servers(home)] == [owned.pid]
        owned.kill()
        owned.wait()
        assert server.running_servers(home) == []  # the record of a server that is gone goes with it
    finally:
        for process in (left, owned):
            if process.poll() is None:
                process.kill()
                process.wait()


def test_a_processes_build_exits_promptly_after_publishing(many_files, prefect_home, tmp_path):
    """It used to hang 60-70 s after publishing, then print 'Error logging to API': the
    logs and events still queued went to the server it had just stopped."""
    command = Command(["build", "--runner", "processes", "--workers", "2", "--input", str(many_files),
                       "--output", str(tmp_path / "out")], prefect_home)
    try:
        code = command.process.wait(timeout=600)
        ended = time.monotonic()
        command._reader.join(timeout=10)
        assert code == 0, command.output()[-3000:]
        published = [t for t, line in command.lines if "published /" in line or "written to" in line]
        assert published, command.output()[-3000:]
        assert ended - published[0] < 20, f"exited {ended - published[0]:.0f} s after publishing"
        assert "Error logging to API" not in command.output()
    finally:
        command.cleanup()

"""A real local Prefect server, started and stopped for the user when one is needed.

Every ``build`` and ``serve`` connects to ``PREFECT_API_URL`` when it is set, or else
starts ``prefect server start`` on a free loopback port with the project's
``PREFECT_HOME`` and points this process (and the workers it spawns) at it. Not Prefect's
temporary server: schedules need a server's scheduler, each process-based worker would
start a temporary server of its own on the same SQLite file, and a SIGKILL of the command
left the temporary server running (it has no parent-death signal).

The server lives exactly as long as the command:

- stopped when the command ends, after Prefect's queued logs and events were sent (sent
  later, to a stopped server, they held the exit 60-70 s and ended in "Error logging to
  API");
- on Linux, it gets SIGTERM from the kernel when the command dies, however it dies
  (``PR_SET_PDEATHSIG``, set by a two-line launcher before it becomes the server);
- recorded in ``$PREFECT_HOME/servers/<pid>.json`` while it runs: a command that starts a
  server first stops any recorded one whose command is gone (where no parent-death signal
  exists, or it was ignored).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

#: Seconds to wait for a fresh server to migrate its database and answer (a fresh SQLite
#: database takes well over the default on a busy machine).
STARTUP_TIMEOUT = 120
#: Seconds a server gets to stop after SIGTERM before it is killed.
STOP_TIMEOUT = 20
#: Seconds Prefect's queued logs and events get to reach the server before it stops.
DRAIN_TIMEOUT = 10
#: Where the servers the commands started are recorded, under ``PREFECT_HOME``.
RECORDS = "servers"

#: Run as ``python -c LAUNCHER <owner pid> <argv…>``: ask the kernel for SIGTERM when the
#: owner dies (Linux; elsewhere nothing), exit if it is gone already, then become the
#: server. A launcher rather than ``preexec_fn``: that runs between fork and exec in a
#: copy of a process that has threads, where a lock held by another thread never frees.
LAUNCHER = (
    "import ctypes, os, signal, sys\n"
    "try: ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG\n"
    "except (AttributeError, OSError): pass\n"
    "if os.getppid() != int(sys.argv[1]): sys.exit(0)\n"
    "os.execv(sys.executable, [sys.executable, *sys.argv[2:]])\n"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    """Whether a Prefect API answers at ``api_url`` (``…/api``)."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def local_server() -> Iterator[str]:
    """The API URL of a usable Prefect server: ``PREFECT_API_URL`` if set and healthy, or a
    ``prefect server start`` subprocess that lives as long as the ``with`` block, and not
    longer than this process (see the module docstring).

    The server's log goes to ``$PREFECT_HOME/server.log``. Enter it on the thread that
    leaves it (the parent-death signal is tied to the thread that started the server).
    """
    with starting() as ready:
        yield ready()


@contextlib.contextmanager
def starting() -> Iterator[Callable[[], str]]:
    """``local_server`` in two steps: the server starts on entering, and the function
    yielded waits until it answers and returns its API URL. What the command does in
    between (its own imports) runs while the server starts, on another core."""
    existing = os.environ.get("PREFECT_API_URL")
    if existing:

        def answering() -> str:
            if not healthy(existing):
                raise RuntimeError(f"PREFECT_API_URL={existing} does not answer; start that server or unset the variable")
            return existing

        yield answering
        return
    home = Path(os.environ["PREFECT_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    stop_stale_servers(home)
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    with open(home / "server.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(os.getpid()),
             "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ), start_new_session=True,
        )
    record = record_server(home, process.pid, owner=os.getpid(), port=port)
    started = time.monotonic()

    def answering() -> str:
        while not healthy(api_url):
            if process.poll() is not None:
                raise RuntimeError(f"prefect server exited with {process.returncode}; see {home / 'server.log'}")
            if time.monotonic() > started + STARTUP_TIMEOUT:
                raise RuntimeError(f"prefect server did not answer within {STARTUP_TIMEOUT} s; see {home / 'server.log'}")
            time.sleep(0.1)
        os.environ["PREFECT_API_URL"] = api_url
        return api_url

    try:
        yield answering
    finally:
        if os.environ.get("PREFECT_API_URL") == api_url:
            del os.environ["PREFECT_API_URL"]
        try:
            drain_prefect_clients()
        finally:
            _stop(process)
            record.unlink(missing_ok=True)


def drain_prefect_clients(timeout: float = DRAIN_TIMEOUT) -> None:
    """Send the logs and events this process's Prefect clients still hold, waiting at
    most ``timeout`` seconds for each kind, so the server they go to may stop.

    Prefect sends them from background workers, and at exit drains whatever is left: to a
    server already stopped, that took its client's retries, 60-70 s, and ended in "Error
    logging to API". Prefect's own test harness drains the same two before stopping its
    server.
    """
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=timeout)


def _stop(process: subprocess.Popen) -> None:
    """Stop the server's process group: SIGTERM, then SIGKILL after ``STOP_TIMEOUT``."""
    for signum, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, None)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def record_server(home: Path, pid: int, owner: int, port: int) -> Path:
    """Record that the command ``owner`` started the server ``pid`` (its own process
    group) on ``port``: ``$PREFECT_HOME/servers/<pid>.json``, with both processes' start
    times, so a record is never taken for another process that reuses the pid."""
    folder = Path(home) / RECORDS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{pid}.json"
    path.write_text(json.dumps({"pid": pid, "started": _start_time(pid), "owner": owner,
                                "owner_started": _start_time(owner), "port": port}), encoding="utf-8")
    return path


def running_servers(home: Path) -> list[dict]:
    """The recorded servers that still run (a record whose server is gone is removed)."""
    out = []
    for path in sorted((Path(home) / RECORDS).glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
            continue
        if _start_time(record["pid"]) == record["started"] and record["started"] is not None:
            out.append({**record, "path": str(path)})
        else:
            path.unlink(missing_ok=True)
    return out


def stop_stale_servers(home: Path) -> list[int]:
    """Stop every recorded server whose command no longer runs, and return their pids."""
    stopped = []
    for record in running_servers(home):
        if _start_time(record["owner"]) == record["owner_started"] and record["owner_started"] is not None:
            continue  # its command still runs: not ours to stop
        for signum, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(record["pid"], signum)
            if _exited(record["pid"], record["started"], wait):
                break
        Path(record["path"]).unlink(missing_ok=True)
        stopped.append(record["pid"])
    return stopped


def _exited(pid: int, started: float, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _start_time(pid) == started:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _start_time(pid: int) -> float | None:
    """When process ``pid`` started (None: no such process, or a zombie)."""
    import psutil

    try:
        process = psutil.Process(pid)
        return None if process.status() == psutil.STATUS_ZOMBIE else process.create_time()
    except psutil.Error:
        return None


@contextlib.contextmanager
def using(api_url: str) -> Iterator[None]:
    """Point every Prefect client of this process at ``api_url`` for the ``with`` block.

    ``temporary_settings`` alone reaches only this thread's context. Threads Prefect
    starts itself without copying it (the process runner's message forwarder, the
    events worker) read the global settings, which were loaded from the environment at
    import: they found no API URL, started a temporary server of their own (~5 s, seen
    in every process-runner build) and sent the workers' events and logs there. Prefect's
    own test harness swaps the global context the same way.
    """
    from prefect.context import _temporary_global_settings_context, get_settings_context
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        with _temporary_global_settings_context(get_settings_context()):
            yield

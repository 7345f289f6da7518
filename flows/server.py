"""A real local Prefect server, started and stopped for the user when one is needed.

A one-off ``build`` runs on Prefect's temporary server. Two things cannot: schedules
(the temporary server does not run its scheduler) and process-based task runners (each
worker process would start a temporary server of its own on the same SQLite file). For
those the command connects to ``PREFECT_API_URL`` when it is set, or else starts
``prefect server start`` on a free loopback port with the project's ``PREFECT_HOME`` and
points this process (and the workers it spawns) at it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

#: Seconds to wait for a fresh server to migrate its database and answer (a fresh SQLite
#: database takes well over the default on a busy machine).
STARTUP_TIMEOUT = 120


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
    ``prefect server start`` subprocess that lives as long as the ``with`` block.

    The server's log goes to ``$PREFECT_HOME/server.log``.
    """
    existing = os.environ.get("PREFECT_API_URL")
    if existing:
        if not healthy(existing):
            raise RuntimeError(f"PREFECT_API_URL={existing} does not answer; start that server or unset the variable")
        yield existing
        return
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    home = Path(os.environ["PREFECT_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "server.log", "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ), start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not healthy(api_url):
            if process.poll() is not None:
                raise RuntimeError(f"prefect server exited with {process.returncode}; see {home / 'server.log'}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"prefect server did not answer within {STARTUP_TIMEOUT} s; see {home / 'server.log'}")
            time.sleep(0.5)
        os.environ["PREFECT_API_URL"] = api_url
        yield api_url
    finally:
        if os.environ.get("PREFECT_API_URL") == api_url:
            del os.environ["PREFECT_API_URL"]
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


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

"""Prefect wiring over ``pipeline``: flows, tasks and the command line.

Importing this package sets the environment Prefect needs to run offline on a fresh
machine *before* Prefect itself is imported (Prefect reads its settings at import):
a project-local ``PREFECT_HOME``, telemetry off (on a fresh home the telemetry service
races the first migrations for the SQLite lock), and a start-up timeout long enough for
the temporary server to migrate a new database (12–18 s here, over the 20 s default on
a busy machine). Values already in the environment win.
"""

import os
from pathlib import Path

OFFLINE_ENVIRONMENT = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "",
    "GX_ANALYTICS_ENABLED": "false",
}


def configure_environment(home: Path | None = None) -> None:
    """Default Prefect's settings for an offline, project-local run (existing values win)."""
    os.environ.setdefault("PREFECT_HOME", str((home or Path.cwd() / ".prefect").resolve()))
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(key, value)


configure_environment()

"""One build at a time on an output folder: an OS file lock, released even when the process dies."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path


class BuildLocked(RuntimeError):
    """Another build holds the output folder."""


@contextlib.contextmanager
def exclusive(output_dir: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold ``OUTPUT/.lock`` (an OS file lock, released even when the process dies) for
    the duration of a build, so two builds never interleave on one output folder.

    Waits up to ``wait_seconds`` for another build to finish, then raises
    ``BuildLocked`` naming the holder's pid. Not re-entrant: a second hold in the same
    process is another build, and is refused the same way.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    lock_path = (output_dir / ".lock").resolve()
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise BuildLocked(f"another build (pid {holder}) is writing to {output_dir}; "
                                      f"wait for it to finish or use another --output") from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)

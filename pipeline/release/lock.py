"""OS file locks on an output folder, released even when the process holding them dies.

- ``exclusive``: one build (or prune) at a time on an output folder (``OUTPUT/.lock``);
- ``reading``: a reader holds a release, so ``prune`` leaves it alone
  (``OUTPUT/.readers/<release_id>.lock``, a shared lock: readers never wait for each other).

A reader outside Python holds a release the same way with flock(1):
``flock -s OUTPUT/.readers/<release_id>.lock python my_analysis.py``.
"""

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


#: Where the reader locks of an output folder's releases are.
READERS_DIR = ".readers"


def _reader_lock(release: Path) -> Path | None:
    """The reader lock file of the release folder ``release`` (``OUTPUT/releases/<id>``),
    or None for a folder that is not a release of an output folder (nothing prunes it)."""
    release = Path(os.path.realpath(release))
    if release.parent.name != "releases":
        return None
    return release.parent.parent / READERS_DIR / f"{release.name}.lock"


@contextlib.contextmanager
def reading(release: Path) -> Iterator[Path]:
    """Hold the release folder ``release`` for reading: ``prune`` does not remove it while
    any reader holds it (a shared lock; waits while a prune is removing it). Raises
    ``FileNotFoundError`` when the release does not exist (or was pruned meanwhile).
    Yields the release's real path: hold that, not ``latest``, which may move on."""
    real = Path(os.path.realpath(release))
    path = _reader_lock(real)
    if path is None:
        if not real.is_dir():
            raise FileNotFoundError(f"release {str(release)!r} does not exist")
        yield real
        return
    path.parent.mkdir(exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            if not real.is_dir():
                raise FileNotFoundError(f"release {str(release)!r} does not exist (pruned?)")
            yield real
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def removing(release: Path) -> Iterator[bool]:
    """For ``prune``: whether ``release`` may be removed now, holding its reader lock
    exclusively (without waiting: True) for the ``with`` block, so no reader starts
    meanwhile; False when a reader holds it."""
    path = _reader_lock(release)
    if path is None:
        yield True
        return
    path.parent.mkdir(exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            path.unlink(missing_ok=True)  # the release is gone; so is its lock
            fcntl.flock(handle, fcntl.LOCK_UN)

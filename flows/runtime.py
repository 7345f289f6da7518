"""Every process-wide setting the commands make, in one place, each with its reason.

``pipeline`` never changes process state (environment, allocator, garbage collector,
interpreter, logging); the commands that need a setting apply it here, once:

- ``offline_prefect``: every command that runs Prefect (``build``, ``serve``; the tests);
- ``load_arrow``: the module of the build flow, before anything loads pyarrow;
- ``building``, ``switching_often``: the build flow, for one build or one step of it;
- ``quiet_great_expectations``: the ``build`` command (while its server starts), the build
  flow (on a thread, ahead of validation) and ``verify``;
- ``give_back_memory``: the build flow, after each of its corpus-wide steps and each piece
  of validation and writing;
- ``without_teardown``: the ``speechcorpus`` command, as its process ends.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import gc
import logging
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

#: Prefect and Great Expectations offline on a fresh machine: no telemetry (on a fresh home
#: the telemetry service races the first migrations for the SQLite lock), and a start-up
#: timeout long enough for a server to migrate a new database on a busy machine.
OFFLINE_ENVIRONMENT = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "",
    "GX_ANALYTICS_ENABLED": "false",
}

#: How long pyarrow's allocator keeps freed memory before giving it back to the system, in
#: the build's process (pyarrow's default: 1 s).
ARROW_PURGE_DELAY_MS = 30_000

#: At most this long between offers of the interpreter lock to another thread, where a build
#: overlaps Python-heavy and Arrow-heavy work (Python's default: 5 ms).
SWITCH_INTERVAL = 0.001


def offline_prefect(home: Path | None = None) -> None:
    """Default Prefect's settings for an offline, project-local run (``PREFECT_HOME`` in
    ``.prefect/`` of the working folder); values already in the environment win. Prefect
    reads them when it is imported, so this runs first."""
    os.environ.setdefault("PREFECT_HOME", str((home or Path.cwd() / ".prefect").resolve()))
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(key, value)


def load_arrow(purge_delay_ms: int = ARROW_PURGE_DELAY_MS) -> None:
    """Load pyarrow with its allocator keeping freed memory ``purge_delay_ms``, in this
    process only (a value in the environment wins).

    Why: a build frees and allocates hundreds of MB from stage to stage, seconds apart;
    given back after 1 s, that memory was faulted in again by the next stage. Worker and
    download processes, started later, keep the default: they would hold more for little.
    mimalloc reads the setting once, when pyarrow loads it, so the variable is set for the
    import and removed again.
    """
    ours = "MIMALLOC_PURGE_DELAY" not in os.environ
    os.environ.setdefault("MIMALLOC_PURGE_DELAY", str(purge_delay_ms))
    try:
        import pyarrow  # noqa: F401
    finally:
        if ours:
            del os.environ["MIMALLOC_PURGE_DELAY"]


@contextlib.contextmanager
def building() -> Iterator[None]:
    """The objects that exist when a build starts (the imported libraries, ~400,000
    objects) left out of full garbage collections until it ends: scanning them again and
    again was a visible share of a small incremental build."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def switching_often() -> Iterator[None]:
    """The interpreter lock offered to other threads every ``SWITCH_INTERVAL`` at most,
    while inside: enrichment runs Arrow-heavy keywords beside Python-heavy duplicate
    detection, and at Python's 5 ms the Arrow thread queued behind the Python loops for
    most of its run."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def quiet_great_expectations() -> None:
    """Import Great Expectations with its routine logging at WARNING and its import-time
    deprecation warnings hushed: the validation report already carries everything that
    failed. GX pins some of its loggers to INFO when it is imported, so their levels are
    raised after the import. Importing takes seconds: the ``build`` command calls this
    while its Prefect server starts, the build flow (served or deployed) on a thread while
    it processes documents."""
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="great_expectations")
    # pandas warns about the match group in the section-marker regex of a suite
    warnings.filterwarnings("ignore", message="This pattern is interpreted as a regular expression")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations  # noqa: F401

    for name, logger in list(logging.root.manager.loggerDict.items()):
        if name.startswith("great_expectations.") and isinstance(logger, logging.Logger) and logger.level:
            logger.setLevel(max(logger.level, logging.WARNING))


def give_back_memory() -> None:
    """Give the memory this process has freed back to the system now, from both of its
    allocators: pyarrow's (which keeps freed memory ``ARROW_PURGE_DELAY_MS``) and the C
    heap's (glibc keeps what numpy, pandas and the interpreter freed in its arenas; where
    there is no glibc, nothing is trimmed).

    Why: the build's corpus-wide steps run one after another and beside each other
    (validation, the Parquet files, the download), each freeing hundreds of MB another
    then does not reuse; kept, that memory added to the next steps' peaks (about 500-700 MB
    of the flow's 1.7 GB at 105 MB of input). Called between steps and pieces of them, not
    within one, so a step still reuses its own freed memory.
    """
    import pyarrow

    pyarrow.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    library = ctypes.CDLL(name) if name else None
    return library if library is not None and hasattr(library, "malloc_trim") else None


_LIBC = _glibc()


def without_teardown() -> Callable[[int], None]:
    """Let this process end without the interpreter's teardown; returns the function that
    sets the exit code once it is known. Call it first, before the libraries load.

    Why: after a build, tearing down the modules of Prefect, Great Expectations and pandas
    object by object was a visible share of the command's wall clock, freeing memory the
    system takes back at once. The exit still runs as usual up to its last step: other
    threads are waited for, and every exit handler registered later (Prefect's among them)
    runs before this one, which closes the logging handlers, flushes the output and ends
    the process with the code. Without a code set (the command raised), the interpreter
    ends as usual.
    """
    code: list[int] = []

    def end() -> None:
        if code:
            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code[0])

    atexit.register(end)  # exit handlers run last-registered first: this one runs last
    return code.append

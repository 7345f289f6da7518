"""Build progress for a person at a terminal: a rich bar with file counts and an ETA.

The flow reports to whichever ``Reporter`` is installed; the default reports nothing, so
served and deployed runs (no terminal, Prefect's UI shows progress) pay nothing. The
command line installs a ``TerminalProgress`` when stderr is a terminal. The flow runs in
the command's process with every runner (only tasks are sent to threads, processes or
Dask workers), so a module-level reporter sees every batch as it completes.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class Reporter:
    """What the flow calls; this base class ignores everything."""

    def start(self, files: int) -> None:
        """Processing begins with ``files`` to process."""

    def advance(self, files: int) -> None:
        """A batch of ``files`` finished processing."""

    def stage(self, name: str) -> None:
        """A corpus-wide step began (deduplication, validation, publishing)."""

    def done(self) -> None:
        """The release is published."""


class TerminalProgress(Reporter):
    """One bar over the files to process, then the corpus-wide steps by name."""

    def __init__(self, console: Console):
        self._progress = Progress(
            TextColumn("[bold]{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        )
        self._task: TaskID | None = None

    def start(self, files: int) -> None:
        self._progress.start()
        self._task = self._progress.add_task("process", total=files)

    def advance(self, files: int) -> None:
        self._progress.advance(self._task, files)

    def stage(self, name: str) -> None:
        # Drawn now rather than at the next 10 Hz tick: a short step would otherwise never
        # show, and the bar would jump from one stage to the one after.
        self._progress.update(self._task, description=name, refresh=True)

    def done(self) -> None:
        self._progress.update(self._task, description="published", refresh=True)
        self._progress.stop()

    def close(self) -> None:
        self._progress.stop()


_current: Reporter = Reporter()


def current() -> Reporter:
    return _current


@contextmanager
def reporting(reporter: Reporter) -> Iterator[Reporter]:
    """Install ``reporter`` for the duration of a build; the bar stops even on failure."""
    global _current
    previous, _current = _current, reporter
    try:
        yield reporter
    finally:
        _current = previous
        if isinstance(reporter, TerminalProgress):
            reporter.close()

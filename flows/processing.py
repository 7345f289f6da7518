"""The per-file work of a build: batches of inbox files through ``pipeline.process``.

Kept apart from ``flows.build`` because a process or Dask worker imports the module of
the task it runs: this one needs Prefect and the per-document stages only, not the
libraries of the corpus-wide ones (pandas, scipy, datasketch), which would
cost each new worker seconds and hundreds of MB before its first batch.
"""

# No ``from __future__ import annotations``: Prefect builds the flow's parameter model
# from these annotations (see ``flows.build``).
import math
import shutil
from pathlib import Path

from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed

from flows import progress
from pipeline import process
from pipeline.corpus.keywords import KeywordConfig
from pipeline.errors import TransientIOError
from pipeline.process import BuildConfig


#: The least time a batch gets, and the slowest processing it is allowed beyond that: a
#: batch of the default 4 MB gets 1,000 s, many times what it needs. Every input is bounded
#: (size limits, ``too_slow``), so a batch past this is stuck: a new kind of pathological
#: input, or a bug. Without a limit one such file hung the run, every nightly run after it.
BATCH_TIMEOUT_FLOOR = 600
SLOWEST_BYTES_PER_SECOND = 10_000


class BatchTimedOut(RuntimeError):
    """A batch ran past its time limit: the run fails, naming the batch's files."""

    def __init__(self, number: int, count: int, paths: list[Path], inbox: Path, seconds: float):
        names = [str(p.relative_to(inbox)) if p.is_relative_to(inbox) else str(p) for p in paths]
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        super().__init__(
            f"batch {number} of {count} did not finish within its time limit of {seconds:g} s; one of its "
            f"{len(names)} file(s) keeps processing busy: {shown}. Find it with 'speechcorpus inspect FILE' "
            "(or a build of fewer files), move it out of the inbox, and report it: every input should end "
            "as a document or a reject."
        )


def batch_timeout(batches: list[list[Path]]) -> float:
    """The time limit of each batch, in seconds: ``BATCH_TIMEOUT_FLOOR`` plus the largest
    batch's bytes at ``SLOWEST_BYTES_PER_SECOND``."""
    largest = max((sum(map(_size, batch)) for batch in batches), default=0)
    return BATCH_TIMEOUT_FLOOR + largest / SLOWEST_BYTES_PER_SECOND


def transient(task, task_run, state) -> bool:
    """Retry only I/O errors that may pass; a bad document or a bug will not."""
    try:
        state.result()
    except TransientIOError:
        return True
    except Exception:
        return False
    return False


def plan_batches(paths: list[Path], batch_bytes: int, max_files: int, workers: int = 1) -> list[list[Path]]:
    """``paths`` in order, in batches of about ``batch_bytes`` (never more than one file
    over) and at most ``max_files`` files.

    The batches share the bytes evenly, and when there is more than one, their number is
    a multiple of ``workers``, so that the workers finish together instead of one idling
    through the last batch.
    """
    sizes = [_size(path) for path in paths]
    total = sum(sizes)
    count = batch_count(total, len(paths), batch_bytes, max_files)
    if count > 1:
        count = math.ceil(count / workers) * workers
    share = total / count or 1
    batches: list[list[Path]] = [[] for _ in range(count)]
    before = 0
    for path, size in zip(paths, sizes):
        # the batch the file's middle byte falls in: each batch holds share bytes, give or take a file
        batches[min(int((before + size / 2) / share), count - 1)].append(path)
        before += size
    return [batch[i:i + max_files] for batch in batches for i in range(0, len(batch), max_files)]


def batch_count(total_bytes: int, files: int, batch_bytes: int, max_files: int) -> int:
    """How many batches ``plan_batches`` makes of ``files`` files of ``total_bytes`` on one
    worker: enough for ``batch_bytes`` each and ``max_files`` at most, at least one."""
    return max(math.ceil(total_bytes / batch_bytes), math.ceil(files / max_files), 1)


def inbox_batches(paths: list[Path], batch_bytes: int, max_files: int) -> int:
    """``batch_count`` of every file of an inbox (what a full build processes)."""
    return batch_count(sum(map(_size, paths)), len(paths), batch_bytes, max_files)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reading it later turns this into a reject with the reason


@task(retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=transient, cache_policy=NO_CACHE,
      timeout_seconds=BATCH_TIMEOUT_FLOOR)
def process_batch(paths: list[Path], inbox: Path, config: BuildConfig, spill_to: Path | None = None,
                  terms: KeywordConfig | None = None) -> process.Batch | process.SpilledBatch:
    """The records of ``paths``, with the term counts of their speeches under ``terms``
    when given; written into ``spill_to`` when given (another process made them: sending
    them back would hold them all in the flow's memory)."""
    batch = process.batch(paths, inbox, config, terms)
    if spill_to is None:
        return batch
    shutil.rmtree(spill_to, ignore_errors=True)  # a retry's leftovers
    return process.spill(batch, spill_to)


@flow(name="process_inbox", validate_parameters=False)
def process_inbox(batches: list[list[Path]], inbox: Path, config: BuildConfig, spill: Path | None = None,
                  terms: KeywordConfig | None = None) -> list[process.Batch | process.SpilledBatch]:
    """``batches`` processed on this flow's task runner, in batch order."""
    return process_batches(batches, inbox, config, spill, terms)


def process_batches(batches: list[list[Path]], inbox: Path, config: BuildConfig, spill: Path | None = None,
                    terms: KeywordConfig | None = None) -> list[process.Batch | process.SpilledBatch]:
    reporter = progress.current()
    reporter.start(sum(map(len, batches)))
    seconds = batch_timeout(batches)
    task = process_batch.with_options(timeout_seconds=seconds)
    if len(batches) == 1:
        # Nothing to run in parallel: starting workers (imports, dictionaries: seconds for
        # a process pool) would cost more than the batch. The nightly run
        # with a handful of new pages takes this path.
        try:
            results = [task(batches[0], inbox, config, terms=terms)]
        except TimeoutError as exc:
            raise BatchTimedOut(1, 1, batches[0], inbox, seconds) from exc
        reporter.advance(len(batches[0]))
        return results
    spill_to = [None if spill is None else spill / f"{i:06d}" for i in range(len(batches))]
    futures = task.map(batches, inbox=unmapped(inbox), config=unmapped(config), spill_to=spill_to,
                       terms=unmapped(terms)) if batches else []
    files_in = {future.task_run_id: len(batch) for future, batch in zip(futures, batches)}
    for future in as_completed(futures):
        reporter.advance(files_in[future.task_run_id])
    results = []
    for number, (future, batch) in enumerate(zip(futures, batches), start=1):  # batch order, not completion order
        try:
            results.append(future.result())
        except TimeoutError as exc:
            raise BatchTimedOut(number, len(batches), batch, inbox, seconds) from exc
    return results

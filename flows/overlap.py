"""Every overlap of work in a build: the one place that starts threads and hands out futures.

Stages in ``pipeline`` take data and return data. Some of them spend most of their time
outside the interpreter lock (Arrow kernels, Parquet and zlib, file reads) or waiting for
an import, so a build runs them beside others instead of after them. What runs beside
what is decided in ``flows.build``; how is here.
"""

from __future__ import annotations

import collections
import concurrent.futures
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Background:
    """Work running on threads beside the caller, for the duration of a ``with`` block.

    ``start`` runs a call on a thread of its own and returns its future; the caller takes
    the result when it needs it (``future.result()`` raises what the call raised). Leaving
    the block waits for every call started, so nothing outlives the step that started it;
    leaving it on an error cancels nothing that runs (a thread cannot be stopped) but
    waits, then re-raises the error.
    """

    def __init__(self, name: str):
        self._name = name
        self._threads: list[threading.Thread] = []

    def start(self, call: Callable[..., R], *args, **kwargs) -> concurrent.futures.Future[R]:
        future: concurrent.futures.Future[R] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(call(*args, **kwargs))
            except BaseException as exc:
                future.set_exception(exc)

        thread = threading.Thread(target=run, name=f"{self._name}-{getattr(call, '__name__', 'call')}", daemon=True)
        self._threads.append(thread)
        thread.start()
        return future

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc_info) -> None:
        for thread in self._threads:
            thread.join()


def ordered_map(call: Callable[[T], R], items: Iterable[T], workers: int, ahead: int) -> Iterator[R]:
    """``call`` of each item, in order, computed on ``workers`` threads with at most
    ``ahead`` results waiting: a stream of large results never piles up in memory."""
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        pending: collections.deque = collections.deque()
        for item in items:
            pending.append(pool.submit(call, item))
            if len(pending) > ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def map_all(call: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``call`` of each item, every one on a thread of its own at once (a handful of file
    reads that release the lock), results in order."""
    items = list(items)
    with concurrent.futures.ThreadPoolExecutor(max(len(items), 1)) as pool:
        return list(pool.map(call, items))


def exit_with_parent(parent: int, interval: float = 0.5) -> None:
    """Exit this process (at once, as a signal would) when the process ``parent`` that
    started it is gone: a thread that checks every ``interval`` seconds whether this
    process was handed to another parent. The pid is passed in, not read here: a parent
    killed while this process was still starting has handed it over already.

    For the processes a build starts that would otherwise outlive a killed build: a pool
    worker waits for its next batch forever, and the download's child finishes its file
    for nobody. The initializer of the process runner's workers, and the first call of
    the download's child.
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()

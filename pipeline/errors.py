"""The three kinds of error the pipeline raises, and how each is handled.

- ``ConfigError``: misuse (a bad option, a missing directory). Fatal; raised before any
  work starts, with the offending value and the valid choices.
- ``BadDocument``: one input cannot become a document. Never aborts a run: the input
  lands in the rejects table with ``reason`` and ``detail``.
- ``TransientIOError``: an I/O failure that may succeed on retry. The only kind the
  orchestrator retries.
- ``ValidationFailed``: the tables broke their data contract; the release is refused.
- ``NothingToPublish``: no input became a document; the latest release stays latest.
"""

from __future__ import annotations

import errno


class ConfigError(ValueError):
    """A setting or argument is invalid; the message names it and the valid choices."""


class BadDocument(Exception):
    """One input cannot become a document; ``reason`` is a rejects-table code."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class TransientIOError(OSError):
    """An I/O failure worth retrying (a busy or briefly unavailable filesystem)."""


#: OS errors that say "not now" rather than "never": an interrupted call, a busy or
#: briefly unavailable resource, a network filesystem timing out.
TRANSIENT_ERRNOS = frozenset({errno.EINTR, errno.EAGAIN, errno.EBUSY, errno.ETIMEDOUT, errno.ESTALE})


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is an OS error a retry may get past.

    >>> is_transient(OSError(errno.EBUSY, "busy")), is_transient(OSError(errno.ENOSPC, "full"))
    (True, False)
    """
    return isinstance(exc, TransientIOError) or (isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS)


class ValidationFailed(Exception):
    """The tables failed validation; ``failures`` holds one line per broken expectation."""

    def __init__(self, failures: list[str]):
        super().__init__(
            f"{len(failures)} expectation(s) failed:\n" + "\n".join(failures)
        )
        self.failures = failures


class NothingToPublish(Exception):
    """No input became a document: publishing would replace the latest release with an
    empty one (a build pointed at the wrong folder, or at a folder of rejects).

    ``rejects`` holds ``(source_path, reason, detail)`` of every input, in inbox order.
    """

    def __init__(self, rejects: list[tuple[str, str, str]]):
        self.rejects = rejects
        if not rejects:
            super().__init__("the inbox holds no input file")
            return
        reasons: dict[str, int] = {}
        for _, reason, _ in rejects:
            reasons[reason] = reasons.get(reason, 0) + 1
        counts = ", ".join(f"{reason}: {n}" for reason, n in sorted(reasons.items()))
        path, reason, detail = rejects[0]
        super().__init__(f"every input was rejected ({len(rejects)} file(s) or record(s); {counts}); "
                         f"the first: {path}: {reason} ({detail})")

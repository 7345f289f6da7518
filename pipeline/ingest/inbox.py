"""The inbox: which files it holds, the name each is stored under, and reading a file's bytes safely."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline.errors import BadDocument, ConfigError, TransientIOError, is_transient


def inbox_files(inbox: Path) -> list[Path]:
    """Every regular file under ``inbox``, recursively, in a stable (sorted) order.

    Hidden files and folders (``.git``, editor swap files) are skipped, and symlinked
    folders are not entered: their contents may lie outside the inbox, and a link loop
    would never end. Symlinked files are listed; ``read`` rejects those pointing outside.
    """
    if not inbox.is_dir():
        raise ConfigError(f"input directory {str(inbox)!r} does not exist or is not a directory")
    found = []
    for root, dirs, files in os.walk(inbox, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root, f) for f in files if not f.startswith("."))
    return sorted(found, key=lambda p: relative_name(p, inbox))


def relative_name(path: Path, inbox: Path) -> str:
    """``path`` relative to the inbox, as the tables store it: POSIX separators, and bytes
    of a file name that are not UTF-8 written as ``\\xff`` escapes (Parquet strings must
    be valid UTF-8; the escapes are deterministic and show what the bytes were).

    >>> relative_name(Path("/in/a b/non-utf8-" + chr(0xDCFF) + ".txt"), Path("/in"))
    'a b/non-utf8-\\\\xff.txt'
    """
    return os.fsencode(path.relative_to(inbox).as_posix()).decode("utf-8", "backslashreplace")


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing (``too_large``) a file over ``max_bytes`` without reading it.

    Interrupted or busy reads are ``TransientIOError`` (worth a retry); any other OS error
    makes the file ``unreadable``, and so does anything but a regular file: a named pipe
    or a device would block the read forever or never end, so it is opened without
    blocking and refused before a byte is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with open(fd, "rb") as f:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode):
                raise BadDocument("unreadable", f"{path.name} is {_file_kind(status.st_mode)}, not a regular file")
            size = status.st_size
            data = f.read(max_bytes + 1) if size <= max_bytes else b""
    except OSError as exc:
        if is_transient(exc):
            raise TransientIOError(f"reading {path}: {exc}") from exc
        raise BadDocument("unreadable", f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if size > max_bytes or len(data) > max_bytes:
        raise BadDocument("too_large", f"the file has {max(size, len(data))} bytes; max_file_bytes is {max_bytes}")
    return data


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))
    return next((name for test, name in kinds if test(mode)), "a special file")

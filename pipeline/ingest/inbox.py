"""The inbox: which files it holds, the name each is stored under, and reading a file's bytes safely."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from pipeline.errors import BadDocument, ConfigError, TransientIOError, is_transient


def inbox_files(inbox: Path) -> list[Path]:
    """Every path under ``inbox`` that ``read`` turns into documents or a reject, recursively,
    in a stable (sorted) order: every file, and every folder that is not entered.

    Nothing under the inbox goes unaccounted for. Hidden files and folders (``.git``,
    editor swap files), symlinked folders and folders that cannot be listed are listed
    themselves and not entered: ``refusal`` says why each is not read, and ``read`` makes
    that one reject (a hidden or linked folder is one row, not a row per file in it). A
    symlinked folder is never followed: its contents may lie outside the inbox, and a link
    loop would never end. Symlinked files are listed; ``read`` rejects those pointing
    outside.
    """
    if not inbox.is_dir():
        raise ConfigError(f"input directory {str(inbox)!r} does not exist or is not a directory")
    found = []

    def unlisted(error: OSError) -> None:
        if Path(error.filename) == inbox:
            raise ConfigError(f"cannot list the input directory {str(inbox)!r}: {error.strerror or error}") from error
        found.append(Path(error.filename))  # read() rejects it as unreadable, saying why

    for root, dirs, files in os.walk(inbox, onerror=unlisted, followlinks=False):
        entered = []
        for name in dirs:
            path = Path(root, name)
            if name.startswith(".") or path.is_symlink():
                found.append(path)
            else:
                entered.append(name)
        dirs[:] = sorted(entered)
        found.extend(Path(root, f) for f in files)
    return sorted(found, key=lambda p: relative_name(p, inbox))


def refusal(path: Path, inbox: Path) -> BadDocument | None:
    """Why the inbox entry at ``path`` is not read as a file, or ``None`` when it may be.

    ``hidden_file``: its name, or a folder's it is in, starts with ``.``. ``link_loop``: a
    link that leads back to itself, or a folder link to a folder holding the link.
    ``outside_inbox``: a link whose target lies outside the inbox (never followed).
    ``linked_folder``: a link to another folder of the inbox, whose files are read where
    they are. ``unreadable``: a folder (one that cannot be listed). No file is opened; a
    missing or dangling path inside the inbox is left to ``read_bytes``, which says so.
    """
    relative = Path(os.path.relpath(path, inbox))
    hidden = next((part for part in relative.parts if part.startswith(".") and part not in (".", "..")), None)
    if hidden is not None and hidden != relative.name:
        return BadDocument("hidden_file", f"in the hidden folder {hidden!r}, which is not read")
    if hidden is not None:
        what = "folder" if path.is_dir() and not path.is_symlink() else "file"
        return BadDocument("hidden_file", f"a hidden {what} (its name starts with '.': version control, editor and "
                                          "system data), not read; rename it without the '.' to read it")
    try:
        is_folder = stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return BadDocument("link_loop", f"{path.name} is a link that leads back to itself ({exc.strerror}); not followed")
        is_folder = False  # missing, or a dangling link
    target, root = Path(os.path.realpath(path)), Path(os.path.realpath(inbox))
    if not target.is_relative_to(root):
        return BadDocument("outside_inbox", f"a link to the {'folder' if is_folder else 'file'} {target}, "
                                            f"outside the inbox {root}; not followed")
    if not is_folder:
        return None
    if not path.is_symlink():
        try:
            with os.scandir(path):
                pass
        except OSError as exc:
            return BadDocument("unreadable", f"the folder cannot be listed: {exc.strerror or exc}")
        return BadDocument("unreadable", f"{path.name} is a folder, not a file")
    shown = target.relative_to(root).as_posix()
    if Path(os.path.realpath(path.parent)).is_relative_to(target):
        return BadDocument("link_loop", f"a link to the folder {shown!r}, which holds the link itself: "
                                        "following it would never end; not followed")
    return BadDocument("linked_folder", f"a link to the folder {shown!r} of the inbox, whose files are read "
                                        "where they are, not again through the link")


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

"""Reading inputs: list the inbox, read bytes, hash them, decode them or say why not."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import BadDocument, ConfigError, TransientIOError
from pipeline.records import Reject

#: Decoders tried in order when a file has no byte-order mark. UTF-8 first: it is strict
#: enough that a GB18030 file almost never decodes as UTF-8 by accident, while the reverse
#: happens all the time.
FALLBACK_ENCODINGS = ("utf-8", "gb18030")

#: Share of control characters (other than tab and line ends) above which a decoded file
#: is taken to be binary that happened to decode.
MAX_CONTROL_SHARE = 0.001


@dataclass(frozen=True)
class Source:
    """One decoded input: where it came from, its bytes' hash and its text."""

    path: str
    sha256: str
    size: int
    encoding: str
    text: str


def inbox_files(inbox: Path) -> list[Path]:
    """Every regular file under ``inbox``, recursively, in a stable (sorted) order.

    Hidden files and folders (``.git``, editor swap files) are skipped.
    """
    if not inbox.is_dir():
        raise ConfigError(f"input directory {str(inbox)!r} does not exist or is not a directory")
    found = []
    for root, dirs, files in os.walk(inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root, f) for f in files if not f.startswith("."))
    return sorted(found, key=lambda p: p.relative_to(inbox).as_posix())


def read_bytes(path: Path) -> bytes:
    """The file's bytes; interrupted or busy reads are ``TransientIOError`` (worth a retry)."""
    try:
        return path.read_bytes()
    except (InterruptedError, BlockingIOError, TimeoutError) as exc:
        raise TransientIOError(f"reading {path}: {exc}") from exc
    except OSError as exc:
        raise BadDocument("unreadable", f"cannot read {path.name}: {exc.strerror or exc}") from exc


def decode(data: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of the bytes: BOM-marked UTF-8/UTF-16, else UTF-8, else GB18030.

    >>> decode("统筹推进".encode("gb18030"))
    ('统筹推进', 'gb18030')
    >>> decode(b"\\xef\\xbb\\xbf\\xe5\\x8f\\x91\\xe8\\xa8\\x80")
    ('发言', 'utf-8-sig')
    """
    if not data:
        raise BadDocument("empty_file", "the file has 0 bytes")
    if data.startswith(b"\xef\xbb\xbf"):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16",)
    else:
        candidates = FALLBACK_ENCODINGS
    errors = []
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            errors.append(f"{encoding}: {exc.reason} at byte {exc.start}")
            continue
        controls = sum(1 for c in text if c < " " and c not in "\t\n\r\f")
        if controls > MAX_CONTROL_SHARE * len(text):
            errors.append(f"{encoding}: decodes, but {controls} control characters in {len(text)} suggest a binary file")
            continue
        return text, encoding
    raise BadDocument("undecodable", "; ".join(errors))


def read(path: Path, inbox: Path) -> Source | Reject:
    """The decoded source of ``path``, or the reject that says why it has none."""
    relative = path.relative_to(inbox).as_posix()
    try:
        data = read_bytes(path)
    except BadDocument as exc:
        return Reject(relative, None, exc.reason, exc.detail)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        text, encoding = decode(data)
    except BadDocument as exc:
        return Reject(relative, sha256, exc.reason, exc.detail)
    return Source(path=relative, sha256=sha256, size=len(data), encoding=encoding, text=text)

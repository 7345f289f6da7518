"""The JSONL download written beside validation: its members serialised in a child process.

Serialising speeches to JSON holds the interpreter lock, and a build validates while the
download is written; so when many members are to be written, a child process (a plain
``python -m flows.download``: multiprocessing would import the caller's main module again,
which a script without a ``__main__`` guard does not survive) serialises and compresses
them, and this process only copies them into place. The tables go to the child as Arrow
files it maps without copying; the members come back in a file. Either way the bytes are
those of ``jsonl.write``.

The child goes through the release speech by speech, in the tables' order, and each page of
the files it has read counts in its resident memory until unmapped: every
``RELEASE_MEMBERS`` members it hands the pages back (``MappedArrowFile.release``), so it holds a
few blocks of lines whatever the size of the release, not every table it has read.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa

from flows import overlap
from pipeline.records import MappedArrowFile, write_arrow_file
from pipeline.release import jsonl

#: Members to write from which a child process serialises them: below it, starting one
#: costs more than it saves.
CHILD_MIN_MEMBERS = 64
#: zlib releases the lock: members are compressed on this many threads, this many ahead.
COMPRESSING_THREADS, MEMBERS_AHEAD = 2, 4
#: Members the child writes between two releases of its mapped pages: about two blocks of
#: lines (``jsonl._BLOCK_SPEECHES``), so a page is rarely read in again after its release.
RELEASE_MEMBERS = 64


def write(tables: dict[str, pa.Table], path: Path, reuse: jsonl.Reuse | None = None,
          release: Callable[[], None] = lambda: None) -> pa.Table:
    """``jsonl.write``, with the members serialised in a child process when there are many
    and compressed on threads. ``release`` hands back the pages of mapped ``tables``: the
    child's tables are written a piece at a time, and it is called after each."""
    plan = jsonl.layout(tables, reuse)
    work = path.parent / f".{path.name}.work"
    try:
        if len(plan.to_write) >= CHILD_MIN_MEMBERS:
            fresh = _from_child(tables, plan, work, release)
        else:
            fresh = _compressed(jsonl.member_bodies(tables, plan.to_write, plan.only))
        return jsonl.assemble(path, plan, fresh, reuse)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _compressed(bodies: Iterator[bytes]) -> Iterator[bytes]:
    return overlap.ordered_map(jsonl.gzip_member, bodies, COMPRESSING_THREADS, MEMBERS_AHEAD)


def _from_child(tables: dict[str, pa.Table], plan: jsonl.Layout, work: Path,
                release: Callable[[], None]) -> Iterator[bytes]:
    """The compressed members of ``plan.to_write``, made by ``python -m flows.download``."""
    work.mkdir()
    # the child gets only the nested rows of the speeches it writes
    for name, table in jsonl.line_tables(tables, plan.only).items():
        write_arrow_file(table, work / f"{name}.arrow", piece_written=release)
    (work / "job.json").write_text(json.dumps({"ranges": plan.to_write}))
    child = subprocess.run([sys.executable, "-m", "flows.download", str(work), str(os.getpid())],
                           capture_output=True, text=True,
                           cwd=Path(__file__).resolve().parents[1])
    if child.returncode != 0:
        raise RuntimeError(f"writing the JSONL members failed in the child process ({child.returncode}): {child.stderr[-2000:]}")
    lengths = json.loads((work / "lengths.json").read_text())
    with open(work / "members", "rb") as members:
        for length in lengths:
            yield members.read(length)


def _serialise(work: Path) -> None:
    """In the child: write the members of the job in ``work`` and their lengths."""
    job = json.loads((work / "job.json").read_text())
    mapped = [MappedArrowFile(work / f"{name}.arrow") for name in jsonl.LINE_TABLES]
    tables = dict(zip(jsonl.LINE_TABLES, (m.table for m in mapped)))
    lengths = []
    with open(work / "members", "wb") as out:
        for data in _compressed(jsonl.member_bodies(tables, [tuple(r) for r in job["ranges"]])):
            lengths.append(len(data))
            out.write(data)
            if len(lengths) % RELEASE_MEMBERS == 0:
                for table in mapped:
                    table.release()
    (work / "lengths.json").write_text(json.dumps(lengths))


if __name__ == "__main__":
    overlap.exit_with_parent(int(sys.argv[2]))  # a killed build does not wait for its download
    _serialise(Path(sys.argv[1]))

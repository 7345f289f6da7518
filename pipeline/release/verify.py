"""Re-checking a published release from disk alone.

``release`` answers "can I trust this folder?" without the inbox or the build: every file
the manifest lists has its recorded sha256 and size, no data file is unlisted, each table's
parts are numbered from 0 without a gap and hold as many rows as the manifest's layout
puts in them, their rows add up to the manifest's row counts, each part carries its
declared schema, and the tables pass the same Great Expectations suites the build ran
(which include referential integrity). A problem names the part it is in. A release of
layout 1 (one file per table) is checked file by file the same way. ``output`` also
checks that ``latest`` points at a complete release.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import schemas
from pipeline import validate
from pipeline.records import sha256_file
from pipeline.release import parquet
from schemas import layout
from schemas.layout import DATA_DIR, JSONL_NAME


def release(path: Path, run_suites: bool = True) -> list[str]:
    """One line per problem found in the release folder ``path``; empty when it holds."""
    path = Path(path)
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        return [f"{path}: no manifest.json: not a complete release"]
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [f"{manifest_path}: unreadable manifest: {exc}"]
    problems = _file_problems(path, manifest.get("files", {}))
    part_rows = (manifest.get("layout") or {}).get("part_rows")
    tables, table_problems = _read_tables(path, manifest.get("row_counts", {}), part_rows)
    problems += table_problems
    # Suites only on a release whose files all check out: on missing or damaged tables
    # they would fail or repeat the problems above.
    if run_suites and len(tables) == len(schemas.TABLES) and not problems:
        problems += [f"validation: {line}" for line in validate.validate(tables).failures()]
    return problems


def checksums(path: Path) -> list[str]:
    """The cheap part of ``release``: one line per file the manifest lists that is missing
    or differs from it in size or sha256 (or the manifest itself, unreadable); no table
    is read. What a build checks of the latest release before reusing any of it."""
    try:
        listed = json.loads((Path(path) / "manifest.json").read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"manifest.json: unreadable: {exc}"]
    if not isinstance(listed, dict):
        return ["manifest.json: unreadable: its file list is not an object"]
    return [problem for relative, recorded in sorted(listed.items())
            for problem in file_problems(Path(path), relative, recorded)]


def file_problems(path: Path, relative: str, recorded: dict) -> list[str]:
    """What is wrong with the file ``relative`` of the release ``path``, which the manifest
    records as ``recorded`` ({sha256, bytes}): missing, another size, another sha256."""
    file = path / relative
    if not file.is_file():
        return [f"{relative}: listed in the manifest but missing"]
    problems = []
    if file.stat().st_size != recorded.get("bytes"):
        problems.append(f"{relative}: {file.stat().st_size} bytes, manifest says {recorded.get('bytes')}")
    if sha256_file(file) != recorded.get("sha256"):
        problems.append(f"{relative}: sha256 differs from the manifest")
    return problems


def _file_problems(path: Path, listed: dict) -> list[str]:
    """Files the manifest lists that are missing or differ, and data files it does not list."""
    problems = []
    for relative, recorded in sorted(listed.items()):
        problems += file_problems(path, relative, recorded)
    for file in sorted((path / DATA_DIR).rglob("*")) if (path / DATA_DIR).is_dir() else []:
        relative = file.relative_to(path).as_posix()
        if file.is_file() and relative not in listed:
            problems.append(f"{relative}: not listed in the manifest")
    if f"{DATA_DIR}/{JSONL_NAME}" not in listed:
        problems.append(f"{DATA_DIR}/{JSONL_NAME}: missing from the manifest")
    return problems


def _read_tables(path: Path, row_counts: dict, part_rows: int | None) -> tuple[dict[str, pa.Table], list[str]]:
    """The release's tables that could be read, and the problems found reading them, part
    by part: missing, misnamed or unreadable parts, schemas that differ, parts of another
    size than ``part_rows`` (the manifest's layout; None for a release of layout 1), row
    counts that differ from the manifest's."""
    tables, problems = {}, []
    for name, spec in schemas.TABLES.items():
        files = parquet.table_files(path, name)
        if not files:
            problems.append(f"{layout.table_dir(name)}: missing (no part of table {name})")
            continue
        if part_rows is not None:
            problems += _numbering_problems(path, name, files)
        parts, rows = [], []
        for file in files:
            relative = file.relative_to(path).as_posix()
            try:
                part = pq.read_table(file)
            except Exception as exc:  # a damaged part: report it, check the rest
                problems.append(f"{relative}: unreadable: {exc}")
                continue
            if not part.schema.remove_metadata().equals(spec.arrow_schema().remove_metadata()):
                problems.append(f"{relative}: schema differs from schemas.{name.upper()}")
            parts.append(part)
            rows.append((relative, part.num_rows))
        if len(parts) < len(files):
            continue
        total = sum(n for _, n in rows)
        if part_rows is not None:
            problems += [f"{relative}: {n} rows; every part but the last holds part_rows={part_rows} "
                         f"(the manifest's layout), the last 1 to {part_rows} (0 when it is the only one)"
                         for i, (relative, n) in enumerate(rows) if n != _part_size(i, len(rows), total, part_rows)]
        if row_counts.get(name) != total:
            where = rows[0][0] if len(rows) == 1 else f"{layout.table_dir(name)} ({len(rows)} parts)"
            problems.append(f"{where}: {total} rows, manifest says {row_counts.get(name)}")
        tables[name] = pa.concat_tables(parts)
    return tables, problems


def _part_size(number: int, parts: int, rows: int, part_rows: int) -> int:
    """How many of a table's ``rows`` part ``number`` of ``parts`` holds when they are
    split by ``part_rows`` (``parquet.split``).

    >>> [_part_size(i, 3, 5, 2) for i in range(3)], _part_size(0, 1, 0, 2)
    ([2, 2, 1], 0)
    """
    return part_rows if number < parts - 1 else rows - part_rows * (parts - 1)


def _numbering_problems(path: Path, name: str, files: list[Path]) -> list[str]:
    """Files of a table's folder that are not parts ``part-NNNNN.parquet`` numbered from 0
    without a gap (a part deleted along with its line of the manifest, a stray file)."""
    numbers, problems = [], []
    for file in files:
        relative = file.relative_to(path).as_posix()
        found = re.fullmatch(r"part-(\d+)\.parquet", file.name)
        number = int(found.group(1)) if found else layout.MAX_PARTS
        if number >= layout.MAX_PARTS or layout.part_path(name, number) != relative:
            problems.append(f"{relative}: not a part of table {name} (parts are {layout.part_path(name, 0)}, …)")
        else:
            numbers.append(number)
    problems += [f"{layout.part_path(name, n)}: missing (parts of {name} are numbered from 0 without a gap)"
                 for n in sorted(set(range(max(numbers, default=-1) + 1)) - set(numbers))]
    return problems


def output(output_dir: Path, run_suites: bool = True) -> list[str]:
    """Problems of the release ``latest`` points at, and of the link itself."""
    link = Path(output_dir) / "latest"
    if not link.is_symlink():
        return [f"{link}: missing (no release has been published here)"]
    target = link.resolve()
    if not target.is_dir():
        return [f"{link}: points at {target}, which does not exist"]
    if target.parent.name != "releases" or target.name.startswith("."):
        return [f"{link}: points at {target}, which is not a published release"]
    return release(target, run_suites)

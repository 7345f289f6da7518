"""Re-checking a published release from disk alone.

``release`` answers "can I trust this folder?" without the inbox or the build: every file
the manifest lists has its recorded sha256 and size, no data file is unlisted, row counts
match, each Parquet file carries its declared schema, and the tables pass the same Great
Expectations suites the build ran (which include referential integrity). ``output``
also checks that ``latest`` points at a complete release.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import schemas
from pipeline import validate
from pipeline.records import sha256_file
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
    tables, table_problems = _read_tables(path, manifest.get("row_counts", {}))
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
    for file in sorted((path / DATA_DIR).glob("*")) if (path / DATA_DIR).is_dir() else []:
        if f"{DATA_DIR}/{file.name}" not in listed:
            problems.append(f"{DATA_DIR}/{file.name}: not listed in the manifest")
    if f"{DATA_DIR}/{JSONL_NAME}" not in listed:
        problems.append(f"{DATA_DIR}/{JSONL_NAME}: missing from the manifest")
    return problems


def _read_tables(path: Path, row_counts: dict) -> tuple[dict[str, pa.Table], list[str]]:
    """The release's tables that could be read, and the problems found reading them:
    missing or unreadable files, schemas that differ, row counts that differ."""
    tables, problems = {}, []
    for name, spec in schemas.TABLES.items():
        file = path / DATA_DIR / f"{name}.parquet"
        if not file.is_file():
            problems.append(f"{DATA_DIR}/{name}.parquet: missing")
            continue
        try:
            table = pq.read_table(file)
        except Exception as exc:  # a damaged file: report it, check the rest
            problems.append(f"{DATA_DIR}/{name}.parquet: unreadable: {exc}")
            continue
        expected = spec.arrow_schema()
        if not table.schema.remove_metadata().equals(expected.remove_metadata()):
            problems.append(f"{DATA_DIR}/{name}.parquet: schema differs from schemas.{name.upper()}")
        rows = row_counts.get(name)
        if rows != table.num_rows:
            problems.append(f"{DATA_DIR}/{name}.parquet: {table.num_rows} rows, manifest says {rows}")
        tables[name] = table
    return tables, problems


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

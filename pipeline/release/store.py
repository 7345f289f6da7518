"""The release store: a release appears whole or not at all, and is never rewritten.

    OUTPUT/releases/<release_id>/
        README.md          dataset card
        manifest.json
        data/<table>.parquet/part-00000.parquet …   each table of ``schemas.TABLES`` in parts of at
                                           most ``part_rows`` rows (``schemas.layout``)
        data/speeches.jsonl.gz     one speech per line, its sections and paragraphs nested
        index/<name>.parquet       state a later build reuses
    OUTPUT/latest -> releases/<release_id>
    OUTPUT/assets/<sha256>     every file of the releases' Data Docs, stored once

A release's Data Docs (``validation/``) repeat, release after release, the same
stylesheets, scripts, fonts and suite pages: each of their files is a hard link to the one
copy in ``OUTPUT/assets``, named by its sha256, so a release folder stays complete on its
own (copy it anywhere) while the bytes are stored once. ``prune`` removes old releases,
and the assets no release links to any more.

Run-dependent facts (time, release id, paths) live in ``manifest.json`` and the card only.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

import schemas
from pipeline.errors import ConfigError, TransientIOError, is_transient
from pipeline.records import sha256_file
from pipeline.release import card, croissant, jsonl, lock, parquet, report
from schemas.layout import (
    CHANGES_NAME, CROISSANT_NAME, DATA_DIR, DATA_DOCS_DIR, INDEX_DIR, JSONL_NAME, LAYOUT_VERSION, PART_ROWS, REPORT_NAME,
)

#: A release id is one path component that cannot clash with the staging folders
#: (``.tmp-*``) and needs no escaping in Markdown, YAML or a shell.
RELEASE_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._+-]*"

def write_data_files(folder: Path, tables: dict[str, pa.Table], index: dict[str, pa.Table] | None = None,
                     reuse: jsonl.Reuse | None = None, part_rows: int = PART_ROWS) -> Path:
    """Write the release's data files (each table in parts of at most ``part_rows`` rows,
    the JSONL download) into ``folder/data`` and the ``index`` tables into
    ``folder/index``, and return ``folder``.
    The download's members index joins the ``index`` tables; ``reuse`` lets it copy the
    unchanged members of the previous release's download (``jsonl.write``).

    ``write_release`` does this itself, or moves in a folder written beforehand
    (``data_files=``), by this function or by the same steps run side by side:
    ``data_folder``, ``parquet.write_tables``, ``jsonl.write`` with
    ``parquet.write_index`` of its members, ``flushed`` for every file and
    ``write_file_list``. ``folder`` must not exist; make it with ``staging_path``.
    """
    data_folder(folder, tables)
    files = []
    parquet.write_tables(folder, tables, index or {}, lambda path: files.append(flushed(folder, path)), part_rows)
    members = jsonl.write(tables, folder / DATA_DIR / JSONL_NAME, reuse)
    files.append(flushed(folder, folder / DATA_DIR / JSONL_NAME))
    files.append(flushed(folder, parquet.write_index(folder, jsonl.INDEX, members)))
    write_file_list(folder, files)
    return folder


def data_folder(folder: Path, tables: dict[str, pa.Table]) -> None:
    """Make ``folder`` (which must not exist) with its ``data`` and ``index`` folders, for
    the data files of ``tables``, which must be exactly the tables of a release."""
    if set(tables) != set(schemas.TABLES):
        raise ConfigError(f"tables {sorted(tables)} given; a release needs exactly {list(schemas.TABLES)}")
    folder = Path(folder)
    folder.mkdir()
    (folder / DATA_DIR).mkdir()
    (folder / INDEX_DIR).mkdir()


def flushed(root: Path, path: Path) -> tuple[str, dict]:
    """``path`` flushed to disk, and its entry in the manifest's file list: publishing
    fsyncs the release again before its rename and then finds the file clean, and takes
    its checksum from here instead of reading it again."""
    _fsync(path)
    return path.relative_to(root).as_posix(), {"sha256": sha256_file(path), "bytes": path.stat().st_size}


def write_file_list(folder: Path, files: list[tuple[str, dict]]) -> None:
    """Record what was written into ``folder`` ({path: {sha256, bytes}}, as the manifest
    lists them), after flushing its folders."""
    _fsync_tree(folder)  # the folders; the files are clean by now
    (folder / _FILES_NAME).write_text(json.dumps(dict(sorted(files))), encoding="utf-8")


#: What ``write_data_files`` wrote: {path: {sha256, bytes}}, as the manifest lists them.
_FILES_NAME = "files.json"


def _files(root: Path, written_ahead: Path | None = None) -> dict[str, dict]:
    """{path: {sha256, bytes}} of the data and index files under ``root``; taken from
    ``written_ahead/files.json`` for the files it lists with the same size."""
    known = {}
    if written_ahead is not None and (written_ahead / _FILES_NAME).is_file():
        known = json.loads((written_ahead / _FILES_NAME).read_text(encoding="utf-8"))
    files = {}
    # by path as text, as ``write_file_list`` orders them (Path order puts a folder's files
    # before a name that extends the folder's: data/a/… before data/a.b)
    for path in sorted((p for folder in (root / DATA_DIR, root / INDEX_DIR) for p in folder.rglob("*") if p.is_file()),
                       key=lambda p: p.relative_to(root).as_posix()):
        name, size = path.relative_to(root).as_posix(), path.stat().st_size
        files[name] = known[name] if known.get(name, {}).get("bytes") == size else {"sha256": sha256_file(path), "bytes": size}
    return files


def write_release(output_dir: Path, release_id: str, tables: dict[str, pa.Table], manifest: dict,
                  index: dict[str, pa.Table] | None = None, data_docs: Path | None = None,
                  data_files: Path | None = None, changes: dict | None = None, part_rows: int = PART_ROWS) -> Path:
    """Publish ``tables`` as ``output_dir/releases/<release_id>`` and point ``latest`` at it.

    Returns the release folder. The sequence makes a release appear whole or not at all:

    1. refuse (``FileExistsError``) if the release exists: releases are immutable;
    2. write the Parquet files, the JSONL download, the ``index`` tables (state a later
       build reuses: MinHash signatures, the IDF) as ``index/<name>.parquet`` (or move
       them in from ``data_files``, a ``write_data_files`` folder of these ``tables``
       and index), ``manifest.json`` (a copy of
       ``manifest`` completed with ``files`` {path: {sha256, bytes}}, ``row_counts`` and
       ``layout`` (its version and ``part_rows``, which a folder written ahead must have
       been written with too); the caller's dict is not changed), ``README.md`` (the dataset card),
       ``croissant.json``, ``report.html``, ``changes.json`` when ``changes`` (the speeches
       changed since the previous release, ``diff.Changes.to_dict``; listed in ``files``
       and shown by the report) is given, and, when given, the ``data_docs``
       folder (moved in as ``validation/``; made by ``staging_path``) into a staging folder
       ``releases/.tmp-<release_id>-<random>``, on the same filesystem as the target;
    3. fsync every file and folder, so the rename cannot publish data still in cache;
    4. ``os.rename`` the staging folder into place, atomic on one filesystem; on any
       error before it, the staging folder is removed and the error re-raised (as
       ``TransientIOError`` when a retry may get past it: a busy or timed-out disk);
    5. only then move ``latest``: a new relative symlink ``releases/<release_id>`` under a
       temporary name, ``os.replace``-d over ``latest``, so readers of ``latest`` always
       see a complete release, the old one or the new one, and the tree can be moved.
    """
    if not re.fullmatch(RELEASE_ID_PATTERN, release_id):
        raise ConfigError(f"release id {release_id!r} must match {RELEASE_ID_PATTERN}")
    if set(tables) != set(schemas.TABLES):
        raise ConfigError(f"tables {sorted(tables)} given; a release needs exactly {list(schemas.TABLES)}")
    if data_files is not None and index:
        raise ConfigError("give the index tables to write_data_files, not with data_files")
    full = dict(manifest)
    if full.setdefault("release_id", release_id) != release_id:
        raise ConfigError(f"manifest release_id {full['release_id']!r} differs from {release_id!r}")
    output_dir = Path(output_dir)
    releases = output_dir / "releases"
    final = releases / release_id
    if final.exists():
        raise FileExistsError(f"release {final} exists; releases are immutable, pick a new id")
    releases.mkdir(parents=True, exist_ok=True)
    staging = staging_path(output_dir, release_id)
    prepared = [] if data_files is None else [d for d in (DATA_DIR, INDEX_DIR) if (Path(data_files) / d).is_dir()]
    try:
        if data_files is None:
            write_data_files(staging, tables, index, part_rows=part_rows)
        else:
            staging.mkdir()
            for folder in prepared:
                os.rename(Path(data_files) / folder, staging / folder)
        full["files"] = _files(staging, Path(data_files) if data_files is not None else None)
        if changes is not None:
            (staging / CHANGES_NAME).write_text(json.dumps(changes, indent=1, ensure_ascii=False) + "\n",
                                                encoding="utf-8", newline="\n")
            full["files"][CHANGES_NAME] = {"sha256": sha256_file(staging / CHANGES_NAME),
                                           "bytes": (staging / CHANGES_NAME).stat().st_size}
        full["row_counts"] = {name: tables[name].num_rows for name in schemas.TABLES}
        full["layout"] = {"version": LAYOUT_VERSION, "part_rows": part_rows}
        (staging / "manifest.json").write_text(
            json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n"
        )
        (staging / "README.md").write_text(card.dataset_card(full), encoding="utf-8", newline="\n")
        (staging / CROISSANT_NAME).write_text(
            json.dumps(croissant.metadata(full), indent=2, ensure_ascii=False, sort_keys=True) + "\n",
            encoding="utf-8", newline="\n",
        )
        (staging / REPORT_NAME).write_text(report.render(tables, full, changes), encoding="utf-8", newline="\n")
        if data_docs is not None:
            os.rename(data_docs, staging / DATA_DOCS_DIR)
            share_assets(output_dir, staging / DATA_DOCS_DIR)
        _fsync_tree(staging)
        if final.exists():  # published by a concurrent build meanwhile
            raise FileExistsError(f"release {final} exists; releases are immutable, pick a new id")
        os.rename(staging, final)
    except BaseException as exc:
        # a retry needs what it was given again
        if data_docs is not None and (staging / DATA_DOCS_DIR).is_dir():
            os.rename(staging / DATA_DOCS_DIR, data_docs)
        for folder in prepared:
            if (staging / folder).is_dir():
                os.rename(staging / folder, Path(data_files) / folder)
        shutil.rmtree(staging, ignore_errors=True)
        if is_transient(exc) and not isinstance(exc, TransientIOError):
            raise TransientIOError(exc.errno, f"publishing {release_id}: {exc.strerror or exc}") from exc
        raise
    _fsync(releases)
    if data_files is not None:
        shutil.rmtree(data_files, ignore_errors=True)  # only its files.json is left
    _point_latest(output_dir, release_id)
    return final


#: Where the one copy of every Data Docs file is kept, under the output folder.
ASSETS_DIR = "assets"


def share_assets(output_dir: Path, folder: Path) -> None:
    """Make every file under ``folder`` a hard link to its copy in ``OUTPUT/assets``
    (added there, under its sha256, when it is new). Where the file system refuses hard
    links, the files stay as they are: a release is complete either way."""
    assets = Path(output_dir) / ASSETS_DIR
    assets.mkdir(exist_ok=True)
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and not p.is_symlink()):
        stored = assets / sha256_file(path)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        try:
            if stored.is_file() and sha256_file(stored) == stored.name:
                os.link(stored, temporary)  # the stored copy takes the file's place
                os.replace(temporary, path)
            else:
                os.link(path, temporary)  # the file becomes the stored copy
                os.replace(temporary, stored)
        except OSError:
            temporary.unlink(missing_ok=True)
            return  # no hard links here (another file system, a FAT volume): keep the copies


@dataclass(frozen=True)
class Pruned:
    """What ``prune`` removed, and the old releases it kept because a reader holds them."""

    removed: list[str]
    held: list[str]


def prune(output_dir: Path, keep: int) -> Pruned:
    """Remove every release of ``output_dir`` but the ``keep`` newest (by release id, which
    starts with its UTC time), the one ``latest`` points at, and any a reader holds
    (``lock.reading``); then the assets no remaining release links to.

    The caller holds the build lock (``lock.exclusive``): no build publishes or reads the
    previous release meanwhile. A release is first renamed to a staging name, under an
    exclusive reader lock taken without waiting, so a reader either holds it whole or
    finds it gone; a prune killed midway leaves a staging folder the next build removes.
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1 (the latest release is never removed); got {keep}")
    releases = Path(output_dir) / "releases"
    names = sorted(p.name for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".")) \
        if releases.is_dir() else []
    latest = latest_release(output_dir)
    spared = set(names[-keep:]) | ({latest.name} if latest is not None else set())
    removed, held = [], []
    for name in (n for n in names if n not in spared):
        with lock.removing(releases / name) as free:
            if not free:
                held.append(name)
                continue
            gone = staging_path(output_dir, f"pruned-{name}")
            os.rename(releases / name, gone)
        shutil.rmtree(gone)
        removed.append(name)
    if removed:
        _fsync(releases)
    assets = Path(output_dir) / ASSETS_DIR
    for stored in sorted(assets.iterdir()) if assets.is_dir() else ():
        if stored.is_file() and stored.stat().st_nlink == 1:  # only this copy is left
            stored.unlink()
    return Pruned(removed, held)


def _point_latest(output_dir: Path, release_id: str) -> None:
    """Atomically make ``output_dir/latest`` the relative symlink ``releases/<release_id>``."""
    tmp = output_dir / f".latest-{secrets.token_hex(8)}"
    os.symlink(f"releases/{release_id}", tmp)
    try:
        os.replace(tmp, output_dir / "latest")
    except BaseException:
        tmp.unlink()
        raise
    _fsync(output_dir)


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            _fsync(Path(dirpath) / name)
        _fsync(Path(dirpath))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def staging_path(output_dir: Path, label: str) -> Path:
    """A new path beside the releases for a build's intermediate folder (Data Docs, data
    files written ahead).

    It lies on the releases' filesystem, so ``write_release`` can move it in, and
    ``clean_stale_staging`` removes it if the build dies first. Nothing is created.
    """
    releases = Path(output_dir) / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    return releases / f".tmp-{label}-{secrets.token_hex(8)}"


def clean_stale_staging(output_dir: Path) -> list[Path]:
    """Remove what interrupted builds left behind and return it, sorted.

    That is ``releases/.tmp-*`` staging folders (a build killed before its rename) and
    ``.latest-*`` temporary symlinks (killed between creating and replacing ``latest``).
    Neither is ever read: published releases and ``latest`` are untouched. Call it at the
    start of a build, when no other build writes to ``output_dir``.
    """
    output_dir = Path(output_dir)
    stale = sorted(
        [p for p in (output_dir / "releases").glob(".tmp-*") if p.is_dir() and not p.is_symlink()]
        + [p for p in output_dir.glob(".latest-*") if p.is_symlink()]
    )
    for p in stale:
        if p.is_symlink():
            p.unlink()
        else:
            shutil.rmtree(p)
    return stale


def latest_release(output_dir: Path) -> Path | None:
    """The release ``OUTPUT/latest`` points at, or None before the first release."""
    link = Path(output_dir) / "latest"
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None

"""Releases in the layout before parts, as users' output folders still hold them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import schemas
from pipeline.records import sha256_file
from pipeline.release import parquet
from schemas import layout


def as_layout_1(release: Path) -> Path:
    """Rewrite the release folder ``release`` in place the way releases were written
    before parts (layout 1): each table one file ``data/<table>.parquet``, listed so in
    the manifest, which has no ``layout``; return it. The rows and their bytes per table
    are what a build of layout 1 wrote (``write_parquet`` of the whole table)."""
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    for name in schemas.TABLES:
        table = parquet.read_table(release, name)
        for part in parquet.table_files(release, name):
            del manifest["files"][part.relative_to(release).as_posix()]
        shutil.rmtree(release / layout.table_dir(name))
        single = release / layout.table_dir(name)
        parquet.write_parquet(table, single, name)
        manifest["files"][layout.table_dir(name)] = {"sha256": sha256_file(single), "bytes": single.stat().st_size}
    manifest["files"] = dict(sorted(manifest["files"].items()))
    del manifest["layout"]
    (release / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return release

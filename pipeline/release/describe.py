"""What a release says of itself: its id and its manifest (what went in, with which code and
settings, and what came out).

Every data file is a pure function of the tables; the facts of the run (time, release id,
input paths and checksums, versions, validation) are recorded here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
from pathlib import Path

import pyarrow as pa

import pipeline
import schemas
from pipeline.corpus import tokenize
from pipeline.process import BuildConfig
from pipeline.records import sha256_file

#: Libraries whose versions change the data; recorded in every manifest.
LIBRARIES = ("opencc", "jieba", "rjieba", "pyarrow", "pandas", "great-expectations", "prefect")


def release_id(now: dt.datetime, tables: dict[str, pa.Table]) -> str:
    """``<UTC time>-<8 hex of the inputs and pipeline version>``: sortable and telling."""
    digest = hashlib.sha256(pipeline.__version__.encode())
    for name in ("documents", "rejects"):
        for row in tables[name].select(["source_path", "source_sha256"]).to_pylist():
            digest.update(f"{row['source_path']}\t{row['source_sha256']}\n".encode())
    return f"{now:%Y%m%dT%H%M%SZ}-{digest.hexdigest()[:8]}"


def fingerprints(tables: dict[str, pa.Table], settings: str, code: str) -> dict[str, str]:
    """What a release was made of, as three sha256: its ``inputs`` (every input file's path
    and bytes, documents and rejects), the ``settings`` that shape the data, and the
    ``code`` (``code_sha256``). A later build whose inbox, settings and code are the same
    publishes nothing: it would publish this release again."""
    digest = hashlib.sha256()
    rows = set()
    for name in ("documents", "rejects"):
        rows.update(zip(tables[name].column("source_path").to_pylist(), tables[name].column("source_sha256").to_pylist()))
    for path, sha in sorted(rows, key=lambda r: (r[0], r[1] or "")):
        digest.update(f"{path}\t{sha}\n".encode())
    return {"inputs": digest.hexdigest(), "settings": settings, "code": code}


def settings_sha256(*parts: object) -> str:
    """The sha256 of the ``repr`` of each of ``parts``: frozen configs and fingerprints."""
    return hashlib.sha256("\x1f".join(repr(p) for p in parts).encode()).hexdigest()


def code_sha256(*roots: Path) -> str:
    """The sha256 of the code that makes a release: every file under the package folders
    ``roots`` (sources, rules, resources; not caches) by its path, and the versions of
    the libraries that shape the data (``library_versions``)."""
    digest = hashlib.sha256(repr(sorted(library_versions().items())).encode())
    for root in roots:
        root = Path(root)
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(f"{root.name}/{path.relative_to(root).as_posix()}\n".encode())
            digest.update(sha256_file(path).encode())
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries that shape the data."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def manifest(release_id: str, created_at: dt.datetime, tables: dict[str, pa.Table],
             validation: dict, config: BuildConfig) -> dict:
    """The manifest of a release before its files are written (publish adds files and counts)."""
    documents = tables["documents"].to_pylist()
    rejects = tables["rejects"].to_pylist()
    inputs = [{"source_path": d["source_path"], "sha256": d["source_sha256"], "bytes": d["source_bytes"],
               "status": "document", "doc_id": d["doc_id"]} for d in documents]
    inputs += [{"source_path": r["source_path"], "sha256": r["source_sha256"], "status": "rejected",
                "reason": r["reason"]} for r in rejects]
    kinds: dict[str, int] = {}
    for kind in tables["removals"].column("kind").to_pylist():
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "release_id": release_id,
        "created_at": created_at.isoformat(timespec="seconds"),
        "pipeline_version": pipeline.__version__,
        "schema_version": schemas.SCHEMA_VERSION,
        "libraries": library_versions(),
        "config": {
            "opencc_profile": config.normalize.opencc_profile,
            "rules": {p.name: sha256_file(p) for p in config.clean.rule_files()},
            "segmenter": config.tokenize.engine,
            "jieba_hmm": config.tokenize.hmm,
            "user_dictionary": {
                "file": Path(config.tokenize.user_dict).name if config.tokenize.user_dict else None,
                "sha256": tokenize.user_dict_sha256(config.tokenize),
            },
        },
        "inputs": sorted(inputs, key=lambda i: i["source_path"]),
        "removals_by_kind": dict(sorted(kinds.items())),
        "validation": validation,
    }

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
        "inputs": inputs(tables),
        "removals_by_kind": dict(sorted(kinds.items())),
        "validation": validation,
    }


def inputs(tables: dict[str, pa.Table]) -> list[dict]:
    """One entry per input file, by path: its sha256 (and size, when it gave a document),
    ``status`` "document" when it gave at least one, else "rejected" with its most frequent
    ``reason``; how many documents it gave, and its reject rows by reason.

    A file, not a line: a corpus file of a million records is one entry, where a list of
    documents and rejects made the manifest of a million-line file hundreds of megabytes.
    """
    files: dict[str, dict] = {}
    documents = tables["documents"].select(["source_path", "source_sha256", "source_bytes"])
    for path, sha256, size in zip(*(documents.column(c).to_pylist() for c in documents.column_names)):
        entry = files.setdefault(path, {"source_path": path, "sha256": sha256, "documents": 0, "rejects": {}})
        entry["bytes"] = size
        entry["documents"] += 1
    rejects = tables["rejects"].select(["source_path", "source_sha256", "reason"])
    for path, sha256, reason in zip(*(rejects.column(c).to_pylist() for c in rejects.column_names)):
        entry = files.setdefault(path, {"source_path": path, "sha256": sha256, "documents": 0, "rejects": {}})
        entry["sha256"] = entry["sha256"] or sha256
        entry["rejects"][reason] = entry["rejects"].get(reason, 0) + 1
    out = []
    for path in sorted(files):
        entry = files[path]
        status = {"status": "document"} if entry["documents"] else {
            "status": "rejected", "reason": max(sorted(entry["rejects"]), key=entry["rejects"].get)}
        out.append({"source_path": path, "sha256": entry["sha256"], **({"bytes": entry["bytes"]} if "bytes" in entry else {}),
                    **status, "documents": entry["documents"], "rejects": dict(sorted(entry["rejects"].items()))})
    return out

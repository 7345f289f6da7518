"""Incremental builds: carry unchanged documents over from the latest release.

A document's records depend on its source bytes and on the settings that shape the data:
the pipeline and schema versions, the normalisation, ingest, quality and tokenizer
settings with the user dictionary, the generic rules, every family's ``detect`` patterns
(they decide which family applies) and the rules of its own site family. Those are
hashed into a fingerprint per document and stored with the release. The next build
re-processes a file when its bytes changed or any of its documents' fingerprints
differs, and carries the records of every other file over unchanged: a change to one
site's rules re-processes exactly that site's documents; a change to ``generic.json``, a
``detect`` pattern or the user dictionary re-processes everything, because then any
document may be affected.

Carried records re-enter the same merge as fresh ones (``process.tables``), so an
incremental release is byte-identical to a full rebuild of the same inbox; the
corpus-wide steps (keywords, duplicates, validation) always run on the whole release.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import pipeline
import schemas
from schemas import index
from pipeline import ingest
from pipeline.corpus import tokenize
from pipeline.process import Batch, BuildConfig
from pipeline.records import sha256_file
from pipeline.release import parquet

#: Name of the index table holding each document's fingerprint.
STATE = "state"
#: Reject reasons that depend on more than the file and the settings: the files that
#: gave them are processed again by every build.
REDECIDED = ("duplicate_input", "failed_validation")


@dataclass(frozen=True)
class Fingerprints:
    """The hashes a document's fingerprint is made of."""

    core: str
    families: dict[str, str]

    def of(self, site: str | None) -> str:
        """The fingerprint of a document recognised as ``site`` (None: no family)."""
        return hashlib.sha256(f"{self.core}\x1f{site}\x1f{self.families.get(site, '')}".encode()).hexdigest()[:16]


def fingerprints(config: BuildConfig) -> Fingerprints:
    """The fingerprint parts of ``config``: one core hash, one hash per site family."""
    families: dict[str, str] = {}
    detect: dict[str, list[str]] = {}
    generic = ""
    for path in config.clean.rule_files():
        spec = json.loads(path.read_text(encoding="utf-8"))
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        detect[spec["family"]] = [*spec.get("detect", []), *spec.get("urls", [])]
        if spec["family"] == "generic":
            generic = digest
        else:
            families[spec["family"]] = digest
    settings = {
        "pipeline": pipeline.__version__,
        "schema": schemas.SCHEMA_VERSION,
        "ingest": repr(config.ingest),
        "normalize": repr(config.normalize),
        "quality": repr(config.quality),
        "hmm": config.tokenize.hmm,
        "segmenter": config.tokenize.engine,
        "user_dictionary": tokenize.user_dict_sha256(config.tokenize),
        "generic_rules": generic,
        "detect": detect,
    }
    core = hashlib.sha256(json.dumps(settings, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return Fingerprints(core, families)


def state_table(tables: dict[str, pa.Table], prints: Fingerprints) -> pa.Table:
    """One row per document and per reject: where it came from and its fingerprint."""
    docs = tables["documents"].select(["doc_id", "source_path", "source_line", "source_sha256", "site"]).to_pylist()
    rejects = tables["rejects"].select(["source_path", "source_line", "source_sha256", "reason"]).to_pylist()
    rows = [{"doc_id": d["doc_id"], "site": d["site"], "reject_reason": None, "source_path": d["source_path"],
             "source_line": d["source_line"], "source_sha256": d["source_sha256"], "fingerprint": prints.of(d["site"])}
            for d in docs]
    rows += [{"doc_id": None, "site": None, "reject_reason": r["reason"], "source_path": r["source_path"],
              "source_line": r["source_line"], "source_sha256": r["source_sha256"], "fingerprint": prints.of(None)}
             for r in rejects]
    rows.sort(key=lambda r: (r["source_path"], r["source_line"] or 0, r["doc_id"] or ""))
    return pa.Table.from_pylist(rows, schema=index.state_schema())


@dataclass
class Plan:
    """What a build must process, what it carries over, and how the inbox changed.

    ``keep`` holds the files whose records are carried (by path relative to the inbox),
    ``carried`` those records once read from the previous release (``with_carried``).
    """

    process: list[Path] = field(default_factory=list)
    carried: Batch = field(default_factory=Batch)
    diff: dict[str, list[str]] = field(default_factory=lambda: {"added": [], "changed": [], "removed": [], "unchanged": []})
    keep: set[str] = field(default_factory=set)
    #: the previous release read no other file than those kept: every row of it is carried
    keeps_everything: bool = False
    #: the previous release's rows (``REPLACED_TABLES``) of the documents not carried over,
    #: those of changed and removed files, when they are few (``with_carried``); else None
    replaced: dict[str, pa.Table] | None = None
    #: the inbox holds exactly the files the previous release read, byte for byte
    same_inputs: bool = False

    def summary(self) -> dict:
        """Counts and the paths of the added, changed and removed files (the manifest's diff)."""
        return {
            "files": {k: len(v) for k, v in self.diff.items()},
            "documents_carried_over": self.carried.documents,
            "added": self.diff["added"], "changed": self.diff["changed"], "removed": self.diff["removed"],
        }


def plan(paths: list[Path], inbox: Path, previous: Path | None, config: BuildConfig) -> Plan:
    """Split the inbox into files to process and records to carry from ``previous``.

    A file is carried when it is byte-identical to the one the previous release read at
    the same path and every document (or reject) it gave has the current fingerprint.
    The steps, which a build may interleave with other work: ``read_state``, ``compare``,
    ``read_release`` and ``with_carried``.
    """
    out = compare(paths, inbox, read_state(previous), fingerprints(config))
    return with_carried(out, read_release(previous)) if out.keep else out


def read_state(previous: Path | None) -> pa.Table | None:
    """The state index of the previous release (a row per document and reject), if it has
    one of the current version and layout (``parquet.read_current_index`` says why not)."""
    return parquet.read_current_index(previous, STATE)[0]


def read_release(previous: Path) -> dict[str, pa.Table]:
    """The tables of the previous release."""
    return {name: read_table(previous, name) for name in schemas.TABLES}


def read_table(previous: Path, name: str) -> pa.Table:
    """The table ``name`` of the previous release, every part of it (``parquet.read_table``:
    a release of layout 1, one file per table, is read as well; its rows are the same)."""
    return parquet.read_table(previous, name)


def compare(paths: list[Path], inbox: Path, state: pa.Table | None, prints: Fingerprints) -> Plan:
    """The plan's files to process, files to keep and diff, from the inbox and the previous
    release's ``state`` (None: no previous release, every file is added)."""
    out = Plan()
    if state is None:
        out.process = list(paths)
        out.diff["added"] = [ingest.relative_name(p, inbox) for p in paths]
        return out
    by_path: dict[str, list[dict]] = {}
    for row in state.to_pylist():
        by_path.setdefault(row["source_path"], []).append(row)
    same_bytes = True
    for path in paths:
        relative = ingest.relative_name(path, inbox)
        rows = by_path.get(relative)
        if rows is None:
            out.diff["added"].append(relative)
            out.process.append(path)
            continue
        sha = _sha256(path)
        same_bytes &= all(r["source_sha256"] == sha for r in rows)
        # A duplicate_input reject depends on the other files too, a failed_validation one
        # (a quarantined document) on the suites and the corpus-wide steps: decide them again.
        if all(r["source_sha256"] == sha and r["fingerprint"] == prints.of(r["site"])
               and r["reject_reason"] not in REDECIDED for r in rows):
            out.diff["unchanged"].append(relative)
            out.keep.add(relative)
        else:
            out.diff["changed"].append(relative)
            out.process.append(path)
    inbox_paths = {ingest.relative_name(p, inbox) for p in paths}
    out.diff["removed"] = sorted(p for p in by_path if p not in inbox_paths)
    out.keeps_everything = out.keep == set(by_path)
    out.same_inputs = same_bytes and not out.diff["added"] and not out.diff["removed"]
    return out


def with_carried(out: Plan, release: dict[str, pa.Table]) -> Plan:
    """``out`` with the records of its kept files taken from the previous ``release``, and
    the rows of the others (``Plan.replaced``)."""
    out.carried = _carried(release, out.keep, everything=out.keeps_everything)
    out.replaced = _replaced(release, out.carried.tables["documents"].column("doc_id"))
    return out


#: The tables whose rows of the documents not carried over a plan keeps: what comparing
#: the new release with the previous one, speech by speech, needs of the previous one.
REPLACED_TABLES = ("documents", "speeches", "paragraphs")
#: Documents not carried over whose rows a plan keeps: at most this share of the previous
#: release's, or this many. A nightly build's few cost little memory to keep and would
#: take seconds to read again (the whole file is decoded to filter a few rows); when most
#: documents are processed again, reading their rows again costs little next to that.
_MOST_REPLACED_SHARE, _MOST_REPLACED = 0.25, 100


def _replaced(release: dict[str, pa.Table], carried: pa.ChunkedArray) -> dict[str, pa.Table] | None:
    """The ``REPLACED_TABLES`` rows of ``release`` of the documents not in ``carried``, or
    None when they are more than ``_MOST_REPLACED_SHARE`` of its documents and more than
    ``_MOST_REPLACED``."""
    documents = release["documents"]
    gone = pc.invert(pc.is_in(documents.column("doc_id"), value_set=carried.combine_chunks()))
    if (pc.sum(gone).as_py() or 0) > max(_MOST_REPLACED_SHARE * documents.num_rows, _MOST_REPLACED):
        return None
    doc_ids = pc.filter(documents.column("doc_id"), gone).combine_chunks()
    return {name: release[name].filter(pc.is_in(release[name].column("doc_id"), value_set=doc_ids))
            for name in REPLACED_TABLES}


def _sha256(path: Path) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None  # unreadable now: process it again so the reject says so


def _carried(release: dict[str, pa.Table], paths: set[str], everything: bool = False) -> Batch:
    """The rows of the files in ``paths`` among the ``release`` tables (as the previous
    release holds them), as a batch ready for ``process.tables``; ``everything``: ``paths``
    are all the files it read, so every row is carried without filtering."""
    out = dict(release)
    if not everything:
        wanted = pa.array(sorted(paths), pa.string())
        out["documents"] = out["documents"].filter(pc.is_in(out["documents"].column("source_path"), wanted))
        doc_ids = out["documents"].column("doc_id").combine_chunks()
        for name in ("speeches", "sections", "paragraphs", "removals"):
            out[name] = out[name].filter(pc.is_in(out[name].column("doc_id"), doc_ids))
        out["rejects"] = out["rejects"].filter(pc.is_in(out["rejects"].column("source_path"), wanted))
    # the declared schema (the same types; Parquet's field metadata swapped for the schema's)
    return Batch({name: table.cast(schemas.table(name).arrow_schema()) for name, table in out.items()})


def unchanged_rows(previous: dict[str, pa.Table], tables: dict[str, pa.Table]) -> dict[str, pa.ChunkedArray]:
    """Per table of ``tables``, a mask of the rows exactly as ``previous`` holds them.

    ``previous``: rows read from the latest release (the carried batch); a row of
    ``tables`` is unchanged when ``previous`` has a row with the same key and every value
    is the same (a null equals only a null, lists element by element), and no other row
    of ``tables`` has that key: a row repeated, by a bug, is new, so the keys suite sees
    both copies. The comparison is with what the release holds, not with an
    intermediate copy, so nothing that happened to a row in between (a merge, the
    corpus-wide steps) can pass for unchanged.

    Old rows keep their order around the new ones, so the rows are compared as slices of
    both tables, run by run, copying nothing; only rows in another order (more than
    ``_MAX_RUNS`` runs) are first aligned with one copy, which costs far more.
    """
    out = {}
    for name, table in tables.items():
        old = previous.get(name)
        same = np.zeros(table.num_rows, dtype=bool)
        if old is not None and old.num_rows and old.column_names == table.column_names:
            position = _positions(old, table, schemas.table(name).key)
            found, times = np.unique(position[position >= 0], return_counts=True)
            repeated = np.isin(position, found[times > 1])
            runs = _runs(position)
            if len(runs) > _MAX_RUNS:
                # a row with a new key meets old row 0, whose key columns differ from its own
                old, runs = old.take(np.maximum(position, 0)), [(0, 0, table.num_rows)]
            for start, old_start, length in runs:
                same[start:start + length] = equal_rows(old.slice(old_start, length), table.slice(start, length))
            same &= ~repeated
        out[name] = pa.chunked_array([pa.array(same)])
    return out


def equal_rows(a: pa.Table, b: pa.Table) -> np.ndarray:
    """Per row of two tables with the same columns and as many rows: every value the same
    (a null equals only a null, lists element by element)."""
    same = np.ones(a.num_rows, dtype=bool)
    for column in a.column_names:
        same &= _equal(a.column(column), b.column(column))
    return same


#: Most runs of consecutive old rows compared slice by slice; each costs a few Arrow
#: calls per column.
_MAX_RUNS = 256


def _runs(position: np.ndarray) -> list[tuple[int, int, int]]:
    """``(start, old_start, length)`` of each stretch of rows found at consecutive
    positions of the old table (``position``: -1 where not found).

    >>> _runs(np.array([0, 1, 2, -1, 3, 4, 9, 8]))
    [(0, 0, 3), (4, 3, 2), (6, 9, 1), (7, 8, 1)]
    """
    found = position >= 0
    follows = np.zeros(len(position), dtype=bool)
    follows[1:] = found[1:] & found[:-1] & (position[1:] == position[:-1] + 1)
    breaks = np.flatnonzero(~follows)
    ends = np.append(breaks[1:], len(position))
    keep = found[breaks]
    return [(int(s), int(position[s]), int(e - s)) for s, e in zip(breaks[keep], ends[keep])]


def _positions(old: pa.Table, new: pa.Table, key: tuple[str, ...]) -> np.ndarray:
    """Per row of ``new``: the row of ``old`` with the same ``key`` (unique in ``old``),
    or -1.

    A compound key becomes one integer: each column's index among ``old``'s distinct
    values of it, in mixed radix: looked up much faster than the key's columns joined as
    text.
    """
    if len(key) == 1:
        position = pc.index_in(new.column(key[0]), value_set=old.column(key[0]).combine_chunks())
        return pc.fill_null(position, -1).to_numpy()
    distinct = [pc.unique(old.column(name)) for name in key]  # a null is a value too: it matches only a null
    if math.prod(len(values) for values in distinct) > np.iinfo(np.int64).max:
        raise OverflowError(f"key {key} of {old.num_rows} rows has too many distinct values to code as one integer")
    old_code, new_code = np.zeros(old.num_rows, np.int64), np.zeros(new.num_rows, np.int64)
    for name, values in zip(key, distinct):
        old_code = old_code * len(values) + pc.index_in(old.column(name), value_set=values).to_numpy()
        found = pc.fill_null(pc.index_in(new.column(name), value_set=values), -1).to_numpy()
        # a value old never had: no row of old has this key. Codes of old rows are >= 0,
        # and a negative code stays negative (found < len(values)).
        new_code = np.where(found < 0, -1, new_code * len(values) + found)
    return pc.fill_null(pc.index_in(pa.array(new_code), value_set=pa.array(old_code)), -1).to_numpy()


def _equal(a: pa.ChunkedArray, b: pa.ChunkedArray) -> np.ndarray:
    """Per row: the values are equal, a null only to a null, lists element by element."""
    if pa.types.is_list(a.type) or pa.types.is_large_list(a.type):
        return _equal_lists(a, b)
    return _same_values(a, b).to_numpy()


def _equal_lists(a: pa.ChunkedArray, b: pa.ChunkedArray) -> np.ndarray:
    """``_equal`` for list columns. When every row has the same length on both sides
    (the usual case) the flattened values line up and are compared at once."""
    lengths_a, lengths_b = pc.list_value_length(a), pc.list_value_length(b)
    same_length = pc.fill_null(pc.equal(lengths_a, lengths_b), False).to_numpy()
    both_null = pc.and_(pc.is_null(lengths_a), pc.is_null(lengths_b)).to_numpy()
    if (same_length | both_null).all():
        values_a, values_b = pc.list_flatten(a), pc.list_flatten(b)
        if len(values_a) == len(values_b) and pc.all(_same_values(values_a, values_b)).as_py() is not False:
            return same_length | both_null
    return _equal_lists_row_by_row(a.combine_chunks(), b.combine_chunks())


def _same_values(a, b):
    """Per element: equal, a null only to a null."""
    return pc.or_(pc.fill_null(pc.equal(a, b), False), pc.and_(pc.is_null(a), pc.is_null(b)))


def _equal_lists_row_by_row(a: pa.Array, b: pa.Array) -> np.ndarray:
    """``_equal_lists`` where some rows differ: same length, then every element equal,
    compared on the flattened values of the rows of equal length."""
    lengths_a, lengths_b = pc.list_value_length(a), pc.list_value_length(b)
    same = pc.fill_null(pc.equal(lengths_a, lengths_b), False).to_numpy(zero_copy_only=False).copy()
    rows = np.flatnonzero(same)
    if len(rows):
        picked_a, picked_b = a.take(rows), b.take(rows)
        element_same = _same_values(pc.list_flatten(picked_a), pc.list_flatten(picked_b))
        parents = pc.list_parent_indices(picked_a).to_numpy()
        differing = np.unique(parents[~element_same.to_numpy(zero_copy_only=False)])
        same[rows[differing]] = False
    both_null = pc.and_(pc.is_null(lengths_a), pc.is_null(lengths_b)).to_numpy(zero_copy_only=False)
    return same | both_null

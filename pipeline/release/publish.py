"""Writing a release: schema-checked Parquet, a nested JSONL download, manifest and card.

A release is immutable and appears all at once::

    OUTPUT/releases/<release_id>/
        README.md          dataset card
        manifest.json
        data/<table>.parquet       one file per table of ``schemas.TABLES``
        data/speeches.jsonl.gz     one speech per line, its sections and paragraphs nested
    OUTPUT/latest -> releases/<release_id>

Every data file is a pure function of the tables: nothing run-dependent (time, release id,
paths) goes into them, so two builds of the same inbox give byte-identical files and the
same checksums. Run-dependent facts live in ``manifest.json`` and the card only.

Pure library code: no Prefect import (``flows/`` wires this into tasks).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import fcntl
import html
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import schemas
from pipeline.release import croissant, jsonl, report
from schemas.layout import (
    CROISSANT_NAME, DATA_DIR, DATA_DOCS_DIR, INDEX_DIR, JSONL_NAME, LICENSE_NOTE, PRETTY_NAME, REPORT_NAME,
)
from pipeline.errors import ConfigError, TransientIOError, is_transient
from pipeline.records import sha256_file

#: Low-cardinality columns worth dictionary-encoding: id-like ones, and the tokens (36,000
#: distinct in 13 M on the 2,000-document benchmark: paragraphs.parquet 57 -> 42 MB, and
#: written faster, measured). Free text and unique ids of rows (paragraph_id…) are not: a
#: dictionary of unique values only costs space.
DICTIONARY_COLUMNS = (
    "doc_id", "speech_id", "kind", "rule", "reason", "encoding", "site", "segmentation", "status", "tokens",
)

#: Free text and its tokens get no min/max statistics: no reader prunes on them, and
#: leaving them out made paragraphs.parquet of 2,000 documents 0.13 s faster to write.
NO_STATISTICS_COLUMNS = ("text", "tokens")

#: Data pages of 4 MiB rather than Arrow's 1 MiB: zstd compresses more of the text at
#: once. paragraphs.parquet of 2,000 documents 44 -> 34 MB, written in 0.84 s instead of
#: 1.0 s together with NO_STATISTICS_COLUMNS, read as fast (measured).
DATA_PAGE_BYTES = 4 << 20

#: A release id is one path component that cannot clash with the staging folders
#: (``.tmp-*``) and needs no escaping in Markdown, YAML or a shell.
RELEASE_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._+-]*"

#: Rejected files named per reason in the card; the rest are in ``rejects``.
_EXAMPLE_PATHS = 5

_LIMITATIONS = """## Known limitations

- Segmentation is rule-based (公文 heading markers, compilation markers, tables of
  contents). A compilation whose speeches are separated only by a repeated title is one
  speech; an unmarked heading is found only when it is a short line without final
  punctuation.
- Speaker, date, occasion and genre come from the text's own lines (署名, dates, titles);
  they are null when the text does not state them, never guessed.
- Noise removal knows the site families in its rule files; an unknown site's boilerplate
  may survive in paragraphs (check `removals` and the report's per-site noise).
- Placeholders (XX, ×××, 20xx) are kept as written and listed per paragraph; masked names
  are not restored.
- Synonym-spun or numeral-spun copies are not flagged; near-duplicate detection works on
  character shingles of the normalised text (MinHash, threshold in the duplicates section).
- Tokens are jieba 0.42.1 with a small user dictionary of political terms; keywords are
  TF-IDF on those tokens.
- Texts were scraped from document-sharing sites and are not checked against the
  official publication; see the license note.
"""

#: Hugging Face ``size_categories`` buckets: (exclusive upper bound, label).
_SIZE_CATEGORIES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
)


def write_parquet(table: pa.Table, path: Path, table_name: str) -> None:
    """Write ``table`` to ``path`` as Parquet under the declared schema of ``table_name``.

    The table must have exactly the declared columns, in order, with the declared types
    and nullability (a ``ValueError`` names every mismatching column, and any column
    declared not-null that holds nulls). Metadata is not compared but replaced: the file
    always carries the schema's own metadata (table name, schema_version, table doc and a
    ``doc`` per field), never pandas metadata or anything run-dependent, so two writes of
    the same table are byte-identical and the checksums in the manifest are reproducible.

    zstd level 3 was the best size/time trade-off measured on Chinese text; 100,000-row
    groups made full reads 2-3x faster than one big group; only low-cardinality columns
    (``DICTIONARY_COLUMNS``) are dictionary-encoded; see also ``NO_STATISTICS_COLUMNS``
    and ``DATA_PAGE_BYTES``.
    """
    expected = schemas.table(table_name).arrow_schema()
    problems = _schema_problems(table.schema, expected)
    if not problems:
        problems = [
            f"{f.name}: declared not null but holds {table.column(f.name).null_count} null(s)"
            for f in expected
            if not f.nullable and table.column(f.name).null_count
        ]
    if problems:
        raise ValueError(
            f"table {table_name!r} does not match its declared schema: " + "; ".join(problems)
        )
    table = table.cast(expected)  # same types: only swaps in the declared metadata
    with pq.ParquetWriter(
        path,
        expected,
        compression="zstd",
        compression_level=3,
        use_dictionary=[_leaf_path(expected.field(c)) for c in DICTIONARY_COLUMNS if c in expected.names],
        write_statistics=[_leaf_path(f) for f in expected if f.name not in NO_STATISTICS_COLUMNS],
        data_page_size=DATA_PAGE_BYTES,
    ) as writer:
        # An empty table gets no row group at all: readers that size batches from the first
        # row group (Hugging Face datasets) fail on a row group of 0 rows.
        if table.num_rows:
            writer.write_table(table, row_group_size=100_000)


def _leaf_path(field: pa.Field) -> str:
    """The Parquet column a field's values go in: a list's values are ``<name>.list.element``.

    >>> _leaf_path(pa.field("tokens", pa.list_(pa.string()))), _leaf_path(pa.field("doc_id", pa.string()))
    ('tokens.list.element', 'doc_id')
    """
    return f"{field.name}.list.element" if pa.types.is_list(field.type) else field.name


def _schema_problems(actual: pa.Schema, expected: pa.Schema) -> list[str]:
    """One line per column that is missing, unexpected, out of order or of another type."""
    problems = [f"{n}: missing" for n in expected.names if n not in actual.names]
    problems += [f"{n}: not in the schema" for n in actual.names if n not in expected.names]
    for field in expected:
        if field.name not in actual.names:
            continue
        got = actual.field(field.name)
        if not got.type.equals(field.type):
            problems.append(f"{field.name}: type {got.type}, declared {field.type}")
        if got.nullable != field.nullable:
            problems.append(f"{field.name}: nullable={got.nullable}, declared {field.nullable}")
    if not problems and actual.names != expected.names:
        problems.append(f"column order {actual.names}, declared {expected.names}")
    return problems


def dataset_card(manifest: dict) -> str:
    """The release's README.md: Hugging Face front matter, then the dataset documented.

    ``manifest`` is the completed manifest of ``write_release`` (it needs ``release_id``,
    ``pipeline_version``, ``row_counts`` and ``files``; ``created_at``,
    ``removals_by_kind`` and ``validation`` are shown when present). The front matter
    declares one config per non-empty Parquet table, ``paragraphs`` the default; the JSONL is left
    out of the configs on purpose, because ``datasets`` picks one builder per repository
    and fails on a mix of Parquet and JSON configs. Every table and column description
    comes from ``schemas.TABLES``, so the card cannot drift from the files. The same
    manifest always gives the same text.
    """
    missing = [k for k in ("release_id", "pipeline_version", "row_counts", "files") if k not in manifest]
    if missing:
        raise ValueError(f"manifest lacks {missing}; dataset_card needs the completed manifest of write_release")
    release_id = manifest["release_id"]
    rows = manifest["row_counts"]
    parts = [
        _front_matter(rows),
        f"# {PRETTY_NAME}\n",
        _summary(manifest),
        _files_section(manifest),
        _inputs_section(manifest),
        _tables_section(),
        _cleaning_section(manifest),
        _duplicates_section(manifest),
        _LIMITATIONS,
        "## License\n\n" + LICENSE_NOTE + "\n",
        "## How to cite\n\n"
        f"Cite the release you used, by its id, so others can fetch the same bytes:\n\n"
        f"> {PRETTY_NAME}, release `{release_id}` "
        f"(pipeline {manifest['pipeline_version']}, schema {schemas.SCHEMA_VERSION}).\n",
    ]
    return "\n".join(parts)


def _front_matter(rows: dict[str, int]) -> str:
    lines = [
        "---",
        "language:",
        "- zh",
        f"pretty_name: {_yaml_str(PRETTY_NAME)}",
        "license: other",
        "license_name: prc-official-documents",
        f"license_details: {_yaml_str(LICENSE_NOTE)}",
        "size_categories:",
        f"- {_size_category(rows.get('paragraphs', 0))}",
        "configs:",
    ]
    # A table with no rows gets no config: `datasets` refuses a split of 0 examples
    # ("corresponds to no data"), and one unloadable config breaks none of the others.
    for name in (n for n in schemas.TABLES if rows.get(n, 0)):
        lines.append(f"- config_name: {name}")
        lines.append(f"  data_files: {DATA_DIR}/{name}.parquet")
        if name == "paragraphs":
            lines.append("  default: true")
    lines.append("---")
    return "\n".join(lines) + "\n"


def _yaml_str(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(text, ensure_ascii=False)


def _size_category(n: int) -> str:
    for bound, label in _SIZE_CATEGORIES:
        if n < bound:
            return label
    return "n>1B"


def _summary(manifest: dict) -> str:
    created = f", created {manifest['created_at']}" if "created_at" in manifest else ""
    text = (
        "Speeches (讲话, 发言, 党课讲稿, 工作报告…) scraped from Chinese document-sharing "
        "sites, cleaned of site noise, converted to simplified characters, split into "
        "sections and paragraphs and tokenised with jieba.\n\n"
        f"This is release `{manifest['release_id']}`{created}, built by pipeline "
        f"`{manifest['pipeline_version']}` with schema `{schemas.SCHEMA_VERSION}`.\n\n"
    )
    rows = [[f"`{name}`", str(manifest["row_counts"].get(name, 0))] for name in schemas.TABLES]
    return text + _md_table(["table", "rows"], rows)


def _files_section(manifest: dict) -> str:
    rows = [
        ["`README.md`", "this card", "", ""],
        ["`manifest.json`", "release id, inputs, versions, validation, checksums of data files", "", ""],
        [f"`{REPORT_NAME}`", "the release report: plots of lengths, noise, sites, years, duplicates, validation", "", ""],
        [f"`{CROISSANT_NAME}`", "Croissant (MLCommons) metadata of the Parquet tables", "", ""],
        [f"`{DATA_DOCS_DIR}/index.html`", "Great Expectations Data Docs: every expectation and its result", "", ""],
    ]
    for rel, meta in manifest["files"].items():
        if rel.endswith(".parquet"):
            what = f"the `{Path(rel).stem}` table (Parquet)"
        elif rel.endswith(JSONL_NAME):
            what = "one speech per line, its sections and paragraphs nested (gzip JSON Lines)"
        else:
            what = ""
        rows.append([f"`{rel}`", what, str(meta["bytes"]), f"`{meta['sha256']}`"])
    return (
        "## Files\n\n"
        + _md_table(["file", "contents", "bytes", "sha256"], rows)
        + "\nEach Parquet file is one config of this card "
        f"(`datasets.load_dataset(path, \"paragraphs\")`). `{DATA_DIR}/{JSONL_NAME}` holds the "
        "same speeches for readers who want one self-contained object per speech; it is not "
        "a config.\n"
    )


def _tables_section() -> str:
    out = ["## Tables\n"]
    for t in schemas.TABLES.values():
        out.append(f"### `{t.name}`\n")
        out.append(
            f"{t.doc} Key: `{', '.join(t.key)}`. Rows are sorted by `{', '.join(t.sort_by)}`.\n"
        )
        rows = [
            [f"`{c.name}`", f"`{c.type}`", "yes" if c.nullable else "no", c.doc]
            for c in t.columns
        ]
        out.append(_md_table(["column", "Arrow type", "nullable", "description"], rows))
    return "\n".join(out)


def _cleaning_section(manifest: dict) -> str:
    out = [
        "## How it was cleaned\n",
        "Every span removed from a source is a row of `removals`, with its offsets, the "
        "noise kind and the rule that matched; every input that produced no document is a "
        "row of `rejects` with the reason.\n",
    ]
    by_kind = manifest.get("removals_by_kind")
    if by_kind:
        ordered = sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))
        out.append(_md_table(["kind", "spans removed"], [[k, str(n)] for k, n in ordered]))
    out.append("### Validation\n")
    validation = manifest.get("validation")
    if not isinstance(validation, dict):
        out.append("No validation summary was recorded.\n")
        return "\n".join(out)
    verdict = "passed" if validation.get("success") else "failed"
    out.append(f"Every table was checked with Great Expectations before publishing: **{verdict}** "
               f"(details in `{DATA_DOCS_DIR}/index.html`). Uniqueness and references are checked on "
               "every row; an incremental build checks the other expectations on the rows that are "
               "new or changed since the release it builds on, which passed the same suites.\n")
    rows = [
        [f"`{name}`", report.rows_checked(result) or "", str(result.get("evaluated", "")), str(result.get("failed", "")),
         _text("; ".join(result.get("failures", [])))]
        for name, result in validation.get("tables", {}).items()
    ]
    if rows:
        out.append(_md_table(["table", "rows checked", "expectations", "failed", "failures"], rows))
    return "\n".join(out)


def _inputs_section(manifest: dict) -> str:
    """Inputs by outcome, and every reject reason with a few of its files."""
    inputs = manifest.get("inputs", [])
    out = ["## Inputs\n"]
    by_status: dict[str, int] = {}
    rejected: dict[str, list[str]] = {}
    for item in inputs:
        by_status[item.get("status", "")] = by_status.get(item.get("status", ""), 0) + 1
        if item.get("status") == "rejected":
            rejected.setdefault(item.get("reason", ""), []).append(item.get("source_path", ""))
    counts = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
    out.append(f"{len(inputs)} input file(s): {counts or 'none'}. Every input is either a document or a "
               "row of `rejects` (JSONL/CSV files: one row per rejected line), never silently dropped.\n")
    if rejected:
        rows = [
            [f"`{reason}`", str(len(paths)), _text(", ".join(paths[:_EXAMPLE_PATHS]) + (" …" if len(paths) > _EXAMPLE_PATHS else ""))]
            for reason, paths in sorted(rejected.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ]
        out.append(_md_table(["reason", "files", "for example"], rows))
    return "\n".join(out)


def _duplicates_section(manifest: dict) -> str:
    """How duplicates are marked and which record of a cluster is canonical."""
    dedup = manifest.get("deduplication")
    if not dedup:
        return ""
    out = [
        "## Duplicates and the canonical record\n",
        "The same speech circulates on many sites: mirrored in traditional characters, with "
        "names masked, cut short by a paywall, inside a compilation. Nothing is dropped; "
        "duplicates are marked:\n",
        "- `speeches.duplicate_cluster`: the canonical speech of the speech's cluster (itself "
        "when canonical or unique). Keep the rows where `duplicate_cluster == speech_id` for "
        "one copy of every text.",
        "- `speeches.duplicate_of`, `duplicate_kind`, `duplicate_score`: the speech this one "
        "repeats, how (`exact`: the same normalised text; `near`: MinHash Jaccard of "
        f"character shingles at least {dedup.get('threshold')}; `contained`: at least "
        f"{dedup.get('containment')} of its paragraph text is found in `duplicate_of`), and the "
        "Jaccard similarity or contained share.",
        "- `paragraphs.duplicate_of`, `duplicate_kind`, `duplicate_score`: the twin paragraph, "
        "in the speech this paragraph's speech repeats, or else the canonical twin elsewhere.\n",
        "Similarity is measured on the normalised text (simplified, full-width punctuation) "
        "with placeholders (`XX`, `×××`, `***`) folded to one token and punctuation dropped.\n",
        "**Canonical rule.** " + str(dedup.get("canonical_rule", "")) + "\n",
    ]
    stats = dedup.get("stats")
    if stats:
        out.append(_md_table(["measure", "value"], [[k, _plain(v)] for k, v in stats.items()]))
    return "\n".join(out)


def _plain(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _text(text: str) -> str:
    """Text from documents (paths, failure examples) made inert in Markdown: HTML escaped,
    so a file named ``<img src=x onerror=…>`` shows as text on any card renderer."""
    return html.escape(text, quote=False)


def _cell(text: str) -> str:
    """A Markdown table cell: ``|`` escaped (even in code spans) and line breaks as <br>."""
    return text.replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")


def write_data_files(folder: Path, tables: dict[str, pa.Table], index: dict[str, pa.Table] | None = None,
                     reuse: jsonl.Reuse | concurrent.futures.Future | None = None) -> Path:
    """Write the release's data files (a Parquet file per table, the JSONL download) into
    ``folder/data`` and the ``index`` tables into ``folder/index``, and return ``folder``.
    The download's members index joins the ``index`` tables; ``reuse`` lets it copy the
    unchanged members of the previous release's download (``jsonl.write``). ``reuse`` may
    be a future the caller completes later: the Parquet files and the index are written
    meanwhile, and the download waits for it.

    ``write_release`` does this itself, or moves in a folder written here beforehand
    (``data_files=``): a build writes it while validation runs, since Parquet and gzip
    work outside the GIL. ``folder`` must not exist; make it with ``staging_path``.
    """
    if set(tables) != set(schemas.TABLES):
        raise ConfigError(f"tables {sorted(tables)} given; a release needs exactly {list(schemas.TABLES)}")
    folder = Path(folder)
    folder.mkdir()
    data = folder / DATA_DIR
    data.mkdir()
    (folder / INDEX_DIR).mkdir()
    # Parquet encoding and zstd run outside the GIL: the tables are written on a thread
    # while this one writes the download. Each file is flushed and checksummed on a third
    # as soon as it is written, while the others are being written: publishing fsyncs the
    # release again before its rename and finds them clean, and takes their checksums from
    # here. Flushing and hashing the ~230 MB of 2,000 documents after the last write took
    # 0.3-0.4 s of a one-new-page build (measured).
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="parquet") as pool, \
            concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="flush") as flushing:
        flushed: list[concurrent.futures.Future] = []

        def written(path: Path) -> None:
            flushed.append(flushing.submit(_flushed, folder, path))

        parquet = pool.submit(_write_tables, folder, tables, index or {}, written)
        if isinstance(reuse, concurrent.futures.Future):
            reuse = reuse.result()
        members = jsonl.write(tables, data / JSONL_NAME, reuse)
        written(data / JSONL_NAME)
        written(_write_index(folder, jsonl.INDEX, members))
        parquet.result()
    _fsync_tree(folder)  # the folders; the files are clean by now
    files = dict(sorted(future.result() for future in flushed))
    (folder / _FILES_NAME).write_text(json.dumps(files), encoding="utf-8")
    return folder


def _flushed(root: Path, path: Path) -> tuple[str, dict]:
    """``path`` flushed to disk, and its entry in the manifest's file list."""
    _fsync(path)
    return path.relative_to(root).as_posix(), {"sha256": sha256_file(path), "bytes": path.stat().st_size}


#: What ``write_data_files`` wrote: {path: {sha256, bytes}}, as the manifest lists them.
_FILES_NAME = "files.json"


def _files(root: Path, written_ahead: Path | None = None) -> dict[str, dict]:
    """{path: {sha256, bytes}} of the data and index files under ``root``; taken from
    ``written_ahead/files.json`` for the files it lists with the same size."""
    known = {}
    if written_ahead is not None and (written_ahead / _FILES_NAME).is_file():
        known = json.loads((written_ahead / _FILES_NAME).read_text(encoding="utf-8"))
    files = {}
    for path in sorted(p for folder in (root / DATA_DIR, root / INDEX_DIR) for p in folder.rglob("*") if p.is_file()):
        name, size = path.relative_to(root).as_posix(), path.stat().st_size
        files[name] = known[name] if known.get(name, {}).get("bytes") == size else {"sha256": sha256_file(path), "bytes": size}
    return files


def _write_tables(folder: Path, tables: dict[str, pa.Table], index: dict[str, pa.Table],
                  written: Callable[[Path], None]) -> None:
    """The Parquet files of ``tables`` and ``index``, each handed to ``written`` once closed."""
    for name in schemas.TABLES:
        path = folder / DATA_DIR / f"{name}.parquet"
        write_parquet(tables[name], path, name)
        written(path)
    for name, table in sorted(index.items()):
        written(_write_index(folder, name, table))


def _write_index(folder: Path, name: str, table: pa.Table) -> Path:
    """An index table, written to its path under ``folder``: state the next build reads
    whole, so without statistics (min/max of the 3 M dictionary-encoded rows of the term
    counts of 2,000 documents took 0.17 s of the 0.29 s it took to write them, measured)."""
    codecs = {c: "none" if c in _INCOMPRESSIBLE_INDEX_COLUMNS else "zstd" for c in table.column_names}
    path = folder / INDEX_DIR / f"{name}.parquet"
    pq.write_table(table, path, compression=codecs,
                   compression_level={c: 3 for c, codec in codecs.items() if codec == "zstd"},
                   write_statistics=False)
    return path


#: Index columns of random bits (MinHash values): zstd saved 18% of their bytes and took
#: five times as long to write (0.26 s against 0.05 s for 2,000 documents, measured).
_INCOMPRESSIBLE_INDEX_COLUMNS = frozenset({"minhash"})


def write_release(output_dir: Path, release_id: str, tables: dict[str, pa.Table], manifest: dict,
                  index: dict[str, pa.Table] | None = None, data_docs: Path | None = None,
                  data_files: Path | None = None) -> Path:
    """Publish ``tables`` as ``output_dir/releases/<release_id>`` and point ``latest`` at it.

    Returns the release folder. The sequence makes a release appear whole or not at all:

    1. refuse (``FileExistsError``) if the release exists: releases are immutable;
    2. write the Parquet files, the JSONL download, the ``index`` tables (state a later
       build reuses: MinHash signatures, the IDF) as ``index/<name>.parquet`` (or move
       them in from ``data_files``, a ``write_data_files`` folder of these ``tables``
       and index), ``manifest.json`` (a copy of
       ``manifest`` completed with ``files`` {path: {sha256, bytes}} and ``row_counts``;
       the caller's dict is not changed), ``README.md`` (the dataset card),
       ``croissant.json``, ``report.html`` and, when given, the ``data_docs``
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
            write_data_files(staging, tables, index)
        else:
            staging.mkdir()
            for folder in prepared:
                os.rename(Path(data_files) / folder, staging / folder)
        full["files"] = _files(staging, Path(data_files) if data_files is not None else None)
        full["row_counts"] = {name: tables[name].num_rows for name in schemas.TABLES}
        (staging / "manifest.json").write_text(
            json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n"
        )
        (staging / "README.md").write_text(dataset_card(full), encoding="utf-8", newline="\n")
        (staging / CROISSANT_NAME).write_text(
            json.dumps(croissant.metadata(full), indent=2, ensure_ascii=False, sort_keys=True) + "\n",
            encoding="utf-8", newline="\n",
        )
        (staging / REPORT_NAME).write_text(report.render(tables, full), encoding="utf-8", newline="\n")
        if data_docs is not None:
            os.rename(data_docs, staging / DATA_DOCS_DIR)
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


def read_index(release: Path | None, name: str) -> pa.Table | None:
    """The index table ``name`` a release persisted for later builds, or None."""
    path = release / INDEX_DIR / f"{name}.parquet" if release is not None else None
    # One thread: Arrow's threaded reader took 0.26 s for the 69 MB MinHash index of
    # 2,000 documents, against 0.045 s on one (measured).
    return pq.read_table(path, use_threads=False) if path is not None and path.is_file() else None


class BuildLocked(RuntimeError):
    """Another build holds the output folder."""


#: Lock files this process holds (see ``exclusive``).
_HELD: set[Path] = set()


@contextlib.contextmanager
def exclusive(output_dir: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold ``OUTPUT/.lock`` (an OS file lock, released even when the process dies) for
    the duration of a build, so two builds never interleave on one output folder.

    Waits up to ``wait_seconds`` for another build to finish, then raises
    ``BuildLocked`` naming the holder's pid. Re-entrant within a process (the command line
    takes the lock before Prefect starts, and the flow takes it again): a second
    ``open`` + ``flock`` in the same process would otherwise conflict with the first.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    lock_path = (output_dir / ".lock").resolve()
    if lock_path in _HELD:
        yield
        return
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise BuildLocked(f"another build (pid {holder}) is writing to {output_dir}; "
                                      f"wait for it to finish or use another --output") from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        _HELD.add(lock_path)
        try:
            yield
        finally:
            _HELD.discard(lock_path)
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)

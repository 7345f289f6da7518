"""The dataset card of a release (its README.md): Hugging Face front matter, then the
dataset documented from ``schemas.TABLES`` and the manifest, so it cannot drift from the files."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

import schemas
from pipeline.release import lines, markdown, report
from schemas import layout
from schemas.layout import (
    CHANGES_NAME, CROISSANT_NAME, DATA_DIR, DATA_DOCS_DIR, JSONL_NAME, LICENSE_NOTE, PRETTY_NAME, REPORT_NAME,
)

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


def dataset_card(manifest: dict) -> str:
    """The release's README.md: Hugging Face front matter, then the dataset documented.

    ``manifest`` is the completed manifest of ``write_release`` (it needs ``release_id``,
    ``pipeline_version``, ``row_counts`` and ``files``; ``created_at``,
    ``removals_by_kind`` and ``validation`` are shown when present). The front matter
    declares one config per non-empty Parquet table (the glob of its parts), ``paragraphs``
    the default; the JSONL is left
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
        _loading_section(),
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
        lines.append(f"  data_files: {layout.parts_glob(name)}")
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
    return text + markdown.table(["table", "rows"], rows)


def _files_section(manifest: dict) -> str:
    rows = [
        ["`README.md`", "this card", "", ""],
        ["`manifest.json`", "release id, inputs, versions, validation, checksums of data files", "", ""],
        [f"`{REPORT_NAME}`", "the release report: plots of lengths, noise, sites, years, duplicates, validation", "", ""],
        [f"`{CROISSANT_NAME}`", "Croissant (MLCommons) metadata of the Parquet tables", "", ""],
        [f"`{DATA_DOCS_DIR}/index.html`", "Great Expectations Data Docs: every expectation and its result", "", ""],
    ]
    for rel, meta in manifest["files"].items():
        if rel.startswith(f"{DATA_DIR}/") and rel.endswith(".parquet"):
            what = f"a part of the `{Path(rel).parent.stem}` table (Parquet)"
        elif rel == CHANGES_NAME:
            what = "the speeches added, removed and changed since the previous release (what `speechcorpus diff` prints)"
        elif rel.endswith(JSONL_NAME):
            what = "one speech per line, with its document's citation fields and its sections and paragraphs (gzip JSON Lines)"
        else:
            what = ""
        rows.append([f"`{rel}`", what, str(meta["bytes"]), f"`{meta['sha256']}`"])
    return (
        "## Files\n\n"
        + markdown.table(["file", "contents", "bytes", "sha256"], rows)
        + f"\nEach table is a folder of Parquet parts, `{layout.part_path('<table>', 0)}` on, "
        f"{_part_rows(manifest)}, its rows in the table's order (part 0 first): read the "
        "folder, or the glob of its parts, as one table. The folder has the name a table's "
        "one file had before parts, so code that read that file reads the folder. Each table is one config of this "
        f"card, whose `data_files` is that glob (`datasets.load_dataset(path, \"paragraphs\")`); "
        f"pandas (`pd.read_parquet(\"{layout.table_dir('paragraphs')}\")`), pyarrow "
        f"(`pyarrow.dataset.dataset(\"{layout.table_dir('paragraphs')}\")`) and DuckDB "
        f"(`'{layout.parts_glob('paragraphs')}'`) read it the same way. "
        f"`{DATA_DIR}/{JSONL_NAME}` holds the same speeches for readers who want one "
        "self-contained object per speech; it is not a config.\n\n" + _download_line()
    )


def _part_rows(manifest: dict) -> str:
    """How many rows a part holds, as the manifest's layout says."""
    part_rows = (manifest.get("layout") or {}).get("part_rows")
    return f"at most {part_rows:,} rows each" if part_rows else "each of a bounded number of rows"


def _download_line() -> str:
    """What a line of the JSONL download holds, from the schemas it is written under."""
    rows = [[f"`{name}`", f"`{schemas.DOCUMENTS.column(name).type}`", schemas.DOCUMENTS.column(name).doc]
            for name in schemas.DOWNLOAD_DOCUMENT_COLUMNS]
    nested = ", ".join(f"`{name}`" for name in lines.NESTED_TABLES)
    return (
        f"Each line of `{DATA_DIR}/{JSONL_NAME}` holds one speech: every column of `speeches`; "
        f"`{lines.DOCUMENT}`, the columns of its row of `documents` that citing it takes, so "
        "the download alone says where each speech comes from; and "
        f"{nested}: its rows of those tables in ordinal order, without `speech_id` and "
        "`doc_id`, which the line carries once. Dates are ISO strings (`YYYY-MM-DD`). "
        f"The `{lines.DOCUMENT}` object:\n\n"
        + markdown.table(["field", "Arrow type", "description"], rows)
    )


def _nullable_integers() -> list[str]:
    return [f"`{t.name}.{c.name}`" for t in schemas.TABLES.values() for c in t.columns
            if c.nullable and pa.types.is_integer(c.type)]


def _loading_section() -> str:
    """How to load the release, with examples the pipeline's tests run on every release
    as printed here (from the release folder)."""
    examples = [example.replace("DATA/", f"{DATA_DIR}/").replace("JSONL", JSONL_NAME).replace("DOCUMENT", lines.DOCUMENT)
                for example in _EXAMPLES]
    return (
        "## Loading the data\n\n"
        "The examples run from the folder of this card; the pipeline's tests run them, as "
        "printed here, against a built release.\n\n"
        "pandas, a table's folder (every part of it) as one frame, with Arrow-backed "
        "columns: integer columns stay integers (`int32`, `int64`) where a value is null, "
        "and every release loads with the same dtypes. Without "
        "`dtype_backend=\"pyarrow\"`, pandas makes a nullable integer column "
        f"({', '.join(_nullable_integers())}) `float64` or an integer column depending on "
        "whether the release holds a null in it. `documents.metadata` holds the other fields "
        "of a corpus record (a JSONL line, a CSV row) as a JSON object, because they differ "
        "from corpus to corpus; it is null for a page:\n\n"
        f"```python\n{examples[0]}```\n\n"
        "DuckDB, SQL over the tables at once, each the glob of its parts; `->>` reads a "
        "field of `metadata`:\n\n"
        f"```python\n{examples[1]}```\n\n"
        "The JSONL download with nothing but Python, one speech per line:\n\n"
        f"```python\n{examples[2]}```\n"
    )


#: The card's loading examples: ``DATA/`` stands for the data folder, ``JSONL`` for the
#: download's name, ``DOCUMENT`` for the key of a line's document object.
_EXAMPLES = (
    """\
import json

import pandas as pd

documents = pd.read_parquet("DATA/documents.parquet", dtype_backend="pyarrow")
speeches = pd.read_parquet("DATA/speeches.parquet", dtype_backend="pyarrow")
print(speeches[["title", "speaker", "delivered_on", "paragraph_count"]])
# one dict per document (the fields differ from corpus to corpus), NA for a page
documents["metadata"] = documents["metadata"].astype(object).map(json.loads, na_action="ignore")
print(documents[["source_path", "source_line", "page_count", "metadata"]])
""",
    '''\
import duckdb

print(duckdb.sql("""
    SELECT d.source_path, d.metadata->>'year' AS year, count(*) AS speeches, sum(s.char_count) AS chars
    FROM 'DATA/speeches.parquet/*.parquet' s JOIN 'DATA/documents.parquet/*.parquet' d USING (doc_id)
    GROUP BY ALL ORDER BY d.source_path
""").fetchall())
''',
    """\
import gzip
import json

with gzip.open("DATA/JSONL", "rt", encoding="utf-8") as lines:
    for line in lines:
        speech = json.loads(line)
        document = speech["DOCUMENT"]  # where it comes from: enough to cite it
        print(speech["title"], document["url"] or document["source_path"], document["published_date"],
              len(speech["paragraphs"]))
""",
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
        out.append(markdown.table(["column", "Arrow type", "nullable", "description"], rows))
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
        out.append(markdown.table(["kind", "spans removed"], [[k, str(n)] for k, n in ordered]))
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
         markdown.inert("; ".join(result.get("failures", [])))]
        for name, result in validation.get("tables", {}).items()
    ]
    if rows:
        out.append(markdown.table(["table", "rows checked", "expectations", "failed", "failures"], rows))
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
            [f"`{reason}`", str(len(paths)), markdown.inert(", ".join(paths[:_EXAMPLE_PATHS]) + (" …" if len(paths) > _EXAMPLE_PATHS else ""))]
            for reason, paths in sorted(rejected.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ]
        out.append(markdown.table(["reason", "files", "for example"], rows))
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
        out.append(markdown.table(["measure", "value"], [[k, _as_text(v)] for k, v in stats.items()]))
    return "\n".join(out)


def _as_text(value: object) -> str:
    """A measure's value in a cell: a string as it is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)

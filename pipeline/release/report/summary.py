"""The report's summary section: release facts, rows per table, rejects."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import schemas
from pipeline.release.report.markup import NOT_RECORDED, Section, cell, esc, no_data, table
from pipeline.release.report.validation import verdict


def section(tables: dict[str, pa.Table], manifest: dict) -> Section:
    """What a maintainer checks first: which release, whether it validated, how many rows
    each table got, and why inputs were rejected (what changed has a section of its own)."""
    facts = [
        ("release", manifest.get("release_id")),
        ("created", manifest.get("created_at")),
        ("pipeline version", manifest.get("pipeline_version")),
        ("schema version", manifest.get("schema_version")),
        ("validation", verdict(manifest.get("validation"))),
        ("input files", input_files(tables)),
    ]
    items = "".join(f"<dt>{esc(k)}</dt><dd>{cell(NOT_RECORDED if v is None else v)}</dd>" for k, v in facts)
    parts = [
        f'<dl class="facts">{items}</dl>',
        table(["table", "rows"], [[name, tables[name].num_rows] for name in schemas.TABLES],
              caption="Rows per table", table_id="row-counts"),
        _rejects_by_reason(tables["rejects"]),
    ]
    return Section("summary", "Summary", "\n".join(parts))


def input_files(tables: dict[str, pa.Table]) -> int:
    """How many input files the release was built from, rejected ones included."""
    # A corpus file yields many documents and rejects, so count paths, not rows.
    paths = pa.chunked_array(
        tables["documents"].column("source_path").chunks + tables["rejects"].column("source_path").chunks,
        pa.string(),
    )
    return len(pc.unique(paths))


def _rejects_by_reason(rejects: pa.Table) -> str:
    if rejects.num_rows == 0:
        return no_data("No input was rejected.")
    frame = rejects.select(["reason", "source_path", "source_line", "detail"]).to_pandas()
    counts = frame["reason"].value_counts()
    # The first reject of each reason in path order, so the example is stable.
    examples = (frame.sort_values(["reason", "source_path", "source_line"], kind="stable")
                .drop_duplicates("reason").set_index("reason"))
    rows = []
    for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        example = examples.loc[reason]
        line = "" if pd.isna(example["source_line"]) else f":{int(example['source_line'])}"
        rows.append([reason, int(n), f"{example['source_path']}{line}: {example['detail']}"])
    return table(["reason", "rejects", "example"], rows, caption="Rejected inputs by reason")

"""The report's document sections: documents per site family, documents and speeches per year."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.release.report import aggregate, charts
from pipeline.release.report.aggregate import UNKNOWN, UNKNOWN_SITE
from pipeline.release.report.charts import Bar, count
from pipeline.release.report.markup import Section, esc, no_data


def by_site(documents: pa.Table) -> Section:
    """Documents per site family, the generic (unrecognised) ones as one grey bar."""
    intro = (f"Documents per site family whose page layout was recognised; "
             f"“{UNKNOWN_SITE}” documents were cleaned by the generic rules only.")
    if documents.num_rows == 0:
        return Section("documents-by-site", "Documents by site",
                       no_data("No documents in this release."))
    counted = aggregate.by_site(documents).group_by("site").aggregate([("doc_id", "count")])
    rows = aggregate.top(aggregate.ranked(aggregate.rows(counted, ["site", "doc_id_count"])), "sites")
    bars = [Bar(site, n, f"{site}: {count(n, 'document')}", muted=aggregate.is_catch_all(site))
            for site, n in rows]
    chart = charts.bar_chart(bars, "Documents by site", "site", "documents")
    return Section("documents-by-site", "Documents by site", f"<p>{esc(intro)}</p>\n{chart}")


def by_year(documents: pa.Table, speeches: pa.Table) -> Section:
    """Documents by year published and speeches by year delivered, chronologically."""
    parts = ["<p>Documents by the year their page says they were published, and speeches by the "
             "year they were delivered, where the text states it.</p>"]
    for table, column, what, noun, plural in (
        (documents, "published_date", "Documents by year published", "document", "documents"),
        (speeches, "delivered_on", "Speeches by year delivered", "speech", "speeches"),
    ):
        if table.num_rows == 0:
            parts.append(no_data(f"{what}: no {plural} in this release."))
            continue
        counts = aggregate.value_counts(pc.year(table.column(column)))
        # Chronological, unknown last: a year axis sorted by count would hide the trend.
        ordered = sorted(counts, key=lambda kv: (kv[0] is None, kv[0] or 0))
        labels = [UNKNOWN if year is None else str(year) for year, _ in ordered]
        bars = [Bar(label, n, f"{label}: {count(n, noun, plural)}", muted=label == UNKNOWN)
                for label, (_, n) in zip(labels, ordered)]
        parts.append(charts.bar_chart(bars, what, "year", plural))
    return Section("documents-by-year", "Documents and speeches by year", "\n".join(parts))

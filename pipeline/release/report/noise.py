"""The report's noise sections: characters cleaning removed, by noise kind and by site."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.release.report import aggregate, charts
from pipeline.release.report.charts import Bar, count
from pipeline.release.report.markup import Section, esc, no_data


def by_kind(removals: pa.Table) -> Section:
    """Removed characters per noise kind, with the number of removed spans beside each bar."""
    intro = ("Characters cleaning removed from the sources, by the kind of noise the matching "
             "rule names; the text beside each bar counts the removed spans.")
    if removals.num_rows == 0:
        return Section("noise-by-kind", "Noise removed by kind", no_data("Nothing was removed."))
    grouped = aggregate.with_lengths(removals).group_by("kind").aggregate([("chars", "sum"), ("chars", "count")])
    rows = aggregate.top(aggregate.ranked(aggregate.rows(grouped, ["kind", "chars_sum", "chars_count"])), "kinds")
    bars = [
        Bar(kind, chars, f"{kind}: {count(chars, 'character')} removed in {count(spans, 'span')}",
            note=f"{chars:,} chars · {count(spans, 'span')}", muted=aggregate.is_catch_all(kind))
        for kind, chars, spans in rows
    ]
    chart = charts.bar_chart(bars, "Removed characters by noise kind", "kind", "characters removed")
    return Section("noise-by-kind", "Noise removed by kind", f"<p>{esc(intro)}</p>\n{chart}")


def by_site(removals: pa.Table, documents: pa.Table) -> Section:
    """Removed characters per site family and their share of that site's source characters."""
    intro = ("Characters removed per site family, and their share of that site's source "
             "characters: a share far above the others points at a rule that cuts too much.")
    if removals.num_rows == 0:
        return Section("noise-by-site", "Noise removed by site", no_data("Nothing was removed."))
    # Aggregate per document first: documents are far fewer than removed spans, so the join is small.
    per_doc = aggregate.with_lengths(removals).group_by("doc_id").aggregate([("chars", "sum"), ("chars", "count")])
    joined = per_doc.join(documents.select(["doc_id", "site"]), "doc_id", join_type="left outer")
    sites = pa.table({
        "site": pc.fill_null(joined.column("site"), aggregate.UNKNOWN_SITE),
        "chars": joined.column("chars_sum"),
        "spans": joined.column("chars_count"),
    }).group_by("site").aggregate([("chars", "sum"), ("spans", "sum")])
    source = dict(aggregate.rows(aggregate.by_site(documents).group_by("site").aggregate([("char_count", "sum")]),
                                 ["site", "char_count_sum"]))
    rows = aggregate.top(aggregate.ranked(aggregate.rows(sites, ["site", "chars_sum", "spans_sum"])), "sites")
    bars = []
    for site, chars, spans in rows:
        share = f" ({chars / source[site]:.1%} of its source)" if source.get(site) else ""
        bars.append(Bar(site, chars, f"{site}: {count(chars, 'character')} removed in "
                                     f"{count(spans, 'span')}{share}",
                        note=f"{chars:,} chars{share}", muted=aggregate.is_catch_all(site)))
    chart = charts.bar_chart(bars, "Removed characters by site", "site", "characters removed")
    return Section("noise-by-site", "Noise removed by site", f"<p>{esc(intro)}</p>\n{chart}")

"""The report's duplicates section: records marked per kind, cluster sizes, the largest clusters."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

import schemas
from pipeline.release.report import aggregate, charts
from pipeline.release.report.aggregate import UNKNOWN_SITE
from pipeline.release.report.markup import Html, Section, esc, no_data, table

#: Duplicate clusters listed by title, and members listed per cluster.
TOP_CLUSTERS = 10
MAX_MEMBERS = 12


def section(tables: dict[str, pa.Table], settings: dict | None) -> Section:
    """How duplicates were marked (``settings``: the manifest's ``deduplication``), how
    many records of each kind, a histogram of cluster sizes and the largest clusters."""
    speeches, paragraphs = tables["speeches"], tables["paragraphs"]
    parts = ["<p>Nothing is dropped as a duplicate: each speech names its cluster's canonical speech, "
             "and a duplicate names the record it repeats and how (exact, near or contained).</p>"]
    if isinstance(settings, dict) and "threshold" in settings:
        rule = (f"near: MinHash Jaccard similarity ≥ {settings['threshold']}; contained: ≥ "
                f"{settings.get('containment')} of the speech's paragraph text found in the other speech.")
        parts.append(f'<p class="stats">{esc(rule)}</p>')
    speech_kinds = dict(aggregate.value_counts(speeches.column("duplicate_kind")))
    paragraph_kinds = dict(aggregate.value_counts(paragraphs.column("duplicate_kind")))
    parts.append(table(
        ["kind", "speeches", "paragraphs"],
        [[kind, speech_kinds.get(kind, 0), paragraph_kinds.get(kind, 0)]
         for kind in schemas.DUPLICATE_KINDS],
        caption="Records marked as duplicates, by kind",
    ))
    sizes = speeches.group_by("duplicate_cluster").aggregate([("speech_id", "count")])
    sizes = sizes.filter(pc.greater_equal(sizes.column("speech_id_count"), 2))
    if sizes.num_rows == 0:
        parts.append(no_data("No cluster holds more than one speech."))
        return Section("duplicates", "Duplicates", "\n".join(parts))
    bars = charts.histogram(sizes.column("speech_id_count").to_numpy(), "cluster size",
                            ("cluster", "clusters"))
    parts.append(charts.column_chart(bars, "Duplicate clusters by number of speeches",
                                     "speeches in the cluster", "number of clusters"))
    largest = sizes.sort_by([("speech_id_count", "descending"), ("duplicate_cluster", "ascending")])
    parts.append(_largest_clusters(largest.slice(0, TOP_CLUSTERS), sizes.num_rows, speeches,
                                   tables["documents"]))
    return Section("duplicates", "Duplicates", "\n".join(parts))


def _largest_clusters(clusters: pa.Table, total: int, speeches: pa.Table, documents: pa.Table) -> str:
    """``clusters`` (the largest of ``total``) by title and site: the canonical speech, then
    the speeches that duplicate it, most similar first."""
    in_clusters = pc.is_in(speeches.column("duplicate_cluster"),
                           value_set=clusters.column("duplicate_cluster").combine_chunks())
    members = speeches.filter(in_clusters).select(
        ["speech_id", "doc_id", "title", "duplicate_kind", "duplicate_score", "duplicate_cluster"])
    their_docs = aggregate.by_site(documents.filter(
        pc.is_in(documents.column("doc_id"), value_set=pc.unique(members.column("doc_id")))))
    site_of = dict(aggregate.rows(their_docs, ["doc_id", "site"]))
    by_cluster: dict[str, list[dict]] = {}
    for m in members.to_pylist():
        by_cluster.setdefault(m["duplicate_cluster"], []).append(m)
    kind_order = {k: i for i, k in enumerate(schemas.DUPLICATE_KINDS)}
    rows = []
    for cluster, size in aggregate.rows(clusters, ["duplicate_cluster", "speech_id_count"]):
        group = by_cluster[cluster]
        canonical = next((m for m in group if m["speech_id"] == cluster), None)
        others = sorted((m for m in group if m["speech_id"] != cluster),
                        key=lambda m: (kind_order.get(m["duplicate_kind"], len(kind_order)),
                                       -(m["duplicate_score"] or 0), m["title"] or "", m["speech_id"]))
        listed = "".join(
            f"<li>{esc(_speech_name(m, site_of))} — {esc(m['duplicate_kind'] or 'unmarked')}"
            f"{esc(_score(m['duplicate_score']))}</li>"
            for m in others[:MAX_MEMBERS]
        )
        if len(others) > MAX_MEMBERS:
            listed += f"<li>… and {len(others) - MAX_MEMBERS:,} more</li>"
        name = _speech_name(canonical, site_of) if canonical else f"(speech {cluster} not in this release)"
        rows.append([size, name, Html(f"<ul>{listed}</ul>")])
    return table(["speeches", "canonical speech", "duplicates (kind, score)"], rows,
                 caption=f"Largest clusters ({len(rows):,} of {total:,} with two or more speeches)",
                 table_id="largest-clusters")


def _speech_name(speech: dict, site_of: dict[str, str]) -> str:
    title = speech["title"] or f"(untitled speech {speech['speech_id']})"
    return f"{title} [{site_of.get(speech['doc_id'], UNKNOWN_SITE)}]"


def _score(score: float | None) -> str:
    return "" if score is None else f", {score:.2f}"

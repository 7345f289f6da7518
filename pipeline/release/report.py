"""The release report: one self-contained HTML page of plots and tables.

``render`` turns a release's tables and manifest into ``report.html``: what a maintainer
checks after a nightly build (row counts, rejects, noise removed, validation) and what a
researcher looks at to judge the data (paragraph lengths, sites, years, duplicates).

The plots are hand-written SVG, so the page needs nothing but a browser: no script, no
fetched resource, and the same release always gives the same bytes. Every string that
comes from a document (titles, site names, paths, reject details) is HTML-escaped, since
a scraped title is attacker-controlled text.
"""

from __future__ import annotations

import html
import math
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import schemas
from pipeline.errors import ConfigError

#: Shown for a document whose site no family's rules recognised.
UNKNOWN_SITE = "unknown / generic"
#: Shown for a missing year.
UNKNOWN = "unknown"
#: Shown for a manifest value a partial manifest lacks.
NOT_RECORDED = "not recorded"
#: Categories beyond this many are merged into one "other" bar, so a chart stays readable.
MAX_CATEGORIES = 25
#: Histograms aim at no more bins than this (before the overflow bin).
MAX_BINS = 25
#: Duplicate clusters listed by title, and members listed per cluster.
TOP_CLUSTERS = 10
MAX_MEMBERS = 12
#: Validation failure lines listed; the manifest holds them all.
MAX_FAILURES = 50

#: Han text needs a CJK font first: a Latin-first list renders 中文 in a fallback font
#: chosen per character, often a Japanese one.
FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'

_CSS = f"""
body {{ font-family: {FONTS}; color: #1b1f24; background: #fff; line-height: 1.5;
       max-width: 960px; margin: 0 auto; padding: 0 16px 48px; }}
h1 {{ font-size: 1.6rem; margin-bottom: 0; }}
h2 {{ border-bottom: 1px solid #d0d7de; padding-bottom: 4px; margin-top: 40px; }}
nav ul {{ list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 16px; }}
dl.facts {{ display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }}
dl.facts dt {{ font-weight: 600; }}
dl.facts dd {{ margin: 0; }}
table.data {{ border-collapse: collapse; margin: 8px 0 16px; font-size: 0.9rem; }}
table.data caption {{ text-align: left; font-weight: 600; padding-bottom: 4px; }}
table.data th, table.data td {{ border: 1px solid #d0d7de; padding: 4px 8px; text-align: left;
                               vertical-align: top; }}
table.data th {{ background: #f6f8fa; }}
table.data td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
table.data ul {{ margin: 0; padding-left: 1.2em; }}
svg.plot {{ display: block; width: 100%; max-width: 720px; height: auto; margin: 8px 0 16px;
           font-family: {FONTS}; font-size: 12px; }}
svg.plot text {{ fill: #1b1f24; }}
svg.plot .tick {{ fill: #57606a; font-size: 11px; }}
svg.plot .axis-label {{ font-weight: 600; }}
svg.plot .grid {{ stroke: #e5e8eb; }}
svg.plot .axis {{ stroke: #57606a; }}
svg.plot .bar {{ fill: #3b6ea5; }}
svg.plot .bar.muted {{ fill: #9aa4ae; }}
svg.plot .bar:hover {{ fill: #1f4e79; }}
.verdict-passed {{ color: #1a7f37; font-weight: 600; }}
.verdict-failed {{ color: #cf222e; font-weight: 600; }}
.empty, .stats {{ color: #57606a; }}
.empty {{ font-style: italic; }}
"""


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its axis label, length, hover text and the text beside it."""

    label: str
    value: int
    tooltip: str
    note: str = ""
    #: Drawn grey: a catch-all (overflow bin, unknown, other), not a real category.
    muted: bool = False


class _Html(str):
    """Markup this module built itself; every other string is escaped when inserted."""


class _Section(NamedTuple):
    id: str
    heading: str
    body: str


def render(tables: dict[str, pa.Table], manifest: dict) -> str:
    """The release's ``report.html``: a summary, one section per plot, and validation.

    ``tables`` are the release's tables (any may have no rows); ``manifest`` is the
    release manifest, and a key it lacks is shown as not recorded, never an error.
    """
    missing = [name for name in schemas.TABLES if name not in tables]
    if missing:
        raise ConfigError(f"render needs every table of the schema; missing: {missing}, "
                          f"given: {sorted(tables)}, expected: {list(schemas.TABLES)}")
    sections = (
        _summary(tables, manifest),
        _paragraphs_per_speech(tables["speeches"]),
        _paragraph_length(tables["paragraphs"]),
        _noise_by_kind(tables["removals"]),
        _noise_by_site(tables["removals"], tables["documents"]),
        _documents_by_site(tables["documents"]),
        _documents_by_year(tables["documents"], tables["speeches"]),
        _duplicates(tables, manifest.get("deduplication")),
        _validation(manifest.get("validation")),
    )
    release = _esc(manifest.get("release_id", "(no release id)"))
    nav = "".join(f'<li><a href="#{s.id}">{_esc(s.heading)}</a></li>' for s in sections)
    body = "\n".join(
        f'<section id="{s.id}">\n<h2>{_esc(s.heading)}</h2>\n{s.body}\n</section>' for s in sections
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>speechcorpus release {release}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header>\n<h1>speechcorpus release {release}</h1>\n"
        f"<nav><ul>{nav}</ul></nav>\n</header>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def summary_markdown(tables: dict[str, pa.Table], manifest: dict) -> str:
    """The report's figures as Markdown, for the orchestrator's run page (a Prefect
    artifact): rows per table, rejects, noise per kind and per site, documents per site,
    duplicates, validation, and where the full report is. Document-derived text (site
    names, reasons) is HTML-escaped and ``|`` escaped, so it renders as text."""
    def table(header: list[str], rows: list[list]) -> str:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in rows]
        return "\n".join(lines)

    removals = _with_lengths(tables["removals"])
    by_kind = _ranked(_rows(removals.group_by("kind").aggregate([("chars", "sum"), ("chars", "count")]),
                            ["kind", "chars_sum", "chars_count"]))
    with_site = removals.join(_by_site(tables["documents"]).select(["doc_id", "site"]), "doc_id", join_type="left outer")
    by_site = _ranked(_rows(with_site.group_by("site").aggregate([("chars", "sum")]), ["site", "chars_sum"]))
    documents_by_site = _ranked(_value_counts(_by_site(tables["documents"]).column("site")))
    rejects = _value_counts(tables["rejects"].column("reason"))
    speech_kinds = dict(_value_counts(tables["speeches"].column("duplicate_kind")))
    paragraph_kinds = dict(_value_counts(tables["paragraphs"].column("duplicate_kind")))
    validation = manifest.get("validation") if isinstance(manifest.get("validation"), dict) else {}
    parts = [
        f"# speechcorpus release {_md(manifest.get('release_id', '(no release id)'))}",
        f"Validation **{_verdict(validation or None)}**; {_input_files(tables)} input file(s), "
        f"{tables['rejects'].num_rows} reject(s). Plots: `report.html` in the release folder.",
        table(["table", "rows"], [[name, tables[name].num_rows] for name in schemas.TABLES]),
        "## Rejects by reason\n\n" + (table(["reason", "rejects"], _ranked(rejects)) if rejects else "None."),
        "## Noise removed by kind\n\n" + (table(["kind", "characters", "spans"], by_kind) if by_kind else "Nothing."),
        "## Noise removed by site\n\n" + (table(["site", "characters"], by_site[:MAX_CATEGORIES]) if by_site else "Nothing."),
        "## Documents by site\n\n" + (table(["site", "documents"], documents_by_site[:MAX_CATEGORIES]) if documents_by_site else "None."),
        "## Duplicates\n\n" + table(["kind", "speeches", "paragraphs"],
                                      [[k, speech_kinds.get(k, 0), paragraph_kinds.get(k, 0)] for k in schemas.DUPLICATE_KINDS]),
        "## Validation\n\n" + table(["table", "expectations", "failed"],
                                      [[name, r.get("evaluated"), r.get("failed")] for name, r in validation.get("tables", {}).items()]),
    ]
    return "\n\n".join(parts) + "\n"


def _md(value: object) -> str:
    return _esc(NOT_RECORDED if value is None else str(value)).replace("|", "\\|").replace("\n", " ")


# Sections ------------------------------------------------------------------------------


def _summary(tables: dict[str, pa.Table], manifest: dict) -> _Section:
    facts = [
        ("release", manifest.get("release_id")),
        ("created", manifest.get("created_at")),
        ("pipeline version", manifest.get("pipeline_version")),
        ("schema version", manifest.get("schema_version")),
        ("validation", _verdict(manifest.get("validation"))),
        ("input files", _input_files(tables)),
    ]
    items = "".join(f"<dt>{_esc(k)}</dt><dd>{_cell(NOT_RECORDED if v is None else v)}</dd>" for k, v in facts)
    parts = [
        f'<dl class="facts">{items}</dl>',
        _table(["table", "rows"], [[name, tables[name].num_rows] for name in schemas.TABLES],
               caption="Rows per table", table_id="row-counts"),
        _rejects_by_reason(tables["rejects"]),
    ]
    changes = manifest.get("changes")
    if isinstance(changes, dict) and isinstance(changes.get("files"), dict):
        rows = [[kind, n] for kind, n in changes["files"].items()]
        if "documents_carried_over" in changes:
            rows.append(["documents carried over", changes["documents_carried_over"]])
        parts.append(_table(["input files", "count"], rows, caption="Changes since the previous release"))
    return _Section("summary", "Summary", "\n".join(parts))


def _input_files(tables: dict[str, pa.Table]) -> int:
    # A corpus file yields many documents and rejects, so count paths, not rows.
    paths = pa.chunked_array(
        tables["documents"].column("source_path").chunks + tables["rejects"].column("source_path").chunks,
        pa.string(),
    )
    return len(pc.unique(paths))


def _rejects_by_reason(rejects: pa.Table) -> str:
    if rejects.num_rows == 0:
        return _no_data("No input was rejected.")
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
    return _table(["reason", "rejects", "example"], rows, caption="Rejected inputs by reason")


def _paragraphs_per_speech(speeches: pa.Table) -> _Section:
    # The speech's own count rather than a group-by of paragraphs: a speech cleaning left
    # without paragraphs is a bar at 0, not missing.
    values = speeches.column("paragraph_count").to_numpy()
    intro = "How many paragraphs each speech has. Hover a bar for its exact count."
    return _Section("paragraphs-per-speech", "Paragraphs per speech", _histogram_body(
        values, intro, "No speeches in this release.",
        x_label="paragraphs per speech", counted=("speech", "speeches")))


def _paragraph_length(paragraphs: pa.Table) -> _Section:
    values = paragraphs.column("char_count").to_numpy()
    intro = ("Paragraph length in characters (code points). Very short paragraphs are often "
             "leftover noise; the last bin gathers the longest 1%.")
    return _Section("paragraph-length", "Paragraph length", _histogram_body(
        values, intro, "No paragraphs in this release.",
        x_label="paragraph length in characters", counted=("paragraph", "paragraphs")))


def _histogram_body(values: np.ndarray, intro: str, empty: str, x_label: str,
                    counted: tuple[str, str]) -> str:
    if values.size == 0:
        return _no_data(empty)
    median, p90 = np.percentile(values, [50, 90], method="nearest")
    stats = (f"{values.size:,} {counted[1]}; median {int(median):,}, 90th percentile {int(p90):,}, "
             f"max {int(values.max()):,}.")
    bars = _histogram(values, x_label, counted)
    chart = _column_chart(bars, f"Histogram of {x_label}", x_label, f"number of {counted[1]}")
    return f'<p>{_esc(intro)}</p>\n<p class="stats">{_esc(stats)}</p>\n{chart}'


def _noise_by_kind(removals: pa.Table) -> _Section:
    intro = ("Characters cleaning removed from the sources, by the kind of noise the matching "
             "rule names; the text beside each bar counts the removed spans.")
    if removals.num_rows == 0:
        return _Section("noise-by-kind", "Noise removed by kind", _no_data("Nothing was removed."))
    grouped = _with_lengths(removals).group_by("kind").aggregate([("chars", "sum"), ("chars", "count")])
    rows = _top(_ranked(_rows(grouped, ["kind", "chars_sum", "chars_count"])), "kinds")
    bars = [
        Bar(kind, chars, f"{kind}: {_count(chars, 'character')} removed in {_count(spans, 'span')}",
            note=f"{chars:,} chars · {_count(spans, 'span')}", muted=_is_catch_all(kind))
        for kind, chars, spans in rows
    ]
    chart = _bar_chart(bars, "Removed characters by noise kind", "kind", "characters removed")
    return _Section("noise-by-kind", "Noise removed by kind", f"<p>{_esc(intro)}</p>\n{chart}")


def _noise_by_site(removals: pa.Table, documents: pa.Table) -> _Section:
    intro = ("Characters removed per site family, and their share of that site's source "
             "characters: a share far above the others points at a rule that cuts too much.")
    if removals.num_rows == 0:
        return _Section("noise-by-site", "Noise removed by site", _no_data("Nothing was removed."))
    # Aggregate per document first: documents are far fewer than removed spans, so the join is small.
    per_doc = _with_lengths(removals).group_by("doc_id").aggregate([("chars", "sum"), ("chars", "count")])
    joined = per_doc.join(documents.select(["doc_id", "site"]), "doc_id", join_type="left outer")
    by_site = pa.table({
        "site": pc.fill_null(joined.column("site"), UNKNOWN_SITE),
        "chars": joined.column("chars_sum"),
        "spans": joined.column("chars_count"),
    }).group_by("site").aggregate([("chars", "sum"), ("spans", "sum")])
    source = dict(_rows(_by_site(documents).group_by("site").aggregate([("char_count", "sum")]),
                        ["site", "char_count_sum"]))
    rows = _top(_ranked(_rows(by_site, ["site", "chars_sum", "spans_sum"])), "sites")
    bars = []
    for site, chars, spans in rows:
        share = f" ({chars / source[site]:.1%} of its source)" if source.get(site) else ""
        bars.append(Bar(site, chars, f"{site}: {_count(chars, 'character')} removed in "
                                     f"{_count(spans, 'span')}{share}",
                        note=f"{chars:,} chars{share}", muted=_is_catch_all(site)))
    chart = _bar_chart(bars, "Removed characters by site", "site", "characters removed")
    return _Section("noise-by-site", "Noise removed by site", f"<p>{_esc(intro)}</p>\n{chart}")


def _documents_by_site(documents: pa.Table) -> _Section:
    intro = (f"Documents per site family whose page layout was recognised; "
             f"“{UNKNOWN_SITE}” documents were cleaned by the generic rules only.")
    if documents.num_rows == 0:
        return _Section("documents-by-site", "Documents by site",
                        _no_data("No documents in this release."))
    counted = _by_site(documents).group_by("site").aggregate([("doc_id", "count")])
    rows = _top(_ranked(_rows(counted, ["site", "doc_id_count"])), "sites")
    bars = [Bar(site, n, f"{site}: {_count(n, 'document')}", muted=_is_catch_all(site))
            for site, n in rows]
    chart = _bar_chart(bars, "Documents by site", "site", "documents")
    return _Section("documents-by-site", "Documents by site", f"<p>{_esc(intro)}</p>\n{chart}")


def _documents_by_year(documents: pa.Table, speeches: pa.Table) -> _Section:
    parts = ["<p>Documents by the year their page says they were published, and speeches by the "
             "year they were delivered, where the text states it.</p>"]
    for table, column, what, noun, plural in (
        (documents, "published_date", "Documents by year published", "document", "documents"),
        (speeches, "delivered_on", "Speeches by year delivered", "speech", "speeches"),
    ):
        if table.num_rows == 0:
            parts.append(_no_data(f"{what}: no {plural} in this release."))
            continue
        counts = _value_counts(pc.year(table.column(column)))
        # Chronological, unknown last: a year axis sorted by count would hide the trend.
        ordered = sorted(counts, key=lambda kv: (kv[0] is None, kv[0] or 0))
        labels = [UNKNOWN if year is None else str(year) for year, _ in ordered]
        bars = [Bar(label, n, f"{label}: {_count(n, noun, plural)}", muted=label == UNKNOWN)
                for label, (_, n) in zip(labels, ordered)]
        parts.append(_bar_chart(bars, what, "year", plural))
    return _Section("documents-by-year", "Documents and speeches by year", "\n".join(parts))


def _duplicates(tables: dict[str, pa.Table], settings: dict | None) -> _Section:
    speeches, paragraphs = tables["speeches"], tables["paragraphs"]
    parts = ["<p>Nothing is dropped as a duplicate: each speech names its cluster's canonical speech, "
             "and a duplicate names the record it repeats and how (exact, near or contained).</p>"]
    if isinstance(settings, dict) and "threshold" in settings:
        rule = (f"near: MinHash Jaccard similarity ≥ {settings['threshold']}; contained: ≥ "
                f"{settings.get('containment')} of the speech's paragraph text found in the other speech.")
        parts.append(f'<p class="stats">{_esc(rule)}</p>')
    speech_kinds = dict(_value_counts(speeches.column("duplicate_kind")))
    paragraph_kinds = dict(_value_counts(paragraphs.column("duplicate_kind")))
    parts.append(_table(
        ["kind", "speeches", "paragraphs"],
        [[kind, speech_kinds.get(kind, 0), paragraph_kinds.get(kind, 0)]
         for kind in schemas.DUPLICATE_KINDS],
        caption="Records marked as duplicates, by kind",
    ))
    sizes = speeches.group_by("duplicate_cluster").aggregate([("speech_id", "count")])
    sizes = sizes.filter(pc.greater_equal(sizes.column("speech_id_count"), 2))
    if sizes.num_rows == 0:
        parts.append(_no_data("No cluster holds more than one speech."))
        return _Section("duplicates", "Duplicates", "\n".join(parts))
    bars = _histogram(sizes.column("speech_id_count").to_numpy(), "cluster size",
                      ("cluster", "clusters"))
    parts.append(_column_chart(bars, "Duplicate clusters by number of speeches",
                               "speeches in the cluster", "number of clusters"))
    largest = sizes.sort_by([("speech_id_count", "descending"), ("duplicate_cluster", "ascending")])
    parts.append(_largest_clusters(largest.slice(0, TOP_CLUSTERS), sizes.num_rows, speeches,
                                   tables["documents"]))
    return _Section("duplicates", "Duplicates", "\n".join(parts))


def _largest_clusters(clusters: pa.Table, total: int, speeches: pa.Table, documents: pa.Table) -> str:
    """``clusters`` (the largest of ``total``) by title and site: the canonical speech, then
    the speeches that duplicate it, most similar first."""
    in_clusters = pc.is_in(speeches.column("duplicate_cluster"),
                           value_set=clusters.column("duplicate_cluster").combine_chunks())
    members = speeches.filter(in_clusters).select(
        ["speech_id", "doc_id", "title", "duplicate_kind", "duplicate_score", "duplicate_cluster"])
    their_docs = _by_site(documents.filter(
        pc.is_in(documents.column("doc_id"), value_set=pc.unique(members.column("doc_id")))))
    site_of = dict(_rows(their_docs, ["doc_id", "site"]))
    by_cluster: dict[str, list[dict]] = {}
    for m in members.to_pylist():
        by_cluster.setdefault(m["duplicate_cluster"], []).append(m)
    kind_order = {k: i for i, k in enumerate(schemas.DUPLICATE_KINDS)}
    rows = []
    for cluster, size in _rows(clusters, ["duplicate_cluster", "speech_id_count"]):
        group = by_cluster[cluster]
        canonical = next((m for m in group if m["speech_id"] == cluster), None)
        others = sorted((m for m in group if m["speech_id"] != cluster),
                        key=lambda m: (kind_order.get(m["duplicate_kind"], len(kind_order)),
                                       -(m["duplicate_score"] or 0), m["title"] or "", m["speech_id"]))
        listed = "".join(
            f"<li>{_esc(_speech_name(m, site_of))} — {_esc(m['duplicate_kind'] or 'unmarked')}"
            f"{_esc(_score(m['duplicate_score']))}</li>"
            for m in others[:MAX_MEMBERS]
        )
        if len(others) > MAX_MEMBERS:
            listed += f"<li>… and {len(others) - MAX_MEMBERS:,} more</li>"
        name = _speech_name(canonical, site_of) if canonical else f"(speech {cluster} not in this release)"
        rows.append([size, name, _Html(f"<ul>{listed}</ul>")])
    return _table(["speeches", "canonical speech", "duplicates (kind, score)"], rows,
                  caption=f"Largest clusters ({len(rows):,} of {total:,} with two or more speeches)",
                  table_id="largest-clusters")


def _speech_name(speech: dict, site_of: dict[str, str]) -> str:
    title = speech["title"] or f"(untitled speech {speech['speech_id']})"
    return f"{title} [{site_of.get(speech['doc_id'], UNKNOWN_SITE)}]"


def _score(score: float | None) -> str:
    return "" if score is None else f", {score:.2f}"


def rows_checked(result: dict) -> str | None:
    """``12 of 133,028``: the rows of a table's validation result checked row by row, of
    all its rows; None when the manifest does not say."""
    if isinstance(result.get("rows_checked"), int) and isinstance(result.get("rows"), int):
        return f"{result['rows_checked']:,} of {result['rows']:,}"
    return None


def _validation(validation: object) -> _Section:
    if not isinstance(validation, dict) or not isinstance(validation.get("tables"), dict):
        return _Section("validation", "Validation",
                        _no_data("No validation results were recorded in the manifest."))
    verdict = _verdict(validation)
    rows, failures = [], []
    for name, result in validation["tables"].items():
        result = result if isinstance(result, dict) else {}
        rows.append([name, rows_checked(result) or NOT_RECORDED, result.get("evaluated", NOT_RECORDED), result.get("failed", NOT_RECORDED),
                     _verdict(result)])
        failures += [str(line) for line in result.get("failures") or ()]  # each names its table and column
    parts = [
        f'<p>Overall: <span class="verdict-{verdict.replace(" ", "-")}">{verdict}</span>. Every table '
        "is checked against the expectations derived from its schema before the release is published: "
        "uniqueness and references on every row, the other expectations on every row a full build "
        "writes and on the new or changed rows of an incremental one (the others passed the same "
        "suites in the release it builds on).</p>",
        _table(["table", "rows checked", "expectations evaluated", "failed", "result"], rows,
               caption="Validation per table", table_id="validation-results"),
    ]
    if failures:
        listed = "".join(f"<li>{_esc(line)}</li>" for line in failures[:MAX_FAILURES])
        more = (f"<p>… and {len(failures) - MAX_FAILURES:,} more in manifest.json.</p>"
                if len(failures) > MAX_FAILURES else "")
        parts.append(f"<h3>Failed expectations</h3>\n<ul>{listed}</ul>{more}")
    return _Section("validation", "Validation", "\n".join(parts))


def _verdict(result: object) -> str:
    if not isinstance(result, dict) or "success" not in result:
        return NOT_RECORDED
    return "passed" if result["success"] else "failed"


# Aggregation helpers ---------------------------------------------------------------------


def _with_lengths(removals: pa.Table) -> pa.Table:
    """``removals`` with ``chars``, the length of each removed span."""
    return removals.append_column(
        "chars", pc.subtract(removals.column("source_end"), removals.column("source_start")))


def _by_site(documents: pa.Table) -> pa.Table:
    """``documents`` with ``site`` null replaced by the generic label."""
    index = documents.schema.get_field_index("site")
    return documents.set_column(index, "site", pc.fill_null(documents.column("site"), UNKNOWN_SITE))


def _rows(table: pa.Table, columns: list[str]) -> list[tuple]:
    """``columns`` of a (small, aggregated) ``table`` as tuples."""
    return list(zip(*(table.column(c).to_pylist() for c in columns)))


def _ranked(rows: list[tuple]) -> list[tuple]:
    """(label, value, …) rows by descending value, ties by label: a stable order whatever
    order the group-by returned."""
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def _value_counts(values: pa.ChunkedArray) -> list[tuple[object, int]]:
    """(value, count) pairs, null included as None, most frequent first."""
    counts = [(vc["values"], vc["counts"]) for vc in pc.value_counts(values).to_pylist()]
    return sorted(counts, key=lambda kv: (-kv[1], kv[0] is None, str(kv[0])))


def _top(rows: list[tuple], what: str) -> list[tuple]:
    """``rows`` (label, numbers…) with those past ``MAX_CATEGORIES`` summed into one "other" row."""
    if len(rows) <= MAX_CATEGORIES:
        return rows
    head, tail = rows[:MAX_CATEGORIES - 1], rows[MAX_CATEGORIES - 1:]
    sums = [sum(r[i] for r in tail) for i in range(1, len(tail[0]))]
    return [*head, (f"{_OTHER}{len(tail):,} {what})", *sums)]


_OTHER = "other ("


def _is_catch_all(label: str) -> bool:
    """Whether a bar stands for no single category: unknown site or year, or merged "other"."""
    return label in (UNKNOWN_SITE, UNKNOWN) or label.startswith(_OTHER)


def _histogram(values: np.ndarray, x_label: str, counted: tuple[str, str]) -> list[Bar]:
    """Bars of fixed-width integer bins up to the 99th percentile, then one overflow bin.

    Why the cut: lengths have a long tail (one 20,000-character paragraph among thousands
    of 200), and bins stretched over it would squeeze the bulk into one bar. Bin widths
    are 1, 2, 5, 10, 20… so bin edges are round numbers.
    """
    low, top = int(values.min()), int(np.percentile(values, 99, method="higher"))
    width = _nice_step((top - low + 1) / MAX_BINS)
    start = low // width * width
    count = (top - start) // width + 1
    cap = start + count * width
    counts = np.bincount((np.minimum(values, cap) - start) // width, minlength=count + 1)
    bars = []
    for i, n in enumerate(counts[:count].tolist()):
        first = start + i * width
        label = f"{first:,}" if width == 1 else f"{first:,}–{first + width - 1:,}"
        bars.append(Bar(label, n, f"{x_label} {label}: {_count(n, *counted)}"))
    if counts[count]:
        n = int(counts[count])
        bars.append(Bar(f"≥{cap:,}", n, f"{x_label} ≥{cap:,}: {_count(n, *counted)}", muted=True))
    return bars


def _nice_step(raw: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that is at least ``raw``.

    >>> [_nice_step(x) for x in (0, 0.3, 1, 3, 36, 101)]
    [1, 1, 1, 5, 50, 200]
    """
    step = 1
    while True:
        for multiple in (1, 2, 5):
            if step * multiple >= raw:
                return step * multiple
        step *= 10


def _ticks(top: int) -> list[int]:
    """Round axis ticks from 0 to at least ``top``, at most five intervals.

    >>> _ticks(38), _ticks(0), _ticks(176)
    ([0, 10, 20, 30, 40], [0, 1], [0, 50, 100, 150, 200])
    """
    step = _nice_step(top / 5)
    return [i * step for i in range(max(1, math.ceil(top / step)) + 1)]


def _count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with thousands separators and the noun in the right number.

    >>> _count(1, "speech", "speeches"), _count(1234, "span")
    ('1 speech', '1,234 spans')
    """
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


# Drawing ---------------------------------------------------------------------------------

_WIDTH = 720


def _column_chart(bars: list[Bar], title: str, x_label: str, y_label: str) -> str:
    """A vertical bar chart (a histogram): bins along x, counts up y."""
    left, right, top, bottom = 64, 16, 16, 60
    height = 300
    plot_w, plot_h = _WIDTH - left - right, height - top - bottom
    ticks = _ticks(max(b.value for b in bars))
    scale = plot_h / ticks[-1]
    # Capped so that two or three bins are bars, not blocks filling the plot.
    slot = min(plot_w / len(bars), 60)
    # Label every n-th bin so neighbouring labels never overlap, and always the overflow
    # bin, whose label says where the tail starts.
    every = math.ceil((max(_text_width(b.label, 11) for b in bars) + 8) / slot)
    labelled = set(range(0, len(bars), every))
    if bars[-1].muted:
        labelled = {i for i in labelled if i <= len(bars) - 1 - every} | {len(bars) - 1}
    base = top + plot_h
    out = [_svg_open(height, title)]
    for t in ticks:
        y = base - t * scale
        out.append(f'<line class="grid" x1="{left}" x2="{_WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{t:,}</text>')
    gap = min(2.0, slot * 0.2)
    for i, b in enumerate(bars):
        x, h = left + i * slot + gap / 2, b.value * scale
        out.append(f'<rect class="bar{" muted" if b.muted else ""}" x="{x:.1f}" y="{base - h:.1f}" '
                   f'width="{slot - gap:.1f}" height="{h:.1f}"><title>{_esc(b.tooltip)}</title></rect>')
        if i in labelled:
            out.append(f'<text class="tick" x="{x + (slot - gap) / 2:.1f}" y="{base + 16}" '
                       f'text-anchor="middle">{_esc(b.label)}</text>')
    out.append(f'<line class="axis" x1="{left}" x2="{_WIDTH - right}" y1="{base}" y2="{base}"/>')
    out.append(f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{height - 12}" '
               f'text-anchor="middle">{_esc(x_label)}</text>')
    mid = top + plot_h / 2
    out.append(f'<text class="axis-label" x="16" y="{mid:.1f}" text-anchor="middle" '
               f'transform="rotate(-90 16 {mid:.1f})">{_esc(y_label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _bar_chart(bars: list[Bar], title: str, category_label: str, value_label: str) -> str:
    """A horizontal bar chart: one labelled row per category, values along x."""
    row, top = 22, 28
    labels = [_fit(b.label, 220) for b in bars]
    notes = [b.note or f"{b.value:,}" for b in bars]
    left = max(60, max(_text_width(label) for label in labels) + 16)
    plot_w = _WIDTH - left - max(_text_width(n) for n in notes) - 16
    ticks = _ticks(max(b.value for b in bars))
    scale = plot_w / ticks[-1]
    base = top + len(bars) * row
    height = base + 44
    out = [_svg_open(height, title),
           f'<text class="axis-label" x="{left - 8}" y="16" text-anchor="end">{_esc(category_label)}</text>']
    for t in ticks:
        x = left + t * scale
        out.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{base}"/>'
                   f'<text class="tick" x="{x:.1f}" y="{base + 14}" text-anchor="middle">{t:,}</text>')
    for i, (b, label, note) in enumerate(zip(bars, labels, notes)):
        y, w = top + i * row, b.value * scale
        out.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{_esc(label)}</text>'
                   f'<rect class="bar{" muted" if b.muted else ""}" x="{left}" y="{y + 3}" width="{w:.1f}" '
                   f'height="{row - 6}"><title>{_esc(b.tooltip)}</title></rect>'
                   f'<text class="tick" x="{left + w + 6:.1f}" y="{y + 15}">{_esc(note)}</text>')
    out.append(f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{base}"/>')
    out.append(f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{height - 8}" '
               f'text-anchor="middle">{_esc(value_label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _svg_open(height: int, title: str) -> str:
    return (f'<svg class="plot" role="img" aria-label="{_esc(title)}" viewBox="0 0 {_WIDTH} {height}" '
            f'width="{_WIDTH}" height="{height}">')


def _text_width(text: str, size: int = 12) -> float:
    """Estimated rendered width in pixels: full-width (Han) characters take a whole em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in text)


def _fit(text: str, width: float) -> str:
    """``text`` cut with "…" to fit ``width`` pixels; the bar's tooltip keeps it whole.

    >>> _fit("统筹推进疫情防控和经济社会发展工作", 96)
    '统筹推进疫情防…'
    """
    if _text_width(text) <= width:
        return text
    while text and _text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


# HTML helpers ----------------------------------------------------------------------------


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _is_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _cell(value: object) -> str:
    if isinstance(value, _Html):
        return value
    return f"{value:,}" if _is_number(value) else _esc(value)


def _table(header: list[str], rows: list[list], caption: str, table_id: str | None = None) -> str:
    """A data table; numbers are right-aligned, text is escaped, ``_Html`` is inserted as is."""
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num">{_cell(v)}</td>' if _is_number(v) else f"<td>{_cell(v)}</td>"
            for v in row
        ) + "</tr>\n"
        for row in rows
    )
    ident = f' id="{table_id}"' if table_id else ""
    return (f'<table class="data"{ident}>\n<caption>{_esc(caption)}</caption>\n'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>")


def _no_data(message: str) -> str:
    return f'<p class="empty">{_esc(message)}</p>'

"""The report page: the sections in order, in one self-contained HTML document.

``render`` turns a release's tables and manifest into ``report.html``: what a maintainer
checks after a nightly build (row counts, rejects, noise removed, validation) and what a
researcher looks at to judge the data (paragraph lengths, sites, years, duplicates).
``summary_markdown`` gives the same figures as Markdown for the orchestrator's run page.
"""

from __future__ import annotations

import pyarrow as pa

import schemas
from pipeline.errors import ConfigError
from pipeline.release import markdown
from pipeline.release.report import aggregate, changes, documents, duplicates, lengths, noise, summary, validation
from pipeline.release.report.aggregate import MAX_CATEGORIES
from pipeline.release.report.markup import NOT_RECORDED, esc

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


def render(tables: dict[str, pa.Table], manifest: dict, speech_changes: dict | None = None) -> str:
    """The release's ``report.html``: a summary, what changed, one section per plot, and
    validation.

    ``tables`` are the release's tables (any may have no rows); ``manifest`` is the
    release manifest, and a key it lacks is shown as not recorded, never an error;
    ``speech_changes`` the speeches changed since the previous release, as the release's
    ``changes.json`` holds them (None: no previous release).
    """
    missing = [name for name in schemas.TABLES if name not in tables]
    if missing:
        raise ConfigError(f"render needs every table of the schema; missing: {missing}, "
                          f"given: {sorted(tables)}, expected: {list(schemas.TABLES)}")
    sections = (
        summary.section(tables, manifest),
        changes.section(manifest, speech_changes),
        lengths.paragraphs_per_speech(tables["speeches"]),
        lengths.paragraph_length(tables["paragraphs"]),
        noise.by_kind(tables["removals"]),
        noise.by_site(tables["removals"], tables["documents"]),
        documents.by_site(tables["documents"]),
        documents.by_year(tables["documents"], tables["speeches"]),
        duplicates.section(tables, manifest.get("deduplication")),
        validation.section(manifest.get("validation"), tables["rejects"]),
    )
    release = esc(manifest.get("release_id", "(no release id)"))
    nav = "".join(f'<li><a href="#{s.id}">{esc(s.heading)}</a></li>' for s in sections)
    body = "\n".join(
        f'<section id="{s.id}">\n<h2>{esc(s.heading)}</h2>\n{s.body}\n</section>' for s in sections
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
        return markdown.table(header, [[_md(v) for v in row] for row in rows]).rstrip("\n")

    removals = aggregate.with_lengths(tables["removals"])
    noise_by_kind = aggregate.ranked(aggregate.rows(
        removals.group_by("kind").aggregate([("chars", "sum"), ("chars", "count")]), ["kind", "chars_sum", "chars_count"]))
    with_site = removals.join(aggregate.by_site(tables["documents"]).select(["doc_id", "site"]), "doc_id",
                              join_type="left outer")
    noise_by_site = aggregate.ranked(aggregate.rows(
        with_site.group_by("site").aggregate([("chars", "sum")]), ["site", "chars_sum"]))
    documents_by_site = aggregate.ranked(aggregate.value_counts(aggregate.by_site(tables["documents"]).column("site")))
    rejects = aggregate.value_counts(tables["rejects"].column("reason"))
    speech_kinds = dict(aggregate.value_counts(tables["speeches"].column("duplicate_kind")))
    paragraph_kinds = dict(aggregate.value_counts(tables["paragraphs"].column("duplicate_kind")))
    results = manifest.get("validation") if isinstance(manifest.get("validation"), dict) else {}
    parts = [
        f"# speechcorpus release {_md(manifest.get('release_id', '(no release id)'))}",
        f"Validation **{validation.verdict(results or None)}**; {summary.input_files(tables)} input file(s), "
        f"{tables['rejects'].num_rows} reject(s). Plots: `report.html` in the release folder.",
        table(["table", "rows"], [[name, tables[name].num_rows] for name in schemas.TABLES]),
        "## Rejects by reason\n\n" + (table(["reason", "rejects"], aggregate.ranked(rejects)) if rejects else "None."),
        "## Noise removed by kind\n\n" + (table(["kind", "characters", "spans"], noise_by_kind) if noise_by_kind else "Nothing."),
        "## Noise removed by site\n\n" + (table(["site", "characters"], noise_by_site[:MAX_CATEGORIES]) if noise_by_site else "Nothing."),
        "## Documents by site\n\n" + (table(["site", "documents"], documents_by_site[:MAX_CATEGORIES]) if documents_by_site else "None."),
        "## Duplicates\n\n" + table(["kind", "speeches", "paragraphs"],
                                      [[k, speech_kinds.get(k, 0), paragraph_kinds.get(k, 0)] for k in schemas.DUPLICATE_KINDS]),
        "## Validation\n\n" + table(["table", "expectations", "failed"],
                                      [[name, r.get("evaluated"), r.get("failed")] for name, r in results.get("tables", {}).items()]),
    ]
    return "\n\n".join(parts) + "\n"


def _md(value: object) -> str:
    """A value's text, inert in Markdown (``markdown.table`` escapes what cells need)."""
    return markdown.inert(NOT_RECORDED if value is None else str(value))

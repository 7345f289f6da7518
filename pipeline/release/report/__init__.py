"""The release report: one self-contained HTML page of plots and tables.

``render(tables, manifest)`` gives a release's ``report.html``; ``summary_markdown`` the
same figures for the orchestrator's run page; ``rows_checked`` the "checked of all rows"
phrase the dataset card shares with the page.

The plots are hand-written SVG, so the page needs nothing but a browser: no script, no
fetched resource, and the same release always gives the same bytes. Every string that
comes from a document (titles, site names, paths, reject details) is HTML-escaped, since
a scraped title is attacker-controlled text.

    page.py        render and summary_markdown: the sections in order, the page around them
    summary.py     release facts, rows per table, rejects
    changes.py     input files and speeches changed since the previous release (capped list)
    lengths.py     paragraphs per speech, paragraph length (histograms)
    noise.py       removed characters by noise kind and by site
    documents.py   documents by site, documents and speeches by year
    duplicates.py  duplicate kinds, cluster sizes, the largest clusters
    validation.py  the validation results the manifest records
    aggregate.py   release tables to ranked rows (site labels, "other", value counts)
    charts.py      histogram bins, bar and column charts as SVG, label fitting
    markup.py      escaping, data tables, sections, no-data notes
"""

from pipeline.release.report.page import render, summary_markdown
from pipeline.release.report.validation import rows_checked

__all__ = ["render", "rows_checked", "summary_markdown"]

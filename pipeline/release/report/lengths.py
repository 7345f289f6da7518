"""The report's length sections: histograms of paragraphs per speech and paragraph length."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from pipeline.release.report import charts
from pipeline.release.report.markup import Section, esc, no_data


def paragraphs_per_speech(speeches: pa.Table) -> Section:
    """A histogram of how many paragraphs each speech has."""
    # The speech's own count rather than a group-by of paragraphs: a speech cleaning left
    # without paragraphs is a bar at 0, not missing.
    values = speeches.column("paragraph_count").to_numpy()
    intro = "How many paragraphs each speech has. Hover a bar for its exact count."
    return Section("paragraphs-per-speech", "Paragraphs per speech", _histogram_body(
        values, intro, "No speeches in this release.",
        x_label="paragraphs per speech", counted=("speech", "speeches")))


def paragraph_length(paragraphs: pa.Table) -> Section:
    """A histogram of paragraph length in characters."""
    values = paragraphs.column("char_count").to_numpy()
    intro = ("Paragraph length in characters (code points). Very short paragraphs are often "
             "leftover noise; the last bin gathers the longest 1%.")
    return Section("paragraph-length", "Paragraph length", _histogram_body(
        values, intro, "No paragraphs in this release.",
        x_label="paragraph length in characters", counted=("paragraph", "paragraphs")))


def _histogram_body(values: np.ndarray, intro: str, empty: str, x_label: str,
                    counted: tuple[str, str]) -> str:
    if values.size == 0:
        return no_data(empty)
    median, p90 = np.percentile(values, [50, 90], method="nearest")
    stats = (f"{values.size:,} {counted[1]}; median {int(median):,}, 90th percentile {int(p90):,}, "
             f"max {int(values.max()):,}.")
    bars = charts.histogram(values, x_label, counted)
    chart = charts.column_chart(bars, f"Histogram of {x_label}", x_label, f"number of {counted[1]}")
    return f'<p>{esc(intro)}</p>\n<p class="stats">{esc(stats)}</p>\n{chart}'

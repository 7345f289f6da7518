"""The report's chart toolkit: histogram bins, bar and column charts as inline SVG.

Hand-written SVG, so the page needs nothing but a browser (no script, no fetched
resource) and the same bars always give the same bytes. Labels are fitted with an
estimate of rendered width in which a Han character takes a whole em.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import numpy as np

from pipeline.release.report.markup import esc

#: Histograms aim at no more bins than this (before the overflow bin).
MAX_BINS = 25
#: The width of every chart's viewBox, in pixels.
WIDTH = 720


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its axis label, length, hover text and the text beside it."""

    label: str
    value: int
    tooltip: str
    note: str = ""
    #: Drawn grey: a catch-all (overflow bin, unknown, other), not a real category.
    muted: bool = False


def histogram(values: np.ndarray, x_label: str, counted: tuple[str, str]) -> list[Bar]:
    """Bars of fixed-width integer bins up to the 99th percentile, then one overflow bin.

    Why the cut: lengths have a long tail (one 20,000-character paragraph among thousands
    of 200), and bins stretched over it would squeeze the bulk into one bar. Bin widths
    are 1, 2, 5, 10, 20… so bin edges are round numbers.
    """
    low, top = int(values.min()), int(np.percentile(values, 99, method="higher"))
    width = nice_step((top - low + 1) / MAX_BINS)
    start = low // width * width
    bins = (top - start) // width + 1
    cap = start + bins * width
    counts = np.bincount((np.minimum(values, cap) - start) // width, minlength=bins + 1)
    bars = []
    for i, n in enumerate(counts[:bins].tolist()):
        first = start + i * width
        label = f"{first:,}" if width == 1 else f"{first:,}–{first + width - 1:,}"
        bars.append(Bar(label, n, f"{x_label} {label}: {count(n, *counted)}"))
    if counts[bins]:
        n = int(counts[bins])
        bars.append(Bar(f"≥{cap:,}", n, f"{x_label} ≥{cap:,}: {count(n, *counted)}", muted=True))
    return bars


def nice_step(raw: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that is at least ``raw``.

    >>> [nice_step(x) for x in (0, 0.3, 1, 3, 36, 101)]
    [1, 1, 1, 5, 50, 200]
    """
    step = 1
    while True:
        for multiple in (1, 2, 5):
            if step * multiple >= raw:
                return step * multiple
        step *= 10


def ticks(top: int) -> list[int]:
    """Round axis ticks from 0 to at least ``top``, at most five intervals.

    >>> ticks(38), ticks(0), ticks(176)
    ([0, 10, 20, 30, 40], [0, 1], [0, 50, 100, 150, 200])
    """
    step = nice_step(top / 5)
    return [i * step for i in range(max(1, math.ceil(top / step)) + 1)]


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with thousands separators and the noun in the right number.

    >>> count(1, "speech", "speeches"), count(1234, "span")
    ('1 speech', '1,234 spans')
    """
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def column_chart(bars: list[Bar], title: str, x_label: str, y_label: str) -> str:
    """A vertical bar chart (a histogram): bins along x, counts up y."""
    left, right, top, bottom = 64, 16, 16, 60
    height = 300
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    y_ticks = ticks(max(b.value for b in bars))
    scale = plot_h / y_ticks[-1]
    # Capped so that two or three bins are bars, not blocks filling the plot.
    slot = min(plot_w / len(bars), 60)
    # Label every n-th bin so neighbouring labels never overlap, and always the overflow
    # bin, whose label says where the tail starts.
    every = math.ceil((max(text_width(b.label, 11) for b in bars) + 8) / slot)
    labelled = set(range(0, len(bars), every))
    if bars[-1].muted:
        labelled = {i for i in labelled if i <= len(bars) - 1 - every} | {len(bars) - 1}
    base = top + plot_h
    out = [_svg_open(height, title)]
    for t in y_ticks:
        y = base - t * scale
        out.append(f'<line class="grid" x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{t:,}</text>')
    gap = min(2.0, slot * 0.2)
    for i, b in enumerate(bars):
        x, h = left + i * slot + gap / 2, b.value * scale
        out.append(f'<rect class="bar{" muted" if b.muted else ""}" x="{x:.1f}" y="{base - h:.1f}" '
                   f'width="{slot - gap:.1f}" height="{h:.1f}"><title>{esc(b.tooltip)}</title></rect>')
        if i in labelled:
            out.append(f'<text class="tick" x="{x + (slot - gap) / 2:.1f}" y="{base + 16}" '
                       f'text-anchor="middle">{esc(b.label)}</text>')
    out.append(f'<line class="axis" x1="{left}" x2="{WIDTH - right}" y1="{base}" y2="{base}"/>')
    out.append(f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{height - 12}" '
               f'text-anchor="middle">{esc(x_label)}</text>')
    mid = top + plot_h / 2
    out.append(f'<text class="axis-label" x="16" y="{mid:.1f}" text-anchor="middle" '
               f'transform="rotate(-90 16 {mid:.1f})">{esc(y_label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(bars: list[Bar], title: str, category_label: str, value_label: str) -> str:
    """A horizontal bar chart: one labelled row per category, values along x."""
    row, top = 22, 28
    labels = [fit(b.label, 220) for b in bars]
    notes = [b.note or f"{b.value:,}" for b in bars]
    left = max(60, max(text_width(label) for label in labels) + 16)
    plot_w = WIDTH - left - max(text_width(n) for n in notes) - 16
    x_ticks = ticks(max(b.value for b in bars))
    scale = plot_w / x_ticks[-1]
    base = top + len(bars) * row
    height = base + 44
    out = [_svg_open(height, title),
           f'<text class="axis-label" x="{left - 8}" y="16" text-anchor="end">{esc(category_label)}</text>']
    for t in x_ticks:
        x = left + t * scale
        out.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{base}"/>'
                   f'<text class="tick" x="{x:.1f}" y="{base + 14}" text-anchor="middle">{t:,}</text>')
    for i, (b, label, note) in enumerate(zip(bars, labels, notes)):
        y, w = top + i * row, b.value * scale
        out.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{esc(label)}</text>'
                   f'<rect class="bar{" muted" if b.muted else ""}" x="{left}" y="{y + 3}" width="{w:.1f}" '
                   f'height="{row - 6}"><title>{esc(b.tooltip)}</title></rect>'
                   f'<text class="tick" x="{left + w + 6:.1f}" y="{y + 15}">{esc(note)}</text>')
    out.append(f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{base}"/>')
    out.append(f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{height - 8}" '
               f'text-anchor="middle">{esc(value_label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _svg_open(height: int, title: str) -> str:
    return (f'<svg class="plot" role="img" aria-label="{esc(title)}" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}">')


def text_width(text: str, size: int = 12) -> float:
    """Estimated rendered width in pixels: full-width (Han) characters take a whole em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in text)


def fit(text: str, width: float) -> str:
    """``text`` cut with "…" to fit ``width`` pixels; the bar's tooltip keeps it whole.

    >>> fit("统筹推进疫情防控和经济社会发展工作", 96)
    '统筹推进疫情防…'
    """
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"

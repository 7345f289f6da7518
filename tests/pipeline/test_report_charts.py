"""Tests of the report's chart toolkit (pipeline.release.report.charts): histogram bins,
label fitting and the phrases bar tooltips use; the charts themselves are checked on the
rendered page in test_report.py."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.release.report import charts


@pytest.mark.parametrize("values, labels, counts", [
    # Few distinct values: one bin per value.
    ([0, 1, 1, 2], ["0", "1", "2"], [1, 2, 1]),
    # Cluster sizes start at 2, not 0.
    ([2, 2, 3], ["2", "3"], [2, 1]),
    # A wide range: round-width bins from 0.
    (list(range(1, 1000)), [f"{a:,}–{a + 49:,}" for a in range(0, 1000, 50)], [49] + [50] * 19),
    # One extreme value past the 99th percentile lands in a grey overflow bin.
    ([10] * 200 + [100_000], ["10"] + ["≥11"], [200, 1]),
])
def test_histogram_bins(values, labels, counts):
    bars = charts.histogram(np.array(values), "x", ("row", "rows"))
    assert [b.label for b in bars] == labels
    assert [b.value for b in bars] == counts
    assert [b.muted for b in bars] == [b.label.startswith("≥") for b in bars]


def test_histogram_counts_every_value():
    values = np.array([0, 3, 3, 7, 40, 41, 1_000_000])
    bars = charts.histogram(values, "x", ("row", "rows"))
    assert sum(b.value for b in bars) == values.size
    assert all(b.tooltip.startswith(f"x {b.label}: ") for b in bars)


@pytest.mark.parametrize("text, width, fitted", [
    ("short", 220, "short"),
    # Han characters take a whole em (12 px): 96 px holds seven and the ellipsis.
    ("统筹推进疫情防控和经济社会发展工作", 96, "统筹推进疫情防…"),
    # Latin letters take 0.6 em.
    ("a" * 40, 60, "a" * 7 + "…"),
    ("", 10, ""),
])
def test_fit_cuts_labels_to_the_width(text, width, fitted):
    assert charts.fit(text, width) == fitted
    assert charts.text_width(fitted) <= width or fitted == "…"


@pytest.mark.parametrize("top, ticks", [(0, [0, 1]), (5, [0, 1, 2, 3, 4, 5]), (38, [0, 10, 20, 30, 40]),
                                        (1001, [0, 500, 1000, 1500])])
def test_ticks_are_round_and_reach_the_top(top, ticks):
    assert charts.ticks(top) == ticks


@pytest.mark.parametrize("n, words, phrase", [
    (0, ("span",), "0 spans"), (1, ("span",), "1 span"), (1, ("speech", "speeches"), "1 speech"),
    (12345, ("speech", "speeches"), "12,345 speeches"),
])
def test_count_puts_the_noun_in_the_right_number(n, words, phrase):
    assert charts.count(n, *words) == phrase

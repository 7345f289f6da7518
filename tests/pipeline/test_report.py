"""Tests of pipeline.release.report on the real seed release: sections, plotted values, escaping,
well-formed and self-contained HTML, determinism, and an empty release."""

from __future__ import annotations

import datetime as dt
import html
import re
from html.parser import HTMLParser

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import schemas
from conftest import SEED
from pipeline import process, records, validate
from pipeline.corpus import enrich
from pipeline.release import describe, report
from pipeline.release.report import changes as report_changes
from pipeline.errors import ConfigError

SECTIONS = (
    "summary", "changes", "paragraphs-per-speech", "paragraph-length", "noise-by-kind", "noise-by-site",
    "documents-by-site", "documents-by-year", "duplicates", "validation",
)
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{SCRIPT} {IMG}"


@pytest.fixture(scope="module")
def release() -> tuple[dict[str, pa.Table], dict]:
    """The seed built the way the flow builds a release: process, enrich, validate, manifest."""
    enriched = enrich.tables(process.tables([process.batch([SEED], SEED.parent)]))
    tables = enriched.tables
    manifest = describe.manifest("r-report", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), tables,
                                validate.validate(tables).to_dict(), process.BuildConfig())
    manifest["enrichment"] = enriched.summary
    manifest["deduplication"] = {**enrich.EnrichConfig().dedup.describe(), "stats": enriched.summary["dedup"]}
    return tables, manifest


@pytest.fixture(scope="module")
def page(release) -> str:
    return report.render(*release)


def section(page: str, section_id: str) -> str:
    (found,) = re.findall(rf'<section id="{section_id}">(.*?)</section>', page, re.S)
    return found


class _TableReader(HTMLParser):
    """Every ``table.data`` of a fragment as rows of cell texts (header row included)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "data") in attrs:
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def data_tables(fragment: str) -> list[list[list[str]]]:
    reader = _TableReader()
    reader.feed(fragment)
    return reader.tables


def tooltips(fragment: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<title>(.*?)</title>", fragment, re.S)]


class _NestingChecker(HTMLParser):
    """Records section/svg/table tags that are closed out of order or never closed."""

    TRACKED = {"section", "svg", "table"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.TRACKED:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.TRACKED:
            if not self.open or self.open[-1] != tag:
                self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
            else:
                self.open.pop()


# The seed release ----------------------------------------------------------------------


@pytest.mark.parametrize("section_id", SECTIONS)
def test_every_required_section_is_there_with_a_heading(page, section_id):
    assert re.search(r"^\s*<h2>[^<]+</h2>", section(page, section_id))


def test_plots_are_marked_for_readers_and_tests(page):
    svgs = re.findall(r"<svg [^>]*>", page)
    assert len(svgs) >= 7
    assert all(re.match(r'<svg class="plot" role="img" aria-label="[^"]+"', s) for s in svgs)
    assert page.count('<svg class="plot"') == len(svgs)


def test_every_bar_has_a_tooltip(page):
    with_tooltip = re.findall(r'<rect class="bar[^>]*><title>[^<]+</title></rect>', page)
    assert page.count('<rect class="bar') == len(with_tooltip) > 0


def test_most_frequent_removal_kind_carries_its_exact_counts(release, page):
    removals = release[0]["removals"].to_pylist()
    spans: dict[str, int] = {}
    chars: dict[str, int] = {}
    for r in removals:
        spans[r["kind"]] = spans.get(r["kind"], 0) + 1
        chars[r["kind"]] = chars.get(r["kind"], 0) + r["source_end"] - r["source_start"]
    top = max(spans, key=lambda k: (spans[k], k))
    assert top == "page_break_space"  # the seed's 38 spaces left by page breaks
    expected = f"{top}: {chars[top]:,} characters removed in {spans[top]:,} spans"
    assert expected in tooltips(section(page, "noise-by-kind"))


def test_noise_by_site_sums_every_removed_character(release, page):
    removals = release[0]["removals"]
    total = pc.sum(pc.subtract(removals["source_end"], removals["source_start"])).as_py()
    (site,) = release[0]["documents"]["site"].to_pylist()
    assert any(t.startswith(f"{site}: {total:,} characters removed in {removals.num_rows} spans")
               for t in tooltips(section(page, "noise-by-site")))


def test_row_count_table_matches_the_tables(release, page):
    (counts, *_) = data_tables(section(page, "summary"))
    assert counts[0] == ["table", "rows"]
    assert {name: int(n.replace(",", "")) for name, n in counts[1:]} == {
        name: t.num_rows for name, t in release[0].items()
    }


@pytest.mark.parametrize("section_id, table, noun", [
    ("paragraphs-per-speech", "speeches", r"speech(?:es)?"),
    ("paragraph-length", "paragraphs", r"paragraphs?"),
])
def test_histogram_bins_count_every_row(release, page, section_id, table, noun):
    counts = [re.fullmatch(rf".*: ([\d,]+) {noun}", t) for t in tooltips(section(page, section_id))]
    assert all(counts)
    assert sum(int(m.group(1).replace(",", "")) for m in counts) == release[0][table].num_rows


def test_known_duplicate_of_the_seed_is_listed(release, page, gold):
    (expected,) = gold["near_duplicates"]
    title = {i + 1: s["title"] for i, s in enumerate(gold["speeches"])}
    duplicates = section(page, "duplicates")
    kinds, clusters = data_tables(duplicates)
    assert ["contained", "1", "0"] in kinds
    (_, row) = clusters
    assert row[0] == "2"
    assert row[1].startswith(title[expected["contained_in_speech"]])
    assert row[2].startswith(title[expected["speech"]]) and "— contained, 0." in row[2]


def test_validation_table_lists_every_table(release, page):
    (results,) = data_tables(section(page, "validation"))
    tables = release[1]["validation"]["tables"]
    assert [r[0] for r in results[1:]] == list(schemas.TABLES)
    assert results[0][:3] == ["table", "rows checked", "expectations evaluated"]
    assert all(r[1] == f"{tables[r[0]]['rows_checked']:,} of {tables[r[0]]['rows']:,}" for r in results[1:])
    assert all(int(r[2]) == tables[r[0]]["evaluated"] and r[4] == "passed" for r in results[1:])
    assert '<span class="verdict-passed">passed</span>' in section(page, "validation")


def test_rendering_is_deterministic_whatever_the_row_order(release, page):
    tables, manifest = release
    reversed_rows = {name: t.take(pa.array(range(t.num_rows - 1, -1, -1), pa.int64()))
                     for name, t in tables.items()}
    assert report.render(tables, manifest) == page
    assert report.render(reversed_rows, manifest) == page


def test_page_is_well_formed(page):
    checker = _NestingChecker()
    checker.feed(page)
    checker.close()
    assert checker.errors == [] and checker.open == []
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page


def test_page_fetches_nothing(page):
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "http://" not in page and "https://" not in page
    for tag in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert tag not in page


# Hostile strings -----------------------------------------------------------------------


def _set(table: pa.Table, column: str, values: list) -> pa.Table:
    index = table.schema.get_field_index(column)
    return table.set_column(index, table.schema.field(column), pa.array(values, table.schema.field(column).type))


def test_document_strings_are_escaped_everywhere(release):
    tables, manifest = release
    speeches = tables["speeches"]
    hostile = dict(tables)
    # Speeches 2 and 3 form the seed's duplicate cluster, so both titles are printed.
    titles = zip(speeches["ordinal"].to_pylist(), speeches["title"].to_pylist())
    hostile["speeches"] = _set(speeches, "title", [HOSTILE if o in (2, 3) else t for o, t in titles])
    hostile["documents"] = _set(tables["documents"], "site", [HOSTILE])
    hostile["rejects"] = records.to_arrow("rejects", [
        records.Reject(f"inbox/{IMG}.txt", None, None, "undecodable", f"bytes 0-9: {HOSTILE}"),
    ])
    page = report.render(hostile, manifest)

    assert SCRIPT not in page and IMG not in page
    assert "<script" not in page and "<img" not in page
    escaped_script, escaped_img = html.escape(SCRIPT, quote=True), html.escape(IMG, quote=True)
    for section_id in ("duplicates", "documents-by-site", "noise-by-site", "summary"):
        body = section(page, section_id)
        assert escaped_script in body and escaped_img in body, section_id
    # Escaped, not mangled: a parser gets the original text back.
    (_, rejects) = data_tables(section(page, "summary"))
    assert rejects[1] == ["undecodable", "1", f"inbox/{IMG}.txt: bytes 0-9: {HOSTILE}"]


def test_a_failed_validation_and_the_changes_are_shown(release):
    tables, manifest = release
    failed = {**manifest, "validation": {"success": False, "tables": {
        **manifest["validation"]["tables"],
        "speeches": {"success": False, "evaluated": 37, "failed": 1,
                     "failures": [f"speeches.title: expect_column_values_to_match_regex failed, e.g. {SCRIPT!r}"]},
    }}, "changes": {"files": {"added": 2, "changed": 1, "removed": 0, "unchanged": 5},
                    "documents_carried_over": 5}}
    page = report.render(tables, failed)
    validation = section(page, "validation")
    assert '<span class="verdict-failed">failed</span>' in validation
    assert ["speeches", "not recorded", "37", "1", "failed"] in data_tables(validation)[0]
    assert SCRIPT not in page and html.escape(SCRIPT) in validation
    assert ["documents carried over", "5"] in data_tables(section(page, "changes"))[0]


def _changes(added: int, changed: int, title: str = "讲话") -> dict:
    entry = {"title": title, "doc_id": "d" * 16, "source_path": "a.csv", "source_line": 2}
    return {
        "old_release": "r-old", "new_release": "r-new",
        "counts": {"added": added, "removed": 0, "changed": changed},
        "added": [{**entry, "speech_id": f"{i:016x}", "ordinal": i + 1} for i in range(added)],
        "removed": [],
        "changed": [{**entry, "speech_id": f"{i:016x}", "ordinal": i + 1, "previous_speech_id": "e" * 16,
                     "fields": ["text"], "paragraphs_differing": 2} for i in range(changed)],
    }


def test_the_changed_speeches_are_listed_and_link_the_full_list(release):
    tables, manifest = release
    changes = section(report.render(tables, manifest, _changes(1, 1, title=HOSTILE)), "changes")
    assert '<a href="changes.json">changes.json</a>' in changes and "<code>r-old</code>" in changes
    (speeches,) = data_tables(changes)
    assert speeches[1] == ["added", HOSTILE, "a.csv:2 #1", "0" * 16, ""]
    assert speeches[2] == ["changed", HOSTILE, "a.csv:2 #1", "0" * 16, f"2 paragraph(s); fields: text; was {'e' * 16}"]
    assert SCRIPT not in changes and "more" not in changes


def test_a_long_list_of_changes_is_capped_with_how_many_more(release):
    tables, manifest = release
    changes = section(report.render(tables, manifest, _changes(70, 50)), "changes")
    (speeches,) = data_tables(changes)
    assert len(speeches) == 1 + report_changes.MAX_LISTED
    assert [row[0] for row in speeches[1:]] == ["added"] * report_changes.MAX_LISTED  # added first
    assert f"… and {120 - report_changes.MAX_LISTED} more in <a href=\"changes.json\">changes.json</a>." in changes


def test_a_first_release_says_there_is_nothing_to_compare_with(page):
    assert "No previous release to compare the speeches with." in section(page, "changes")


# Edge cases ----------------------------------------------------------------------------


def test_an_empty_release_renders_with_no_data_notes():
    empty = {name: spec.arrow_schema().empty_table() for name, spec in schemas.TABLES.items()}
    page = report.render(empty, {"release_id": "r-empty"})
    for section_id in SECTIONS:
        assert section(page, section_id)
    assert '<svg class="plot"' not in page
    assert page.count('<p class="empty">') >= 8
    checker = _NestingChecker()
    checker.feed(page)
    assert checker.errors == [] and checker.open == []


def test_a_missing_table_is_misuse():
    tables = {name: spec.arrow_schema().empty_table() for name, spec in schemas.TABLES.items()}
    del tables["rejects"]
    with pytest.raises(ConfigError, match="missing: \\['rejects'\\]"):
        report.render(tables, {})

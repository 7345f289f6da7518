"""pipeline.validate: the schema-derived suites accept a clean release and name every break.

A validation run costs about a second of Great Expectations overhead, whatever the table
sizes, so the module validates three releases in all: a clean one (with tricky but valid
Chinese text), one carrying every row-level corruption at once (each in its own extra row,
so each must show up on its own failure line), and one with broken column lists.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schemas
from pipeline import records
from pipeline.errors import ConfigError, ValidationFailed
from pipeline.records import Document, Paragraph, Removal, Section, Speech, stable_id
from pipeline.validate.run import rows_keys_must_see, slice_bounds
from pipeline.validate import (
    Session, ValidationReport, dangling_references, keys_suite_for, references_suite_for, suite_for,
    suites_digest, validate,
)

SHA = "3f" * 32
DOC_ID = records.doc_id_for(SHA)
SPEECH_ID = stable_id(DOC_ID, 0)
SECTION_1 = stable_id(DOC_ID, 20)
SECTION_2 = stable_id(DOC_ID, 30)
TEXT_1 = "统筹推进疫情防控和经济社会发展工作。"
TEXT_2 = "坚持稳中求进工作总基调，完整准确全面贯彻新发展理念。"

# Paragraph text the checks must accept: Chinese punctuation and quotes, numbers, Latin
# words, and ASCII punctuation that touches no Han character or Chinese punctuation. The
# ideographic space U+3000 is typography, not a page-break artefact.
VALID_TEXTS = [
    "怎么办？要坚定信心，迎难而上！",
    "他强调：“发展是第一要务。”",
    "全年经济增长4.6%，GDP突破百万亿元。",
    "他引用了 Hello, world 这句话。",
    "（一）坚持稳中求进",
    "统筹推进\u3000疫情防控",
]


def clean_records() -> dict[str, list]:
    """One document, one speech, two nested sections, two paragraphs, one removal, no rejects."""
    document = Document(
        doc_id=DOC_ID, source_path="a/讲话.html", source_sha256=SHA, source_bytes=2048,
        encoding="utf-8", site=None, title="在全省经济工作会议上的讲话",
        published_date=dt.date(2021, 1, 5), page_count=3, declared_size="37.5 KB",
        declared_speech_count=None, speech_count=1, paragraph_count=2, char_count=200,
        removed_char_count=1, segmentation="single", status="ok", converted_char_count=0, script="simplified",
        source_line=None, format="html", url=None, flags=(), metadata=None,
    )
    speech = Speech(
        speech_id=SPEECH_ID, doc_id=DOC_ID, ordinal=1, title="在全省经济工作会议上的讲话",
        genre="讲话", text=f"一、总体要求\n{TEXT_1}\n（一）基本原则\n{TEXT_2}", char_count=60,
        section_count=2, paragraph_count=2, token_count=20, duplicate_of=None,
        source_start=0, source_end=120, title_source_start=None, title_source_end=None,
        speaker=None, delivered_on=None, occasion=None, occasion_type=None, salutation=None, placeholder_count=0,
        keywords=(), duplicate_kind=None, duplicate_score=None, duplicate_cluster=SPEECH_ID,
    )
    sections = [
        Section(SECTION_1, SPEECH_ID, DOC_ID, None, 1, 1, "一、", "总体要求", False, 20, 26),
        Section(SECTION_2, SPEECH_ID, DOC_ID, SECTION_1, 2, 2, "（一）", "基本原则", False, 50, 58),
    ]
    paragraphs = [
        Paragraph(stable_id(DOC_ID, 27), SPEECH_ID, SECTION_1, DOC_ID, 1, TEXT_1, len(TEXT_1),
                  ("统筹", "推进", "疫情", "防控", "和", "经济", "社会", "发展", "工作", "。"), 10, (), 0, (), None, None, None, 27, 45),
        Paragraph(stable_id(DOC_ID, 59), SPEECH_ID, SECTION_2, DOC_ID, 2, TEXT_2, len(TEXT_2),
                  ("坚持", "稳中求进", "工作", "总基调", "，", "完整", "准确", "全面", "贯彻", "新", "发展", "理念", "。"), 13, (), 0, (), None, None, None, 59, 85),
    ]
    removal = Removal(DOC_ID, "page_break_space", "page_break_space", 40, 41, " ")
    return {
        "documents": [document],
        "speeches": [speech],
        "sections": sections,
        "paragraphs": paragraphs,
        "removals": [removal],
        "rejects": [],
    }


def to_tables(recs: dict[str, list]) -> dict[str, pa.Table]:
    return {name: records.to_arrow(name, rows) for name, rows in recs.items()}


def extra_row(recs: dict[str, list], table: str, tag: str, **changes) -> None:
    """Append a copy of the table's first row with a fresh id (unless overridden) and ``changes``."""
    first = recs[table][0]
    key = schemas.table(table).key[0]
    changes = {key: stable_id("extra", tag), **changes} if schemas.table(table).column(key).unique else changes
    recs[table].append(dataclasses.replace(first, **changes))


@pytest.fixture(scope="module")
def clean_report() -> ValidationReport:
    recs = clean_records()
    for i, text in enumerate(VALID_TEXTS):
        extra_row(recs, "paragraphs", f"valid{i}", text=text, char_count=len(text), ordinal=3 + i)
    return validate(to_tables(recs))


def test_clean_release_passes(clean_report):
    assert clean_report.failures() == []
    assert clean_report.success
    assert list(clean_report.tables) == list(schemas.TABLES)
    for name, result in clean_report.tables.items():
        assert result.success, name
        assert result.evaluated > 0, name
    # The empty rejects table is validated, not skipped.
    assert clean_report.tables["rejects"].evaluated == (
        len(suite_for(schemas.REJECTS).expectations) + len(keys_suite_for(schemas.REJECTS).expectations))


def test_valid_chinese_text_passes(clean_report):
    # VALID_TEXTS are paragraphs of the clean release: none may trip a text check.
    paragraphs = clean_report.tables["paragraphs"]
    assert paragraphs.failed == []
    assert paragraphs.success


def test_clean_report_serialises_and_does_not_raise(clean_report):
    summary = clean_report.to_dict()
    assert json.loads(json.dumps(summary)) == summary
    assert list(summary) == ["success", "suites_sha256", "tables"]
    assert summary["suites_sha256"] == suites_digest() and len(summary["suites_sha256"]) == 64
    assert list(summary["tables"]) == list(schemas.TABLES)
    rows = len(clean_records()["paragraphs"]) + len(VALID_TEXTS)
    assert summary["tables"]["paragraphs"] == {
        "success": True,
        "evaluated": clean_report.tables["paragraphs"].evaluated,
        "rows": rows,
        "rows_checked": rows,
        "failed": 0,
        "failures": [],
    }
    clean_report.raise_for_failures()


# case: (table, changes to a copy of its first row, column named by the failure line,
#        expectation, a value the line's examples must show)
CORRUPTIONS = {
    "duplicate paragraph_id": ("paragraphs", {"paragraph_id": stable_id(DOC_ID, 27)}, "paragraph_id", "expect_column_values_to_be_unique", stable_id(DOC_ID, 27)),
    "null paragraph text": ("paragraphs", {"text": None}, "text", "expect_column_values_to_not_be_null", None),
    # A single space between two phrases is text (issue 19); a run of spaces is layout left behind.
    "page-break space": ("paragraphs", {"text": "统筹推进  疫情防控"}, "text", "expect_column_values_to_not_match_regex (page break space)", "统筹推进  疫情防控"),
    "no-break page-break space": ("paragraphs", {"text": "统筹推进\u00a0疫情防控"}, "text", "expect_column_values_to_not_match_regex (page break space)", "统筹推进\u00a0疫情防控"),
    "half-width comma in Chinese": ("paragraphs", {"text": "疫情防控,经济"}, "text", "expect_column_values_to_not_match_regex (half width in chinese)", "疫情防控,经济"),
    "half-width comma before Han": ("paragraphs", {"text": "Hello,世界。"}, "text", "expect_column_values_to_not_match_regex (half width in chinese)", "Hello,世界。"),
    "replacement character": ("paragraphs", {"text": "疫情\ufffd防控。"}, "text", "expect_column_values_to_not_match_regex (control)", "疫情\ufffd防控。"),
    "dangling speech_id": ("paragraphs", {"speech_id": "0" * 16}, "speech_id", "expect_column_values_to_be_null (references speeches.speech_id)", "0" * 16),
    "dangling parent section": ("sections", {"parent_section_id": "f" * 16}, "parent_section_id", "expect_column_values_to_be_null (references sections.section_id)", "f" * 16),
    "section level 0": ("sections", {"level": 0}, "level", "expect_column_values_to_be_between", 0),
    "section marker abc": ("sections", {"marker": "abc"}, "marker", "expect_column_values_to_match_regex (pattern marker)", "abc"),
    "source_end <= source_start": ("speeches", {"source_start": 77, "source_end": 77}, "source_end", "expect_column_pair_values_a_to_be_greater_than_b", [77, 77]),
    "unknown encoding": ("documents", {"encoding": "latin-1"}, "encoding", "expect_column_values_to_be_in_set (allowed", "latin-1"),
    "duplicate removal key": ("removals", {}, None, "expect_compound_columns_to_be_unique (key (doc_id, source_start))", DOC_ID),
}


@pytest.fixture(scope="module")
def corrupt_report() -> ValidationReport:
    recs = clean_records()
    for case, (table, changes, *_) in CORRUPTIONS.items():
        extra_row(recs, table, case, **changes)
    return validate(to_tables(recs))


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_corruption_is_reported(corrupt_report, case):
    table, _, column, expectation, shown = CORRUPTIONS[case]
    where = f"{table}.{column}:" if column else f"{table}:"
    lines = [
        line for line in corrupt_report.failures()
        if line.startswith(f"{where} {expectation}") and repr(shown) in line
    ]
    assert lines, corrupt_report.failures()
    assert not corrupt_report.tables[table].success


def test_rows_validated_before_skip_the_row_suite_but_not_a_repeat_of_their_keys():
    """An incremental build passes the rows it carried over unchanged from a release
    validated under the same suites: the row-by-row expectations skip them, uniqueness
    still sees those whose key a new row repeats, references see every row."""
    recs = clean_records()
    extra_row(recs, "paragraphs", "bad text", text="统筹推进  疫情防控")
    extra_row(recs, "paragraphs", "repeated id", paragraph_id=recs["paragraphs"][0].paragraph_id)
    extra_row(recs, "removals", "repeated key")  # the first removal's (doc_id, source_start) again
    tables = to_tables(recs)
    n = tables["paragraphs"].num_rows

    def masks(paragraphs: list[bool], removals: list[bool]) -> dict[str, pa.ChunkedArray]:
        out = {name: pa.chunked_array([[False] * t.num_rows], pa.bool_()) for name, t in tables.items()}
        out["paragraphs"], out["removals"] = pa.chunked_array([paragraphs]), pa.chunked_array([removals])
        return out

    # skip the bad text and one row of each repeated key, wherever the table put them
    ids = tables["paragraphs"]["paragraph_id"].to_pylist()
    repeated = [i for i, v in enumerate(ids) if ids.count(v) > 1]
    skip = [t == "统筹推进  疫情防控" or i == repeated[-1] for i, t in enumerate(tables["paragraphs"]["text"].to_pylist())]
    every_row = validate(tables, unchanged=masks([False] * n, [False, False]))
    skipping = validate(tables, unchanged=masks(skip, [True, False]))
    rules = lambda report, table: sorted(f.rule for f in report.tables[table].failed)  # noqa: E731
    assert rules(every_row, "paragraphs") == ["page break space", "unique"]
    assert rules(skipping, "paragraphs") == ["unique"]  # the repeated id is caught though one of its rows was skipped
    assert rules(skipping, "removals") == rules(every_row, "removals") == ["key (doc_id, source_start)"]
    for table in ("paragraphs", "removals"):  # the same rows found, the same examples
        keys = [f for f in every_row.tables[table].failed if f.rule != "page break space"]
        assert skipping.tables[table].failed == keys
    assert (skipping.tables["paragraphs"].rows, skipping.tables["paragraphs"].rows_checked) == (n, n - 2)
    assert every_row.tables["paragraphs"].rows_checked == n


def _repeats(rows: list[tuple], ignore_nulls: bool) -> list[tuple]:
    """The rows whose values occur more than once, in order, as a uniqueness check finds them."""
    considered = [r for r in rows if not (ignore_nulls and None in r)]
    return [r for r in considered if considered.count(r) > 1]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_keys_checked_on_the_rows_a_repeat_can_involve_find_every_repeat(data):
    """Whatever rows are new or changed, a key repeated in the whole table is repeated the
    same way among the rows the keys suite checks, provided the unchanged rows were unique
    among themselves (they passed the keys suite in the release they come from)."""
    spec = schemas.table("removals")
    suite = keys_suite_for(spec)
    values = st.tuples(st.sampled_from(["a", "b", "c"]), st.none() | st.integers(0, 3))
    unchanged_rows = data.draw(st.lists(values, unique=True, max_size=12))
    other_rows = data.draw(st.lists(values, max_size=6))
    rows = data.draw(st.permutations([(r, True) for r in unchanged_rows] + [(r, False) for r in other_rows]))
    key = list(spec.key)
    table = pa.table({key[0]: pa.array([r[0] for r, _ in rows], pa.string()),
                      key[1]: pa.array([r[1] for r, _ in rows], pa.int64())})
    mask = pa.chunked_array([pa.array([u for _, u in rows], pa.bool_())])

    seen = rows_keys_must_see(table, suite, mask)
    checked = list(zip(*(seen.column(c).to_pylist() for c in key))) if seen.num_rows else []
    whole = [r for r, _ in rows]
    for ignore_nulls in (False, True):
        assert _repeats(checked, ignore_nulls) == _repeats(whole, ignore_nulls)
    # no more than the new rows and the unchanged ones whose every value a new row has
    columns_seen = [{o[i] for o in other_rows} for i in range(len(key))]
    assert len(checked) == len(other_rows) + sum(all(v in columns_seen[i] for i, v in enumerate(u)) for u in unchanged_rows)
    assert rows_keys_must_see(table, suite, None).num_rows == len(rows)


def test_corrupt_report_raises_with_its_lines(corrupt_report):
    lines = corrupt_report.failures()
    assert not corrupt_report.success
    with pytest.raises(ValidationFailed) as excinfo:
        corrupt_report.raise_for_failures()
    assert excinfo.value.failures == lines
    assert lines[0] in str(excinfo.value)


def test_corrupt_report_is_plain_json(corrupt_report):
    summary = corrupt_report.to_dict()
    assert json.loads(json.dumps(summary, ensure_ascii=False)) == summary
    assert summary["success"] is False
    assert sum(t["failed"] for t in summary["tables"].values()) == len(corrupt_report.failures())
    # Examples are plain Python values (no numpy scalars, no NaN) all the way down.
    for result in corrupt_report.tables.values():
        for failure in result.failed:
            json.dumps(failure.sample, allow_nan=False)
            assert all(type(v) in (str, int, float, bool, list, dict, type(None)) for v in failure.sample)


def test_column_order_and_missing_column_are_reported():
    tables = to_tables(clean_records())
    tables["paragraphs"] = tables["paragraphs"].drop_columns(["char_count"])
    reversed_columns = list(reversed(schemas.SPEECHES.column_names))
    tables["speeches"] = tables["speeches"].select(reversed_columns)

    report = validate(tables)

    lines = report.failures()
    columns = [line for line in lines if "expect_table_columns_to_match_ordered_list" in line]
    assert any(line.startswith("paragraphs:") and "'missing: char_count'" in line for line in columns), lines
    assert any(line.startswith("speeches:") and f"out of order: {', '.join(reversed_columns)}" in line for line in columns), lines
    # Checks on the dropped column are reported as unable to run, not silently skipped.
    assert any(line.startswith("paragraphs.char_count:") and "could not run" in line for line in lines), lines
    assert report.tables["documents"].success
    assert not report.success


def test_missing_table_is_a_config_error():
    tables = to_tables(clean_records())
    del tables["removals"]
    with pytest.raises(ConfigError, match="missing: \\['removals'\\]"):
        validate(tables)


def test_dangling_references_need_the_referenced_table():
    tables = to_tables(clean_records())
    with pytest.raises(KeyError, match="speeches"):
        dangling_references(schemas.PARAGRAPHS, {"paragraphs": tables["paragraphs"], "documents": tables["documents"]})


def test_dangling_references_name_exactly_the_missing_ids():
    tables = to_tables(clean_records())
    paragraphs = tables["paragraphs"]
    speech_ids = paragraphs.column("speech_id").to_pylist()
    speech_ids[0] = "0" * 16
    tables["paragraphs"] = paragraphs.set_column(paragraphs.schema.get_field_index("speech_id"), "speech_id",
                                                 pa.array(speech_ids, pa.string()))
    dangling = dangling_references(schemas.PARAGRAPHS, tables)
    assert dangling.column_names == [c.name for c in schemas.PARAGRAPHS.columns if c.references]
    assert dangling.column("speech_id").to_pylist() == ["0" * 16] + [None] * (len(speech_ids) - 1)
    # a null reference (no section, no duplicate) is no reference
    assert dangling.column("duplicate_of").null_count == len(speech_ids)


def test_suite_is_derived_from_the_schema():
    suite = suite_for(schemas.PARAGRAPHS)
    assert suite.name == "paragraphs_suite"
    by_type: dict[str, list] = {}
    for e in suite.expectations:
        by_type.setdefault(e.expectation_type, []).append(e)
    (columns,) = by_type["expect_table_columns_to_match_ordered_list"]
    assert columns.column_list == schemas.PARAGRAPHS.column_names
    not_null = {e.column for e in by_type["expect_column_values_to_not_be_null"]}
    assert not_null == {c.name for c in schemas.PARAGRAPHS.columns if not c.nullable}
    in_set = {e.column: e.value_set for e in by_type["expect_column_values_to_be_in_set"]}
    assert in_set == {"duplicate_kind": list(schemas.DUPLICATE_KINDS)}
    references = references_suite_for(schemas.PARAGRAPHS)
    assert references.name == "paragraphs_references_suite"
    assert {e.column: e.meta["rule"] for e in references.expectations} == {
        "speech_id": "references speeches.speech_id", "section_id": "references sections.section_id",
        "doc_id": "references documents.doc_id", "duplicate_of": "references paragraphs.paragraph_id"}
    assert references_suite_for(schemas.REJECTS) is None
    # The list column gets nothing but its not-null check.
    tokens = [e.expectation_type for e in suite.expectations if getattr(e, "column", None) == "tokens"]
    assert tokens == ["expect_column_values_to_not_be_null"]
    assert all(e.meta["rule"] for e in suite.expectations)


def test_rules_on_a_list_column_are_refused():
    tokens = dataclasses.replace(schemas.PARAGRAPHS.column("tokens"), pattern=schemas.ID_PATTERN)
    table = dataclasses.replace(schemas.PARAGRAPHS, columns=(tokens,), key=("tokens",), greater_than=())
    with pytest.raises(ConfigError, match="paragraphs.tokens is a list column"):
        suite_for(table)


#: Slices of at most so many rows and bytes of strings: one row, a few, a few short texts;
#: and the whole table in one slice, to compare with.
SLICES = [(1, 10**9), (2, 10**9), (3, 10**9), (10**9, 1), (10**9, 60)]
WHOLE = (10**9, 10**9)


def _validated(tables: dict[str, pa.Table], slices: tuple[int, int], unchanged=None) -> ValidationReport:
    """The report of a validation whose suites see slices of at most ``slices`` rows and
    bytes of strings, as a build runs it: references, then rows."""
    session = Session(tables, None, *slices)
    session.references()
    session.rows(unchanged)
    return session.report()


def test_slices_of_any_size_give_the_report_of_the_whole_table():
    """Each suite runs on slices of the tables; what it finds must not depend on their
    size: row failures in several slices (located by their positions in the whole table),
    a key repeated rows apart, a dangling reference, counted and quoted as on one slice."""
    recs = clean_records()
    for i, text in enumerate(VALID_TEXTS):
        extra_row(recs, "paragraphs", f"valid{i}", text=text, char_count=len(text), ordinal=3 + i)
    extra_row(recs, "paragraphs", "bad 1", text="统筹推进  疫情防控")
    extra_row(recs, "paragraphs", "bad 2", text="疫情防控,经济", ordinal=0)
    extra_row(recs, "paragraphs", "bad 3", text="Hello,世界。", char_count=-1)
    extra_row(recs, "paragraphs", "repeated id", paragraph_id=recs["paragraphs"][0].paragraph_id)
    extra_row(recs, "paragraphs", "dangling", speech_id="0" * 16)
    extra_row(recs, "removals", "repeated key")
    extra_row(recs, "removals", "other", source_start=90, source_end=91)
    tables = to_tables(recs)
    whole = _validated(tables, WHOLE)
    assert not whole.success and len(whole.row_failures) >= 3
    assert {f.rule for f in whole.tables["paragraphs"].failed} >= {"unique", "references speeches.speech_id"}
    assert {f.rule for f in whole.tables["removals"].failed} == {"key (doc_id, source_start)"}
    for slices in SLICES:
        sliced = _validated(tables, slices)
        assert sliced.to_dict() == whole.to_dict(), slices
        assert sliced.row_failures == whole.row_failures, slices


def test_slices_skip_the_rows_validated_before_as_the_whole_table_does():
    recs = clean_records()
    extra_row(recs, "paragraphs", "bad text", text="统筹推进  疫情防控")
    extra_row(recs, "paragraphs", "repeated id", paragraph_id=recs["paragraphs"][0].paragraph_id)
    extra_row(recs, "paragraphs", "bad text 2", text="疫情防控,经济")
    tables = to_tables(recs)
    unchanged = {name: pa.chunked_array([[False] * t.num_rows], pa.bool_()) for name, t in tables.items()}
    texts = tables["paragraphs"]["text"].to_pylist()
    unchanged["paragraphs"] = pa.chunked_array([[t == "统筹推进  疫情防控" for t in texts]])
    whole = _validated(tables, WHOLE, unchanged)
    assert [f.rule for f in whole.tables["paragraphs"].failed] == ["half width in chinese", "unique"]
    (located,) = whole.row_failures
    assert texts[located.rows[0]] == "疫情防控,经济"
    for slices in SLICES[:2]:
        sliced = _validated(tables, slices, unchanged)
        assert (sliced.to_dict(), sliced.row_failures) == (whole.to_dict(), whole.row_failures)


@pytest.mark.parametrize("slices", [WHOLE, (2, 10**9)])
def test_the_data_docs_hold_a_result_per_slice(tmp_path, slices):
    """Every slice runs through the suite's validation definition, which stores its result:
    a row suite's Data Docs show one result per slice of its table (one for an empty
    table), every other suite at least one."""
    recs = clean_records()
    for i, text in enumerate(VALID_TEXTS):
        extra_row(recs, "paragraphs", f"valid{i}", text=text, char_count=len(text), ordinal=3 + i)
    tables = to_tables(recs)
    docs = tmp_path / "validation"
    assert validate(tables, docs, slice_rows=slices[0], slice_bytes=slices[1]).success
    pages = {suite.name: len(list(suite.rglob("*.html"))) for suite in (docs / "validations").iterdir()}
    for name, table in tables.items():
        assert pages.pop(f"{name}_suite") == max(1, len(slice_bounds(table, *slices))), name
    assert pages and all(count >= 1 for count in pages.values())
    if slices != WHOLE:
        assert tables["paragraphs"].num_rows > 2  # several slices, several results


def test_slice_checked_is_called_after_every_slice(tmp_path):
    """A build hands back the pages of its mapped tables after each slice
    (``slice_checked``): called once per slice of every suite run, each of which stores a
    result in the Data Docs; the report is the same as without it."""
    recs = clean_records()
    for i, text in enumerate(VALID_TEXTS):
        extra_row(recs, "paragraphs", f"valid{i}", text=text, char_count=len(text), ordinal=3 + i)
    tables = to_tables(recs)
    checked = []
    session = Session(tables, tmp_path / "validation", 2, 10**9, slice_checked=lambda: checked.append(1))
    session.references()
    session.rows()
    report = session.report()
    assert report.to_dict() == _validated(tables, (2, 10**9)).to_dict()
    results = sum(1 for _ in (tmp_path / "validation" / "validations").rglob("*.html"))
    assert len(checked) == results > len(tables)

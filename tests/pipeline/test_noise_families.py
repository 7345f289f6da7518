"""Noise families of the catalogue, end to end: each fixture of ``tests/cases/noise.json``
goes through ``ingest.read`` and ``process.document`` and is checked the trafilatura way
(style P12): noise strings in no paragraph, section or title, body sentences kept, the
expected removal kinds recorded, the family recognised.

A case's ``needs`` says what makes it pass: ``rules`` (the JSON rule files) or
``detector:<name>`` (a generic detector in code). Negatives (``negative: true``) are clean
official text that must come out whole.

Optional keys of a case, beside the required ones:
  ``document``: fields of the Document record (dates as ISO strings);
  ``flags``: ``{flag: bool}``, whether any paragraph (or the document) carries the flag;
  ``must_not_be_paragraph``: strings no paragraph may be, whole;
  ``must_not_contain_start``: strings no paragraph may start with;
  ``count_once``: strings that must occur exactly once in all paragraphs together;
  ``must_survive``: strings that must stay in a paragraph, section title or speech title
  (speech-internal markers such as roll-call lines, kept as text or as structure);
  ``min_placeholders``, ``min_sections``, ``speech_count``, ``speech_titles``;
  ``speech``: ``delivered_on``, ``speaker_contains``, ``salutation_contains`` of the first speech;
  ``reject``: the reason ``process.document`` must reject the document with.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from conftest import NATIONAL, PROVINCIAL
from pipeline import ingest, process
from pipeline.text import clean, rules
from pipeline.records import Reject

REPO = Path(__file__).resolve().parents[2]
CASES_FILE = REPO / "tests" / "cases" / "noise.json"
FIXTURES = REPO / "tests" / "fixtures" / "noise"
CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))

#: Removal kinds a rule file may use (the brief's vocabulary, plus the older trailing_prompt).
RULE_KINDS = {
    "site_header", "banner", "disclaimer", "breadcrumb", "toolbar", "reading_progress", "upload_metadata",
    "share_banner", "page_title", "page_marker", "paywall", "related_links", "watermark", "ad", "boilerplate",
    "editor_note", "summary", "trailing_prompt", "document_metadata", "credit",
}

#: Removals a clean text may have beyond whitespace: text moved into metadata, not lost.
METADATA_KINDS = {"document_title", "speech_metadata", "document_metadata"}

REQUIRED_KEYS = {"fixture", "family", "catalogue", "needs", "site", "must_not_contain", "must_contain", "removed_kinds"}
OPTIONAL_KEYS = {"document", "flags", "must_not_be_paragraph", "must_not_contain_start", "count_once", "must_survive",
                 "min_placeholders", "min_sections", "speech_count", "speech_titles", "speech", "reject",
                 "negative", "comment"}


def _case_id(case: dict) -> str:
    return f"{Path(case['fixture']).stem}[{case['needs']}]"


def _results(case: dict) -> tuple[list[process.Bundle], list[Reject]]:
    path = REPO / case["fixture"]
    read = ingest.read(path, path.parent)
    read = list(read) if not isinstance(read, (ingest.Source, Reject)) else [read]
    sources = [s for s in read if not isinstance(s, Reject)]
    rejects = [s for s in read if isinstance(s, Reject)]
    bundles = []
    for source in sources:
        result = process.document(source)
        (rejects if isinstance(result, Reject) else bundles).append(result)
    return bundles, rejects


def _source_text(case: dict, bundle: process.Bundle) -> str:
    """The text the bundle's offsets point into: the file, or the record's text field."""
    path = REPO / case["fixture"]
    raw = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".jsonl":
        return json.loads(raw.splitlines()[(bundle.document.source_line or 1) - 1])["content"]
    if path.suffix == ".csv":
        rows = list(csv.DictReader(raw.splitlines(keepends=True)))
        return rows[(bundle.document.source_line or 1) - 1]["full_text"]
    return raw


def _strip_ws(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _problems(case: dict) -> list[str]:
    problems: list[str] = []
    bundles, rejects = _results(case)
    if "reject" in case:
        reasons = [r.reason for r in rejects]
        if case["reject"] not in reasons:
            problems.append(f"expected a {case['reject']!r} reject, got rejects {reasons} and {len(bundles)} documents")
        return problems
    if rejects:
        problems.append(f"rejected: {[(r.reason, r.detail) for r in rejects]}")
    if not bundles:
        return problems + ["no document came out"]

    paragraphs = [p for b in bundles for p in b.paragraphs]
    texts = [("paragraph", p.text) for p in paragraphs]
    texts += [("section title", s.title) for b in bundles for s in b.sections]
    texts += [("speech title", s.title) for b in bundles for s in b.speeches if s.title]
    texts += [("document title", b.document.title) for b in bundles if b.document.title]
    for noise in case["must_not_contain"]:
        for where, text in texts:
            if noise in text:
                problems.append(f"noise {noise!r} left in {where}: {text[:80]!r}")
    for noise in case.get("must_not_be_paragraph", []):
        if any(p.text.strip() == noise for p in paragraphs):
            problems.append(f"noise line {noise!r} left as a paragraph")
    for start in case.get("must_not_contain_start", []):
        for p in paragraphs:
            if p.text.startswith(start):
                problems.append(f"paragraph starts with {start!r}: {p.text[:60]!r}")

    body = "\n".join(p.text for p in paragraphs)
    for sentence in case["must_contain"]:
        if sentence not in body:
            problems.append(f"body sentence missing: {sentence[:60]!r}")
    kept = "\n".join(text for where, text in texts if where != "document title")
    for marker in case.get("must_survive", []):
        if marker not in kept:
            problems.append(f"{marker!r} is in no paragraph, section title or speech title")
    for sentence in case.get("count_once", []):
        if body.count(sentence) != 1:
            problems.append(f"{sentence[:40]!r} occurs {body.count(sentence)} times, expected once")

    kinds = {r.kind for b in bundles for r in b.removals}
    missing = set(case["removed_kinds"]) - kinds
    if missing:
        problems.append(f"removal kinds {sorted(missing)} not recorded (got {sorted(kinds)})")

    for b in bundles:
        if b.document.site != case["site"]:
            problems.append(f"site {b.document.site!r}, expected {case['site']!r}")
        for name, want in case.get("document", {}).items():
            got = getattr(b.document, name)
            got = got.isoformat() if hasattr(got, "isoformat") else got
            if got != want:
                problems.append(f"document.{name} = {got!r}, expected {want!r}")

    for p in paragraphs:
        if len(set(p.flags)) != len(p.flags):
            problems.append(f"paragraph carries a flag twice: {p.flags} on {p.text[:40]!r}")
    for flag, want in case.get("flags", {}).items():
        have = any(flag in b.document.flags for b in bundles) or any(flag in p.flags for p in paragraphs)
        if have != want:
            problems.append(f"flag {flag!r} {'missing' if want else 'set'}")
    if "min_placeholders" in case:
        count = sum(p.placeholder_count for p in paragraphs)
        if count < case["min_placeholders"]:
            problems.append(f"{count} placeholders counted, expected at least {case['min_placeholders']}")
    if "min_sections" in case:
        count = sum(len(b.sections) for b in bundles)
        if count < case["min_sections"]:
            problems.append(f"{count} sections, expected at least {case['min_sections']}")
    speeches = [s for b in bundles for s in b.speeches]
    if "speech_count" in case and len(speeches) != case["speech_count"]:
        problems.append(f"{len(speeches)} speeches, expected {case['speech_count']}")
    if "speech_titles" in case:
        titles = [s.title for s in speeches]
        for title in case["speech_titles"]:
            if title not in titles:
                problems.append(f"no speech titled {title!r} (titles: {titles})")
    if "speech" in case:
        want = case["speech"]
        first = speeches[0] if speeches else None
        if first is None:
            problems.append("no speech")
        else:
            if "delivered_on" in want and (first.delivered_on and first.delivered_on.isoformat()) != want["delivered_on"]:
                problems.append(f"speech.delivered_on = {first.delivered_on}, expected {want['delivered_on']}")
            if "speaker_contains" in want and want["speaker_contains"] not in (first.speaker or ""):
                problems.append(f"speech.speaker = {first.speaker!r}, expected to contain {want['speaker_contains']!r}")
            if "salutation_contains" in want and want["salutation_contains"] not in (first.salutation or ""):
                problems.append(f"speech.salutation = {first.salutation!r}, expected to contain {want['salutation_contains']!r}")

    if case.get("negative"):
        problems += _lost_text(case, bundles)
    return problems


def _lost_text(case: dict, bundles: list[process.Bundle]) -> list[str]:
    """What a clean text lost: removals other than whitespace and metadata, characters
    covered by no paragraph, section, title or metadata line, paragraphs changed inside."""
    problems = []
    for b in bundles:
        source = _source_text(case, b)
        covered = bytearray(len(source))
        for r in b.removals:
            if not r.text.strip():
                continue
            if r.kind not in METADATA_KINDS:
                problems.append(f"removed {r.kind}/{r.rule}: {r.text[:60]!r}")
                continue
            if r.kind == "document_title" and _strip_ws(r.text) != _strip_ws(b.document.title or ""):
                problems.append(f"title line {r.text!r} removed but the document title is {b.document.title!r}")
            covered[r.source_start:r.source_end] = b"\x01" * (r.source_end - r.source_start)
        records = list(b.paragraphs) + list(b.sections)
        spans = [(x.source_start, x.source_end) for x in records]
        spans += [(s.title_source_start, s.title_source_end) for s in b.speeches if s.title_source_start is not None]
        for start, end in spans:
            covered[start:end] = b"\x01" * (end - start)
        lost = "".join(c for i, c in enumerate(source) if not covered[i] and not c.isspace())
        if lost:
            problems.append(f"characters in no record: {lost[:80]!r}")
        for p in b.paragraphs:
            if _strip_ws(p.text) != _strip_ws(source[p.source_start:p.source_end]):
                problems.append(f"paragraph changed: {source[p.source_start:p.source_end][:60]!r} -> {p.text[:60]!r}")
    return problems


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_noise_family(case):
    problems = _problems(case)
    assert not problems, f"{case['fixture']} ({case['family']}, catalogue {case['catalogue']}, needs {case['needs']}):\n  " + "\n  ".join(problems)


# ------------------------------------------------------------------ the table itself


def test_cases_are_well_formed():
    seen = set()
    families = {f.family for f in _families()}
    for case in CASES:
        assert REQUIRED_KEYS <= set(case), (case["fixture"], REQUIRED_KEYS - set(case))
        assert set(case) <= REQUIRED_KEYS | OPTIONAL_KEYS, (case["fixture"], set(case) - REQUIRED_KEYS - OPTIONAL_KEYS)
        assert case["fixture"] not in seen, case["fixture"]
        seen.add(case["fixture"])
        assert (REPO / case["fixture"]).is_file(), case["fixture"]
        assert re.fullmatch(r"rules|detector:[a-z0-9_]+", case["needs"]), case["needs"]
        assert case["site"] is None or case["site"] in families, case["site"]


def test_every_fixture_has_a_case():
    listed = {Path(c["fixture"]).name for c in CASES}
    on_disk = {p.name for p in FIXTURES.iterdir() if p.is_file()}
    assert on_disk == listed


def test_at_least_four_negatives():
    negatives = [c for c in CASES if c.get("negative")]
    assert len(negatives) >= 4
    assert all(Path(c["fixture"]).name.startswith("clean_") for c in negatives)


# ------------------------------------------------------------------ the rule files


def _families():
    """The site families as the pipeline loads them (shipped rules only)."""
    return rules.load(clean.CleanConfig().rules_dirs)


def _rule_files() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(rules.RULES_DIR.glob("*.json"))]


@pytest.mark.parametrize("spec", _rule_files(), ids=lambda s: s["family"])
def test_rule_file_conventions(spec):
    assert spec.get("description")
    assert (spec["family"] == "generic") == (spec["detect"] == [])
    names = [r["name"] for r in spec["rules"]]
    assert len(names) == len(set(names)), "rule names repeat"
    for rule in spec["rules"]:
        assert rule["kind"] in RULE_KINDS, (rule["name"], rule["kind"])
        if spec["family"] != "61taotao":  # the seed family predates the comment convention
            assert rule.get("comment"), rule["name"]


def test_negatives_and_seed_trip_no_family():
    """No family's detect pattern fires on clean text, and the seed stays 61taotao."""
    families = _families()
    for case in CASES:
        if case.get("negative"):
            text = (REPO / case["fixture"]).read_text(encoding="utf-8")
            hits = [f.family for f in families if f.family != "generic" and f.matches(text[:rules.DETECT_WINDOW])]
            assert hits == [], (case["fixture"], hits)
    seed = (REPO / "data" / "inbox" / "000_7cdd236544d05e86.txt").read_text(encoding="utf-8")
    hits = [f.family for f in families if f.family != "generic" and f.matches(seed[:rules.DETECT_WINDOW])]
    assert hits == ["61taotao"]


def test_rules_add_nothing_to_the_seed():
    """The seed loses exactly what 61taotao.json and generic's trailing prompt took before."""
    from pipeline.spans import Text

    seed = (REPO / "data" / "inbox" / "000_7cdd236544d05e86.txt").read_text(encoding="utf-8")
    cleaned = clean.document(Text.from_source(seed))
    by_rules = {(r.kind, r.rule) for r in cleaned.removed if r.kind in RULE_KINDS}
    assert by_rules == {("site_header", "header_published"), ("site_header", "header_size"),
                        ("site_header", "header_pages"), ("disclaimer", "disclaimer"),
                        ("banner", "doc_intro"), ("trailing_prompt", "more_prompt")}


# ------------------------------------------------------------------ the real corpus


PROVINCIAL_FILES = ("上海市", "北京市", "河北省", "云南省", "宁夏回族自治区")


@pytest.mark.parametrize("province", PROVINCIAL_FILES)
def test_provincial_rules_take_only_page_chrome(province):
    """On the real provincial reports the rules take chrome only: under 2% of the text, no
    sentence of the report (photo captions aside), and the opening sentence survives."""
    from pipeline.spans import Text

    (source,) = ingest.read(PROVINCIAL / f"2026_{province}_政府工作报告.csv", PROVINCIAL)
    text = source.text
    cleaned = clean.document(Text.from_source(text))
    ruled = [r for r in cleaned.removed if r.kind in RULE_KINDS and r.rule not in {"photo_caption", "caption_no_credit", "photo_credit"}]
    removed = "".join(text[r.start:r.end] for r in ruled)
    assert len(removed) < 0.02 * len(text), removed[:200]
    tail_rules = {"related_reports", "topic_link", "scan_qr", "attachments"}
    assert "。" not in "".join(text[r.start:r.end] for r in ruled if r.rule not in tail_rules)
    assert "向大会" in cleaned.text.chars and "各位代表" in cleaned.text.chars


def _wikisource_records() -> list[tuple[str, int, str]]:
    records = []
    for path in sorted(NATIONAL.glob("*.jsonl")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            records.append((path.stem, i, json.loads(line)["content"]))
    return records


def test_wikisource_footer_goes_and_nothing_else():
    """Every licence footer of the national reports goes, from its first line to the end,
    and no rule of the rule files takes anything else."""
    from pipeline.spans import Text

    for name, i, text in _wikisource_records():
        cleaned = clean.document(Text.from_source(text))
        ruled = [r for r in cleaned.removed if r.kind in RULE_KINDS]
        rest = cleaned.text.chars
        assert "Public domain" not in rest and "公有领域" not in rest, (name, i)
        for r in ruled:
            if r.rule not in {"wikisource_licence", "licence_footer"}:
                assert r.rule in {"footnote_ref", "footnote_backlink"}, (name, i, r.rule, text[r.start:r.end][:60])

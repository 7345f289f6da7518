"""The seed compilation against its hand-checked gold (tests/data/gold/seed.json).

Runs the pipeline functions without Prefect. The thresholds are the core-release
contract: 6/6 speech titles, all 62 sections, at least 134 of 136 paragraphs exactly,
every paragraph in the right section.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict

import pytest

from conftest import SEED, SEED_SHA256, unaccounted
from pipeline.spans import Text
from pipeline.text import normalize


def _by_speech(rows, key="speech_id"):
    grouped = defaultdict(list)
    for r in rows:
        grouped[getattr(r, key)].append(r)
    return grouped


@pytest.fixture(scope="module")
def aligned(seed_bundle, gold):
    """(gold speech, speech, its sections, its paragraphs) in order."""
    sections = _by_speech(seed_bundle.sections)
    paragraphs = _by_speech(seed_bundle.paragraphs)
    return [
        (g, s, sections[s.speech_id], paragraphs[s.speech_id])
        for g, s in zip(gold["speeches"], seed_bundle.speeches, strict=True)
    ]


def test_sample_inbox_holds_the_seed_unchanged():
    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == SEED_SHA256


def test_document_metadata(seed_bundle, gold):
    doc = seed_bundle.document
    expected = gold["document"]
    assert doc.title == expected["title"]
    assert doc.published_date.isoformat() == expected["published_date"]
    assert doc.page_count == expected["page_count"]
    assert doc.declared_size == expected["declared_size"]
    assert doc.declared_speech_count == expected["declared_speech_count"]
    assert doc.segmentation == "toc" and doc.status == "ok" and doc.site == "61taotao"


def test_speech_titles(seed_bundle, gold):
    assert [s.title for s in seed_bundle.speeches] == [g["title"] for g in gold["speeches"]]
    assert [s.ordinal for s in seed_bundle.speeches] == [1, 2, 3, 4, 5, 6]


def test_all_sections_with_level_marker_title_and_nesting(aligned):
    total = 0
    for g, speech, sections, _ in aligned:
        index = {s.section_id: i for i, s in enumerate(sections)}
        got = [
            {"level": s.level, "marker": s.marker, "title": s.title, "run_in": s.run_in,
             "parent": index.get(s.parent_section_id)}
            for s in sections
        ]
        assert got == g["sections"], speech.title
        total += len(got)
    assert total == 62


def test_paragraphs_match_gold_and_sit_in_the_right_section(aligned):
    exact = total = 0
    for g, speech, sections, paragraphs in aligned:
        index = {s.section_id: i for i, s in enumerate(sections)}
        assert len(paragraphs) == len(g["paragraphs"]), speech.title
        for gp, p in zip(g["paragraphs"], paragraphs):
            total += 1
            exact += gp["text"] == p.text
            assert index.get(p.section_id) == gp["section"], p.text[:30]
    assert total == 136
    assert exact >= 134


def test_no_noise_string_survives(seed_bundle, gold):
    texts = [s.title or "" for s in seed_bundle.speeches] + [s.text for s in seed_bundle.speeches]
    texts += [s.title for s in seed_bundle.sections] + [p.text for p in seed_bundle.paragraphs]
    for noise in gold["must_not_appear"]:
        hits = [t[:40] for t in texts if noise in t]
        assert not hits, f"{noise!r} found in {hits}"


def test_page_break_spaces_are_exactly_the_gold_joins(seed_bundle, gold):
    removed = {r.source_start for r in seed_bundle.removals if r.kind == "page_break_space"}
    joins = {s["offset"] for s in gold["space_labels"] if s["label"] == "join"}
    assert removed == joins


def test_paragraph_spans_read_as_the_paragraph(seed_bundle, seed_source):
    # Normalised as a whole: whether a stray 贏 converts depends on the rest of the page.
    whole = normalize.characters(Text.from_source(seed_source.text))
    offsets = list(whole.offsets)
    for p in seed_bundle.paragraphs:
        a, b = bisect.bisect_left(offsets, p.source_start), bisect.bisect_left(offsets, p.source_end)
        assert whole.chars[a:b].replace(" ", "") == p.text, (p.source_start, p.text[:30])


def test_removals_and_kept_text_account_for_every_non_space_character(seed_bundle, seed_source):
    assert unaccounted(seed_source.text, seed_bundle) == []


def test_removed_text_is_the_source_text(seed_bundle, seed_source):
    for r in seed_bundle.removals:
        assert seed_source.text[r.source_start:r.source_end] == r.text


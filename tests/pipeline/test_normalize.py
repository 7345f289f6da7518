"""Character normalisation: labelled cases (tests/cases/normalize.json) and properties."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text import normalize
from pipeline.errors import ConfigError
from pipeline.spans import Text

CASES = json.loads((Path(__file__).parents[1] / "cases" / "normalize.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_case(case):
    fixed = normalize.string(case["original"])
    if case["expect"] == "known-failure":
        assert fixed != case["fixed"], f"known failure now passes, move it to 'pass': {case['label']}"
    else:
        assert fixed == case["fixed"], case["comment"]


def test_unknown_opencc_profile_names_the_valid_ones():
    with pytest.raises(ConfigError, match="t2s"):
        normalize.NormalizeConfig(opencc_profile="t2x")


def test_offsets_follow_characters_through_crlf():
    text = normalize.characters(Text.from_source("甲\r\n乙,丙"))
    assert text.chars == "甲\n乙，丙"
    assert list(text.offsets) == [0, 2, 3, 4, 5]


#: Text made of what the seed is made of: Han, both punctuation widths, digits, Latin,
#: spaces, newlines and a few traditional characters.
chinese_like = st.text(
    alphabet=st.sampled_from(list("统筹推进疫情防控和经济社会发展贏誌麵，。！？；：（）,.:;!?() 　\n\r“”0123456789GDPx%一二、")),
    max_size=200,
)


@given(chinese_like)
@settings(max_examples=300, deadline=None)
def test_normalisation_is_idempotent(s):
    once = normalize.string(s)
    assert normalize.string(once) == once


@given(chinese_like)
@settings(max_examples=300, deadline=None)
def test_width_fix_keeps_length_and_only_touches_the_listed_marks(s):
    fixed = normalize.punctuation_width(s)
    assert len(fixed) == len(s)
    for a, b in zip(s, fixed):
        assert a == b or (a in ",:;!?()" and b == normalize.HALF_TO_FULL[a])


@given(chinese_like)
@settings(max_examples=300, deadline=None)
def test_every_character_keeps_its_source_offset(s):
    s = s.replace("\r", "")
    text = normalize.characters(Text.from_source(s))
    assert text.chars == normalize.string(s)
    assert list(text.offsets) == list(range(len(s)))


class _LengthChangingConverter:
    """Stands in for an OpenCC phrase that maps two characters to three."""

    def convert(self, s: str) -> str:
        return s.replace("乙丙", "乙丙丁")


def test_phrase_that_changes_length_keeps_offsets_monotone_within_its_run():
    text = normalize.simplified(Text.from_source("這們，乙丙。"), _LengthChangingConverter())
    assert text.chars == "這們，乙丙丁。"
    assert list(text.offsets) == sorted(text.offsets)
    assert text.offsets[:3].tolist() == [0, 1, 2] and text.offsets[-1] == 5
    assert all(3 <= o <= 4 for o in text.offsets[3:6])


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="中文，。（）:;,!?() \t\n1a", max_size=16))
def test_the_width_shortcut_changes_nothing(s):
    """The fix runs twice a document (before the rules, after noise removal); it skips
    its scans when no mark has Chinese text beside it and no bracket waits for its pair."""
    assert normalize.punctuation_width(s) == normalize._width_scan(s)

"""The character classes: one definition, read the same by the pipeline and by the suites."""

from __future__ import annotations

import re

import pytest

import schemas
from schemas import characters

CLASSES = {"HAN": characters.HAN, "UNIFIED_HAN": characters.UNIFIED_HAN,
           "CJK_PUNCT": characters.CJK_PUNCT, "CONTROL": characters.CONTROL}
BMP = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))


@pytest.mark.parametrize("name", CLASSES)
def test_the_escaped_class_matches_exactly_the_characters_of_the_class(name):
    plain, escaped = re.compile(f"[{CLASSES[name]}]"), re.compile(f"[{characters.escaped(CLASSES[name])}]")
    assert plain.findall(BMP) == escaped.findall(BMP)
    assert characters.escaped(CLASSES[name]).isascii()


@pytest.mark.parametrize("char, classes", [
    ("中", {"HAN", "UNIFIED_HAN"}),
    ("\u3400", {"HAN"}),  # Extension A 㐀
    ("\uf900", {"HAN"}),  # compatibility ideograph 豈
    ("，", {"CJK_PUNCT"}),
    ("\u3000", {"CJK_PUNCT"}),
    ("“", {"CJK_PUNCT"}),
    ("\x08", {"CONTROL"}),
    ("\ufffd", {"CONTROL"}),
    ("\n", set()),
    ("\t", set()),
    (",", set()),
    ("a", set()),
])
def test_membership(char, classes):
    assert {name for name, body in CLASSES.items() if re.fullmatch(f"[{body}]", char)} == classes


@pytest.mark.parametrize("text, forbidden", [
    ("疫情\x08防控。", True),
    ("疫情防控。\n", False),
    ("疫情\ufffd防控。", True),
])
def test_the_tables_forbid_the_control_class(text, forbidden):
    assert bool(re.search(schemas.CONTROL_PATTERN, text)) is forbidden


def test_the_suite_patterns_are_readable_ascii():
    for pattern in (schemas.CONTROL_PATTERN, schemas.PAGE_BREAK_SPACE_PATTERN, schemas.HALF_WIDTH_IN_CHINESE_PATTERN):
        assert pattern.isascii() and pattern.isprintable()

"""Traditional-to-simplified only where the text is traditional (issue 20, section 3).

``t2s`` over simplified text rewrites names and rare words; the pipeline converts a line
only when its share of traditional-only characters says it is traditional, and a stray
traditional character only where the document also writes it simplified. Checked on the
real records of tests/data: 0 Han characters changed on simplified input, the traditional
mirrors converted exactly as plain ``t2s`` converts them.
"""

from __future__ import annotations

import json
import re

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA, NATIONAL, SEED
from pipeline import ingest, process
from pipeline.spans import Text
from pipeline.text import normalize
from schemas.characters import HAN

T2S = normalize.make_converter("t2s")
SPEECHES = sorted((DATA / "speeches").glob("*.txt"))
FOOTER = "本作品是中华人民共和国的"


def records(name: str) -> list[dict]:
    return [json.loads(line) for line in (NATIONAL / name).read_text(encoding="utf-8").splitlines()]


REPORTS = records("government_work_reports.jsonl") + records("cpc_congress_reports.jsonl")


def changed(text: str) -> int:
    return normalize.converted_han(text, normalize.simplified(Text.from_source(text), T2S).chars)


def test_the_script_tables_are_what_the_installed_opencc_derives():
    from support import opencc_tables

    if not opencc_tables.tool().exists():
        pytest.skip("this OpenCC wheel ships no opencc_dict")
    assert normalize.TRADITIONAL_ONLY_FILE.read_text(encoding="utf-8") == opencc_tables.text("traditional")
    assert normalize.SIMPLIFIED_ONLY_FILE.read_text(encoding="utf-8") == opencc_tables.text("simplified")


def test_characters_both_scripts_write_are_in_neither_table():
    trad, simple = normalize.traditional_only(), normalize.simplified_only()
    assert not {"乾", "於", "薹", "昇", "麽", "么", "著", "干", "于", "苔", "中", "人"} & (trad | simple)
    assert {"贏", "樸", "拚", "們", "國", "報"} <= trad and {"赢", "们", "国", "报"} <= simple
    assert not trad & simple


@pytest.mark.parametrize("record", [r for r in REPORTS if normalize.script(r["content"]) == "simplified"],
                         ids=lambda r: r["title"][:20])
def test_simplified_national_reports_come_out_with_no_character_changed(record):
    assert changed(record["content"]) == 0
    assert T2S.convert(record["content"]) != record["content"] or "拚" not in record["content"]


def test_the_1978_report_keeps_its_拚_that_plain_t2s_rewrites():
    (report,) = [r for r in REPORTS if r["title"].startswith("1978")]
    assert report["content"].count("拚") == 3 and normalize.converted_han(report["content"], T2S.convert(report["content"])) == 3
    assert changed(report["content"]) == 0


@pytest.mark.parametrize("path", SPEECHES, ids=lambda p: p.stem)
def test_simplified_speeches_come_out_unchanged(path):
    text = path.read_text(encoding="utf-8")
    assert normalize.script(text) == "simplified"
    assert changed(text) == 0


@pytest.mark.parametrize("path", SPEECHES, ids=lambda p: p.stem)
def test_a_traditional_mirror_of_a_speech_converts_exactly_as_t2s_does(path):
    mirror = opencc.OpenCC("s2t").convert(path.read_text(encoding="utf-8"))
    assert normalize.script(mirror) == "traditional"
    assert normalize.simplified(Text.from_source(mirror), T2S).chars == T2S.convert(mirror)


@pytest.mark.parametrize("title", ["1954年", "廣州共產黨報告", "論聯合政府"])
def test_traditional_reports_are_converted_as_before(title):
    (report,) = [r for r in REPORTS if r["title"].startswith(title)]
    text = report["content"]
    assert normalize.script(text) in ("traditional", "mixed")
    assert normalize.simplified(Text.from_source(text), T2S).chars == T2S.convert(text)


def test_the_partly_traditional_1957_report_is_mixed_and_its_traditional_characters_convert():
    (report,) = [r for r in REPORTS if r["title"].startswith("1957")]
    text = report["content"].split(FOOTER)[0]
    plan = normalize.conversion(text, T2S)
    assert plan.script == "mixed" and plan.lines
    out = normalize.simplified(Text.from_source(text), T2S).chars
    assert out == T2S.convert(text)


def test_a_stray_the_document_writes_simplified_elsewhere_converts():
    """make_pages' seed family swaps a few 党/会/发 for 黨/會/發 in simplified compilations."""
    text = "每一项成就，都离不开黨的坚强领导。\n我们要加强党的建设，全面从严治党，推进各项工作。"
    assert normalize.simplified(Text.from_source(text), T2S).chars == text.replace("黨", "党")
    name = "记者李樸报道，今年全市经济运行稳中有进，群众生活持续改善。\n我们要发扬艰苦朴素的作风，扎实推进各项工作。"
    assert normalize.simplified(Text.from_source(name), T2S).chars == name


def test_a_stray_inside_a_word_of_the_dictionary_converts():
    """Issue 19, round 5: a compilation that writes 经 only once still reads 經济 as 经济; a
    name (李樸) and a word simplified text writes with the character (拚命) make no such word."""
    text = "项目是經济发展的压舱石，抓项目就是抓发展。\n决战的号角已經吹响，我们要全力以赴。"
    assert normalize.simplified(Text.from_source(text), T2S).chars == text.replace("經", "经")
    kept = "记者李樸报道，今年全市运行稳中有进，群众生活持续改善。\n我们要发扬革命加拚命的精神，努力工作。"
    assert normalize.simplified(Text.from_source(kept), T2S).chars == kept


def test_a_name_and_a_stray_in_one_simplified_sentence_stay_simplified():
    text = "记者李樸报道：全县上下坚决打贏脱贫攻坚战，乾坤湾景区游客增加。\n打赢这场硬仗，关键在落实。"
    assert normalize.simplified(Text.from_source(text), T2S).chars == text.replace("贏", "赢")


def test_the_seed_keeps_its_stray_贏_converted():
    text = SEED.read_text(encoding="utf-8")
    plan = normalize.conversion(text, T2S)
    assert plan.script == "simplified" and [text[i] for i in plan.strays] == ["贏"] * 3
    assert changed(text) == 3


@pytest.mark.parametrize("text, script", [
    ("打赢脱贫攻坚战，决战决胜。", "simplified"),
    ("打贏脫貧攻堅戰，決戰決勝。", "traditional"),
    ("第一章\n關於憲法草案的報告，我們進行了討論。\n一、", "traditional"),
    ("我们讨论了宪法草案的报告和各项工作。\n關於憲法草案的報告，我們進行了討論。", "mixed"),
    ("", "simplified"),
    ("Hello world", "simplified"),
])
def test_script(text, script):
    assert normalize.script(text) == script


def test_a_short_line_takes_the_script_of_its_neighbours():
    text = "關於憲法草案的報告，我們進行了討論。\n第一條\n國家機關實行民主集中制，這是我們的原則。"
    assert normalize.conversion(text, T2S).lines == ((0, len(text.split("\n")[0])), (19, 22), (23, len(text)))
    simple = "我们讨论了宪法草案的报告和各项工作。\n李樸\n国家机关实行民主集中制的各项原则。"
    assert normalize.conversion(simple, T2S).lines == ()


def test_documents_record_their_script_and_conversions(tmp_path):
    (tmp_path / "trad.txt").write_text("關於憲法草案的報告\n\n我們進行了認真的討論，這是國家的大事。\n", encoding="utf-8")
    (tmp_path / "simp.txt").write_text("关于宪法草案的报告\n\n记者李樸报道，我们进行了认真的讨论，这是国家的大事。\n", encoding="utf-8")
    docs = {}
    for name in ("trad.txt", "simp.txt"):
        (source,) = ingest.read(tmp_path / name, tmp_path)
        docs[name] = process.document(source).document
    assert docs["trad.txt"].script == "traditional" and docs["trad.txt"].converted_char_count > 10
    assert docs["simp.txt"].script == "simplified" and docs["simp.txt"].converted_char_count == 0


def _class_re(characters) -> re.Pattern:
    """The plain regular-expression class of ``characters``: what the tables replace."""
    return re.compile("[" + "".join(sorted(characters)) + "]")


_CLASS_PATTERNS = {"han": re.compile(f"[{HAN}]"), "traditional": _class_re(normalize.traditional_only()),
                   "simplified": _class_re(normalize.simplified_only())}
_ASTRAL_SIMPLIFIED = sorted(c for c in normalize.simplified_only() if c > "\uffff")

#: Text drawn from every class and from around them: both scripts' characters (those
#: beyond the BMP too), Han of every block, CJK extensions B and later that are in no
#: class, the edges of the Han ranges, punctuation, ASCII and line breaks. No lone
#: surrogates: decoded text holds none, and OpenCC and the encoders refuse them.
_script_char = st.one_of(
    st.sampled_from(sorted(normalize.traditional_only())),
    st.sampled_from(sorted(normalize.simplified_only())),
    st.sampled_from(_ASTRAL_SIMPLIFIED),
    st.characters(min_codepoint=0x3400, max_codepoint=0xFAFF, exclude_categories=("Cs",)),
    st.characters(min_codepoint=0x20000, max_codepoint=0x323AF),
    st.sampled_from(["\u33ff", "\u3400", "\u4dbf", "\u4dc0", "\u9fff", "\ua000", "\uf8ff", "\uf900", "\ufaff", "\ufb00"]),
    st.sampled_from(list("，。、“”：；\n \u3000a1")),
    st.characters(exclude_categories=("Cs",)),
)
_script_text = st.text(alphabet=_script_char, max_size=120)


@given(_script_text)
@settings(max_examples=500, deadline=None)
def test_the_class_tables_find_what_the_regular_expression_classes_find(text):
    """``conversion`` reads its per-line counts from per-code-point tables; they must count
    exactly what the classes ``re`` matched before (issue 22), astral characters included."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    found = normalize._classes(text)
    assert set(found) == set(_CLASS_PATTERNS)
    for name, pattern in _CLASS_PATTERNS.items():
        assert found[name].tolist() == [m.start() for m in pattern.finditer(text)], name
        assert normalize._per_line(found[name], lines) == [
            sum(1 for _ in pattern.finditer(text, start, end)) for start, end in lines], name


def test_an_astral_simplified_only_character_counts():
    assert _ASTRAL_SIMPLIFIED and normalize._classes(f"们{_ASTRAL_SIMPLIFIED[0]}x")["simplified"].tolist() == [0, 1]


@given(_script_text, st.data())
@settings(max_examples=300, deadline=None)
def test_the_vectorised_conversion_checks_agree_with_the_per_character_ones(before, data):
    """Whether only Han characters changed, and how many did, read from the same tables
    over the changed code points at once: the same answers as a check per character."""
    after = "".join(data.draw(st.one_of(st.just(c), _script_char)) for c in before)
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    han = _CLASS_PATTERNS["han"]
    assert normalize._only_han_changed(before, after) == all(han.match(before[i]) and han.match(after[i]) for i in changed)
    assert normalize.converted_han(before, after) == sum(1 for i in changed if han.match(before[i]))

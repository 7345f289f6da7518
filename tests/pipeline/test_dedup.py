"""pipeline.corpus.dedup: exact, near and contained duplicates, the canonical rule, the index.

Each test builds a small release from records (one speech per document) whose
paragraphs are long enough to be twins unless a test says otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

import schemas
from conftest import REPO
from pipeline import records
from pipeline.corpus import dedup, quality
from pipeline.corpus.dedup import DedupConfig, folding, minhash
from pipeline.errors import ConfigError
from pipeline.records import Document, Paragraph, Speech, stable_id

FIXTURES = REPO / "tests" / "fixtures" / "noise"

#: Eight paragraphs of one speech, and four of an unrelated one.
SPEECH = [
    "今年以来，全市上下坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，经济运行总体平稳、稳中有进，高质量发展扎实推进。",
    "一是坚持创新驱动发展，加快建设现代化产业体系。全年高新技术企业数量增长百分之十五，研发投入强度达到百分之二点八。",
    "二是扎实推进乡村振兴，巩固拓展脱贫攻坚成果。粮食产量稳定在较高水平，农村居民人均可支配收入增长百分之七。",
    "三是持续改善民生福祉，兜牢兜实基本民生底线。新增城镇就业六万人，新建改扩建中小学校十二所，养老服务体系不断完善。",
    "四是深化重点领域改革，营商环境持续优化。政务服务事项全部实现网上可办，企业开办时间压缩至一个工作日以内。",
    "五是加强生态环境保护，坚决打好污染防治攻坚战。空气质量优良天数比例达到百分之八十五，重点河流断面水质全面达标。",
    "六是统筹发展和安全，守住不发生系统性风险的底线。安全生产形势总体稳定，社会大局保持和谐稳定，群众安全感持续提升。",
    "同时也要清醒看到，我们的工作还存在一些困难和问题，经济恢复的基础尚不牢固，部分企业生产经营困难，我们一定要高度重视。",
]
OTHER = [
    "同志们，今天我们召开全县教育工作会议，主要任务是总结过去一年的教育工作，部署今年的重点任务，动员全县上下办好人民满意的教育。",
    "过去一年，全县教育事业取得新的进展。学前教育普及普惠水平明显提高，义务教育优质均衡发展迈出坚实步伐，职业教育办学条件持续改善。",
    "教师是立教之本、兴教之源。要加强师德师风建设，完善教师培养培训体系，落实教师待遇保障政策，让广大教师安心从教、热心从教。",
    "各级党委和政府要把教育摆在优先发展的战略位置，在经费投入上优先保障，在资源配置上优先满足，努力办好人民满意的教育。",
]


def release(*docs: dict) -> dict[str, pa.Table]:
    """The tables of documents given as dicts: ``name``, ``paragraphs`` (texts) and optional
    ``flags`` (per paragraph), ``placeholders``, ``converted``, ``published``."""
    rows: dict[str, list] = {"documents": [], "speeches": [], "paragraphs": []}
    for doc in docs:
        doc_id = stable_id("test", doc["name"])
        speech_id = stable_id(doc_id, "speech", 0)
        texts = doc["paragraphs"]
        flags = doc.get("flags", [()] * len(texts))
        offset = 0
        for ordinal, (text, flag) in enumerate(zip(texts, flags), start=1):
            rows["paragraphs"].append(Paragraph(
                stable_id(doc_id, "paragraph", offset), speech_id, None, doc_id, ordinal, text, len(text),
                (), 0, (), 0, tuple(flag), None, None, None, offset, offset + len(text)))
            offset += len(text) + 1
        text = "\n".join(texts)
        rows["speeches"].append(Speech(
            speech_id=speech_id, doc_id=doc_id, ordinal=1, title=None, genre=None, speaker=None,
            delivered_on=None, occasion=None, occasion_type=None, salutation=None, text=text,
            char_count=len(text), section_count=0, paragraph_count=len(texts), token_count=0,
            placeholder_count=doc.get("placeholders", 0), keywords=(), duplicate_of=None,
            duplicate_kind=None, duplicate_score=None, duplicate_cluster=speech_id,
            source_start=0, source_end=len(text) + 1, title_source_start=None, title_source_end=None))
        rows["documents"].append(Document(
            doc_id=doc_id, source_path=f"{doc['name']}.txt", source_line=None, source_sha256="ab" * 32,
            source_bytes=len(text.encode()), format="txt", encoding="utf-8", site=None, url=None, title=None,
            published_date=doc.get("published"), page_count=None, declared_size=None,
            declared_speech_count=None, speech_count=1, paragraph_count=len(texts), char_count=len(text),
            removed_char_count=0, converted_char_count=doc.get("converted", 0), script="simplified", segmentation="single",
            status="ok", flags=(), metadata=None))
    return {name: records.to_arrow(name, rows[name]) for name in rows}


def speech_id(name: str) -> str:
    return stable_id(stable_id("test", name), "speech", 0)


def speeches(tables: dict[str, pa.Table]) -> dict[str, dict]:
    """Output speech rows by document name."""
    names = {r["doc_id"]: r["source_path"][:-4] for r in tables["documents"].to_pylist()}
    return {names[r["doc_id"]]: r for r in tables["speeches"].to_pylist()}


def paragraphs(tables: dict[str, pa.Table]) -> dict[tuple[str, int], dict]:
    """Output paragraph rows by (document name, ordinal)."""
    names = {r["doc_id"]: r["source_path"][:-4] for r in tables["documents"].to_pylist()}
    return {(names[r["doc_id"]], r["ordinal"]): r for r in tables["paragraphs"].to_pylist()}


def pid(tables, name: str, ordinal: int) -> str:
    return paragraphs(tables)[(name, ordinal)]["paragraph_id"]


def edit(text: str, every: int = 40) -> str:
    """One character in every ``every`` replaced: a near twin (Jaccard ~0.75-0.9 with 5-shingles)."""
    return "".join("某" if i % every == every // 2 else c for i, c in enumerate(text))


# --- fold, shingles ---------------------------------------------------------------------


@pytest.mark.parametrize("text, folded", [
    ("统筹推进疫情防控和经济社会发展工作。", "统筹推进疫情防控和经济社会发展工作"),
    ("他强调：“发展是第一要务。”（2020年）", "他强调发展是第一要务2020年"),
    ("GDP增长5.2%，CPI上涨0.2%", "gdp增长52cpi上涨02"),
    ("xxx同志", "\ue000同志"),
    ("***同志", "\ue000同志"),
    ("×××书记在XX县", "\ue000书记在\ue000县"),
    ("20xx年X月", "\ue000年\ue000月"),
    ("同志们：\u3000 ", "同志们"),
])
def test_fold(text, folded):
    assert dedup.fold(text) == folded


def test_every_placeholder_of_the_noise_fixtures_folds_to_the_token():
    """fold runs the slow placeholder regex only on texts holding a character every
    placeholder holds: a placeholder without one would be folded as letters, not as
    the token."""
    found = [m for path in sorted(FIXTURES.glob("*.txt")) for m in quality.placeholders(path.read_text("utf-8"))]
    assert len(found) > 50
    token = dedup.PLACEHOLDER_TOKEN
    assert [m for m in found if dedup.fold(f"同{m}年") != f"同{token}年"] == []


def test_fold_is_idempotent_on_text_without_placeholders():
    for text in SPEECH + OTHER:
        assert dedup.fold(dedup.fold(text)) == dedup.fold(text)


#: What paragraphs hold: Han (with an Extension B character and a compatibility
#: ideograph), Latin either case, digits, Chinese and ASCII punctuation, spaces, the
#: placeholder characters and the private-use character placeholders fold to.
_FOLD_ALPHABET = "统筹推进发展㐀𠀀豈AaZzXx09，。：“”（）,.!? \u3000\n×*_-\ue000年月"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_FOLD_ALPHABET, max_size=30), max_size=20))
def test_folding_a_column_is_folding_each_text(texts):
    assert list(dedup.fold_column(pa.array(texts, pa.string()))) == [dedup.fold(t) for t in texts]


def test_folding_the_noise_fixtures_as_a_column_is_folding_each_text():
    texts = [line for path in sorted(FIXTURES.glob("*.txt")) for line in path.read_text("utf-8").splitlines()]
    assert len(texts) > 500
    column = pa.chunked_array([texts[:100], texts[100:]], pa.string())
    assert list(dedup.fold_column(column)) == [dedup.fold(t) for t in texts]


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.text(_FOLD_ALPHABET, max_size=30).map(dedup.fold), max_size=20),
       size=st.integers(1, 6), chunk_chars=st.integers(1, 40))
def test_shingles_hashed_together_are_each_shingle_hashed_alone(texts, size, chunk_chars):
    """numpy hashes many texts at once; a window must never run into the next text, nor
    into the next chunk of texts."""
    alone = [[dedup.shingle_hash(t[i:i + size]) for i in range(len(t) - size + 1)] if len(t) > size
             else [dedup.shingle_hash(t)] if t else [] for t in texts]
    assert list(minhash.shingle_hashes(texts, size, chunk_chars=chunk_chars)) == alone
    assert [sorted(set(h)) for h in alone] == [sorted(map(dedup.shingle_hash, dedup.shingles(t, size))) for t in texts]


def test_shingles_of_the_noise_fixtures_hash_as_they_do_alone():
    texts = [dedup.fold(line) for path in sorted(FIXTURES.glob("*.txt")) for line in path.read_text("utf-8").splitlines()]
    hashed = list(minhash.shingle_hashes(texts, 5))
    assert len(texts) > 500 and sum(map(len, hashed)) > 10_000
    assert [set(h) for h in hashed] == [set(map(dedup.shingle_hash, dedup.shingles(t, 5))) for t in texts]


# --- relations ------------------------------------------------------------------------------


def test_unique_speeches_point_nowhere():
    out, _, stats = dedup.annotate(release({"name": "a", "paragraphs": SPEECH}, {"name": "b", "paragraphs": OTHER}))
    for name, row in speeches(out).items():
        assert (row["duplicate_of"], row["duplicate_kind"], row["duplicate_score"]) == (None, None, None)
        assert row["duplicate_cluster"] == speech_id(name)
    assert out["paragraphs"].column("duplicate_of").null_count == out["paragraphs"].num_rows
    assert (stats.clusters, stats.non_canonical, stats.exact_pairs, stats.near_pairs, stats.contained) == (0, 0, 0, 0, 0)


def test_exact_duplicate_differs_only_in_punctuation_and_spacing():
    copy = [p.replace("，", ",").replace("。", " ") for p in SPEECH]
    out, _, stats = dedup.annotate(release({"name": "a", "paragraphs": SPEECH, "published": dt.date(2020, 1, 1)},
                                           {"name": "b", "paragraphs": copy}))
    rows = speeches(out)
    assert rows["a"]["duplicate_of"] is None
    assert (rows["b"]["duplicate_of"], rows["b"]["duplicate_kind"], rows["b"]["duplicate_score"]) == (speech_id("a"), "exact", 1.0)
    assert rows["a"]["duplicate_cluster"] == rows["b"]["duplicate_cluster"] == speech_id("a")
    for ordinal in range(1, len(SPEECH) + 1):
        twin = paragraphs(out)[("b", ordinal)]
        assert (twin["duplicate_of"], twin["duplicate_kind"], twin["duplicate_score"]) == (pid(out, "a", ordinal), "exact", 1.0)
        assert paragraphs(out)[("a", ordinal)]["duplicate_of"] is None
    assert (stats.exact_pairs, stats.clusters, stats.non_canonical) == (1, 1, 1)


def test_near_duplicate_points_at_canonical_with_its_jaccard():
    copy = [edit(p) if i % 2 else p for i, p in enumerate(SPEECH)]
    out, _, stats = dedup.annotate(release({"name": "a", "paragraphs": SPEECH, "published": dt.date(2020, 1, 1)},
                                           {"name": "b", "paragraphs": copy}))
    b = speeches(out)["b"]
    assert (b["duplicate_of"], b["duplicate_kind"]) == (speech_id("a"), "near")
    assert 0.7 <= b["duplicate_score"] < 1.0
    kinds = [paragraphs(out)[("b", i)]["duplicate_kind"] for i in range(1, len(SPEECH) + 1)]
    assert kinds == ["exact", "near"] * 4
    for i in (2, 4, 6, 8):
        row = paragraphs(out)[("b", i)]
        assert row["duplicate_of"] == pid(out, "a", i) and 0.7 <= row["duplicate_score"] < 1.0
    assert stats.near_pairs == 1


def test_a_slightly_shorter_copy_is_near_not_contained():
    """Every paragraph of the copy is in the original, but the two are near duplicates:
    containment is for excerpts, not for copies that lost a paragraph."""
    out, _, stats = dedup.annotate(release({"name": "full", "paragraphs": SPEECH}, {"name": "copy", "paragraphs": SPEECH[:7]}))
    row = speeches(out)["copy"]
    assert (row["duplicate_of"], row["duplicate_kind"]) == (speech_id("full"), "near")
    assert row["duplicate_score"] >= DedupConfig().threshold
    assert stats.contained == 0


def test_excerpt_is_contained_in_the_longer_speech():
    out, _, stats = dedup.annotate(release({"name": "full", "paragraphs": SPEECH},
                                           {"name": "excerpt", "paragraphs": SPEECH[2:5]}))
    row = speeches(out)["excerpt"]
    assert (row["duplicate_of"], row["duplicate_kind"], row["duplicate_score"]) == (speech_id("full"), "contained", 1.0)
    assert speeches(out)["full"]["duplicate_of"] is None
    assert [paragraphs(out)[("excerpt", i)]["duplicate_of"] for i in (1, 2, 3)] == [pid(out, "full", i) for i in (3, 4, 5)]
    assert stats.contained == 1


def test_containment_share_counts_characters_with_a_twin():
    """Two of the excerpt's paragraphs are found, one is not: contained only if the found
    characters reach the configured share."""
    excerpt = SPEECH[:2] + OTHER[:1]
    tables = release({"name": "full", "paragraphs": SPEECH}, {"name": "excerpt", "paragraphs": excerpt})
    folded = [len(dedup.fold(p)) for p in excerpt]
    share = sum(folded[:2]) / sum(folded)
    out, _, _ = dedup.annotate(tables, DedupConfig(containment=share - 0.01))
    row = speeches(out)["excerpt"]
    assert row["duplicate_kind"] == "contained"
    assert row["duplicate_score"] == pytest.approx(share, abs=1e-6)
    out, _, _ = dedup.annotate(tables, DedupConfig(containment=share + 0.01))
    assert speeches(out)["excerpt"]["duplicate_of"] is None


def test_compilation_contains_each_speech_it_reprints():
    out, _, stats = dedup.annotate(release({"name": "one", "paragraphs": SPEECH},
                                           {"name": "two", "paragraphs": OTHER},
                                           {"name": "compilation", "paragraphs": SPEECH + OTHER}))
    rows = speeches(out)
    assert rows["compilation"]["duplicate_of"] is None
    for name in ("one", "two"):
        assert (rows[name]["duplicate_of"], rows[name]["duplicate_kind"]) == (speech_id("compilation"), "contained")
        assert rows[name]["duplicate_cluster"] == speech_id("compilation")
    assert (stats.contained, stats.clusters) == (2, 1)


def test_masked_name_still_finds_its_twin():
    named = "习近平总书记在决战决胜脱贫攻坚座谈会上发表的重要讲话，深入分析脱贫攻坚战面临的困难挑战，深刻阐明打赢脱贫攻坚战具备的有利条件。"
    masked = named.replace("习近平总书记", "xxx")
    out, _, _ = dedup.annotate(release({"name": "named", "paragraphs": [named] + SPEECH},
                                       {"name": "masked", "paragraphs": [masked] + SPEECH, "placeholders": 1}))
    row = paragraphs(out)[("masked", 1)]
    assert (row["duplicate_of"], row["duplicate_kind"]) == (pid(out, "named", 1), "near")
    assert speeches(out)["masked"]["duplicate_of"] == speech_id("named")


def test_placeholder_styles_fold_to_the_same_text():
    a = "请xxx同志代表县委作工作报告，xx同志主持会议，会议听取了全县经济社会发展情况的汇报并研究部署下一步工作。"
    b = a.replace("xxx", "×××").replace("xx", "XX")
    out, _, stats = dedup.annotate(release({"name": "a", "paragraphs": [a] + OTHER, "placeholders": 2},
                                           {"name": "b", "paragraphs": [b] + OTHER, "placeholders": 2}))
    assert sorted(str(r["duplicate_kind"]) for r in speeches(out).values()) == ["None", "exact"]
    assert stats.exact_pairs == 1


def test_short_paragraphs_are_never_twins():
    """同志们： and 谢谢大家！ open and close unrelated speeches; they link nothing."""
    out, _, stats = dedup.annotate(release({"name": "a", "paragraphs": ["同志们：", *SPEECH[:2], "谢谢大家！"]},
                                           {"name": "b", "paragraphs": ["同志们：", *OTHER[:2], "谢谢大家！"]},
                                           {"name": "c", "paragraphs": ["同志们：", "谢谢大家！"]}))
    assert out["paragraphs"].column("duplicate_of").null_count == out["paragraphs"].num_rows
    assert out["speeches"].column("duplicate_of").null_count == 3
    assert stats.clusters == 0


def test_stock_paragraph_in_unrelated_speeches_points_at_the_better_ranked_copy():
    stock = SPEECH[0]
    out, _, _ = dedup.annotate(release({"name": "a", "paragraphs": OTHER + [stock], "published": dt.date(2019, 1, 1)},
                                       {"name": "b", "paragraphs": SPEECH[3:6] + [stock], "published": dt.date(2021, 1, 1)}))
    assert out["speeches"].column("duplicate_of").null_count == 2  # too little shared to be duplicates
    first, second = paragraphs(out)[("a", 5)], paragraphs(out)[("b", 4)]
    longer = "a" if speeches(out)["a"]["char_count"] > speeches(out)["b"]["char_count"] else "b"
    pointing = second if longer == "a" else first
    assert (pointing["duplicate_kind"], pointing["duplicate_score"]) == ("exact", 1.0)
    assert pointing["duplicate_of"] == (first if longer == "a" else second)["paragraph_id"]
    assert (first if longer == "a" else second)["duplicate_of"] is None


# --- the canonical rule -------------------------------------------------------------------

TRUNCATED = [()] * (len(SPEECH) - 1) + [("truncated",)]


@pytest.mark.parametrize("label, better, worse", [
    ("a flagged paragraph outweighs placeholders",
     {"placeholders": 3}, {"flags": TRUNCATED}),
    ("placeholders outweigh length",
     {"paragraphs": SPEECH[:7]}, {"placeholders": 1}),
    ("length outweighs the traditional source",
     {"converted": 900}, {"paragraphs": SPEECH[:7]}),
    ("the simplified source outweighs an earlier date",
     {"published": dt.date(2022, 1, 1)}, {"converted": 900, "published": dt.date(2001, 1, 1)}),
    ("an earlier date wins",
     {"published": dt.date(2001, 1, 1)}, {"published": dt.date(2022, 1, 1)}),
    ("a known date beats none",
     {"published": dt.date(2022, 1, 1)}, {}),
    ("a header line does not make a copy longer (length counts in whole percent)",
     {}, {"paragraphs": ["讲话"] + SPEECH, "converted": 900}),
])
@pytest.mark.parametrize("order", ["better first", "worse first"])
def test_canonical_rule(label, better, worse, order):
    docs = [{"name": "better", "paragraphs": SPEECH, **better}, {"name": "worse", "paragraphs": SPEECH, **worse}]
    if order == "worse first":  # the names decide nothing: swap them too
        docs = [{**docs[1], "name": "a"}, {**docs[0], "name": "b"}]
    out, _, _ = dedup.annotate(release(*docs))
    rows = speeches(out)
    winner = "better" if order == "better first" else "b"
    loser = "worse" if order == "better first" else "a"
    assert rows[winner]["duplicate_of"] is None, label
    assert rows[loser]["duplicate_of"] == speech_id(winner), label
    assert rows[loser]["duplicate_cluster"] == rows[winner]["duplicate_cluster"] == speech_id(winner)


def test_a_contained_speech_is_never_canonical():
    """The excerpt is clean and dated; the full speech has a flag, placeholders, a
    traditional source and no date: the full speech is still canonical."""
    out, _, _ = dedup.annotate(release(
        {"name": "full", "paragraphs": SPEECH, "flags": TRUNCATED, "placeholders": 4, "converted": 500},
        {"name": "excerpt", "paragraphs": SPEECH[:4], "published": dt.date(2001, 1, 1)}))
    rows = speeches(out)
    assert rows["full"]["duplicate_of"] is None
    assert rows["excerpt"]["duplicate_kind"] == "contained"


def test_identical_speeches_tie_on_document_id():
    out, _, _ = dedup.annotate(release({"name": "x", "paragraphs": SPEECH}, {"name": "y", "paragraphs": SPEECH}))
    first = min(speeches(out).values(), key=lambda r: r["doc_id"])
    assert {r["duplicate_cluster"] for r in speeches(out).values()} == {first["speech_id"]}


def test_canonical_rule_is_documented_for_the_card():
    described = DedupConfig().describe()
    assert described["canonical_rule"] == dedup.CANONICAL_RULE
    assert {"threshold", "containment", "num_perm", "shingle_size", "min_paragraph_chars", "seed"} <= set(described)
    for words in ("contained", "flag", "placeholders", "characters", "simplified", "publish date", "document id"):
        assert words in dedup.CANONICAL_RULE


# --- the tables, determinism, the index ---------------------------------------------------


def corpus_with_everything() -> dict[str, pa.Table]:
    return release(
        {"name": "a", "paragraphs": SPEECH, "published": dt.date(2020, 5, 1)},
        {"name": "b", "paragraphs": [edit(p) if i == 3 else p for i, p in enumerate(SPEECH)], "converted": 300},
        {"name": "c", "paragraphs": SPEECH[:3] + [SPEECH[3][:20]], "flags": [(), (), (), ("truncated",)]},
        {"name": "d", "paragraphs": OTHER},
        {"name": "e", "paragraphs": ["同志们：", *OTHER[1:3]]},
    )


def with_texts(tables: dict[str, pa.Table], texts: list[str]) -> dict[str, pa.Table]:
    """``tables`` with the paragraphs' texts replaced by ``texts``."""
    paragraphs = tables["paragraphs"]
    i = paragraphs.schema.get_field_index("text")
    return {**tables, "paragraphs": paragraphs.set_column(i, paragraphs.schema.field(i), pa.array(texts, pa.string()))}


def test_schema_rows_and_other_columns_are_unchanged():
    tables = corpus_with_everything()
    tables["sections"] = records.to_arrow("sections", [])
    out, _, _ = dedup.annotate(tables)
    assert out["sections"] is tables["sections"]
    for name, changed in (("speeches", {"duplicate_of", "duplicate_kind", "duplicate_score", "duplicate_cluster"}),
                          ("paragraphs", {"duplicate_of", "duplicate_kind", "duplicate_score"})):
        assert out[name].schema.equals(tables[name].schema, check_metadata=True)
        assert out[name].schema == schemas.table(name).arrow_schema()
        assert out[name].schema.field("duplicate_score").type == pa.float32()
        kept = [c for c in tables[name].column_names if c not in changed]
        assert out[name].select(kept).equals(tables[name].select(kept))


def test_duplicate_columns_keep_their_contract():
    out, _, _ = dedup.annotate(corpus_with_everything())
    ids = set(out["speeches"].column("speech_id").to_pylist())
    for row in out["speeches"].to_pylist():
        assert row["duplicate_cluster"] in ids
        assert (row["duplicate_of"] is None) == (row["duplicate_kind"] is None) == (row["duplicate_score"] is None)
        if row["duplicate_of"]:
            assert row["duplicate_of"] in ids and row["duplicate_of"] != row["speech_id"]
            assert 0 < row["duplicate_score"] <= 1
    speech_of = dict(zip(out["paragraphs"].column("paragraph_id").to_pylist(), out["paragraphs"].column("speech_id").to_pylist()))
    for row in out["paragraphs"].to_pylist():
        assert (row["duplicate_of"] is None) == (row["duplicate_kind"] is None) == (row["duplicate_score"] is None)
        if row["duplicate_of"]:
            assert speech_of[row["duplicate_of"]] != row["speech_id"]
            assert row["duplicate_kind"] in ("exact", "near")
            assert DedupConfig().threshold <= row["duplicate_score"] <= 1


def test_two_runs_are_identical():
    first_tables, first_index, _ = dedup.annotate(corpus_with_everything())
    second_tables, second_index, _ = dedup.annotate(corpus_with_everything())
    for name in first_tables:
        assert first_tables[name].equals(second_tables[name], check_metadata=True)
    assert first_index.equals(second_index, check_metadata=True)


def test_index_rows_and_signatures():
    tables = corpus_with_everything()
    _, index, stats = dedup.annotate(tables)
    assert index.schema.equals(dedup.index_schema(), check_metadata=True)
    rows = list(zip(index.column("level").to_pylist(), index.column("record_id").to_pylist()))
    assert rows == sorted(rows)
    assert rows.count(("paragraph", rows[0][1])) == 1
    assert sum(level == "paragraph" for level, _ in rows) == stats.paragraphs == tables["paragraphs"].num_rows
    assert sum(level == "speech" for level, _ in rows) == stats.speeches == tables["speeches"].num_rows
    assert set(len(v) for v in index.column("minhash").to_pylist()) == {128 * 4}


def test_signatures_are_datasketch_minhashes_of_the_shingles():
    """A signature can be recomputed by anyone with datasketch from the folded text."""
    tables = release({"name": "a", "paragraphs": SPEECH[:1]})
    _, index, _ = dedup.annotate(tables)
    expected = MinHash(num_perm=128, seed=1, scheme=dedup.SCHEME, hashfunc=dedup.shingle_hash)
    expected.update_batch(list(dedup.shingles(dedup.fold(SPEECH[0]), 5)))
    for row in index.to_pylist():  # one paragraph: the speech's signature is the same
        assert np.array_equal(np.frombuffer(row["minhash"], dtype="<u4"), expected.hashvalues)


def test_second_build_reuses_every_signature(tmp_path):
    tables = corpus_with_everything()
    out, index, first = dedup.annotate(tables)
    pq.write_table(index, tmp_path / "minhash.parquet")  # as the release persists it
    previous = pq.read_table(tmp_path / "minhash.parquet")
    again, again_index, second = dedup.annotate(tables, previous=previous)
    assert first.signatures_reused == 0 and first.signatures_computed > 0
    assert (second.signatures_reused, second.signatures_computed) == (first.signatures_computed, 0)
    for name in out:
        assert again[name].equals(out[name])
    assert again_index.equals(index)


def test_an_index_over_2_gb_is_split_into_chunks(monkeypatch):
    """Binary offsets are int32: past 2 GB of signatures the column is chunked, and a
    chunked index reads back the same."""
    tables = corpus_with_everything()
    out, index, _ = dedup.annotate(tables)
    monkeypatch.setattr(dedup.index, "_MAX_BINARY_BYTES", 3 * 128 * 4)
    again, chunked, _ = dedup.annotate(tables)
    assert chunked.column("minhash").num_chunks == -(-index.num_rows // 3)
    assert chunked.equals(index)
    _, _, stats = dedup.annotate(tables, previous=chunked)
    assert stats.signatures_computed == 0


def test_a_changed_paragraph_is_the_only_signature_computed():
    _, index, _ = dedup.annotate(corpus_with_everything())
    texts = corpus_with_everything()["paragraphs"].column("text").to_pylist()
    texts[0] = texts[0] + "新增一句话。"
    changed = with_texts(corpus_with_everything(), texts)
    _, new_index, stats = dedup.annotate(changed, previous=index)
    assert stats.signatures_computed == 1
    assert stats.signatures_reused == len({dedup.fold(t) for t in texts}) - 1
    assert new_index.num_rows == index.num_rows


def test_an_index_built_with_other_settings_is_not_reused():
    _, index, _ = dedup.annotate(corpus_with_everything())
    _, _, stats = dedup.annotate(corpus_with_everything(), DedupConfig(shingle_size=4), previous=index)
    assert stats.signatures_reused == 0


def test_carried_documents_fold_nothing_and_change_nothing(monkeypatch):
    """Paragraphs of carried documents take their folded sha1 and length from the index;
    only the others are folded, and the result is what folding everything gives."""
    tables = corpus_with_everything()
    out, index, _ = dedup.annotate(tables)
    folded = []
    fold_column = folding.fold_column
    monkeypatch.setattr(folding, "fold_column", lambda texts: (folded.append(texts.to_pylist()), fold_column(texts))[1])
    doc_ids = tables["documents"].column("doc_id")
    again, again_index, stats = dedup.annotate(tables, previous=index, carried=doc_ids.slice(1))
    first_doc = pc.equal(tables["paragraphs"].column("doc_id"), doc_ids[0])
    assert folded == [tables["paragraphs"].filter(first_doc).column("text").to_pylist()]
    assert stats.paragraphs_folded == len(folded[0]) and stats.signatures_computed == 0
    for name in out:
        assert again[name].equals(out[name], check_metadata=True)
    assert again_index.equals(index, check_metadata=True)


def test_a_changed_document_that_is_not_carried_is_folded_again():
    _, index, _ = dedup.annotate(corpus_with_everything())
    texts = corpus_with_everything()["paragraphs"].column("text").to_pylist()
    texts[0] = texts[0] + "新增一句话。"
    changed = with_texts(corpus_with_everything(), texts)
    doc_ids = changed["documents"].column("doc_id")
    others = doc_ids.filter(pc.not_equal(doc_ids, changed["paragraphs"].column("doc_id")[0]))
    out, new_index, stats = dedup.annotate(changed, previous=index, carried=others)
    expected_out, expected_index, _ = dedup.annotate(changed)
    assert stats.signatures_computed == 1
    for name in out:
        assert out[name].equals(expected_out[name], check_metadata=True)
    assert new_index.equals(expected_index, check_metadata=True)


def test_pairs_of_indexed_texts_are_not_checked_again(monkeypatch, tmp_path):
    """Two texts the previous index holds were checked by the build that wrote it: their
    Jaccard similarity comes from the index, and the result is the same."""
    tables = corpus_with_everything()
    out, index, _ = dedup.annotate(tables)
    assert any(index.column("twins").to_pylist()[:len(tables["paragraphs"])])
    pq.write_table(index, tmp_path / "minhash.parquet")
    checked = []
    jaccard = minhash.jaccard
    monkeypatch.setattr(minhash, "jaccard", lambda a, b: (checked.append(1), jaccard(a, b))[1])
    again, again_index, _ = dedup.annotate(tables, previous=pq.read_table(tmp_path / "minhash.parquet"))
    assert checked == []
    for name in out:
        assert again[name].equals(out[name], check_metadata=True)
    assert again_index.equals(index, check_metadata=True)
    # a changed text is checked against the others; the rest still come from the index
    texts = tables["paragraphs"].column("text").to_pylist()
    k = next(i for i, t in enumerate(texts) if len(dedup.fold(t)) > 40)
    texts[k] = texts[k][:-3] + "新增一句。"
    changed = with_texts(tables, texts)
    checked.clear()
    incremental, incremental_index, _ = dedup.annotate(changed, previous=index)
    full, full_index, _ = dedup.annotate(changed)
    assert 0 < len(checked)
    for name in full:
        assert incremental[name].equals(full[name], check_metadata=True)
    assert incremental_index.equals(full_index, check_metadata=True)


def test_an_index_with_another_threshold_is_not_reused():
    _, index, _ = dedup.annotate(corpus_with_everything())
    _, _, stats = dedup.annotate(corpus_with_everything(), DedupConfig(threshold=0.8), previous=index)
    assert stats.signatures_reused == 0


def test_an_index_of_an_older_release_is_recomputed_not_an_error():
    """Releases before the index held folded lengths wrote no ``fold`` metadata."""
    tables = corpus_with_everything()
    _, index, first = dedup.annotate(tables)
    metadata = {k: v for k, v in index.schema.metadata.items() if k not in (b"fold", b"twins")}
    older = index.drop_columns(["folded_chars", "twins"]).replace_schema_metadata(metadata)
    _, _, stats = dedup.annotate(tables, previous=older, carried=tables["documents"].column("doc_id"))
    assert (stats.signatures_reused, stats.signatures_computed) == (0, first.signatures_computed)


def test_misuse_raises_with_the_valid_choices():
    with pytest.raises(ConfigError, match="threshold"):
        DedupConfig(threshold=0)
    with pytest.raises(ConfigError, match="shingle_size"):
        DedupConfig(shingle_size=0)
    with pytest.raises(ConfigError, match="paragraphs"):
        dedup.annotate({k: v for k, v in corpus_with_everything().items() if k != "paragraphs"})
    with pytest.raises(ConfigError, match="minhash"):
        dedup.annotate(corpus_with_everything(), previous=pa.table({"level": ["paragraph"]}))


def test_empty_release():
    tables = {name: records.to_arrow(name, []) for name in ("documents", "speeches", "paragraphs")}
    out, index, stats = dedup.annotate(tables)
    assert out["speeches"].num_rows == 0 and index.num_rows == 0
    assert dataclasses.astuple(stats)[:-1] == (0,) * 10

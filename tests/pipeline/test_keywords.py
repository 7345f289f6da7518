"""Keywords: TF-IDF with the release's own IDF, jieba's below the size threshold."""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from conftest import REPO
from pipeline.corpus import keywords
from pipeline.corpus.keywords import KeywordConfig


def test_seed_speeches_get_their_topics(seed_bundle):
    tokens: dict[str, list[str]] = {}
    for p in seed_bundle.paragraphs:
        tokens.setdefault(p.speech_id, []).extend(p.tokens)
    found, idf, source = keywords.annotate(tokens)
    assert source == "jieba"  # six speeches are too few to learn an IDF from
    by_ordinal = {s.ordinal: found[s.speech_id] for s in seed_bundle.speeches}
    assert "脱贫攻坚" in by_ordinal[1] and "复工复产" in by_ordinal[5]
    stopwords = keywords.load_stopwords(KeywordConfig().stopwords)
    for words in by_ordinal.values():
        assert 0 < len(words) <= 10 and not set(words) & stopwords
        assert not any(a in b for a in words for b in words if a != b)  # 疫情 not beside 疫情防控
    assert idf.schema.metadata[b"source"] == b"jieba"


def test_a_large_enough_corpus_learns_its_own_idf():
    common = ["发展", "改革"]
    speeches = {f"s{i}": common + [f"话题{i}", f"话题{i}"] for i in range(60)}
    found, idf, source = keywords.annotate(speeches, KeywordConfig(min_speeches=50))
    assert source == "corpus"
    assert found["s7"][0] == "话题7"  # rare in the corpus, frequent in the speech
    rows = {r["word"]: r for r in idf.to_pylist()}
    assert rows["发展"]["df"] == 60 and rows["发展"]["idf"] < rows["话题7"]["idf"]


def test_equal_scores_go_to_the_word_seen_first():
    speeches = {f"s{i}": ["乙方", "甲方", "甲方", "乙方"] for i in range(50)}  # same tf, same corpus idf
    found, _, source = keywords.annotate(speeches, KeywordConfig(min_speeches=50))
    assert source == "corpus" and found["s0"] == ("乙方", "甲方")


@pytest.mark.parametrize("token, ok", [("脱贫攻坚", True), ("的", False), ("XX", False), ("2020", False), ("我们", False)])
def test_candidates(token, ok):
    assert keywords.candidate(token, keywords.load_stopwords(KeywordConfig().stopwords)) is ok


def test_a_speech_whose_shortlist_is_all_parts_of_its_top_keyword_still_gets_top_k():
    whole = "中华人民共和国国务院"
    parts = ["中华", "华人", "共和", "和国", "国务", "务院", "中华人民", "共和国", "国务院"]
    tokens = [whole] * 20 + [p for p in parts for _ in range(10)] + ["脱贫攻坚"]
    found, _, source = keywords.annotate({f"s{i}": tokens for i in range(50)}, KeywordConfig(top_k=2, min_speeches=50))
    # 2 x 4 = 8 shortlisted words, every one inside 中华人民共和国国务院: the ninth part and
    # 脱贫攻坚 are only reached by ranking the whole speech
    assert source == "corpus" and found["s3"] == (whole, "脱贫攻坚")


def _seed_paragraphs(seed_bundle) -> tuple[pa.Table, list[str]]:
    """The seed's paragraphs as the table ``annotate_table`` reads, and its speech ids."""
    rows = sorted(seed_bundle.paragraphs, key=lambda p: (p.speech_id, p.ordinal))
    table = pa.table({
        "speech_id": [p.speech_id for p in rows],
        "ordinal": pa.array([p.ordinal for p in rows], pa.int32()),
        "tokens": pa.array([list(p.tokens) for p in rows], pa.list_(pa.string())),
    })
    return table, sorted({p.speech_id for p in rows})


def test_paragraphs_in_any_row_order_give_the_same_keywords(seed_bundle):
    table, speech_ids = _seed_paragraphs(seed_bundle)
    in_order = keywords.annotate_table(table, speech_ids)
    backwards = keywords.annotate_table(table.take(pa.array(range(table.num_rows - 1, -1, -1))), speech_ids)
    # first occurrence decides ties, so reading the paragraphs out of order must not move it
    assert backwards[0] == in_order[0] and backwards[1].equals(in_order[1])


def test_ties_go_to_first_use_in_a_corpus_larger_than_one_arrow_batch():
    """Arrow's group-by does not return groups in first-seen order past its first batch
    (32,768 rows): first use must come from positions, not from that order."""
    import random

    rng = random.Random(7)
    stopwords = keywords.load_stopwords(KeywordConfig().stopwords)
    vocabulary = [w for a in range(400) for b in range(400)
                  if (w := chr(0x4E00 + a) + chr(0x4E00 + b)) not in stopwords]
    rng.shuffle(vocabulary)
    # 2,000 words per speech, used once each and by no other speech: equal scores
    # everywhere, so the order of first use alone decides
    speeches = {f"s{i:02d}": vocabulary[i * 2000:(i + 1) * 2000] for i in range(50)}
    found, _, source = keywords.annotate(speeches, KeywordConfig(min_speeches=50))
    assert source == "corpus"
    for speech_id, words in speeches.items():
        assert found[speech_id] == tuple(words[:10])


def test_counts_carried_from_a_previous_release_give_what_counting_everything_gives(seed_bundle):
    table, speech_ids = _seed_paragraphs(seed_bundle)
    everything = keywords.annotate_table(table, speech_ids)
    previous = everything[3]
    # the first speech is new: counted from its tokens; the rest come from ``previous``
    # (a speech the previous release did not have, and one it had but this one lacks)
    carried = pa.array(speech_ids[1:] + ["gone"])
    again = keywords.annotate_table(table, speech_ids, previous=previous, carried=carried)
    assert again[0] == everything[0] and again[1].equals(everything[1], check_metadata=True)
    assert again[3].equals(everything[3]) and again[3].schema.equals(everything[3].schema, check_metadata=True)
    # counts stored in any row order give the same rows, in the same order
    shuffled = previous.take(pa.array(list(range(previous.num_rows))[::-1]))
    assert keywords.annotate_table(table, speech_ids, previous=shuffled, carried=carried).terms.equals(everything.terms)
    # counts under other stopwords are not used: the tokens are counted again
    other = previous.replace_schema_metadata({b"candidates_sha256": b"other"})
    poisoned = pa.table([previous.column(0), previous.column(1), pa.array([999] * previous.num_rows, pa.int32()),
                         previous.column(3)], schema=previous.schema)
    assert keywords.annotate_table(table, speech_ids, previous=other, carried=carried)[0] == everything[0]
    assert keywords.annotate_table(table, speech_ids, previous=poisoned, carried=carried)[1].column("df") \
        == everything[1].column("df")


def test_counts_merged_from_batches_give_what_counting_everything_gives(seed_bundle):
    """Term counts made per batch (where the records are made) and merged give the
    result of counting every token at once, in any batch order, with a speech counted
    twice (a repeated input) or by no batch (counted from its tokens)."""
    table, speech_ids = _seed_paragraphs(seed_bundle)
    everything = keywords.annotate_table(table, speech_ids)

    def batch(ids: list[str]) -> pa.Table:
        return keywords.batch_terms(table.filter(pc.is_in(table.column("speech_id"), pa.array(ids))), ids)

    parts = [batch([sid]) for sid in speech_ids[2:]] + [batch(speech_ids[1:3])]
    # the tokens of the speeches the batches counted are not read again: blanked, they change nothing
    by_batch = pc.is_in(table.column("speech_id"), pa.array(speech_ids[1:]))
    blanked = table.set_column(2, "tokens", pc.if_else(by_batch, pa.scalar([], pa.list_(pa.string())),
                                                        table.column("tokens")))
    for order in (parts, parts[::-1], parts[1:] + parts[:1]):
        merged = keywords.annotate_table(blanked, speech_ids, batch_terms=order)
        assert merged.keywords == everything.keywords
        assert merged.idf.equals(everything.idf, check_metadata=True)
        assert merged.terms.equals(everything.terms) and merged.terms.schema.equals(everything.terms.schema,
                                                                                   check_metadata=True)
        assert merged.counted == everything.counted == len(speech_ids)
    # counts made under other stopwords are not used: those speeches are counted from their tokens
    other = [part.replace_schema_metadata({b"candidates_sha256": b"other"}) for part in parts]
    assert keywords.annotate_table(table, speech_ids, batch_terms=other).terms.equals(everything.terms)
    assert not keywords.annotate_table(blanked, speech_ids, batch_terms=other).terms.equals(everything.terms)


def test_counts_of_batches_and_of_a_previous_release_merge_into_what_counting_everything_gives(seed_bundle):
    table, speech_ids = _seed_paragraphs(seed_bundle)
    everything = keywords.annotate_table(table, speech_ids)
    # the first speech is carried from the previous release, the others were processed again
    fresh = pc.is_in(table.column("speech_id"), pa.array(speech_ids[1:]))
    part = keywords.batch_terms(table.filter(fresh), speech_ids[1:])
    again = keywords.annotate_table(table.filter(pc.invert(fresh)), speech_ids, previous=everything.terms,
                                    carried=pa.array(speech_ids[:1]), batch_terms=[part])
    assert again.keywords == everything.keywords and again.terms.equals(everything.terms)
    assert again.counted == len(speech_ids) - 1


def test_ranking_block_by_block_gives_what_ranking_every_speech_at_once_gives(seed_bundle, monkeypatch):
    table, speech_ids = _seed_paragraphs(seed_bundle)
    at_once = keywords.annotate_table(table, speech_ids)
    monkeypatch.setattr(keywords, "_RANKED_ROWS", 7)  # a block per speech or two, cut only between speeches
    assert keywords.annotate_table(table, speech_ids).keywords == at_once.keywords


def test_the_terms_index_counts_the_speeches_left_after_a_quarantine(seed_bundle):
    """A build that quarantines documents enriches the rest again with the terms index of
    its first enrichment as their counts: what counting their tokens gives."""
    table, speech_ids = _seed_paragraphs(seed_bundle)
    everything = keywords.annotate_table(table, speech_ids)
    rest = speech_ids[1:]
    kept = table.filter(pc.is_in(table.column("speech_id"), pa.array(rest)))
    from_tokens = keywords.annotate_table(kept, rest)
    blanked = kept.set_column(2, "tokens", pa.array([[]] * kept.num_rows, pa.list_(pa.string())))
    from_index = keywords.annotate_table(blanked, rest, batch_terms=[everything.terms])
    assert from_index.keywords == from_tokens.keywords and from_index.idf.equals(from_tokens.idf, check_metadata=True)
    assert from_index.terms.equals(from_tokens.terms) and from_index.counted == from_tokens.counted


def test_jiebas_idf_is_the_table_jieba_analyse_ships_and_a_build_never_imports_jieba_analyse():
    """Importing ``jieba.analyse`` loads jieba's part-of-speech model and this table:
    a visible share of every build's start, for a table read only for small corpora."""
    import jieba.analyse

    table, _ = keywords.jieba_idf()
    assert table == jieba.analyse.default_tfidf.idf_freq
    code = "import sys, flows.build; print('jieba.analyse' in sys.modules, 'jieba.posseg' in sys.modules)"
    imported = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert imported.stdout.split() == ["False", "False"]

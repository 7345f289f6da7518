"""schemas.index: the index tables a release keeps for later builds are the ones the stages write."""

from __future__ import annotations

import pyarrow as pa
import pytest

import schemas.index
from pipeline.corpus import dedup, keywords
from pipeline.corpus.keywords import KeywordConfig


@pytest.mark.parametrize("stored, expected, reusable", [
    ({"seed": "1", "fold": "a"}, {b"seed": b"1", b"fold": b"a"}, True),
    ({"seed": "1", "fold": "a", "extra": "x"}, {b"seed": b"1"}, True),
    ({"seed": "1"}, {b"seed": b"2"}, False),
    ({"seed": "1"}, {b"seed": b"1", b"fold": b"a"}, False),
    (None, {b"seed": b"1"}, False),
    (None, {}, True),
])
def test_an_index_is_reused_only_when_written_under_the_same_settings(stored, expected, reusable):
    table = pa.table({"a": [1]}).replace_schema_metadata(stored)
    assert schemas.index.written_under(table, expected) is reusable


def test_the_minhash_index_has_the_schema_defined_in_schemas():
    schema = dedup.index_schema(dedup.DedupConfig(num_perm=64))
    assert schema.equals(schemas.index.minhash_schema(64, schema.metadata), check_metadata=True)
    assert schema.field("minhash").metadata[b"doc"] == b"MinHash hash values, 64 little-endian uint32."


@pytest.mark.parametrize("min_speeches, source", [(1, "corpus"), (50, "jieba")])
def test_keyword_index_tables_have_the_schemas_defined_in_schemas(min_speeches, source):
    ranking = keywords.annotate_table(
        pa.table({"speech_id": ["a", "a", "b"], "ordinal": pa.array([1, 2, 1], pa.int32()),
                  "tokens": pa.array([["脱贫攻坚", "发展"], ["发展"], ["复工复产"]], pa.list_(pa.string()))}),
        ["a", "b", "c"], KeywordConfig(min_speeches=min_speeches))
    assert ranking.source == source
    assert ranking.terms.schema.equals(keywords.terms_schema(KeywordConfig()), check_metadata=True)
    assert ranking.terms.schema.equals(schemas.index.terms_schema(ranking.terms.schema.metadata), check_metadata=True)
    assert ranking.idf.schema.equals(
        schemas.index.idf_schema({b"source": source.encode(), b"speeches": b"3"}), check_metadata=True)
    assert ranking.idf.column("word").to_pylist() == ["发展", "复工复产", "脱贫攻坚"]
    assert ranking.idf.column("df").to_pylist() == ([1, 1, 1] if source == "corpus" else [None] * 3)

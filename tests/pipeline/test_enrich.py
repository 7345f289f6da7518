"""pipeline.corpus.enrich: the corpus-wide steps, apart and together."""

from __future__ import annotations

from pipeline import process
from pipeline.corpus import enrich


def test_keywords_and_duplicates_apart_combine_into_what_the_whole_step_gives(seed_bundle):
    tables = process.tables([process.from_records([seed_bundle], [])])
    whole = enrich.tables(tables)
    combined = enrich.combine(enrich.keywords_of(tables), enrich.duplicates_of(tables))
    assert set(whole.tables) == set(combined.tables)
    for name in whole.tables:
        assert combined.tables[name].equals(whole.tables[name]), name
    assert {n: t.equals(combined.index[n]) for n, t in whole.index.items()} == {"idf": True, "minhash": True, "terms": True}
    timeless = lambda summary: {**summary, "dedup": {k: v for k, v in summary["dedup"].items() if k != "seconds"}}
    assert timeless(whole.summary) == timeless(combined.summary)
    assert all(combined.tables["speeches"].column("keywords").to_pylist())  # every seed speech has keywords
    assert combined.summary["dedup"]["non_canonical"] == 1  # speech 3 repeats a lecture of speech 2

"""Corpus-wide enrichment of assembled tables: keywords and duplicates.

These steps need every speech of the release at once (an IDF, a MinHash index), so they
run after the per-document stages, on the tables, wherever the documents were
processed. State worth keeping between builds (the IDF used, each speech's term counts,
the MinHash signatures and folded lengths) is returned as index tables that the release
persists.

``keywords`` and ``duplicates`` are independent of each other; ``combine`` puts their
results into the tables. ``tables`` runs the three in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.corpus import dedup, keywords
from pipeline.corpus.dedup import DedupConfig
from pipeline.corpus.keywords import KeywordConfig, Ranking


@dataclass(frozen=True)
class EnrichConfig:
    """Settings of the corpus-wide steps."""

    keywords: KeywordConfig = KeywordConfig()
    dedup: DedupConfig = DedupConfig()


@dataclass
class Enriched:
    """The enriched tables, the index tables to persist, and a summary for the manifest."""

    tables: dict[str, pa.Table]
    index: dict[str, pa.Table] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Duplicates:
    """What ``dedup.annotate`` returns: the tables with the duplicate columns filled, the
    MinHash index and the counts."""

    tables: dict[str, pa.Table]
    minhash: pa.Table
    stats: dedup.DedupStats


def keywords_of(tables: dict[str, pa.Table], config: EnrichConfig = EnrichConfig(),
                previous_index: dict[str, pa.Table | None] | None = None,
                carried: pa.Array | pa.ChunkedArray | None = None,
                batch_terms: Sequence[pa.Table] = ()) -> Ranking:
    """Every speech's keywords; term counts of speeches of ``carried`` documents come from
    the previous index, and those of speeches of ``batch_terms`` (counted with their
    batches, ``process.terms_of``) from there, instead of their tokens."""
    speeches = tables["speeches"]
    # the one column, not the table: filtering every column copies the speeches' texts
    carried_speeches = None if carried is None else \
        pc.filter(speeches.column("speech_id"), pc.is_in(speeches.column("doc_id"), value_set=carried))
    return keywords.annotate_table(tables["paragraphs"], speeches.column("speech_id").to_pylist(),
                                   config.keywords, (previous_index or {}).get("terms"), carried_speeches,
                                   batch_terms)


def duplicates_of(tables: dict[str, pa.Table], config: EnrichConfig = EnrichConfig(),
                  previous_index: dict[str, pa.Table | None] | None = None,
                  carried: pa.Array | pa.ChunkedArray | None = None) -> Duplicates:
    """The duplicate columns of speeches and paragraphs; signatures of texts the previous
    index holds are reused."""
    out, minhash, stats = dedup.annotate(dict(tables), config.dedup,
                                         previous=(previous_index or {}).get("minhash"), carried=carried)
    return Duplicates(out, minhash, stats)


def combine(ranking: Ranking, duplicates: Duplicates) -> Enriched:
    """The tables with keywords and duplicate columns, the index tables, the summary."""
    out = dict(duplicates.tables)
    speeches = out["speeches"]
    keywords_field = speeches.schema.field("keywords")
    column = pa.array([list(ranking.keywords[sid]) for sid in speeches.column("speech_id").to_pylist()],
                      keywords_field.type)
    out["speeches"] = speeches.set_column(speeches.schema.get_field_index("keywords"), keywords_field, column)
    return Enriched(
        tables=out,
        index={"idf": ranking.idf, "minhash": duplicates.minhash, "terms": ranking.terms},
        summary={
            "keywords": {"idf_source": ranking.source, "idf_words": ranking.idf.num_rows,
                         "speeches_counted": ranking.counted, "speeches_reused": speeches.num_rows - ranking.counted},
            "dedup": duplicates.stats.to_dict(),
        },
    )


def tables(tables: dict[str, pa.Table], config: EnrichConfig = EnrichConfig(),
           previous_index: dict[str, pa.Table | None] | None = None,
           carried: pa.Array | pa.ChunkedArray | None = None) -> Enriched:
    """Keywords on every speech, then duplicate fields on speeches and paragraphs.

    ``previous_index`` holds the index tables of the latest release, so signatures of
    unchanged paragraphs are reused instead of recomputed. ``carried`` names the
    documents whose rows are exactly as that release holds them: what the index says of
    their texts is used instead of reading them again.
    """
    return combine(keywords_of(tables, config, previous_index, carried),
                   duplicates_of(tables, config, previous_index, carried))

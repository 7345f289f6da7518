"""Corpus-wide enrichment of assembled tables: keywords and duplicates.

These steps need every speech of the release at once (an IDF, a MinHash index), so they
run after the per-document stages, on the tables, wherever the documents were
processed. State worth keeping between builds (the IDF used, each speech's term counts,
the MinHash signatures and folded lengths) is returned as index tables that the release
persists.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.corpus import dedup, keywords
from pipeline.corpus.dedup import DedupConfig
from pipeline.corpus.keywords import KeywordConfig


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


@contextlib.contextmanager
def _switching_every(seconds: float) -> Iterator[None]:
    """The interpreter offers the GIL to other threads every ``seconds`` at most.

    The keywords thread takes the GIL back after each Arrow call; at Python's default 5 ms
    it queued behind dedup's loops for most of that, and keywords took 1.5-1.7 s beside
    dedup against 0.62 s alone. At 1 ms both finished in 1.3-1.4 s (one new page in 2,000
    documents, measured).
    """
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, seconds))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def tables(tables: dict[str, pa.Table], config: EnrichConfig = EnrichConfig(),
           previous_index: dict[str, pa.Table | None] | None = None,
           carried: pa.Array | pa.ChunkedArray | None = None) -> Enriched:
    """Keywords on every speech, then duplicate fields on speeches and paragraphs.

    ``previous_index`` holds the index tables of the latest release, so signatures of
    unchanged paragraphs are reused instead of recomputed. ``carried`` names the
    documents whose rows are exactly as that release holds them: what the index says of
    their texts is used instead of reading them again.
    """
    previous_index = previous_index or {}
    speeches = tables["speeches"]
    # the one column, not the table: filtering every column copied the speeches' texts
    # (0.37 s of a one-new-page build of 2,000 documents, measured)
    carried_speeches = None if carried is None else \
        pc.filter(speeches.column("speech_id"), pc.is_in(speeches.column("doc_id"), value_set=carried))
    # Keywords and duplicates are independent, and most of keywords runs in Arrow outside
    # the GIL: on a thread, it overlaps the Python loops of dedup.
    with _switching_every(0.001), concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="keywords") as pool:
        ranking = pool.submit(keywords.annotate_table, tables["paragraphs"], speeches.column("speech_id").to_pylist(),
                              config.keywords, previous_index.get("terms"), carried_speeches)
        out, minhash, stats = dedup.annotate(dict(tables), config.dedup, previous=previous_index.get("minhash"),
                                            carried=carried)
        found, idf, source, terms, counted = ranking.result()
    speeches = out["speeches"]
    column = pa.array([list(found[sid]) for sid in speeches.column("speech_id").to_pylist()],
                      speeches.schema.field("keywords").type)
    out["speeches"] = speeches.set_column(speeches.schema.get_field_index("keywords"), speeches.schema.field("keywords"), column)
    return Enriched(
        tables=out,
        index={"idf": idf, "minhash": minhash, "terms": terms},
        summary={
            "keywords": {"idf_source": source, "idf_words": idf.num_rows, "speeches_counted": counted,
                         "speeches_reused": speeches.num_rows - counted},
            "dedup": stats.to_dict(),
        },
    )

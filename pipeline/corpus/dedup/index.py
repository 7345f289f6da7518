"""The MinHash index: what one build keeps for the next.

A release persists, per paragraph and per speech, the folded sha1 and length, the
MinHash signature and (paragraphs) the near twins of its folded text. A later build
passes it back: it hashes only folded texts that are new, folds only paragraphs of
documents that were not carried over, and checks only candidate pairs with a new text.
The schema is ``schemas.index.minhash_schema``; the metadata computed here records what
the rows depend on, and an index written under other settings is recomputed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.corpus.dedup.config import DedupConfig
from pipeline.corpus.dedup.folding import FOLD_VERSION
from pipeline.corpus.dedup.minhash import SCHEME, SHINGLE_HASH, SIGNATURE_DTYPE
from pipeline.errors import ConfigError
from schemas.index import MINHASH_TWINS_TYPE, minhash_schema, written_under

if TYPE_CHECKING:
    from pipeline.corpus.dedup.relations import Twins
    from pipeline.corpus.dedup.corpus import Corpus

#: Most bytes in one chunk of a binary column (its offsets are int32).
_MAX_BINARY_BYTES = 2**31 - 1
#: Paragraph signatures gathered into the index per numpy call.
_GATHER_ROWS = 65536


def index_schema(config: DedupConfig = DedupConfig()) -> pa.Schema:
    """Schema of the MinHash index a release persists: one row per paragraph and per speech.

    The metadata records what the signatures and twins depend on; an index whose
    metadata differs from the current config is ignored (every signature is recomputed).
    """
    return minhash_schema(config.num_perm, _metadata(config))


def _metadata(config: DedupConfig) -> dict[bytes, bytes]:
    return {
        b"num_perm": str(config.num_perm).encode(),
        b"seed": str(config.seed).encode(),
        b"shingle_size": str(config.shingle_size).encode(),
        b"scheme": SCHEME.encode(),
        b"shingle_hash": SHINGLE_HASH.encode(),
        b"fold": FOLD_VERSION.encode(),
        b"twins": f"threshold={config.threshold!r} min_paragraph_chars={config.min_paragraph_chars}".encode(),
    }


def usable(previous: pa.Table | None, config: DedupConfig) -> pa.Table | None:
    """``previous`` when it is an index written under ``config`` and the current ``fold``,
    else None (an index of other settings, or of an older release, is recomputed).
    An index that lacks the columns every index has is misuse, and raises."""
    if previous is None:
        return None
    _require_columns(previous, {"level", "record_id", "folded_sha1", "minhash"})
    if not written_under(previous, _metadata(config)):
        return None
    _require_columns(previous, {"folded_chars", "twins"})
    width = config.num_perm * SIGNATURE_DTYPE.itemsize
    if pc.any(pc.not_equal(pc.binary_length(previous.column("minhash")), width)).as_py():
        return None
    return previous


def _require_columns(previous: pa.Table, names: set[str]) -> None:
    missing = names - set(previous.column_names)
    if missing:
        raise ConfigError(f"previous dedup index lacks column(s) {sorted(missing)}; columns: {previous.column_names}")


def carried_folds(previous: pa.Table | None, level: str, table: pa.Table, key: str,
                  carried: pa.Array | None) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Per row of ``table`` (paragraphs or speeches: ``level``, keyed by ``key``), the
    folded sha1 and length the index ``previous`` holds for it when its document is
    ``carried``, else null."""
    if previous is None or carried is None or not len(carried):
        return pa.chunked_array([pa.nulls(table.num_rows, pa.string())]), \
            pa.chunked_array([pa.nulls(table.num_rows, pa.int32())])
    rows = previous.select(["level", "record_id", "folded_sha1", "folded_chars"])  # not the signatures
    rows = rows.filter(pc.equal(rows.column("level"), level))
    position = pc.index_in(table.column(key), value_set=rows.column("record_id"))
    position = pc.if_else(pc.is_in(table.column("doc_id"), value_set=carried), position, pa.scalar(None, pa.int32()))
    return rows.column("folded_sha1").take(position), rows.column("folded_chars").take(position)


def previous_signatures(previous: pa.Table | None, num_perm: int) -> dict[str, np.ndarray]:
    """folded_sha1 → signature of the paragraph rows of a usable previous index."""
    if previous is None:
        return {}
    matrices = []
    for chunk in previous.column("minhash").chunks:  # views on Arrow's buffers, no copy
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset:chunk.offset + len(chunk) + 1]
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
        matrices.append(data.view(SIGNATURE_DTYPE).reshape(len(chunk), num_perm))
    signatures = [row for matrix in matrices for row in matrix]
    digests = previous.column("folded_sha1").to_pylist()
    # the paragraph rows picked by position, not filtered: a filter copies every signature
    paragraph_rows = np.flatnonzero(pc.equal(previous.column("level"), "paragraph").to_numpy(zero_copy_only=False))
    return {digests[i]: signatures[i] for i in paragraph_rows.tolist()}


def previous_twins(previous: pa.Table | None) -> dict[str, dict[str, float]]:
    """folded_sha1 → {twin's folded_sha1: Jaccard} of the paragraph texts of a usable
    previous index that had twins."""
    if previous is None:
        return {}
    rows = previous.select(["folded_sha1", "twins"])
    rows = rows.filter(pc.fill_null(pc.greater(pc.list_value_length(rows.column("twins")), 0), False))
    return {digest: {t["folded_sha1"]: t["jaccard"] for t in twins}
            for digest, twins in zip(rows.column("folded_sha1").to_pylist(), rows.column("twins").to_pylist())}


def index_table(corpus: Corpus, signatures: np.ndarray, speech_signatures: np.ndarray, twins: Twins,
                config: DedupConfig) -> pa.Table:
    """The index rows, paragraphs then speeches, each sorted by record id. The signatures,
    most of the index's bytes, are written once into one buffer that Arrow then shares."""
    paragraph_ids = pa.array(corpus.paragraphs.ids, pa.string())
    speech_ids = pa.array(corpus.speeches.ids, pa.string())
    # Arrow orders strings by their UTF-8 bytes, which is code point order, as sorted() does
    paragraph_order, speech_order = pc.sort_indices(paragraph_ids), pc.sort_indices(speech_ids)
    text_rows = np.asarray(corpus.paragraphs.text_of, dtype=np.int64)[paragraph_order.to_numpy()]
    n = len(text_rows) + len(speech_order)
    matrix = np.empty((n, config.num_perm), dtype=SIGNATURE_DTYPE)
    for start in range(0, len(text_rows), _GATHER_ROWS):
        rows = text_rows[start:start + _GATHER_ROWS]
        matrix[start:start + len(rows)] = signatures[rows]
    matrix[len(text_rows):] = speech_signatures[speech_order.to_numpy()]
    width = config.num_perm * SIGNATURE_DTYPE.itemsize
    per_chunk = _MAX_BINARY_BYTES // width
    minhash = pa.chunked_array([
        pa.Array.from_buffers(pa.binary(), len(part), [
            None, pa.py_buffer(np.arange(0, (len(part) + 1) * width, width, dtype=np.int32)), pa.py_buffer(part)])
        for part in (matrix[i:i + per_chunk] for i in range(0, n, per_chunk))
    ], type=pa.binary())
    texts, speeches = corpus.texts, corpus.speeches
    return pa.table({
        "level": ["paragraph"] * len(text_rows) + ["speech"] * len(speech_order),
        "record_id": pa.concat_arrays([paragraph_ids.take(paragraph_order), speech_ids.take(speech_order)]),
        "folded_sha1": pa.concat_arrays([pa.array(texts.sha1, pa.string()).take(pa.array(text_rows)),
                                         pa.array(speeches.sha1, pa.string()).take(speech_order)]),
        "folded_chars": np.concatenate([np.asarray(texts.chars, dtype=np.int32)[text_rows],
                                        np.asarray(speeches.folded_chars, dtype=np.int32)[speech_order.to_numpy()]]),
        "minhash": minhash,
        "twins": _twins_column(texts.sha1, twins, text_rows, len(speech_order)),
    }, schema=index_schema(config))


def _twins_column(sha1: list[str], twins: Twins, text_rows: np.ndarray, speeches: int) -> pa.Array:
    """The ``twins`` of each paragraph row (its text's near twins, by sha1), then a null
    per speech row; built from offsets, visiting only the rows whose text has twins (most
    have none)."""
    lengths = twins.near_counts(len(sha1))[text_rows]
    offsets = np.zeros(len(text_rows) + speeches + 1, dtype=np.int32)
    offsets[1:len(text_rows) + 1] = np.cumsum(lengths)
    offsets[len(text_rows) + 1:] = offsets[len(text_rows)]
    sha1s, scores = [], []
    for k in text_rows[lengths > 0].tolist():
        found = sorted((sha1[other], score) for other, score in twins.near[k])
        sha1s.extend(digest for digest, _ in found)
        scores.extend(score for _, score in found)
    values = pa.StructArray.from_arrays([pa.array(sha1s, pa.string()), pa.array(scores, pa.float64())],
                                        fields=list(MINHASH_TWINS_TYPE.value_type))
    valid = np.r_[np.ones(len(text_rows), dtype=bool), np.zeros(speeches, dtype=bool)]
    return pa.ListArray.from_arrays(pa.array(offsets), values, type=MINHASH_TWINS_TYPE, mask=pa.array(~valid))

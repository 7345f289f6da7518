"""The index tables: state a release keeps under ``index/`` for later builds, not data for users.

A later build reads them back to skip work done before: where each input's records came
from and under which settings (``state``, written by ``pipeline.incremental``), the
MinHash signatures and paragraph twins of texts it has seen (``minhash``, written by
``pipeline.corpus.dedup``), each speech's term counts (``terms``) and the IDF used
(``idf``, both written by ``pipeline.corpus.keywords``), and where each gzip member of the
download lies (``jsonl_members``, written by ``pipeline.release.jsonl``). Each table's schema metadata records the settings its
rows depend on; the stage that writes a table computes that metadata from its config,
and a build reuses a table only when it was ``written_under`` the settings it runs with.

Every index table also records its ``index_version``: the version of its layout and of
what its rows mean. A build uses an index only when it is of the current version and
has the current columns (``problem``); any other (an older release's, one without a
version) is ignored and recomputed.
"""

from __future__ import annotations

import pyarrow as pa

#: The version of each index table's layout and meaning. Bump one when its columns or
#: what its rows mean change: a build then ignores the tables older releases hold and
#: recomputes them.
VERSIONS = {"state": "1", "minhash": "1", "terms": "1", "idf": "1", "jsonl_members": "1"}
#: The schema metadata key that holds it.
VERSION_KEY = b"index_version"


def _versioned(name: str, metadata: dict[bytes, bytes] | None) -> dict[bytes, bytes]:
    """``metadata`` with the index table ``name``'s ``index_version``."""
    return {**(metadata or {}), VERSION_KEY: VERSIONS[name].encode()}

#: Near twins of a paragraph's folded text: the other text's sha1 and their Jaccard similarity.
MINHASH_TWINS_TYPE = pa.list_(pa.struct([pa.field("folded_sha1", pa.string(), nullable=False),
                                         pa.field("jaccard", pa.float64(), nullable=False)]))


def minhash_schema(num_perm: int, metadata: dict[bytes, bytes]) -> pa.Schema:
    """The MinHash index: one row per paragraph and per speech, with ``metadata`` (what
    the signatures and twins depend on) attached."""
    return pa.schema(
        [
            pa.field("level", pa.string(), nullable=False, metadata={"doc": "'paragraph' or 'speech'."}),
            pa.field("record_id", pa.string(), nullable=False, metadata={"doc": "paragraph_id or speech_id."}),
            pa.field("folded_sha1", pa.string(), nullable=False,
                     metadata={"doc": "sha1 of the folded text (a speech: its folded paragraphs joined)."}),
            pa.field("folded_chars", pa.int32(), nullable=False,
                     metadata={"doc": "Characters of the folded text (a speech: of its folded paragraphs joined)."}),
            pa.field("minhash", pa.binary(), nullable=False,
                     metadata={"doc": f"MinHash hash values, {num_perm} little-endian uint32."}),
            pa.field("twins", MINHASH_TWINS_TYPE, metadata={"doc": (
                "Paragraph rows: every other folded text of the release whose shingle sets have a "
                "Jaccard similarity at or above the threshold with this one, by folded_sha1; null on speech rows.")}),
        ],
        metadata=_versioned("minhash", metadata),
    )


def terms_schema(metadata: dict[bytes, bytes]) -> pa.Schema:
    """The term counts: one row per speech and keyword candidate it uses, with
    ``metadata`` (what the counts depend on besides the tokens) attached."""
    return pa.schema([
        pa.field("speech_id", pa.dictionary(pa.int32(), pa.string()), nullable=False),
        pa.field("word", pa.dictionary(pa.int32(), pa.string()), nullable=False,
                 metadata={"doc": "A keyword candidate (``candidate``) the speech uses."}),
        pa.field("count", pa.int32(), nullable=False, metadata={"doc": "Times the speech uses the word."}),
        pa.field("first", pa.int32(), nullable=False,
                 metadata={"doc": "Rank of the word's first use among the speech's candidates (0: first)."}),
    ], metadata=_versioned("terms", metadata))


def idf_schema(metadata: dict[bytes, bytes]) -> pa.Schema:
    """The IDF used for keywords: one row per word of the term counts, with ``metadata``
    (its ``source``, "corpus" or "jieba", and the number of ``speeches``) attached.

    ``word``: the word. ``idf``: its weight. ``df``: speeches using it (null when the IDF
    is jieba's). The fields carry no doc metadata, as every release has written them: a
    release's files stay byte for byte what they were.
    """
    return pa.schema([
        pa.field("word", pa.string()),
        pa.field("idf", pa.float64()),
        pa.field("df", pa.int32()),
    ], metadata=_versioned("idf", metadata))


def state_schema() -> pa.Schema:
    """One row per document and per reject of a release: where it came from, and the
    fingerprint of the settings it was made under. The fields carry no doc metadata, as
    every release has written them."""
    return pa.schema([("doc_id", pa.string()), ("site", pa.string()), ("reject_reason", pa.string()),
                      ("source_path", pa.string()), ("source_line", pa.int32()),
                      ("source_sha256", pa.string()), ("fingerprint", pa.string())],
                     metadata=_versioned("state", None))


def jsonl_members_schema(metadata: dict[bytes, bytes]) -> pa.Schema:
    """One row per gzip member of the download: its place in the file and its speeches,
    with ``metadata`` (the ``format`` its bytes depend on) attached."""
    return pa.schema(
        [("member", pa.int32()), ("offset", pa.int64()), ("length", pa.int64()), ("speech_ids", pa.list_(pa.string()))],
        metadata=_versioned("jsonl_members", metadata),
    )


def written_under(table: pa.Table, metadata: dict[bytes, bytes]) -> bool:
    """Whether ``table``, an index read back from a release, was written under the
    settings ``metadata`` describes: each of its keys holds the same value in the table's
    schema metadata (a key the table lacks does not)."""
    found = table.schema.metadata or {}
    return all(found.get(key) == value for key, value in metadata.items())


#: Each index table's schema, for its layout (the column names and types; the metadata
#: that depends on settings is left to the stage that reads it).
_LAYOUTS = {
    "state": state_schema,
    "minhash": lambda: minhash_schema(0, {}),
    "terms": lambda: terms_schema({}),
    "idf": lambda: idf_schema({}),
    "jsonl_members": lambda: jsonl_members_schema({}),
}


def problem(name: str, table: pa.Table) -> str | None:
    """Why ``table``, the index ``name`` read back from a release, cannot be reused: it is of
    another ``index_version`` (or has none), or its columns are not the current ones
    (names and types, in order); None when it can.

    >>> problem("state", pa.table({"doc_id": ["a"]}))
    'index_version none, current 1'
    >>> problem("state", pa.table({"doc_id": ["a"]}).replace_schema_metadata({b"index_version": b"1"}))
    'columns doc_id: string, current doc_id: string, site: string, reject_reason: string, source_path: string, source_line: int32, source_sha256: string, fingerprint: string'
    """
    expected = _LAYOUTS[name]()
    found = (table.schema.metadata or {}).get(VERSION_KEY)
    if found != VERSIONS[name].encode():
        return f"index_version {found.decode(errors='replace') if found else 'none'}, current {VERSIONS[name]}"
    if [(f.name, f.type) for f in table.schema] != [(f.name, f.type) for f in expected]:
        def columns(schema: pa.Schema) -> str:
            return ", ".join(f"{f.name}: {f.type}" for f in schema)
        return f"columns {columns(table.schema)}, current {columns(expected)}"
    return None

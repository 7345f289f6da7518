"""The stages composed: a source file in, the records of every table out.

``document`` runs one decoded source through normalise → clean → segment → tokenise and
builds its records with stable ids; ``batch`` does that for a list of files (the unit of
work the orchestrator schedules); ``tables`` merges batches into the release's tables,
turning byte-identical inputs after the first into rejects.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

import pipeline
import schemas
from pipeline import clean, ingest, normalize, records, segment, tokenize
from pipeline.clean import CleanConfig
from pipeline.normalize import NormalizeConfig
from pipeline.records import Document, Paragraph, Reject, Removal, Section, Speech, stable_id
from pipeline.publish import sha256_file
from pipeline.spans import Text
from pipeline.tokenize import TokenizeConfig

#: Libraries whose versions change the data; recorded in every manifest.
LIBRARIES = ("opencc", "jieba", "pyarrow", "pandas", "great-expectations", "prefect")


@dataclass(frozen=True)
class BuildConfig:
    """Every setting that shapes the data, one frozen object per stage."""

    normalize: NormalizeConfig = NormalizeConfig()
    clean: CleanConfig = CleanConfig()
    tokenize: TokenizeConfig = TokenizeConfig()


@dataclass
class Bundle:
    """All records of one document."""

    document: Document | None = None  # set last: its counts come from the other records
    speeches: list[Speech] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)


@dataclass
class Batch:
    """The result of processing a list of input files: bundles and rejects."""

    bundles: list[Bundle] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


def batch(paths: list[Path], inbox: Path, config: BuildConfig = BuildConfig()) -> Batch:
    """The records of every file in ``paths``; a file that cannot be read becomes a reject."""
    out = Batch()
    for path in paths:
        source = ingest.read(path, inbox)
        if isinstance(source, Reject):
            out.rejects.append(source)
        else:
            out.bundles.append(document(source, config))
    return out


def document(source: ingest.Source, config: BuildConfig = BuildConfig()) -> Bundle:
    """The records of one decoded source."""
    doc_id = records.doc_id_for(source.sha256)
    text = normalize.characters(Text.from_source(source.text), config.normalize)
    cleaned = clean.document(text, config.clean)
    segmented = segment.document(cleaned.text, cleaned.toc_titles, cleaned.title)

    removals = [
        Removal(doc_id, r.kind, r.rule, r.start, r.end, source.text[r.start:r.end]) for r in cleaned.removed
    ] + [
        Removal(doc_id, "page_break_space", "space_inside_sentence", a, b, source.text[a:b])
        for a, b in segmented.page_breaks
    ]
    bundle = Bundle(removals=sorted(removals, key=lambda r: r.source_start))
    for ordinal, draft in enumerate(segmented.speeches, start=1):
        _add_speech(bundle, doc_id, ordinal, draft, config.tokenize)

    bundle.document = Document(
        doc_id=doc_id,
        source_path=source.path,
        source_sha256=source.sha256,
        source_bytes=source.size,
        encoding=source.encoding,
        site=cleaned.site,
        title=cleaned.title,
        published_date=cleaned.published_date,
        page_count=cleaned.page_count,
        declared_size=cleaned.declared_size,
        declared_speech_count=cleaned.declared_speech_count,
        speech_count=len(bundle.speeches),
        paragraph_count=len(bundle.paragraphs),
        char_count=len(source.text),
        removed_char_count=sum(r.source_end - r.source_start for r in removals),
        segmentation=segmented.method,
        status="ok" if bundle.paragraphs else "empty",
    )
    return bundle


def _add_speech(bundle: Bundle, doc_id: str, ordinal: int, draft: segment.SpeechDraft, tok: TokenizeConfig) -> None:
    spans = [p.text for p in draft.paragraphs] + [h.text for h in draft.headings]
    if draft.title_text is not None:
        spans.append(draft.title_text)
    starts = [t.offsets[0] for t in spans if len(t)]
    ends = [t.offsets[-1] + 1 for t in spans if len(t)]
    if not starts:  # nothing but whitespace; the TOC entry had no text under it
        return
    speech_start = min(starts)
    speech_id = stable_id(doc_id, "speech", speech_start)

    section_ids: list[str] = []
    for i, h in enumerate(draft.headings, start=1):
        start, end = h.text.source_span(0, len(h.text))
        section_ids.append(stable_id(doc_id, "section", start))
        bundle.sections.append(Section(
            section_id=section_ids[-1],
            speech_id=speech_id,
            doc_id=doc_id,
            parent_section_id=section_ids[h.parent] if h.parent is not None else None,
            level=h.level,
            ordinal=i,
            marker=h.marker,
            title=h.title,
            run_in=h.run_in,
            source_start=start,
            source_end=end,
        ))

    token_total = 0
    for i, p in enumerate(draft.paragraphs, start=1):
        start, end = p.text.source_span(0, len(p.text))
        toks = tokenize.tokens(p.text.chars, tok)
        token_total += len(toks)
        bundle.paragraphs.append(Paragraph(
            paragraph_id=stable_id(doc_id, "paragraph", start),
            speech_id=speech_id,
            section_id=section_ids[p.section] if p.section is not None else None,
            doc_id=doc_id,
            ordinal=i,
            text=p.text.chars,
            char_count=len(p.text),
            tokens=toks,
            token_count=len(toks),
            source_start=start,
            source_end=end,
        ))

    text = "\n".join(draft.lines)
    title_span = draft.title_text.source_span(0, len(draft.title_text)) if draft.title_text else (None, None)
    bundle.speeches.append(Speech(
        speech_id=speech_id,
        doc_id=doc_id,
        ordinal=ordinal,
        title=draft.title,
        genre=segment.genre(draft.title),
        text=text,
        char_count=len(text),
        section_count=len(draft.headings),
        paragraph_count=len(draft.paragraphs),
        token_count=token_total,
        duplicate_of=None,
        source_start=speech_start,
        source_end=max(ends),
        title_source_start=title_span[0],
        title_source_end=title_span[1],
    ))


def tables(batches: list[Batch]) -> dict[str, pa.Table]:
    """The release's tables from all batches, in a deterministic order.

    A file whose bytes equal an earlier file's (by source path order) would produce the
    same ids again; it becomes a ``duplicate_input`` reject that names the kept file.
    """
    bundles = sorted((b for batch in batches for b in batch.bundles), key=lambda b: b.document.source_path)
    rejects = [r for batch in batches for r in batch.rejects]
    rows: dict[str, list] = {name: [] for name in schemas.TABLES}
    kept: dict[str, str] = {}
    for b in bundles:
        doc = b.document
        if doc.doc_id in kept:
            rejects.append(Reject(doc.source_path, doc.source_sha256, "duplicate_input",
                                  f"same bytes as {kept[doc.doc_id]}, which is in the dataset"))
            continue
        kept[doc.doc_id] = doc.source_path
        rows["documents"].append(doc)
        rows["speeches"].extend(b.speeches)
        rows["sections"].extend(b.sections)
        rows["paragraphs"].extend(b.paragraphs)
        rows["removals"].extend(b.removals)
    rows["rejects"] = rejects
    return {name: records.to_arrow(name, rows[name]) for name in schemas.TABLES}


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries that shape the data."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def manifest(release_id: str, created_at: dt.datetime, tables: dict[str, pa.Table],
             validation: dict, config: BuildConfig) -> dict:
    """The manifest of a release before its files are written (publish adds files and counts)."""
    documents = tables["documents"].to_pylist()
    rejects = tables["rejects"].to_pylist()
    inputs = [{"source_path": d["source_path"], "sha256": d["source_sha256"], "bytes": d["source_bytes"],
               "status": "document", "doc_id": d["doc_id"]} for d in documents]
    inputs += [{"source_path": r["source_path"], "sha256": r["source_sha256"], "status": "rejected",
                "reason": r["reason"]} for r in rejects]
    kinds: dict[str, int] = {}
    for kind in tables["removals"].column("kind").to_pylist():
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "release_id": release_id,
        "created_at": created_at.isoformat(timespec="seconds"),
        "pipeline_version": pipeline.__version__,
        "schema_version": schemas.SCHEMA_VERSION,
        "libraries": library_versions(),
        "config": {
            "opencc_profile": config.normalize.opencc_profile,
            "rules": {p.name: sha256_file(p) for p in sorted(Path(config.clean.rules_dir).glob("*.json"))},
            "jieba_hmm": config.tokenize.hmm,
        },
        "inputs": sorted(inputs, key=lambda i: i["source_path"]),
        "removals_by_kind": dict(sorted(kinds.items())),
        "validation": validation,
    }

"""The stages composed: a source file in, the records of every table out.

``document`` runs one decoded source through normalise → clean → segment → tokenise and
builds its records with stable ids; ``batch`` does that for a list of files (the unit of
work the orchestrator schedules); ``tables`` merges batches into the release's tables,
turning byte-identical inputs after the first into rejects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

import schemas
from pipeline import ingest, records
from pipeline.corpus import keywords, quality, tokenize
from pipeline.structure import metadata, segment
from pipeline.text import clean
from pipeline.text.clean import CleanConfig
from pipeline.errors import NothingToPublish
from pipeline.ingest import IngestConfig, html, tally
from pipeline.text import normalize
from pipeline.text.normalize import NormalizeConfig
from pipeline.records import Document, Paragraph, Reject, Removal, Section, Speech, stable_id
from pipeline.corpus.keywords import KeywordConfig
from pipeline.corpus.quality import QualityConfig
from pipeline.corpus.tokenize import TokenizeConfig

@dataclass(frozen=True)
class BuildConfig:
    """Every setting that shapes the data, one frozen object per stage."""

    ingest: IngestConfig = IngestConfig()
    normalize: NormalizeConfig = NormalizeConfig()
    clean: CleanConfig = CleanConfig()
    quality: QualityConfig = QualityConfig()
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
    """The records of a list of input files as Arrow tables, one per table of the schema.

    Arrow rather than record objects: the worker that processed the files builds the
    tables in parallel with the others, and they cross process and network boundaries
    as a few buffers instead of millions of pickled objects.
    """

    tables: dict[str, pa.Table] = field(default_factory=lambda: _empty_tables())
    #: The term counts of the batch's speeches for keywords (``keywords.batch_terms``),
    #: when asked for: counted where the records were made, in parallel, so that the
    #: corpus-wide pass merges counts instead of reading every token of the release again.
    terms: pa.Table | None = None

    @property
    def documents(self) -> int:
        return self.tables["documents"].num_rows


@dataclass(frozen=True)
class SpilledBatch:
    """A batch written to disk by the worker that made it, one Arrow IPC file per table
    in ``folder``: the flow keeps a path per batch instead of every batch's records while
    the others run (on a large build, that is the flow's largest allocation, beside the
    workers'), and maps the files when it merges them."""

    folder: Path
    documents: int

    def load(self) -> Batch:
        return Batch({name: self.table(name) for name in schemas.TABLES}, self.read_terms())

    def table(self, name: str) -> pa.Table:
        """The table ``name`` of the batch, mapped."""
        return self.mapped(name).table

    def mapped(self, name: str) -> records.MappedArrowFile:
        """The file of table ``name`` of the batch, mapped: its pages can be handed back."""
        return records.MappedArrowFile(self.folder / f"{name}.arrow")

    def read_terms(self) -> pa.Table | None:
        """The batch's term counts, read into memory (they outlive the folder), if it has them."""
        path = self.folder / _TERMS_FILE
        return pa.ipc.open_file(pa.OSFile(str(path))).read_all() if path.exists() else None


#: The file of a spilled batch's term counts, beside its tables.
_TERMS_FILE = "terms.arrow"


def spill(batch: Batch, folder: Path) -> SpilledBatch:
    """Write ``batch`` into ``folder`` (which must not exist) and return where it is."""
    folder = Path(folder)
    folder.mkdir(parents=True)
    for name, table in batch.tables.items():
        records.write_arrow_file(table, folder / f"{name}.arrow")
    if batch.terms is not None:
        records.write_arrow_file(batch.terms, folder / _TERMS_FILE)
    return SpilledBatch(folder, batch.documents)


def _empty_tables() -> dict[str, pa.Table]:
    return {name: records.to_arrow(name, []) for name in schemas.TABLES}


def batch(paths: list[Path], inbox: Path, config: BuildConfig = BuildConfig(),
          terms: KeywordConfig | None = None) -> Batch:
    """The records of every input in ``paths`` (a corpus file holds many); what cannot
    become a document becomes a reject with its reason, a file's rejects bounded by
    ``IngestConfig.max_rejects_per_file`` (``ingest.tally``). With ``terms``, the batch
    carries the term counts of its speeches under that keyword config too."""
    bundles, rejects = [], []
    for path in paths:
        results = (s if isinstance(s, Reject) else document(s, config) for s in ingest.read(path, inbox, config.ingest))
        for result in tally.bounded(results, config.ingest.max_rejects_per_file):
            if isinstance(result, Reject):
                rejects.append(result)
            else:
                bundles.append(result)
    out = from_records(bundles, rejects)
    if terms is not None:
        out.terms = keywords.batch_terms(out.tables["paragraphs"],
                                         out.tables["speeches"].column("speech_id").to_pylist(), terms)
    return out


def from_records(bundles: list[Bundle], rejects: list[Reject]) -> Batch:
    """A batch of the records of ``bundles`` and ``rejects``."""
    rows: dict[str, list] = {name: [] for name in schemas.TABLES}
    for b in bundles:
        rows["documents"].append(b.document)
        rows["speeches"].extend(b.speeches)
        rows["sections"].extend(b.sections)
        rows["paragraphs"].extend(b.paragraphs)
        rows["removals"].extend(b.removals)
    rows["rejects"] = rejects
    return Batch({name: records.to_arrow(name, rows[name]) for name in schemas.TABLES})


def document(source: ingest.Source, config: BuildConfig = BuildConfig()) -> Bundle | Reject:
    """The records of one decoded source, or a reject: ``not_prose`` when its cleaned text
    is not Chinese prose, ``no_body`` when no paragraph of running text is left (a page of
    a column banner, an advert word or a photo credit)."""
    doc_id = records.doc_id_for(source.sha256, source.line)
    cleaned = clean.document(source.body, config.clean, config.normalize, title=source.title, url=source.url)
    text_stats = quality.stats(cleaned.text.chars)
    if not quality.is_prose_document(text_stats, config.quality):
        return Reject(source.path, source.line, source.sha256, "not_prose",
                      f"{text_stats.han_ratio:.0%} Han characters in {text_stats.chars} non-space characters "
                      f"after cleaning (minimum {config.quality.min_han_ratio_document:.0%})")
    segmented = segment.document(cleaned.text, cleaned.toc_titles, cleaned.title, kicker=cleaned.kicker)

    removed = [*cleaned.removed, *segmented.removed()]
    bundle = Bundle()
    for draft in _dated(segmented, cleaned.metadata):
        _add_speech(bundle, doc_id, len(bundle.speeches) + 1, draft, config)
    if missing := _no_body(bundle.paragraphs):
        return Reject(source.path, source.line, source.sha256, "no_body", missing)
    if source.format == "html":
        # The markup is what nothing else covers: every paragraph, heading and title is known now.
        kept = [(r.start, r.end) for r in removed] + [(p.source_start, p.source_end) for p in bundle.paragraphs]
        kept += [(s.source_start, s.source_end) for s in bundle.sections]
        kept += [(s.title_source_start, s.title_source_end) for s in bundle.speeches if s.title_source_start is not None]
        removed += html.markup_removed(source.text, kept)
    bundle.removals = sorted((Removal(doc_id, r.kind, r.rule, r.start, r.end, source.text[r.start:r.end]) for r in removed),
                             key=lambda r: (r.source_start, r.source_end))
    _flag_gaps_and_truncation(bundle, cleaned.gaps)

    flags = sorted({f for p in bundle.paragraphs for f in p.flags} & {"after_gap", "truncated", "foreign_language"}
                   | ({"mojibake"} if any(r.rule == "orphan_pinyin_mojibake" for r in cleaned.removed) else set()))
    bundle.document = Document(
        doc_id=doc_id,
        source_path=source.path,
        source_line=source.line,
        source_sha256=source.sha256,
        source_bytes=source.size,
        format=source.format,
        encoding=source.encoding,
        site=cleaned.site,
        url=source.url,
        title=cleaned.title,
        published_date=source.published_date or cleaned.published_date,
        page_count=cleaned.page_count,
        declared_size=cleaned.declared_size,
        declared_speech_count=cleaned.declared_speech_count,
        speech_count=len(bundle.speeches),
        paragraph_count=len(bundle.paragraphs),
        char_count=len(source.text),
        removed_char_count=sum(r.source_end - r.source_start for r in bundle.removals),
        converted_char_count=cleaned.converted_chars,
        script=normalize.script(source.body.chars, config.normalize.opencc_profile),
        segmentation=segmented.method,
        status="ok" if bundle.paragraphs else "empty",
        flags=tuple(flags),
        metadata=_metadata(source.metadata, cleaned.metadata),
        editor_note=segmented.editor_note_text(),
    )
    return bundle


#: A document needs one paragraph of running text: a sentence, or a line at least this long
#: (an unpunctuated toast list or poem). Without one, what is left is a page's furniture:
#: a column banner (新书架), an advert word (广告), a photo credit (本版图片来源：…).
MIN_BODY_CHARS = 40

#: A photo caption: a short paragraph that is no sentence and reads as one (图为…, ▲…,
#: 上图：…, …（新华社记者 张三 摄）, 资料图片, 图片来源：…).
MAX_CAPTION_CHARS = 80
CAPTION = re.compile(
    r"^(?:图[为：:]|[▲△▼◆]|[上下左右组]图[为：:]?|资料图|(?:本版)?图片来源[：:]|摄影[：:])"
    r"|(?:摄|供图|摄影|资料图片?|图片来源[：:][^\n]{0,30})[）)]?$"
)


def is_caption(text: str) -> bool:
    """Whether a paragraph is a photo caption: shorter than a sentence and worded as one.

    >>> is_caption("图为会议现场（新华社记者 李涛 摄）"), is_caption("▲ 2月3日，代表们步入会场")
    (True, True)
    >>> is_caption("图为我们努力的方向。今年要把各项工作做得更好，让群众满意。"), is_caption("广告")
    (False, False)
    """
    return len(text) <= MAX_CAPTION_CHARS and not quality.ends_sentence(text) and CAPTION.search(text) is not None


def _no_body(paragraphs: list[Paragraph]) -> str | None:
    """Why a document has no body, or None when one of its paragraphs is running text."""
    if not paragraphs:
        return "cleaning left no paragraph: the page held only what was removed"
    texts = [p.text for p in paragraphs]
    if any(quality.ends_sentence(t) or len(t) >= MIN_BODY_CHARS for t in texts if not is_caption(t)):
        return None
    shown = ", ".join(repr(t[:20]) for t in texts[:3]) + (", …" if len(texts) > 3 else "")
    return (f"no paragraph of running text: {len(texts)} short line(s) without a sentence "
            f"(shorter than {MIN_BODY_CHARS} characters, or captions): {shown}")


def _metadata(record: dict, page: dict) -> str | None:
    """``documents.metadata``: the corpus record's other fields, then what the page says
    about its document (a portal's 文号, issuer, dates…) where the record is silent."""
    merged = {**page, **record}
    return json.dumps(merged, ensure_ascii=False, sort_keys=True) if merged else None


def _dated(segmented: segment.Segmented, page: dict) -> list[segment.SpeechDraft]:
    """The speech drafts, a single speech dated by its document's own date (成文日期) when
    the page states one: a date line in the text may be the portal's posting date."""
    drafts = segmented.speeches
    written_on = page.get("written_on")
    if written_on and segmented.method == "single" and len(drafts) == 1:
        drafts[0].delivered_on = dt.date.fromisoformat(written_on)
    return drafts


def _flag_gaps_and_truncation(bundle: Bundle, gaps: list[int]) -> None:
    """Flag the paragraph after each cut ``after_gap``; the last paragraph ``truncated``
    when the document stops mid-sentence or on a cut."""
    paragraphs = bundle.paragraphs
    if not paragraphs:
        return
    flags = {i: list(p.flags) for i, p in enumerate(paragraphs)}
    for gap in gaps:
        after = next((i for i, p in enumerate(paragraphs) if p.source_start >= gap), None)
        if after is None:
            if "truncated" not in flags[len(paragraphs) - 1]:
                flags[len(paragraphs) - 1].append("truncated")
        elif "after_gap" not in flags[after]:
            flags[after].append("after_gap")
    last = len(paragraphs) - 1
    if not quality.ends_sentence(paragraphs[last].text) and "truncated" not in flags[last]:
        flags[last].append("truncated")
    bundle.paragraphs = [dataclasses.replace(p, flags=tuple(flags[i])) for i, p in enumerate(paragraphs)]


def _add_speech(bundle: Bundle, doc_id: str, ordinal: int, draft: segment.SpeechDraft, config: BuildConfig) -> None:
    spans = [p.text for p in draft.paragraphs] + [h.text for h in draft.headings] + draft.metadata_lines
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

    token_total = placeholder_total = 0
    for i, p in enumerate(draft.paragraphs, start=1):
        start, end = p.text.source_span(0, len(p.text))
        toks = tokenize.tokens(p.text.chars, config.tokenize)
        token_total += len(toks)
        marks = tuple(quality.placeholders(p.text.chars))
        placeholder_total += len(marks)
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
            placeholders=marks,
            placeholder_count=len(marks),
            flags=tuple(quality.paragraph_flags(p.text.chars, config.quality))
            + (("caption",) if is_caption(p.text.chars) else ()),
            duplicate_of=None,
            duplicate_kind=None,
            duplicate_score=None,
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
        genre=metadata.genre(draft.title),
        speaker=draft.speaker,
        delivered_on=draft.delivered_on,
        occasion=draft.occasion,
        occasion_type=metadata.occasion_type(draft.occasion, draft.title),
        salutation=draft.salutation,
        text=text,
        char_count=len(text),
        section_count=len(draft.headings),
        paragraph_count=len(draft.paragraphs),
        token_count=token_total,
        placeholder_count=placeholder_total,
        keywords=(),
        duplicate_of=None,
        duplicate_kind=None,
        duplicate_score=None,
        duplicate_cluster=speech_id,
        source_start=speech_start,
        source_end=max(ends),
        title_source_start=title_span[0],
        title_source_end=title_span[1],
        speaker_title=draft.speaker_title,
        place=draft.place,
        dateline=draft.dateline,
        subtitle=draft.subtitle,
        kicker=draft.kicker,
    ))


def tables(batches: list[Batch | SpilledBatch], pages: records.MappedTables | None = None) -> dict[str, pa.Table]:
    """The release's tables from all batches, in a deterministic order.

    A file whose bytes equal an earlier file's (by source path order) would produce the
    same ids again; it becomes a ``duplicate_input`` reject that names the kept file.

    One table at a time: the batches' copies of a table (a spilled batch's, mapped) are
    released once its sorted copy is made, so the largest tables are never held twice
    together. With ``pages``, each table is sorted into a file of it a piece at a time
    (``MappedTables.sorted``) and used mapped from there, and the pages of the spilled
    batches' files are handed back after each piece: the release's tables are then file
    pages, which the system can drop and read again, and the sorting holds about a piece
    of the batches' rows and of the sorted copy, not a table of each.
    """
    def merged(name: str) -> tuple[pa.Table, Callable[[], None]]:
        """The batches' table ``name``, and what hands back the pages of their files read."""
        mapped = {i: b.mapped(name) for i, b in enumerate(batches) if isinstance(b, SpilledBatch)}
        parts = [mapped[i].table if i in mapped else b.tables[name] for i, b in enumerate(batches)]

        def release() -> None:
            for file in mapped.values():
                file.release()

        return (pa.concat_tables(parts) if parts else records.to_arrow(name, [])), release

    documents = records.sort(merged("documents")[0], ["source_path", "source_line"])
    kept: dict[str, str] = {}
    keep, duplicates = [], []
    for i, (doc_id, path) in enumerate(zip(documents.column("doc_id").to_pylist(), documents.column("source_path").to_pylist())):
        if doc_id in kept:
            duplicates.append((i, kept[doc_id]))
        else:
            kept[doc_id] = path
            keep.append(i)
    repeated, duplicate_rejects = None, []
    if duplicates:
        dropped = documents.take(pa.array([i for i, _ in duplicates], pa.int64())).to_pylist()
        duplicate_rejects = [Reject(d["source_path"], d["source_line"], d["source_sha256"], "duplicate_input",
                                    f"same bytes as {first}, which is in the dataset")
                             for d, (_, first) in zip(dropped, duplicates)]
        documents = documents.take(pa.array(keep, pa.int64()))
        repeated = pa.array(sorted({d["doc_id"] for d in dropped}), pa.string())
    out = {}
    for name in schemas.TABLES:
        table, release = (documents, lambda: None) if name == "documents" else merged(name)
        if name == "rejects" and duplicate_rejects:
            table = pa.concat_tables([table, records.to_arrow("rejects", duplicate_rejects)])
        elif repeated is not None and name in ("speeches", "sections", "paragraphs", "removals"):
            table = _first_of_each_key(table, name, repeated)
        sort_by = schemas.table(name).sort_by
        out[name] = records.sort(table, sort_by) if pages is None else pages.sorted(name, table, sort_by, release)
        del table, release
    return out


def terms_of(batches: list[Batch | SpilledBatch]) -> list[pa.Table]:
    """The term counts the batches carry (``batch(terms=...)``), in batch order."""
    found = (b.read_terms() if isinstance(b, SpilledBatch) else b.terms for b in batches)
    return [t for t in found if t is not None]


def require_documents(tables: dict[str, pa.Table]) -> None:
    """Raise ``NothingToPublish`` when the tables hold no document: every input was
    rejected, or the inbox is empty."""
    if tables["documents"].num_rows:
        return
    rejects = tables["rejects"].select(["source_path", "reason", "detail"]).to_pylist()
    raise NothingToPublish([(r["source_path"], r["reason"], r["detail"]) for r in rejects])


def _first_of_each_key(table: pa.Table, name: str, repeated_docs: pa.Array) -> pa.Table:
    """``table`` with the rows of a repeated document kept once: identical bytes gave
    identical records, so the first row of each key stands for all."""
    mask = pc.is_in(table.column("doc_id"), repeated_docs)
    repeated = table.filter(mask)
    seen, first = set(), []
    key = schemas.table(name).key
    for i, values in enumerate(zip(*(repeated.column(c).to_pylist() for c in key))):
        if values not in seen:
            seen.add(values)
            first.append(i)
    return pa.concat_tables([table.filter(pc.invert(mask)), repeated.take(pa.array(first, pa.int64()))])


def outline(bundle: Bundle) -> dict:
    """A document as a nested dict (speeches → sections → paragraphs, plus removals), the
    form ``speechcorpus inspect`` prints and writes as JSON."""
    doc = bundle.document
    sections_by_speech: dict[str, list[Section]] = {}
    for s in bundle.sections:
        sections_by_speech.setdefault(s.speech_id, []).append(s)
    paragraphs_by_section: dict[str | None, list[Paragraph]] = {}
    for p in bundle.paragraphs:
        paragraphs_by_section.setdefault(p.section_id or f"speech:{p.speech_id}", []).append(p)

    def paragraphs(key: str) -> list[dict]:
        return [{"ordinal": p.ordinal, "text": p.text, "flags": list(p.flags),
                 "placeholders": list(p.placeholders), "source": [p.source_start, p.source_end]}
                for p in paragraphs_by_section.get(key, [])]

    speeches = []
    for speech in bundle.speeches:
        speeches.append({
            "ordinal": speech.ordinal, "title": speech.title, "genre": speech.genre, "speaker": speech.speaker,
            "speaker_title": speech.speaker_title,
            "delivered_on": speech.delivered_on.isoformat() if speech.delivered_on else None,
            "place": speech.place, "occasion": speech.occasion, "salutation": speech.salutation,
            "dateline": speech.dateline, "subtitle": speech.subtitle, "kicker": speech.kicker,
            "paragraphs": paragraphs(f"speech:{speech.speech_id}"),
            "sections": [{"level": s.level, "marker": s.marker, "title": s.title, "run_in": s.run_in,
                          "paragraphs": paragraphs(s.section_id)}
                         for s in sections_by_speech.get(speech.speech_id, [])],
        })
    return {
        "source_path": doc.source_path, "source_line": doc.source_line, "encoding": doc.encoding,
        "site": doc.site, "title": doc.title, "script": doc.script,
        "metadata": json.loads(doc.metadata) if doc.metadata else None,
        "published_date": doc.published_date.isoformat() if doc.published_date else None,
        "page_count": doc.page_count, "segmentation": doc.segmentation, "flags": list(doc.flags),
        "editor_note": doc.editor_note,
        "speeches": speeches,
        "removals": [{"kind": r.kind, "rule": r.rule, "source": [r.source_start, r.source_end], "text": r.text}
                     for r in bundle.removals],
    }

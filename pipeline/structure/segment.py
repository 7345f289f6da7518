"""Splitting a cleaned document into speeches, sections and paragraphs.

Speeches come from the table of contents or a compilation's markers (``speeches``), from
the speaker turns of a multi-speaker page (``turns``), or the whole document is one
speech. Each speech body is cut into blocks (``blocks``); a block is a heading
(``outline``), a speaker, date, dateline or subtitle line (``metadata``), or a paragraph
under the innermost open heading. An editor's note opening the body is the page's, not
the speech's.

The results are drafts: text with source offsets and positions in the outline, before
ids, tokens and flags (``process`` turns them into the records of ``pipeline.records``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from itertools import islice

from pipeline.spans import Removed, Text
from pipeline.structure import blocks, metadata, outline, speeches, turns
from pipeline.structure.blocks import Block
from pipeline.structure.outline import Heading
from pipeline.text.chardata import SALUTATION


@dataclass(frozen=True)
class ParagraphDraft:
    """A paragraph's text and the heading it falls under (index into the speech's headings).

    Not ``records.Paragraph``: that is the published row, with ids, tokens and flags.
    """

    text: Text
    section: int | None


@dataclass
class SpeechDraft:
    """A speech before ids and tokens: title, headings, paragraphs and its whole text."""

    title: str | None
    title_text: Text | None
    body: Text
    headings: list[Heading] = field(default_factory=list)
    paragraphs: list[ParagraphDraft] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    speaker: str | None = None
    speaker_title: str | None = None
    delivered_on: dt.date | None = None
    place: str | None = None
    occasion: str | None = None
    salutation: str | None = None
    dateline: str | None = None
    subtitle: str | None = None
    kicker: str | None = None
    #: Speaker, date, dateline and subtitle lines: kept as metadata, so out of the paragraphs.
    metadata_lines: list[Text] = field(default_factory=list)

    def add_metadata_line(self, text: Text, kind: str) -> None:
        """Take a ``"speaker"``, ``"date"``, ``"dateline"`` or ``"subtitle"`` line out of
        the text, and what it says into the speech's metadata; the first value of each
        field wins."""
        self.metadata_lines.append(text)
        found = metadata.from_line(text.chars, kind)
        for name in metadata.LINE_FIELDS:
            if getattr(self, name) is None:
                setattr(self, name, getattr(found, name))


@dataclass(frozen=True)
class Segmented:
    """A document's speeches, how they were found, the page-break spaces removed and the
    editor's note above the speeches, if any."""

    speeches: list[SpeechDraft]
    method: str  # "toc", "markers", "turns" or "single"
    page_breaks: list[tuple[int, int]]  # source ranges of removed spaces
    editor_note: list[Text] = field(default_factory=list)

    def removed(self) -> list[Removed]:
        """What segmentation took out of the text: page-break spaces, the speaker, date,
        dateline and subtitle lines kept as speech metadata instead, and the editor's note
        kept as the document's."""
        return ([Removed("page_break_space", "space_inside_sentence", a, b) for a, b in self.page_breaks]
                + [Removed("speech_metadata", "speaker_or_date_line", a, b)
                   for draft in self.speeches for line in draft.metadata_lines for a, b in _source_runs(line)]
                + [Removed("editor_note", "editor_note_block", a, b) for note in self.editor_note
                   for a, b in _source_runs(note)])

    def editor_note_text(self) -> str | None:
        """The editor's note as one string, its lines joined by newlines; None without one."""
        return "\n".join(t.chars for t in self.editor_note) or None


def document(text: Text, toc_titles: list[str], title: str | None, kicker: str | None = None) -> Segmented:
    """The speeches of a cleaned document, from its TOC titles when they head the body,
    from its compilation markers, from its speaker turns, else the whole text."""
    page_breaks: list[tuple[int, int]] = []
    notes: list[Text] = []
    if starts := speeches.toc_starts(text.chars, toc_titles):
        return Segmented(_speeches_at(text, starts, None, page_breaks, notes), "toc", page_breaks, notes)
    if starts := speeches.compilation_starts(text.chars):
        return Segmented(_speeches_at(text, starts, title, page_breaks, notes), "markers", page_breaks, notes)
    if starts := turns.starts(text.chars):
        return Segmented(_turns(text, starts, title, page_breaks, notes), "turns", page_breaks, notes)
    draft = _speech(title, None, text, page_breaks, notes)
    draft.kicker = kicker
    return Segmented([draft], "single", page_breaks, notes)


def _speeches_at(text: Text, starts: list[speeches.Start], preamble_title: str | None,
                 page_breaks: list, notes: list[Text]) -> list[SpeechDraft]:
    """One speech per start, running to the next start; text before the first start, if
    any, is a speech of its own titled ``preamble_title``."""
    drafts = []
    spaced = blocks.spaced_layout(text.chars)  # one layout for the whole compilation
    preamble = text.slice(0, starts[0][1])
    if preamble.chars.strip():
        drafts.append(_speech(preamble_title, None, preamble, page_breaks, notes, spaced))
    for i, (speech_title, start, end) in enumerate(starts):
        stop = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        title_text = text.slice(start, end)
        _title_page_breaks(title_text, speech_title, page_breaks)
        drafts.append(_speech(speech_title, title_text, text.slice(end, stop), page_breaks, notes, spaced))
    return drafts


def _turns(text: Text, starts: list[speeches.Start], title: str | None, page_breaks: list,
           notes: list[Text]) -> list[SpeechDraft]:
    """One speech per speaker turn. A turn with a headline is titled by it, one without
    by the page title. Text before the first turn that is more than an editor's note and
    metadata is a speech of its own; its metadata (a date line for the whole page) goes
    to every turn."""
    drafts = []
    preamble = text.slice(0, starts[0][1])
    lead = _speech(title, None, preamble, page_breaks, notes) if preamble.chars.strip() else None
    if lead is not None and (lead.paragraphs or lead.headings):
        drafts.append(lead)
    for i, (headline, start, end) in enumerate(starts):
        stop = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        title_text = text.slice(start, end) if end > start else None
        draft = _speech(headline or title, title_text, text.slice(end, stop), page_breaks, notes)
        if lead is not None and lead not in drafts:
            for name in ("delivered_on", "place", "occasion", "dateline"):
                if getattr(draft, name) is None:
                    setattr(draft, name, getattr(lead, name))
        drafts.append(draft)
    if lead is not None and lead not in drafts and lead.metadata_lines:
        drafts[0].metadata_lines[:0] = lead.metadata_lines  # kept (and accounted for) with the first turn
    return drafts


def _title_page_breaks(title_text: Text, title: str | None, page_breaks: list) -> None:
    """Record the spaces of a speech title in the body that its clean title does not have
    (``在全区安全 生产工作会议上的讲话`` under ``在全区安全生产工作会议上的讲话``)."""
    if title is None:
        return
    kept = iter(title)
    expected = next(kept, None)
    for i, c in enumerate(title_text.chars):
        if c == expected:
            expected = next(kept, None)
        elif c in " \t\u00a0":
            page_breaks.append(title_text.source_span(i, i + 1))


def _speech(title: str | None, title_text: Text | None, body: Text, page_breaks: list,
            notes: list[Text], page_spaced: bool = False) -> SpeechDraft:
    """One speech: its body's blocks sorted into headings, metadata lines and paragraphs.
    ``page_spaced``: the compilation it comes from is in the seed layout."""
    draft = SpeechDraft(title=title, title_text=title_text, body=body, occasion=metadata.occasion_in_title(title))
    lectures = outline.lecture_titles(body.chars)
    tree = outline.Outline()
    pieces = _without_editor_note(blocks.split(body, lectures, page_breaks, page_spaced), notes)
    items = _list_items(pieces)
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        block = piece.text
        if piece.metadata:
            draft.add_metadata_line(block, piece.metadata)
            i += 1
            continue
        if not draft.paragraphs and not draft.headings and SALUTATION.fullmatch(block.chars):
            i = _add_salutation(draft, pieces, i, tree.current)
            continue
        draft.lines.append(block.chars)
        if i in items:
            draft.paragraphs.append(ParagraphDraft(block, tree.current))
            i += 1
            continue
        heading = tree.heading(block, lectures, _stands_alone(pieces, i))
        if heading is None and (piece.subhead or (
                piece.line and not piece.indented
                and outline.reads_as_unmarked_heading(block.chars, _next_text(pieces, i)))):
            heading = tree.unmarked(block)
        if (heading is None and piece.line and not draft.paragraphs and not draft.speaker
                and metadata.is_name_before_salutation(block.chars, _next_text(pieces, i))):
            draft.add_metadata_line(block, "speaker")
            draft.lines.pop()
            i += 1
            continue
        i += 1
        if heading is None:
            draft.paragraphs.append(ParagraphDraft(block, tree.current))
            continue
        draft.headings.append(heading)
        rest = blocks.strip(block.slice(len(heading.text), len(block)))
        if len(rest):
            draft.paragraphs.append(ParagraphDraft(rest, tree.current))
    return draft


def _add_salutation(draft: SpeechDraft, pieces: list[Block], i: int, section: int | None) -> int:
    """The salutation opening the speech, over as many lines as it runs (``女士们，先生们，``
    / ``朋友们：``): one string, the lines joined with nothing between them. It is the
    speech's ``salutation`` and, as the seed gold has it, its first paragraph. Returns the
    index of the first block after it."""
    parts = [pieces[i].text]
    j = i + 1
    while (parts[-1].chars[-1] in "，、," and j < len(pieces) and not pieces[j].metadata
           and SALUTATION.fullmatch(pieces[j].text.chars)):
        parts.append(pieces[j].text)
        j += 1
    text = Text.concat(parts)
    draft.salutation = text.chars
    draft.lines.append(text.chars)
    draft.paragraphs.append(ParagraphDraft(text, section))
    return j


#: An editor's note opening a page, and the sign-off that closes it (``——编 者``).
_EDITOR_NOTE = ("编者按", "【编者按】", "编者的话", "编辑按")
_SIGN_OFF = re.compile(r"[—－―]{1,2}\s*编\s*者")


def _without_editor_note(pieces: list[Block], notes: list[Text]) -> list[Block]:
    """The blocks without an editor's note that opens them (``编者按：…`` up to its
    ``——编者`` sign-off, or the one block without one); the note goes to ``notes``."""
    first = next((i for i, b in enumerate(pieces) if not b.metadata), None)
    if first is None or not pieces[first].text.chars.startswith(_EDITOR_NOTE):
        return pieces
    end = first + 1
    for k in range(first + 1, min(first + 4, len(pieces))):
        if _SIGN_OFF.fullmatch(pieces[k].text.chars):
            end = k + 1
            break
    notes.extend(b.text for b in pieces[first:end])
    return pieces[:first] + pieces[end:]


def _list_items(pieces: list[Block]) -> set[int]:
    """Blocks that are items of a list, not headings (issue 19, point 7): two or more
    blocks in a row, each a marker and one whole sentence (``（一）全面推进严格规范公正文明
    执法。``), numbered in sequence. Nothing stands under such an item but the next one, so
    it is a list paragraph and its text stays in the paragraph stream."""
    found: set[int] = set()
    run: list[int] = []
    previous: tuple[str, int] | None = None
    for i, piece in enumerate(pieces + [None]):
        item = _item(piece) if piece is not None else None
        if item and previous and item[0] == previous[0] and item[1] == previous[1] + 1 and run and run[-1] == i - 1:
            run.append(i)
        else:
            if len(run) >= 2:
                found.update(run)
            run = [i] if item else []
        previous = item
    return found


def _item(piece: Block) -> tuple[str, int] | None:
    """``(kind, number)`` of a block that is a marker and one whole sentence; an item may
    close on ； as the items of one enumerated sentence do (``（1）…；`` ``（2）…；`` ``（3）…。``)."""
    if piece.metadata:
        return None
    chars = piece.text.chars
    found = outline.marker(chars)
    if not found or len(chars) > outline.MAX_HEADING_CHARS or chars[-1] not in "。！？；":
        return None
    if any(c in chars[:-1] for c in "。！？"):
        return None
    return found[0], found[1]


def _source_runs(text: Text) -> list[tuple[int, int]]:
    """The source ranges under ``text``: one per run of consecutive offsets, so a removal
    never covers a space already recorded as a page break."""
    runs: list[tuple[int, int]] = []
    for off in text.offsets:
        if runs and runs[-1][1] == off:
            runs[-1] = (runs[-1][0], off + 1)
        else:
            runs.append((off, off + 1))
    return runs


def _stands_alone(pieces: list[Block], i: int) -> bool:
    """Whether a marked block stands apart as a heading: a whole line without a full stop,
    or followed by a block that opens a sub-level numbered 1 (``二、…`` then ``（一）…``)."""
    chars = pieces[i].text.chars
    if "。" in chars:
        return False
    if pieces[i].line and not pieces[i].indented:
        return True
    following = next((b.text.chars for b in islice(pieces, i + 1, None) if not b.metadata), None)
    own, after = outline.marker(chars), outline.marker(following or "")
    return own is not None and after is not None and after[0] != own[0] and after[1] == 1


def _next_text(pieces: list[Block], i: int) -> str | None:
    """The text of the first block after ``pieces[i]`` that is not a metadata line."""
    return next((b.text.chars for b in islice(pieces, i + 1, None) if not b.metadata), None)

"""Splitting a cleaned document into speeches, sections and paragraphs.

Speeches come from the table of contents or a compilation's markers (``speeches``), or
the whole document is one speech. Each speech body is cut into blocks (``blocks``); a
block is a heading (``outline``), a speaker or date line (``metadata``), or a paragraph
under the innermost open heading.

The results are drafts: text with source offsets and positions in the outline, before
ids, tokens and flags (``process`` turns them into the records of ``pipeline.records``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import islice

from pipeline.spans import Removed, Text
from pipeline.structure import blocks, metadata, outline, speeches
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
    delivered_on: dt.date | None = None
    occasion: str | None = None
    salutation: str | None = None
    #: Speaker and date lines: kept as metadata, so out of the paragraphs.
    metadata_lines: list[Text] = field(default_factory=list)

    def add_metadata_line(self, text: Text, kind: str) -> None:
        """Take a ``"speaker"`` or ``"date"`` line out of the text, and what it says into
        the speech's metadata; the first value of each field wins."""
        self.metadata_lines.append(text)
        found = metadata.from_line(text.chars, kind)
        if self.speaker is None:
            self.speaker = found.speaker
        if self.delivered_on is None:
            self.delivered_on = found.delivered_on
        if self.occasion is None:
            self.occasion = found.occasion


@dataclass(frozen=True)
class Segmented:
    """A document's speeches, how they were found, and the page-break spaces removed."""

    speeches: list[SpeechDraft]
    method: str  # "toc", "markers" or "single"
    page_breaks: list[tuple[int, int]]  # source ranges of removed spaces

    def removed(self) -> list[Removed]:
        """What segmentation took out of the text: page-break spaces, and the speaker and
        date lines kept as speech metadata instead."""
        return ([Removed("page_break_space", "space_inside_sentence", a, b) for a, b in self.page_breaks]
                + [Removed("speech_metadata", "speaker_or_date_line", *line.source_span(0, len(line)))
                   for draft in self.speeches for line in draft.metadata_lines])


def document(text: Text, toc_titles: list[str], title: str | None) -> Segmented:
    """The speeches of a cleaned document, from its TOC titles when they head the body."""
    page_breaks: list[tuple[int, int]] = []
    if starts := speeches.toc_starts(text.chars, toc_titles):
        return Segmented(_speeches_at(text, starts, None, page_breaks), "toc", page_breaks)
    if starts := speeches.compilation_starts(text.chars):
        return Segmented(_speeches_at(text, starts, title, page_breaks), "markers", page_breaks)
    return Segmented([_speech(title, None, text, page_breaks)], "single", page_breaks)


def _speeches_at(text: Text, starts: list[speeches.Start], preamble_title: str | None,
                 page_breaks: list) -> list[SpeechDraft]:
    """One speech per start, running to the next start; text before the first start, if
    any, is a speech of its own titled ``preamble_title``."""
    drafts = []
    preamble = text.slice(0, starts[0][1])
    if preamble.chars.strip():
        drafts.append(_speech(preamble_title, None, preamble, page_breaks))
    for i, (speech_title, start, end) in enumerate(starts):
        stop = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        drafts.append(_speech(speech_title, text.slice(start, end), text.slice(end, stop), page_breaks))
    return drafts


def _speech(title: str | None, title_text: Text | None, body: Text, page_breaks: list) -> SpeechDraft:
    """One speech: its body's blocks sorted into headings, metadata lines and paragraphs."""
    draft = SpeechDraft(title=title, title_text=title_text, body=body, occasion=metadata.occasion_in_title(title))
    lectures = outline.lecture_titles(body.chars)
    tree = outline.Outline()
    pieces = blocks.split(body, lectures, page_breaks)
    for i, piece in enumerate(pieces):
        block = piece.text
        if piece.metadata:
            draft.add_metadata_line(block, piece.metadata)
            continue
        draft.lines.append(block.chars)
        heading = tree.heading(block, lectures)
        if heading is None and piece.line and outline.reads_as_unmarked_heading(block.chars, _next_text(pieces, i)):
            heading = tree.unmarked(block)
        if (heading is None and piece.line and not draft.paragraphs and not draft.speaker
                and metadata.is_name_before_salutation(block.chars, _next_text(pieces, i))):
            draft.add_metadata_line(block, "speaker")
            draft.lines.pop()
            continue
        if heading is None:
            if not draft.paragraphs and SALUTATION.fullmatch(block.chars):
                draft.salutation = block.chars
            draft.paragraphs.append(ParagraphDraft(block, tree.current))
            continue
        draft.headings.append(heading)
        rest = blocks.strip(block.slice(len(heading.text), len(block)))
        if len(rest):
            draft.paragraphs.append(ParagraphDraft(rest, tree.current))
    return draft


def _next_text(pieces: list[Block], i: int) -> str | None:
    """The text of the first block after ``pieces[i]`` that is not a metadata line."""
    return next((b.text.chars for b in islice(pieces, i + 1, None) if not b.metadata), None)

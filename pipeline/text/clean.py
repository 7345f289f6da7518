"""Removing site noise: the site rules (``rules``), then the generic detectors (``detect``),
then what only the whole document shows: its title and the title's repeats, and a
numbered table of contents whose entries later head the speeches.

Every removed span is returned with its kind and rule; nothing disappears silently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.spans import Removed, Text
from pipeline.text import detect, linebreaks, normalize, rules
from pipeline.text.chardata import SENTENCE_END, cn_number
from pipeline.text.normalize import NormalizeConfig
from pipeline.text.rules import RULES_DIR

#: How far into the text a shortened repeat of a declared title is looked for.
HEADER_WINDOW = 600

#: A speech title glued to the text that follows (peiji, esk365): ``在…会议上的讲话同志们：…``.
GLUED_TITLE = re.compile(r"[^\s。！？，；：]{2,60}?(?:上的讲话|上的发言|上的致辞|上的报告|上的主持词|党课讲稿|讲话稿)(?=[^\s。！？，；：])")

#: A title at least this long is removed where it repeats glued to the body text; a
#: shorter one could be the start of a real sentence.
MIN_GLUED_TITLE_CHARS = 10

#: The longest line taken for a document title.
MAX_TITLE_CHARS = 100


@dataclass(frozen=True)
class CleanConfig:
    """Where the site rules live: the rules shipped with the package, then any folders a
    user adds (a family defined again in a later folder replaces the earlier one)."""

    rules_dirs: tuple[Path, ...] = (RULES_DIR,)

    def rule_files(self) -> list[Path]:
        """The rule files in effect, in load order."""
        return rules.files(self.rules_dirs)


@dataclass
class Cleaned:
    """A document after noise removal: kept text, what was removed, what was learnt."""

    text: Text
    removed: list[Removed] = field(default_factory=list)
    site: str | None = None
    title: str | None = None
    published_date: dt.date | None = None
    page_count: int | None = None
    declared_size: str | None = None
    declared_speech_count: int | None = None
    toc_titles: list[str] = field(default_factory=list)
    #: Source offsets where text was cut out (see ``rules.Rule.gap``).
    gaps: list[int] = field(default_factory=list)
    #: Source offsets of the line breaks left by gaps and breaks: never joined again.
    cuts: set[int] = field(default_factory=set)
    #: Han characters OpenCC changed: a traditional or mixed source when many.
    converted_chars: int = 0
    #: What the page says about its document (``rules.DOCUMENT_METADATA_FIELDS``).
    metadata: dict = field(default_factory=dict)


def document(text: Text, config: CleanConfig = CleanConfig(),
             normalize_config: NormalizeConfig = NormalizeConfig(), title: str | None = None,
             url: str | None = None) -> Cleaned:
    """The document without site noise, its characters normalised, and what was learnt.

    Order matters (noise catalogue §3): pinyin annotations go first, because the mirrors
    annotate inconsistently; then OpenCC and punctuation width, so every later pattern is
    written once, against simplified text with full-width punctuation; then the site
    rules, the generic detectors, line joining, the title and TOC, and repeated blocks.
    Punctuation width is decided once more at the end: a mark's width depends on its
    neighbours, and removing markup, a URL or a line break gives it new ones
    (``下载地址: www.example.gov.cn (PDF)`` leaves ``(PDF)`` beside ``：``).
    ``title`` and ``url`` are what a corpus record declares, if anything; a family's
    ``urls`` patterns recognise its pages by address when the text alone cannot.
    """
    cleaned = Cleaned(text=normalize.line_ends(text), title=title)
    _remove(cleaned, detect.pinyin(cleaned.text.chars))
    traditional = cleaned.text.chars
    cleaned.text = normalize.simplified(cleaned.text, normalize.make_converter(normalize_config.opencc_profile))
    cleaned.converted_chars = normalize.converted_han(traditional, cleaned.text.chars)
    cleaned.text = normalize.punctuation(cleaned.text)
    families = rules.applicable(rules.load(config.rules_dirs), cleaned.text.chars, url)
    cleaned.site = next((f.family for f in families if f.family != "generic"), None)
    _remove(cleaned, _rule_matches(cleaned, families))
    for detector in detect.DETECTORS:
        _remove(cleaned, detector(cleaned.text.chars))
    # Lines broken around former links must be whole before a line can read as a title.
    _remove(cleaned, _outside_cuts(cleaned, linebreaks.layout_wraps(cleaned.text.chars)))
    _remove(cleaned, _outside_cuts(cleaned, linebreaks.sentence_breaks(cleaned.text.chars)))
    _remove(cleaned, _title_and_repeats(cleaned))
    _remove(cleaned, _table_of_contents(cleaned))
    _remove(cleaned, detect.duplicate_blocks(cleaned.text.chars))
    cleaned.text = normalize.punctuation(cleaned.text)  # one for one: offsets stay
    if cleaned.title is not None:
        cleaned.title = normalize.string(cleaned.title, normalize_config).strip()
        cleaned.declared_speech_count = _declared_count(cleaned.title)
    return cleaned


# A step returns spans (start, end, kind, rule, gap) in the current text's indices; ``gap``
# marks a cut in the text (see ``rules.Rule.gap``).
Span = detect.Span


def _rule_matches(cleaned: Cleaned, families: list[rules.SiteRules]) -> list[Span]:
    spans: list[Span] = []
    for rule, m, start, end in rules.hits(families, cleaned.text.chars):
        _metadata_from_rule(cleaned, m)
        spans.append((start, end, rule.kind, rule.name, rule.gap))
    return spans


def _metadata_from_rule(cleaned: Cleaned, m: re.Match) -> None:
    """The document metadata a rule captured with named groups; the first value wins."""
    for name, value in m.groupdict().items():
        if name in rules.METADATA_FIELDS and value is not None and getattr(cleaned, name) is None:
            try:
                setattr(cleaned, name, rules.METADATA_FIELDS[name](value))
            except ValueError:
                pass  # an impossible date or count is noise, not metadata
        elif name in rules.DOCUMENT_METADATA_FIELDS and value is not None and name not in cleaned.metadata:
            try:
                cleaned.metadata[name] = rules.DOCUMENT_METADATA_FIELDS[name](value)
            except ValueError:
                pass


def _title_and_repeats(cleaned: Cleaned) -> list[Span]:
    """The first line, when it reads as a title, and the title's repeats at line starts.

    A title is short, has no sentence-final punctuation and is neither a salutation nor a
    heading. It is taken only if more text follows (a lone line is body text). When the
    corpus record names the title, only its repeats in the text are removed.
    """
    chars = cleaned.text.chars
    first = re.search(r"[^\s][^\n]*", chars)
    if not first:
        return []
    spans: list[Span] = []
    if cleaned.title is not None:
        title = normalize.string(cleaned.title).strip()
        if not title:
            return []
        start = first.start()
        for line in re.finditer(r"(?m)^[ \t\u3000]*([^\n]*?)[ \t\u3000]*$", chars[:HEADER_WINDOW]):
            if line.group(1) != title and len(line.group(1)) >= 4 and line.group(1) in title:
                # A shortened title heading the text (政府工作报告 under 2026年…政府工作报告).
                spans.append((line.start(1), line.end(1), "repeated_title", "short_title_line", False))
                break
    else:
        title = first.group().rstrip()
        glued = GLUED_TITLE.match(chars, first.start())
        if not _reads_as_title(title) and glued:
            title = glued.group()
        elif not _reads_as_title(title) or first.end() >= len(chars.rstrip()):
            return []
        cleaned.title = title
        spans.append((first.start(), first.start() + len(title), "document_title", "first_line_title", "break"))
        start = first.start() + len(title)
    # A long title also repeats glued to the body (360docs, esk365): 标题正文…
    follow = r"(?=\s|$)" if len(title) < MIN_GLUED_TITLE_CHARS else ""
    repeat = re.compile(r"(?m)^[ \t\u3000]*(" + re.escape(title) + ")" + follow)
    for m in repeat.finditer(chars, start):
        spans.append((m.start(1), m.end(1), "repeated_title", "title_repeat", False))
    return spans


_NOT_A_TITLE = re.compile(r"(?:同志们|各位代表|各位委员|朋友们)[：:，]?$|^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|第[一二三四五六七八九十]+[章节])")


def _reads_as_title(line: str) -> bool:
    return (0 < len(line) <= MAX_TITLE_CHARS and not any(c in SENTENCE_END for c in line)
            and not line.endswith(("：", ":")) and not _NOT_A_TITLE.search(line))


def _declared_count(title: str) -> int | None:
    """The number of speeches a compilation title declares: ``6篇汇编`` → 6."""
    m = re.search(r"([0-9]{1,3}|[一二三四五六七八九十]{1,3})篇", title)
    if not m:
        return None
    value = m.group(1)
    return int(value) if value.isdigit() else cn_number(value)


_TOC_HEAD = re.compile(r"(?:^|(?<=\s))目\s{0,3}录[：:]?")
_TOC_ENTRY = re.compile(r"\s*([0-9]{1,3})[、.．]\s*(\S+)")


def _table_of_contents(cleaned: Cleaned) -> list[Span]:
    """A ``目录`` heading followed by entries numbered 1, 2, 3…; the entries become toc_titles.

    Entries end at whitespace, the way the sites flatten a TOC onto one line. At least two
    consecutive entries are required, so a sentence mentioning 目录 is left alone.
    """
    chars = cleaned.text.chars
    for head in _TOC_HEAD.finditer(chars):
        titles, pos = [], head.end()
        while m := _TOC_ENTRY.match(chars, pos):
            if int(m.group(1)) != len(titles) + 1:
                break
            titles.append(m.group(2))
            pos = m.end()
        if len(titles) >= 2:
            cleaned.toc_titles = titles
            return [(head.start(), pos, "toc", "numbered_toc", False)]
    return []


def _remove(cleaned: Cleaned, spans: list[Span]) -> None:
    """Delete the spans from the text and record each as removed source ranges.

    Overlapping spans are merged: the part of a span already removed by an earlier one is
    skipped. A gap or break span leaves a newline behind so the text on its two sides
    never joins into one paragraph; only a gap is recorded as cut-out text.
    """
    if not spans:
        return
    text = cleaned.text
    deleted: list[tuple[int, int]] = []
    newlines: list[int] = []
    cursor = 0
    for start, end, kind, rule, gap in sorted(spans):
        start = max(start, cursor)
        if start >= end:
            continue
        cursor = end
        cleaned.removed.extend(Removed(kind, rule, a, b) for a, b in source_runs(text, start, end))
        if gap:  # True: text cut out (flagged); "break": a boundary only (a slide, a title)
            if gap is True:
                cleaned.gaps.append(text.offsets[start])
            cleaned.cuts.add(text.offsets[start])
            newlines.append(start)
        deleted.append((start + 1, end) if gap else (start, end))
    if newlines:
        chars = list(text.chars)
        for i in newlines:
            chars[i] = "\n"
        text = text.replace_chars("".join(chars))
    cleaned.text = text.delete(deleted)


def _outside_cuts(cleaned: Cleaned, spans: list[Span]) -> list[Span]:
    """The spans that do not remove a line break left by a cut."""
    offsets = cleaned.text.offsets
    return [s for s in spans if not any(offsets[i] in cleaned.cuts for i in range(s[0], s[1]))]


def source_runs(text: Text, start: int, end: int) -> list[tuple[int, int]]:
    """The source ranges under characters ``[start, end)``: one per contiguous run."""
    runs: list[tuple[int, int]] = []
    for i in range(start, end):
        off = text.offsets[i]
        if runs and runs[-1][1] == off:
            runs[-1] = (runs[-1][0], off + 1)
        else:
            runs.append((off, off + 1))
    return runs

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
from pipeline.text.chardata import (BARE_DATE, DATELINE, SALUTATION, SENTENCE_STOP, SUBTITLE_LINE, cn_number, date_line,
                                    spaced_pattern, speaker_parts)
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
    #: A newspaper kicker (引题) printed above the title, when the page has one.
    kicker: str | None = None
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
        end = first.start() + len(title)
        if wrapped := _title_continuation(chars, title, end):
            end = wrapped.end(1)
            title += wrapped.group(1)
        if kicked := _main_title_under_kicker(chars, end):
            cleaned.kicker = title
            spans.append((first.start(), end, "document_title", "kicker_line", "break"))
            first_start, title, end = kicked.start(1), kicked.group(1), kicked.end(1)
        else:
            first_start = first.start()
        cleaned.title = title
        spans.append((first_start, end, "document_title", "first_line_title", "break"))
        start = end
    # A long title also repeats glued to the body (360docs, esk365): 标题正文…
    follow = r"(?=\s|$)" if len(title) < MIN_GLUED_TITLE_CHARS else ""
    repeat = re.compile(r"(?m)^[ \t\u3000]*(" + re.escape(title) + ")" + follow)
    for m in repeat.finditer(chars, start):
        spans.append((m.start(1), m.end(1), "repeated_title", "title_repeat", False))
    return spans


_NOT_A_TITLE = re.compile(r"(?:同志们|各位代表|各位委员|朋友们)[：:，]?$|^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|第[一二三四五六七八九十]+[章节])")

#: Characters a title line cannot end with: a wrapped title goes on on the next line.
_UNFINISHED_END = "的之和与及暨在对于上"


def _reads_as_title(line: str) -> bool:
    return (0 < len(line) <= MAX_TITLE_CHARS and not any(c in SENTENCE_STOP for c in line)
            and not line.endswith(("：", ":")) and not _NOT_A_TITLE.search(line) and not BARE_DATE.fullmatch(line))


def _title_continuation(chars: str, title: str, end: int) -> re.Match | None:
    """The next line, when the title line was wrapped: the title ends in a word that
    cannot end it (``…大会上的`` + ``讲话``) and the next line is short, unindented and
    reads as the rest of a title."""
    if not title or title[-1] not in _UNFINISHED_END:
        return None
    following = re.compile(r"[ \t]*\n([^\s][^\n]{0,19}?)[ \t]*(?=\n|$)").match(chars, end)
    if following and _reads_as_title(following.group(1)) and not SALUTATION.fullmatch(following.group(1)):
        return following
    return None


_DASHES = ("—", "－", "―")


def _main_title_under_kicker(chars: str, end: int) -> re.Match | None:
    """The main title when the first line is a kicker (引题) above it.

    A newspaper prints a kicker, then the title, then the lines that belong to the title:
    a subtitle (——在…上的讲话), a date line, a speaker line or a dateline. So a second
    title-like line (short, unindented, no sentence punctuation, no comma) followed by one
    of those is the title, and the first line its kicker. A subhead after a title is
    followed by a paragraph, not by such a line.
    """
    second = re.compile(r"[ \t]*\n([^\s][^\n]{1,39}?)[ \t]*\n[ \t\u3000]*([^\n]+)").match(chars, end)
    if not second:
        return None
    line, after = second.group(1), second.group(2).strip()
    first = chars[:end].strip().split("\n")[-1].strip()
    if line in first or first in line:
        return None  # the title again, shortened (2024年政府工作报告 / 政府工作报告): not a kicker
    if (not _reads_as_title(line) or "，" in line or SALUTATION.fullmatch(line) or speaker_parts(line)
            or date_line(line) or DATELINE.match(line) or SUBTITLE_LINE.fullmatch(line) or line.startswith(_DASHES)):
        return None  # a line opening with a dash is a subtitle under the title (``——致即将远行的你们``)
    if speaker_parts(after) and sum(1 for x in re.finditer(r"[^\n]+", chars) if speaker_parts(x.group())) > 1:
        return None  # a multi-speaker page: the line is the headline of the first turn
    if date_line(after) or speaker_parts(after) or DATELINE.fullmatch(after) or SUBTITLE_LINE.fullmatch(after):
        return second
    return None


def _declared_count(title: str) -> int | None:
    """The number of speeches a compilation title declares: ``6篇汇编`` → 6."""
    m = re.search(r"([0-9]{1,3}|[一二三四五六七八九十]{1,3})篇", title)
    if not m:
        return None
    value = m.group(1)
    return int(value) if value.isdigit() else cn_number(value)


_TOC_HEAD = re.compile(r"(?:^|(?<=\s))目\s{0,3}录[：:]?")
_TOC_NUMBER = re.compile(r"\s*([0-9]{1,3})[、.．]\s*")


def _table_of_contents(cleaned: Cleaned) -> list[Span]:
    """A ``目录`` heading followed by entries numbered 1, 2, 3…; the entries become toc_titles.

    The sites flatten a TOC onto one line, so an entry runs to the next number; a title
    may hold a space (``1、深化区域合作 共创美好未来 2、…``). The last entry runs to where
    the first title heads the body again; without that, to the first space. Two or more
    entries are a TOC; one is when its title follows right after it (``1、讲话 讲话 正文``),
    so a sentence mentioning 目录 is left alone.
    """
    chars = cleaned.text.chars
    for head in _TOC_HEAD.finditer(chars):
        numbers: list[re.Match] = []
        pos = head.end()
        while m := _TOC_NUMBER.match(chars, pos):
            if int(m.group(1)) != len(numbers) + 1:
                break
            numbers.append(m)
            following = re.compile(rf"\s+{len(numbers) + 1}[、.．]").search(chars, m.end(), m.end() + MAX_TITLE_CHARS + 2)
            if not following or not _reads_as_title(chars[m.end():following.start()]):
                break
            pos = following.start()
        if not numbers:
            continue
        titles = [chars[a.end():b.start()].strip() for a, b in zip(numbers, numbers[1:])]
        last = numbers[-1]
        body = _title_again(chars, titles[0] if titles else None, last.end())
        if body is not None and _reads_as_title(chars[last.end():body].strip()):
            titles.append(chars[last.end():body].strip())
            stop = body
        else:
            word = re.compile(r"\S+").match(chars, last.end())
            if not word or len(numbers) < 2:
                continue
            titles.append(word.group())
            stop = word.end()
        if len(titles) == 1 and _title_again(chars, titles[0], stop) is None:
            continue
        cleaned.toc_titles = titles
        return [(head.start(), stop, "toc", "numbered_toc", False)]
    return []


def _title_again(chars: str, title: str | None, start: int) -> int | None:
    """Where ``title`` (its spaces ignored) starts again after ``start``, after a space:
    the first speech's title heading the body. For a one-entry TOC (``title`` None) the
    end of the entry is where its own words repeat: ``1、讲话 讲话 正文``."""
    if title is None:
        for cut in (m.start() for m in re.finditer(r"\s+", chars[start:start + MAX_TITLE_CHARS + 1])):
            entry = chars[start:start + cut]
            if entry and re.compile(r"\s+" + spaced_pattern(entry)).match(chars, start + cut):
                return start + cut
        return None
    m = re.compile(r"(?<=\s)" + spaced_pattern(title)).search(chars, start, start + 2 * MAX_TITLE_CHARS)
    if not m:
        return None
    end = m.start()
    while end > start and chars[end - 1].isspace():
        end -= 1
    return end


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

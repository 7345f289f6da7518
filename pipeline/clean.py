"""Removing site noise: rule files per site family, then the generic detectors.

Site knowledge lives in ``pipeline/rules/*.json`` (one file per site family, plus
``generic.json`` applied to every document), so a new site needs a rules file, not
Python. The detectors in code handle what a regex per line cannot: the document title
and its repeats, and a numbered table of contents whose entries later head the speeches.

Every removed span is returned with its kind and rule; nothing disappears silently.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.chardata import SENTENCE_END, cn_number
from pipeline.errors import ConfigError
from pipeline.spans import Text

RULES_DIR = Path(__file__).parent / "rules"

#: Rule scopes: ``line`` matches a whole line (surrounding spaces allowed); ``tail``
#: matches at the very end of the text.
SCOPES = ("line", "tail")

#: Metadata a rule may capture with a named group, and how the value is parsed.
METADATA_FIELDS = {
    "published_date": dt.date.fromisoformat,
    "page_count": int,
    "declared_size": str,
}

#: How far into a document a family's ``detect`` patterns are looked for.
DETECT_WINDOW = 2000

#: The longest line taken for a document title.
MAX_TITLE_CHARS = 100


@dataclass(frozen=True)
class Rule:
    """One noise pattern of a site family."""

    name: str
    kind: str
    scope: str
    pattern: re.Pattern


@dataclass(frozen=True)
class SiteRules:
    """The rules of one site family, as loaded from its JSON file."""

    family: str
    detect: tuple[re.Pattern, ...]
    rules: tuple[Rule, ...]

    def matches(self, head: str) -> bool:
        return any(p.search(head) for p in self.detect)


@dataclass(frozen=True)
class CleanConfig:
    """Where the site rules live. The default is the rules shipped with the package."""

    rules_dir: Path = RULES_DIR


@dataclass(frozen=True)
class Removed:
    """A removed span of the source: ``[start, end)`` code-point offsets, kind and rule."""

    kind: str
    rule: str
    start: int
    end: int


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


@functools.cache
def load_rules(rules_dir: Path) -> tuple[SiteRules, ...]:
    """Every site family in ``rules_dir``, ``generic`` last; malformed files raise ``ConfigError``."""
    files = sorted(rules_dir.glob("*.json"))
    if not files:
        raise ConfigError(f"no rule files (*.json) in {str(rules_dir)!r}")
    families = [_parse_rules_file(f) for f in files]
    families.sort(key=lambda s: (s.family == "generic", s.family))
    return tuple(families)


def _parse_rules_file(path: Path) -> SiteRules:
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
        rules = []
        for r in spec["rules"]:
            if r["scope"] not in SCOPES:
                raise ConfigError(f"rule {r['name']!r}: scope {r['scope']!r} is not one of {SCOPES}")
            pattern = re.compile(r["pattern"])
            unknown = set(pattern.groupindex) - set(METADATA_FIELDS)
            if unknown:
                raise ConfigError(f"rule {r['name']!r}: named groups {sorted(unknown)} are not metadata fields {sorted(METADATA_FIELDS)}")
            rules.append(Rule(r["name"], r["kind"], r["scope"], pattern))
        return SiteRules(
            family=spec["family"],
            detect=tuple(re.compile(p, re.MULTILINE) for p in spec["detect"]),
            rules=tuple(rules),
        )
    except (KeyError, TypeError, json.JSONDecodeError, re.error) as exc:
        raise ConfigError(f"rules file {path.name}: {type(exc).__name__}: {exc}") from exc


def document(text: Text, config: CleanConfig = CleanConfig()) -> Cleaned:
    """The document without site noise: rule lines and prompts, title repeats, the TOC.

    Runs on normalised text (full-width punctuation in Chinese), so rules are written once.
    """
    families = load_rules(config.rules_dir)
    head = text.chars[:DETECT_WINDOW]
    applicable = [f for f in families if f.family == "generic" or f.matches(head)]
    cleaned = Cleaned(text=text)
    cleaned.site = next((f.family for f in applicable if f.family != "generic"), None)
    for step in (_rule_matches, _title_and_repeats, _table_of_contents):
        spans = step(cleaned, applicable)
        _remove(cleaned, spans)
    return cleaned


# A step returns spans (start, end, kind, rule) in the current text's indices.
Span = tuple[int, int, str, str]


def _rule_matches(cleaned: Cleaned, families: list[SiteRules]) -> list[Span]:
    chars = cleaned.text.chars
    spans: list[Span] = []
    for family in families:
        for rule in family.rules:
            if rule.scope == "line":
                found = _line_matches(chars, rule.pattern)
            else:
                m = rule.pattern.search(chars.rstrip())
                found = [m] if m and m.end() == len(chars.rstrip()) else []
            for m in found:
                _take_metadata(cleaned, m)
                spans.append((m.start(), m.end(), rule.kind, rule.name))
    return spans


def _line_matches(chars: str, pattern: re.Pattern) -> list[re.Match]:
    """Matches of ``pattern`` that span a whole line (spaces around it allowed)."""
    found = []
    for line in re.finditer(r"[^\n]+", chars):
        content = line.group().strip(" \t\u3000")
        if not content:
            continue
        start = line.start() + line.group().index(content)
        m = pattern.fullmatch(chars, start, start + len(content))
        if m:
            found.append(m)
    return found


def _take_metadata(cleaned: Cleaned, m: re.Match) -> None:
    for name, value in m.groupdict().items():
        if value is not None and getattr(cleaned, name) is None:
            try:
                setattr(cleaned, name, METADATA_FIELDS[name](value))
            except ValueError:
                pass  # an impossible date or count is noise, not metadata


def _title_and_repeats(cleaned: Cleaned, families: list[SiteRules]) -> list[Span]:
    """The first line, when it reads as a title, and its repeats at the start of later lines.

    A title is short and has no sentence-final punctuation. It is taken as the document
    title only if it is repeated or is followed by more text (a lone line is body text).
    """
    chars = cleaned.text.chars
    first = re.search(r"[^\s][^\n]*", chars)
    if not first:
        return []
    title = first.group().rstrip()
    if len(title) > MAX_TITLE_CHARS or any(c in SENTENCE_END for c in title) or first.end() >= len(chars.rstrip()):
        return []
    cleaned.title = title
    cleaned.declared_speech_count = _declared_count(title)
    spans: list[Span] = [(first.start(), first.start() + len(title), "document_title", "first_line_title")]
    repeat = re.compile(r"(?m)^[ \t\u3000]*(" + re.escape(title) + r")(?=\s|$)")
    for m in repeat.finditer(chars, first.start() + len(title)):
        spans.append((m.start(1), m.end(1), "repeated_title", "title_repeat"))
    return spans


def _declared_count(title: str) -> int | None:
    """The number of speeches a compilation title declares: ``6篇汇编`` → 6."""
    m = re.search(r"([0-9]{1,3}|[一二三四五六七八九十]{1,3})篇", title)
    if not m:
        return None
    value = m.group(1)
    return int(value) if value.isdigit() else cn_number(value)


_TOC_HEAD = re.compile(r"(?:^|(?<=\s))目\s{0,3}录[：:]?")
_TOC_ENTRY = re.compile(r"\s*([0-9]{1,3})[、.．]\s*(\S+)")


def _table_of_contents(cleaned: Cleaned, families: list[SiteRules]) -> list[Span]:
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
            return [(head.start(), pos, "toc", "numbered_toc")]
    return []


def _remove(cleaned: Cleaned, spans: list[Span]) -> None:
    """Delete the spans from the text and record each as removed source ranges."""
    if not spans:
        return
    taken: list[tuple[int, int]] = []
    for start, end, kind, rule in sorted(spans):
        if start >= end or (taken and start < taken[-1][1]):
            continue  # overlaps a span already removed by an earlier rule
        taken.append((start, end))
        cleaned.removed.extend(Removed(kind, rule, a, b) for a, b in source_runs(cleaned.text, start, end))
    cleaned.text = cleaned.text.delete(taken)


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

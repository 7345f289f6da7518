"""Site rules: one JSON file per site family, loaded into patterns and matched against a text.

Site knowledge lives in ``pipeline/rules/*.json`` (one file per site family, plus
``generic.json`` applied to every document), so a new site needs a rules file, not
Python. A family applies to a document when one of its ``detect`` patterns is found near
the start of the text or one of its ``urls`` patterns matches the document's address.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.text import detect

RULES_DIR = Path(__file__).parents[1] / "rules"

#: Rule scopes:
#: ``line``   the pattern matches a whole line (spaces around it allowed);
#: ``inline`` every match anywhere (``^``/``$`` match at line ends);
#: ``tail``   a match that ends the text;
#: ``rest``   a match and everything after it (trailing related-article lists);
#: ``head``   everything from the start of the text through a match in the first
#:            ``DETECT_WINDOW`` characters (a header block of unknown lines).
SCOPES = ("line", "inline", "tail", "rest", "head")

def date(value: str) -> dt.date:
    """An ISO date or a Chinese one.

    >>> date("2019-02-15"), date("2019年02月15日")
    (datetime.date(2019, 2, 15), datetime.date(2019, 2, 15))
    """
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", value.strip())
    return dt.date(*map(int, m.groups())) if m else dt.date.fromisoformat(value.strip())


#: Metadata a rule may capture with a named group, and how the value is parsed.
METADATA_FIELDS = {
    "published_date": date,
    "page_count": int,
    "declared_size": str,
    "title": str,
}

#: What a page says about the document it carries (a government portal's metadata
#: table), captured the same way and kept as keys of ``documents.metadata``: the 文号, the
#: issuing organ, the document's own date (成文日期), the posting date, the subject.
DOCUMENT_METADATA_FIELDS = {
    "doc_number": str.strip,
    "issuer": str.strip,
    "written_on": lambda value: date(value).isoformat(),
    "published_on": lambda value: date(value).isoformat(),
    "subject": str.strip,
}

#: How far into a document a family's ``detect`` patterns are looked for.
DETECT_WINDOW = 2000


@dataclass(frozen=True)
class Rule:
    """One noise pattern of a site family."""

    name: str
    kind: str
    scope: str
    pattern: re.Pattern
    #: For ``line`` rules: the pattern anchored to a whole line, run over the whole text
    #: in one scan; group ``line`` is the line's content.
    line_pattern: re.Pattern | None = None
    #: Text was cut out where this matches (a paywall or hidden-text marker): the text on
    #: each side is kept apart and the paragraph after it is flagged ``after_gap``.
    gap: bool = False


@dataclass(frozen=True)
class SiteRules:
    """The rules of one site family, as loaded from its JSON file."""

    family: str
    detect: tuple[re.Pattern, ...]
    rules: tuple[Rule, ...]
    urls: tuple[re.Pattern, ...] = ()

    def matches(self, head: str) -> bool:
        return any(p.search(head) for p in self.detect)

    def matches_url(self, url: str | None) -> bool:
        return url is not None and any(p.search(url) for p in self.urls)


def files(folders: tuple[Path, ...]) -> list[Path]:
    """The rule files in effect, in load order: a file of a later folder replaces the
    file of the same name in an earlier one."""
    by_name: dict[str, Path] = {}
    for folder in folders:
        if not Path(folder).is_dir():
            raise ConfigError(f"rules folder {str(folder)!r} does not exist")
        for path in sorted(Path(folder).glob("*.json")):
            by_name[path.name] = path
    if not by_name:
        raise ConfigError(f"no rule files (*.json) in {[str(f) for f in folders]}")
    return list(by_name.values())


@functools.cache
def load(folders: tuple[Path, ...]) -> tuple[SiteRules, ...]:
    """Every site family of the folders' rule files, ``generic`` last; malformed files
    raise ``ConfigError`` naming the file and the problem."""
    families = list({f.family: f for f in map(_parse, files(folders))}.values())
    families.sort(key=lambda s: (s.family == "generic", s.family))
    return tuple(families)


def _parse(path: Path) -> SiteRules:
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
        rules = []
        for r in spec["rules"]:
            if r["scope"] not in SCOPES:
                raise ConfigError(f"rule {r['name']!r}: scope {r['scope']!r} is not one of {SCOPES}")
            unknown_keys = set(r) - {"name", "kind", "scope", "pattern", "gap", "comment"}
            if unknown_keys:
                raise ConfigError(f"rule {r.get('name')!r}: unknown keys {sorted(unknown_keys)}")
            pattern = re.compile(r["pattern"], re.MULTILINE)
            fields = {*METADATA_FIELDS, *DOCUMENT_METADATA_FIELDS}
            unknown = set(pattern.groupindex) - fields
            if unknown:
                raise ConfigError(f"rule {r['name']!r}: named groups {sorted(unknown)} are not metadata fields {sorted(fields)}")
            line_pattern = (re.compile(rf"^[ \t\u3000]*(?P<line>{r['pattern']})[ \t\u3000]*$", re.MULTILINE)
                            if r["scope"] == "line" else None)
            rules.append(Rule(r["name"], r["kind"], r["scope"], pattern, line_pattern, bool(r.get("gap", False))))
        return SiteRules(
            family=spec["family"],
            detect=tuple(re.compile(p, re.MULTILINE) for p in spec["detect"]),
            rules=tuple(rules),
            urls=tuple(re.compile(p) for p in spec.get("urls", [])),
        )
    except (KeyError, TypeError, json.JSONDecodeError, re.error) as exc:
        raise ConfigError(f"rules file {path.name}: {type(exc).__name__}: {exc}") from exc


def applicable(families: tuple[SiteRules, ...], chars: str, url: str | None) -> list[SiteRules]:
    """The families that apply to a text: ``generic`` always, the others when their
    ``detect`` patterns find the text's head or their ``urls`` patterns its address."""
    head = chars[:DETECT_WINDOW]
    return [f for f in families if f.family == "generic" or f.matches(head) or f.matches_url(url)]


def hits(families: list[SiteRules], chars: str) -> Iterator[tuple[Rule, re.Match, int, int]]:
    """Every match of the families' rules in ``chars``, in rule order, with the range
    ``[start, end)`` it removes by its rule's scope."""
    end = len(chars.rstrip())
    for family in families:
        for rule in family.rules:
            for m in _matches(rule, chars, end):
                if rule.scope == "rest":
                    yield rule, m, m.start(), len(chars)
                elif rule.scope == "head":
                    yield rule, m, 0, m.end()
                elif rule.scope == "line":
                    yield rule, m, m.start("line"), detect.line_end(chars, m.end())
                else:
                    yield rule, m, *m.span()


def _matches(rule: Rule, chars: str, end: int) -> list[re.Match]:
    if rule.scope == "line":
        return [m for m in rule.line_pattern.finditer(chars) if m.group("line").strip()]
    if rule.scope == "inline":
        return [m for m in rule.pattern.finditer(chars) if m.end() > m.start()]
    if rule.scope == "tail":
        found = [m for m in rule.pattern.finditer(chars, 0, end) if m.end() == end]
        return found[-1:]
    if rule.scope == "rest":
        m = rule.pattern.search(chars)
        return [m] if m else []
    m = rule.pattern.search(chars, 0, min(DETECT_WINDOW, len(chars)))  # head
    return [m] if m else []

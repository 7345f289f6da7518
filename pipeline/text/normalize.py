"""Character normalisation that keeps every offset: line ends, OpenCC, punctuation width.

The fixes run in the order of ``characters``. Each keeps the text's length or deletes
characters through ``Text.delete``, so every remaining character still knows its source
offset. None of them folds width the way NFKC or ftfy's defaults do: those turn
``，：；！？（）`` and the ideographic space into ASCII, which damages Chinese text.

OpenCC runs only where the text is traditional (``conversion``): ``t2s`` over simplified
text is not a no-op, it rewrites names and rare words that simplified Chinese writes with
characters OpenCC also reads as traditional (乾 → 干, 於 → 于, 薹 → 苔, 拚 → 拼). The script
of each line is read from its share of characters that exist only in traditional Chinese
(``traditional_only``, derived from OpenCC's own character table).
"""

from __future__ import annotations

import difflib
import functools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import opencc

from pipeline.errors import ConfigError
from pipeline.spans import Text
from pipeline.text.chardata import CHINESE_RE, HALF_TO_FULL, HAN_RE, HAN_RUN
from schemas.characters import HAN
from schemas.characters import characters as class_characters


@dataclass(frozen=True)
class NormalizeConfig:
    """How characters are normalised.

    ``opencc_profile``: the OpenCC conversion to simplified. ``t2s`` converts characters
    and the few phrases OpenCC's standard marks as traditional; the phrase-level profiles
    (``tw2sp``, ``hk2sp``) rewrite vocabulary and damage already-simplified text, so they
    are not the default.
    """

    opencc_profile: str = "t2s"

    def __post_init__(self) -> None:
        valid = sorted(c.removesuffix(".json") for c in opencc.CONFIGS)
        if self.opencc_profile not in valid:
            raise ConfigError(f"unknown OpenCC profile {self.opencc_profile!r}; valid: {valid}")


@functools.cache
def make_converter(profile: str) -> opencc.OpenCC:
    """One OpenCC converter per profile and process: loading its dictionaries costs far more
    than converting a document."""
    return opencc.OpenCC(profile)


#: The characters that exist only in traditional Chinese, one line per character: written
#: from OpenCC's own character tables by ``tests/support/opencc_tables.py``, whose test
#: checks the file against the installed OpenCC.
TRADITIONAL_ONLY_FILE = Path(__file__).parents[1] / "resources" / "traditional_only.txt"
#: The characters that exist only in simplified Chinese (们, 这, 国), written alike.
SIMPLIFIED_ONLY_FILE = Path(__file__).parents[1] / "resources" / "simplified_only.txt"

#: A line is traditional when at least this many of its characters, and this share of its
#: Han characters, exist only in traditional Chinese. Traditional lines of the national
#: reports hold 7 % (the 1957 report, half converted by its scanner) to 45 % such
#: characters; a simplified line holds none, or one stray (打贏, a name with 樸, 拚命 in
#: the 1978 report), so one such character never makes a line traditional.
TRADITIONAL_LINE_MIN_CHARS = 2
TRADITIONAL_LINE_SHARE = 0.05

#: A stray traditional character in a simplified line converts when the document writes
#: its simplified form beside the same neighbour, or at least this many times: then the
#: document plainly writes that character simplified (会, 发, 党 in a compilation whose
#: site swapped a few in), where a name (李樸) or a rare word has no such company.
STRAY_MIN_SIMPLIFIED = 2

#: A line with fewer Han characters than this (a heading, a date, a name) shows no script
#: of its own: it takes the script of the lines around it.
SCRIPT_EVIDENCE_HAN = 8


@functools.cache
def traditional_only() -> frozenset[str]:
    """The characters that exist only in traditional Chinese (3,198 with OpenCC 1.4.2).

    OpenCC's ``TSCharacters`` maps each traditional character to its simplified
    candidates. A character whose candidates include itself is also written in simplified
    Chinese (乾 → 干 乾: 乾坤; 於 → 于 於: the surname), and so is any candidate of another
    character or key of ``STCharacters``; the rest exist only in traditional text.

    >>> {"貝", "贏", "樸"} <= traditional_only(), {"乾", "於", "薹", "赢"} & traditional_only()
    (True, set())
    """
    return _characters(TRADITIONAL_ONLY_FILE)


@functools.cache
def simplified_only() -> frozenset[str]:
    """The characters that exist only in simplified Chinese, from ``STCharacters`` alike.

    >>> {"们", "这", "赢"} <= simplified_only(), {"乾", "于", "贏"} & simplified_only()
    (True, set())
    """
    return _characters(SIMPLIFIED_ONLY_FILE)


def _characters(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@dataclass(frozen=True)
class Conversion:
    """Where a text is traditional: the ranges to convert and the stray characters."""

    #: ``[start, end)`` ranges of whole lines that are traditional, sorted.
    lines: tuple[tuple[int, int], ...]
    #: Indices of traditional-only characters in simplified lines that the document itself
    #: writes simplified elsewhere (``打贏`` where it writes ``打赢``).
    strays: tuple[int, ...]
    #: "simplified", "traditional" or "mixed" (``schemas.SCRIPTS``).
    script: str


def conversion(chars: str, converter: opencc.OpenCC) -> Conversion:
    """Which parts of ``chars`` are traditional and get converted.

    Each line is read on its own, from its traditional-only and simplified-only
    characters (``traditional_only``, ``simplified_only``): ``traditional`` when it has
    enough of the former (``_reads_traditional``), ``simplified`` when it has more of the
    latter or enough Han characters and a smaller share of traditional ones, and
    undecided otherwise (a short line, or a single traditional-only character in a short
    sentence, which a name and a traditional heading both show). An undecided line takes
    the script of the nearest decided lines on both sides, and converts only when they
    are traditional; a text of undecided lines only converts when it holds a
    traditional-only character and no simplified-only one.

    A traditional-only character in a simplified line is a stray: it converts only when
    the document writes its simplified form next to the same neighbour elsewhere, or
    often (``STRAY_MIN_SIMPLIFIED``), which a name or a rare word does not show.

    >>> text = "记者李樸报道：全县上下坚决打贏脱贫攻坚战，乾坤湾景区游客增加。\\n打赢这场硬仗，关键在落实。"
    >>> c = conversion(text, make_converter("t2s"))
    >>> [text[i] for i in c.strays], c.lines, c.script
    (['贏'], (), 'simplified')
    >>> conversion("關於憲法草案的報告\\n一、\\n這是我們的任務", make_converter("t2s")).script
    'traditional'
    """
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", chars)]
    classes = _classes(chars)
    counts = {name: _per_line(found, lines) for name, found in classes.items()}
    labels = []
    for han, trad, simple in zip(counts["han"], counts["traditional"], counts["simplified"]):
        if _reads_traditional(trad, simple, han):
            labels.append("T")
        elif simple > trad or (han >= SCRIPT_EVIDENCE_HAN and trad < TRADITIONAL_LINE_SHARE * han):
            labels.append("S")
        else:  # short, or one traditional-only character in a short sentence: 李樸 or 強化?
            labels.append("?")
    if all(label == "?" for label in labels):
        # No line decides: the characters do, when none of them is simplified-only.
        if len(classes["traditional"]) and not len(classes["simplified"]):
            labels = ["T"] * len(labels)
    convert = _resolve(labels)
    ranges = tuple(span for span, yes in zip(lines, convert) if yes)
    strays = _strays(chars, lines, convert, converter, classes["traditional"])
    han_lines = [yes for yes, han in zip(convert, counts["han"]) if han]
    script = "simplified" if not any(han_lines) else "traditional" if all(han_lines) else "mixed"
    return Conversion(ranges, strays, script)


def _reads_traditional(trad: int, simple: int, han: int) -> bool:
    """Whether a line's counts of traditional-only, simplified-only and Han characters make
    it traditional: enough traditional-only characters (``TRADITIONAL_LINE_*``), and a
    third when the line also writes simplified-only ones. Two can be a name and a stray in
    a simplified sentence (李樸 … 打贏); a line half converted by its scanner (the 1957
    report) has six or more."""
    return (trad >= TRADITIONAL_LINE_MIN_CHARS and trad >= TRADITIONAL_LINE_SHARE * han
            and (simple == 0 or trad > TRADITIONAL_LINE_MIN_CHARS))


@functools.cache
def _class_tables() -> dict[str, np.ndarray]:
    """Per code point (astral ones too), whether it is a Han character, a traditional-only
    one or a simplified-only one: a text's classes are then one array lookup, where ``re``
    tried a class of thousands of characters at every position (benchmarks/README.md)."""
    tables = {}
    for name, members in (("han", class_characters(HAN)), ("traditional", traditional_only()),
                          ("simplified", simplified_only())):
        table = np.zeros(sys.maxunicode + 1, dtype=bool)
        table[[ord(c) for c in members]] = True
        tables[name] = table
    return tables


def _classes(chars: str) -> dict[str, np.ndarray]:
    """The indices of the Han, traditional-only and simplified-only characters of ``chars``."""
    codes = np.frombuffer(chars.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return {name: np.flatnonzero(table[codes]) for name, table in _class_tables().items()}


def _per_line(found: np.ndarray, lines: list[tuple[int, int]]) -> list[int]:
    """How many of the sorted indices ``found`` fall in each ``[start, end)`` of ``lines``."""
    bounds = np.array(lines, dtype=np.int64).reshape(-1, 2)
    return (np.searchsorted(found, bounds[:, 1]) - np.searchsorted(found, bounds[:, 0])).tolist()


def _resolve(labels: list[str]) -> list[bool]:
    """Whether each line converts: ``T`` lines do, ``S`` lines do not, and a ``?`` line
    does when the nearest readable line on each side is ``T`` (or the text ends there)."""
    convert = []
    for i, label in enumerate(labels):
        if label != "?":
            convert.append(label == "T")
            continue
        before = next((labels[j] for j in range(i - 1, -1, -1) if labels[j] != "?"), None)
        after = next((labels[j] for j in range(i + 1, len(labels)) if labels[j] != "?"), None)
        sides = [s for s in (before, after) if s is not None]
        convert.append(bool(sides) and all(s == "T" for s in sides))
    return convert


def _strays(chars: str, lines: list[tuple[int, int]], convert: list[bool], converter: opencc.OpenCC,
            traditional: np.ndarray) -> tuple[int, ...]:
    """Traditional-only characters (at the sorted indices ``traditional``) of unconverted
    lines whose simplified form the document writes elsewhere beside the same neighbour, or
    often (``STRAY_MIN_SIMPLIFIED``), or makes a word of the dictionary with its neighbours
    (``經济`` → 经济, ``已經`` → 已经): a name (李樸) or a rare word shows none of these."""
    line_of = np.searchsorted(np.array([start for start, _ in lines], dtype=np.int64), traditional, side="right") - 1
    candidates = traditional[~np.array(convert, dtype=bool)[line_of]].tolist()
    if not candidates:
        return ()
    # The evidence is the text as it will read: traditional lines already converted.
    parts, pos = [], 0
    for (start, end), yes in zip(lines, convert):
        if yes:
            parts += [chars[pos:start], converter.convert(chars[start:end])]
            pos = end
    evidence = "".join(parts) + chars[pos:]
    found = []
    for i in candidates:
        simple = converter.convert(chars[i])
        left = chars[i - 1] if i > 0 and HAN_RE.match(chars[i - 1]) else ""
        right = chars[i + 1] if i + 1 < len(chars) and HAN_RE.match(chars[i + 1]) else ""
        if ((left and left + simple in evidence) or (right and simple + right in evidence)
                or evidence.count(simple) >= STRAY_MIN_SIMPLIFIED or _in_word(chars, i, simple)):
            found.append(i)
    return tuple(found)


#: Longest dictionary word looked for around a stray.
_STRAY_WORD_CHARS = 4


def _in_word(chars: str, i: int, simple: str) -> bool:
    """Whether ``simple`` put in place of ``chars[i]`` makes a trusted word of the dictionary
    with the Han characters beside it, and the character as written makes none there: the
    dictionary also holds words simplified text writes with a traditional-only character
    (拚命 in the national reports), and those stay."""
    from pipeline.text.linebreaks import trusted_words  # the dictionary loads only when a stray is found

    words = trusted_words()
    found = False
    for size in range(2, _STRAY_WORD_CHARS + 1):
        for start in range(max(0, i - size + 1), i + 1):
            written = chars[start:start + size]
            if len(written) < size or not HAN_RUN.fullmatch(written):
                continue
            if written in words:
                return False
            found = found or (written[:i - start] + simple + written[i - start + 1:]) in words
    return found


def script(chars: str, profile: str = "t2s") -> str:
    """The script of a text: "simplified", "traditional" or "mixed" (see ``conversion``).

    >>> script("打赢脱贫攻坚战，决战决胜。"), script("打贏脫貧攻堅戰，決戰決勝。")
    ('simplified', 'traditional')
    """
    return conversion(chars, make_converter(profile)).script


def line_ends(text: Text) -> Text:
    """The text with ``\\r\\n`` and lone ``\\r`` turned into ``\\n`` (offsets kept).

    >>> line_ends(Text.from_source("甲\\r\\n乙\\r丙")).chars
    '甲\\n乙\\n丙'
    """
    if "\r" not in text.chars:
        return text
    crlf = [(m.start(), m.start() + 1) for m in re.finditer("\r\n", text.chars)]
    text = text.delete(crlf)
    return text.replace_chars(text.chars.replace("\r", "\n"))


def simplified(text: Text, converter: opencc.OpenCC) -> Text:
    """The text with its traditional parts converted by OpenCC (see ``conversion``), each
    character keeping the offset of the one it replaced; simplified text is left as it is.

    >>> simplified(Text.from_source("他姓於，名樸，是研究乾坤的学者。"), make_converter("t2s")).chars
    '他姓於，名樸，是研究乾坤的学者。'
    >>> simplified(Text.from_source("在聽了劉少奇同誌關於憲法草案的報告"), make_converter("t2s")).chars
    '在听了刘少奇同志关于宪法草案的报告'
    """
    plan = conversion(text.chars, converter)
    spans = sorted([*plan.lines, *((i, i + 1) for i in plan.strays)])
    if not spans:
        return text
    parts, pos = [], 0
    for start, end in spans:
        parts += [text.slice(pos, start), _converted(text.slice(start, end), converter)]
        pos = end
    parts.append(text.slice(pos, len(text)))
    return Text.concat(parts)


def _converted(text: Text, converter: opencc.OpenCC) -> Text:
    """The whole of ``text`` converted by OpenCC, offsets kept.

    OpenCC's dictionaries map almost everything one to one. When a phrase changes length,
    the whole run of Han characters it belongs to is re-converted on its own and its
    characters share the run's source span, so offsets stay monotone.
    """
    converted = converter.convert(text.chars)
    if len(converted) == len(text.chars) and _only_han_changed(text.chars, converted):
        return text.replace_chars(converted) if converted != text.chars else text
    parts: list[Text] = []
    pos = 0
    for m in HAN_RUN.finditer(text.chars):
        if m.start() > pos:
            parts.append(text.slice(pos, m.start()))
        run = text.slice(m.start(), m.end())
        out = converter.convert(run.chars)
        if len(out) == len(run):
            parts.append(run.replace_chars(out))
        else:
            start, end = run.source_span(0, len(run))
            spread = [start + (end - start) * i // max(len(out), 1) for i in range(len(out))]
            parts.append(Text(out, type(text.offsets)("q", spread)))
        pos = m.end()
    parts.append(text.slice(pos, len(text)))
    return Text.concat(parts)


def _changed_codes(before: str, after: str) -> tuple[np.ndarray, np.ndarray]:
    """The code points where two equally long strings differ, before and after (vectorised:
    texts run to megabytes, and a traditional one differs at most of its characters)."""
    a = np.frombuffer(before.encode("utf-32-le"), dtype=np.uint32)
    b = np.frombuffer(after.encode("utf-32-le"), dtype=np.uint32)
    changed = a != b
    return a[changed], b[changed]


def _only_han_changed(before: str, after: str) -> bool:
    was, now = _changed_codes(before, after)
    han = _class_tables()["han"]
    return bool(np.all(han[was] & han[now]))


_HALF_WIDTH_RE = re.compile("[,:;!?()]")
#: A half-width mark with Chinese text beside it (spaces and tabs between): without one,
#: nothing converts. Most texts have none left once converted, so running the fix again
#: after noise removal (``clean.document``) costs one regex search.
_HALF_WIDTH_IN_CONTEXT_RE = re.compile(
    f"{CHINESE_RE.pattern}[ \t]*{_HALF_WIDTH_RE.pattern}|{_HALF_WIDTH_RE.pattern}[ \t]*{CHINESE_RE.pattern}")
_BRACKET_OR_LINE_RE = re.compile("[\n(（)）]")
_FULL_BRACKET_RE = re.compile("[（）]")
_HALF_BRACKET_RE = re.compile("[()]")


def punctuation_width(s: str) -> str:
    """``s`` with half-width ``, : ; ! ? ( )`` made full-width where they stand in Chinese text.

    A mark is in Chinese text when the nearest non-space character on either side is Han
    or Chinese punctuation. Commas and colons between two digits (``1,000``, ``3:00``)
    stay; brackets convert in pairs so ``（G2G）`` never ends up half converted. The result
    has the same length, and applying it twice changes nothing.

    >>> punctuation_width("同志们: 我们(一)要抓好, 不能松懈!")
    '同志们： 我们（一）要抓好， 不能松懈！'
    >>> punctuation_width("GDP的4.6%, 约1,000亿; Hello, world (ok)")
    'GDP的4.6%， 约1,000亿； Hello, world (ok)'
    >>> punctuation_width("在(G2G)模式下")
    '在（G2G）模式下'
    """
    if not _HALF_WIDTH_IN_CONTEXT_RE.search(s) and not (_FULL_BRACKET_RE.search(s) and _HALF_BRACKET_RE.search(s)):
        return s  # no mark beside Chinese text, no bracket to pair (most clean text): skip the scans
    return _width_scan(s)


def _width_scan(s: str) -> str:
    """``punctuation_width`` without its shortcut: every mark's context, until none changes."""
    chars = list(s)
    while True:
        convert = {i for i in _candidates(chars) if _in_chinese_context(chars, i)}
        convert |= _bracket_partners(chars, convert)
        if not convert:
            return "".join(chars)
        for i in convert:
            chars[i] = HALF_TO_FULL[chars[i]]


def _candidates(chars: list[str]) -> list[int]:
    return [m.start() for m in _HALF_WIDTH_RE.finditer("".join(chars))]


def _neighbour(chars: list[str], i: int, step: int) -> str:
    j = i + step
    while 0 <= j < len(chars) and chars[j] in " \t":
        j += step
    return chars[j] if 0 <= j < len(chars) else ""


def _in_chinese_context(chars: list[str], i: int) -> bool:
    left, right = _neighbour(chars, i, -1), _neighbour(chars, i, 1)
    if chars[i] in ",:" and left.isascii() and left.isdigit() and right.isascii() and right.isdigit():
        return False
    return bool(CHINESE_RE.match(left) or CHINESE_RE.match(right))


def _bracket_partners(chars: list[str], convert: set[int]) -> set[int]:
    """Indices of the matching bracket of every converted bracket (within one line)."""
    partners: set[int] = set()
    stack: list[int] = []
    for match in _BRACKET_OR_LINE_RE.finditer("".join(chars)):
        i, c = match.start(), match.group()
        if c == "\n":
            stack.clear()
        elif c in "(（":
            stack.append(i)
        elif c in ")）" and stack:
            j = stack.pop()
            open_full = chars[j] == "（" or j in convert
            close_full = chars[i] == "）" or i in convert
            if open_full != close_full:
                partners.add(i if open_full else j)
    return partners


def punctuation(text: Text) -> Text:
    """``punctuation_width`` on a ``Text`` (the mapping is one to one, so offsets stay)."""
    fixed = punctuation_width(text.chars)
    return text if fixed == text.chars else text.replace_chars(fixed)


def converted_han(before: str, after: str) -> int:
    """How many Han characters OpenCC changed between ``before`` and ``after``.

    >>> converted_han("打贏了，", "打赢了，")
    1
    """
    if len(before) == len(after):
        return int(np.count_nonzero(_class_tables()["han"][_changed_codes(before, after)[0]]))
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)  # a phrase changed length
    return sum(i2 - i1 for op, i1, i2, _, _ in matcher.get_opcodes() if op != "equal")


def characters(text: Text, config: NormalizeConfig = NormalizeConfig()) -> Text:
    """The text after every character fix, in order: line ends, OpenCC, punctuation width."""
    text = line_ends(text)
    text = simplified(text, make_converter(config.opencc_profile))
    return punctuation(text)


def string(s: str, config: NormalizeConfig = NormalizeConfig()) -> str:
    """``characters`` on a plain string, for callers that do not need offsets.

    >>> string("打贏脫貧攻堅戰, 決戰決勝!")
    '打赢脱贫攻坚战， 决战决胜！'
    """
    return characters(Text.from_source(s), config).chars

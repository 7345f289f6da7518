"""Generic noise detectors: patterns of every site family that one regex per line cannot catch.

Each detector reads the current text and returns the spans to remove as
``(start, end, kind, rule, gap)`` tuples in that text's indices; ``clean.document``
removes them, records them and runs the next detector on what is left. Site-specific
strings belong in ``pipeline/rules/*.json``, not here.

The order of ``DETECTORS`` matters: markup and counters go before chunk numbering (a
chunk prefix must sit at a line start once they are gone). Line breaks inside sentences
are mended after all of them, by ``linebreaks``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from pipeline.text.chardata import DATELINE, SENTENCE_END, SENTENCE_STOP
from schemas.characters import CONTROL, HAN, UNIFIED_HAN

#: (start, end, kind, rule, cut): ``cut`` is False, "break" (the two sides must not join)
#: or True (text was cut out there: a paywall, a hidden-text marker).
Span = tuple[int, int, str, str, bool | str]
Detector = Callable[[str], list[Span]]

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"

#: Pinyin after a character, tone mark required so ``(G2G)`` and ``(payoff)`` survive.
PINYIN = re.compile(rf"(?<=[{HAN}])\([a-zü]*[{_TONED}][a-zü]*\)")
#: The same with the host character lost to mojibake: ``?lì)``; the character is gone.
PINYIN_ORPHAN = re.compile(rf"\?[a-zü]*[{_TONED}][a-zü]*\)")
#: A pinyin group cut by the end of a preview: ``發(fā``.
PINYIN_CUT = re.compile(rf"(?<=[{HAN}])\([a-zü]*[{_TONED}][a-zü]*$")


_CONTROL = re.compile(f"[{CONTROL}]+")


def control_characters(chars: str) -> list[Span]:
    """Control characters and U+FFFD that a damaged file carries below the decoder's
    binary threshold: never text, and the tables' contract forbids them.

    >>> control_characters("资源\x08等方面")
    [(2, 3, 'control', 'control_character', False)]
    """
    return [(m.start(), m.end(), "control", "control_character", False) for m in _CONTROL.finditer(chars)]


def line_end(chars: str, end: int) -> int:
    """``end`` moved past trailing spaces and one line break: a removed line takes its
    break with it, so removed header lines leave no blank lines that look like layout."""
    stop = end
    while stop < len(chars) and chars[stop] in " \t\u3000":
        stop += 1
    return stop + 1 if stop < len(chars) and chars[stop] == "\n" else end


def pinyin(chars: str) -> list[Span]:
    """Pinyin annotations of traditional-character mirrors: ``網(wǎng)`` → ``網``.

    Runs before OpenCC: the mirrors annotate inconsistently, so banners only match once
    the annotations are gone.

    >>> [("發(fā)展"[a:b]) for a, b, *_ in pinyin("發(fā)展(G2G)")]
    ['(fā)']
    """
    spans = [(m.start(), m.end(), "pinyin", "tone_marked_pinyin", False) for m in PINYIN.finditer(chars)]
    spans += [(m.start(), m.end(), "pinyin", "orphan_pinyin_mojibake", False) for m in PINYIN_ORPHAN.finditer(chars)]
    spans += [(m.start(), m.end(), "pinyin", "cut_pinyin", False) for m in PINYIN_CUT.finditer(chars.rstrip())]
    return spans


_PAGE_TITLE = re.compile(r"(?m)^[ \t]*.{2,120}?_第\d+[页頁][ \t]*$")
_PAGE_OF = re.compile(r"(?m)^[ \t]*第\d+[页頁] ?/ ?共\d+[页頁][ \t]*$")
_PAGE_MARKERS = (
    ("page_of_inline_cn", re.compile(r"第[一二三四五六七八九十百零〇]+[页頁][，,]共\d+[页頁]。?")),
    ("page_of_inline", re.compile(r"第\d+[页頁]共\d+[页頁]")),
    ("pagination_run", re.compile(r"(?:第\d+[页頁]){2,}(?=\s*$)")),
)


def page_markers(chars: str) -> list[Span]:
    """Preview thumbnail titles (``…_第1页`` lines), ``第1页 / 共43页`` lines, inline page
    markers (``第一页,共36页。``, ``第1页共8页``) and pagination (``第1頁第2頁第3頁``)."""
    spans = [(m.start(), line_end(chars, m.end()), "page_title", "thumbnail_title_line", False) for m in _PAGE_TITLE.finditer(chars)]
    spans += [(m.start(), line_end(chars, m.end()), "page_marker", "page_of_line", False) for m in _PAGE_OF.finditer(chars)]
    for name, pattern in _PAGE_MARKERS:
        spans += [(m.start(), m.end(), "page_marker", name, False) for m in pattern.finditer(chars)]
    return spans


_SLIDE = re.compile(
    rf"(?:(?<=[{HAN}\d。！？；：，、）])|^)(\d{{1,3}})/(\d{{2,3}})(?=[{HAN}（“])|^[ \t]*(\d{{1,3}})/(\d{{2,3}})[ \t]*$",
    re.MULTILINE,
)


def slide_counters(chars: str) -> list[Span]:
    """Slide counters glued into text (``1/90一、基本知识…2/90``): only when at least three
    share one total and count up, so fractions and dates are left alone."""
    found: dict[str, list[tuple[int, re.Match]]] = {}
    for m in _SLIDE.finditer(chars):
        number, total = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if int(number) <= int(total):
            found.setdefault(total, []).append((int(number), m))
    spans: list[Span] = []
    for total, hits in found.items():
        numbers = [n for n, _ in hits]
        if len(hits) >= 3 and numbers == sorted(numbers):
            spans += [(m.start(), m.end(), "page_marker", "slide_counter", "break") for _, m in hits]
    return spans


#: A block of at least 5 whitespace-separated repeats of one 4–120 character token: a
#: title repeated dozens of times as anti-copy filler.
_REPEATED_TOKEN = re.compile(r"(?:^|(?<=\s))(\S{4,120}?)(?:[ \t\u3000]+\1){4,}(?=\s|$)")
#: Periods of a block repeated verbatim at least three times in a row (anti-copy filler).
REPEAT_PERIODS = range(12, 201)


def _candidate_periods(codes: np.ndarray) -> list[int]:
    """Periods p at which some 12-character window occurs three times, p apart: the only
    periods a repeated block can have. Found by hashing every window once, so ordinary
    prose (where no such triple exists) skips the per-period scan."""
    k = REPEAT_PERIODS.start
    if len(codes) < 3 * k:
        return []
    hashes = np.zeros(len(codes) - k + 1, dtype=np.uint64)
    for i in range(k):
        hashes = hashes * np.uint64(1_000_003) + codes[i:len(codes) - k + 1 + i].astype(np.uint64)
    order = np.argsort(hashes, kind="stable")
    same = hashes[order][1:] == hashes[order][:-1]
    gaps = np.diff(order)
    triple = same[:-1] & same[1:] & (gaps[:-1] == gaps[1:])
    periods = np.unique(gaps[:-1][triple])
    return [int(p) for p in periods if REPEAT_PERIODS.start <= p < REPEAT_PERIODS.stop]


def repeated_blocks(chars: str) -> list[tuple[int, int]]:
    """Spans where a block of 12–200 characters repeats at least three times in a row.

    Vectorised: for each period p, the text compared with itself shifted by p; a run of
    2p equal positions is a block and two more copies. (The regex ``(.{12,200}?)\\1{2,}``
    says the same but backtracks at every position, far too slow for long documents.)

    >>> repeated_blocks("正文。" + "蒄蚄袀膇莀蚃羂羀芆蚃蚂膅" * 3 + "正文。")
    [(3, 39)]
    """
    if len(chars) < 36:
        return []
    codes = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32)
    text_char = codes != ord("\n")  # within a line: a title repeated on three lines is a title's job
    found: list[tuple[int, int]] = []
    for p in _candidate_periods(codes):
        equal = (codes[:-p] == codes[p:]) & text_char[:-p] & text_char[p:]
        breaks = np.flatnonzero(~equal)
        edges = np.concatenate(([-1], breaks, [len(equal)]))
        for i in np.flatnonzero(np.diff(edges) - 1 >= 2 * p):
            start, end = int(edges[i]) + 1, int(edges[i + 1])  # equal[start:end] all True
            found.append((start, end + p))
    found.sort()
    merged: list[tuple[int, int]] = []
    for a, b in found:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
#: Discuz "jammer": runs of 1–2 character ASCII tokens (kept only with 3+ punctuation marks).
_JAMMER = re.compile(rf"(?:(?<=\s)|^|(?<=[{HAN}]))(?:[!-~]{{1,2}} ){{5,}}[!-~]{{1,2}}", re.MULTILINE)
_ASCII_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def filler(chars: str) -> list[Span]:
    """Anti-copy filler: a title repeated as a wall, a rare-character block repeated
    verbatim, forum jammer tokens. Real text repeats phrases, never 12+ characters three
    times in a row."""
    spans = [(m.start(), m.end(), "filler", "repeated_title_wall", False) for m in _REPEATED_TOKEN.finditer(chars)]
    spans += [(a, b, "filler", "repeated_block", False) for a, b in repeated_blocks(chars)]
    for m in _JAMMER.finditer(chars):
        if sum(c in _ASCII_PUNCT for c in m.group()) >= 3:
            spans.append((m.start(), m.end(), "filler", "jammer_tokens", False))
    return spans


#: A URL, with the site name an ad glues in front of it (``九象范文25http://…``,
#: `` 公文汇 www.…``): a short name ending like a site's (范文, 文库, 网, 之家, 汇).
_URL = re.compile(
    rf"(?:[{HAN}]{{0,6}}(?:范文网?|文库|网|之家|汇|文档)\d{{0,4}}[ \t\u3000]?)?"
    r"(?:https?://|www\.)[A-Za-z0-9][A-Za-z0-9./?=&_%#:~+-]*"
)


def urls(chars: str) -> list[Span]:
    """URLs injected into the text (ads, watermarks) with the site name glued before them;
    speeches do not dictate URLs.

    >>> [("给我触动很大。九象范文25http://www.jike120.com周六"[a:b]) for a, b, *_ in urls("给我触动很大。九象范文25http://www.jike120.com周六")]
    ['九象范文25http://www.jike120.com']
    """
    if "http" not in chars and "www." not in chars:
        return []  # no URL to find: spares the pattern's try at every Han character
    return [(m.start(), m.end(), "ad", "url", False) for m in _URL.finditer(chars)]


_MARKUP = (
    ("html_tag", re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>\n]{0,300})?/?>")),
    # Normalisation has already made a ; next to Chinese full-width, hence [;；].
    ("html_entity", re.compile(r"&(?:lt|gt|amp|nbsp|quot|apos|#\d{1,6}|#x[0-9a-fA-F]{1,6})[;；]")),
    ("half_tag", re.compile(r"(?<![A-Za-z&])lt[;；]/?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>\n]{0,100})?(?:>|gt[;；])")),
    ("half_entity", re.compile(r"(?<![A-Za-z&])(?:lt|gt|nbsp)[;；]")),
    ("css_block", re.compile(r"(?:@page|@font-face|[A-Za-z][\w.#-]*)\s*\{[^{}\n]*:[^{}\n]*\}")),
    ("template_tag", re.compile(r"\[标签[:：][^\]]{1,20}\]")),
    ("markdown_heading", re.compile(r"(?m)^#{1,6}(?=[ \t]*\S)")),
    ("markdown_glued_heading", re.compile(rf"(?<=[{HAN}\d])#{{1,6}}(?=[{HAN}\d])")),
    ("wingdings_bullet", re.compile(r"(?m)^[ \t]*[lnuvüØ§][ \t]*$")),
)

#: ``**`` before these is a placeholder (``**市``, ``**年``), not Markdown bold.
_PLACEHOLDER_SUFFIX = "市县区省镇乡村年月日号同"
_BOLD = re.compile(r"(?<!\*)\*\*(?=[^*\s])([^*\n]{1,80}?)(?<=[^*\s])\*\*(?!\*)")


_STARS = re.compile(r"(?<!\*)\*\*(?!\*)")


def _masks_with_stars(chars: str, pairs: list[re.Match]) -> bool:
    """Whether the text masks names with ``**``: a ``**`` that no bold pair takes stands
    before a word of the sentence (``**是大县。``), not before a place or date suffix that
    any text may mask (``**市``). Then a pair of them (``**农村居民…有人说我们**，``) is two
    masks, not bold."""
    paired = {pos for m in pairs for pos in (m.start(), m.end() - 2)}
    return any(m.start() not in paired and chars[m.end():m.end() + 1] not in ("", *_PLACEHOLDER_SUFFIX)
               for m in _STARS.finditer(chars))


def markup(chars: str) -> list[Span]:
    """HTML tags and entities, CSS rules and Markdown marks leaked into the text.

    Markdown bold marks go but the words they wrap stay; ``***`` (a masked name) stays.
    """
    spans: list[Span] = []
    for name, pattern in _MARKUP:
        spans += [(m.start(), m.end(), "markup", name, False) for m in pattern.finditer(chars)]
    pairs = list(_BOLD.finditer(chars)) if "**" in chars else []
    if pairs and _masks_with_stars(chars, pairs):
        return spans  # the text masks names with ``**``: a pair of them is two masks, not bold
    for m in pairs:
        if m.group(1)[0] not in _PLACEHOLDER_SUFFIX:
            spans.append((m.start(), m.start() + 2, "markup", "markdown_bold", False))
            spans.append((m.end() - 2, m.end(), "markup", "markdown_bold", False))
    return spans


_LETTER_SPACED = re.compile(rf"[{HAN}](?:[ \u3000][{HAN}]){{3,}}")


def letter_spacing(chars: str) -> list[Span]:
    """Spaces of letter-spaced text (``江 西 省 地 方 标 准``, PDF extraction): four or more
    characters in a row each followed by one space. A two-character name spaced on a
    speaker line (``市长 龚 正``) is shorter and stays."""
    spans: list[Span] = []
    for m in _LETTER_SPACED.finditer(chars):
        spans += [(i, i + 1, "letter_spacing", "spaced_characters", False)
                  for i in range(m.start() + 1, m.end(), 2)]
    return spans


def duplicate_blocks(chars: str) -> list[Span]:
    """The second copy of a run of lines repeated verbatim right after itself (dawenge
    pastes the title and the first paragraphs twice). At least two lines and 40
    characters, so a repeated short line (a chorus, a slogan) is left alone."""
    lines = [m for m in re.finditer(r"[^\n]+", chars) if m.group().strip()]
    texts = [m.group().strip() for m in lines]
    where: dict[str, list[int]] = {}
    for i, t in enumerate(texts):
        where.setdefault(t, []).append(i)
    spans: list[Span] = []
    i = 0
    while i < len(texts):
        best = 0
        for j in where[texts[i]]:
            k = j - i
            if k >= 2 and texts[i:j] == texts[j:j + k] and sum(map(len, texts[i:j])) >= 40:
                best = k
                break
        if best:
            first, last = lines[i + best], lines[i + 2 * best - 1]
            spans.append((first.start(), line_end(chars, last.end()), "duplicate", "repeated_block_of_lines", False))
            i += 2 * best
        else:
            i += 1
    return spans


_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]+")


def emoji(chars: str) -> list[Span]:
    """Emoji (``👉 mbgs777 👈``): never part of an official speech."""
    return [(m.start(), m.end(), "emoji", "emoji", False) for m in _EMOJI.finditer(chars)]


#: The chunk may start at a line break, or at a space when the cut fell right before one
#: (``…（YULE`` then ``2、 LADS）…``).
_CHUNK = re.compile(r"(?m)^[ \t]*(\d{1,2})、(?=\S|\n| \S)")
_CHUNK_END = set(SENTENCE_END) | set("：:」）)>.")
#: Marks inside a sentence: a chunk that opens on one was cut out of its sentence, whatever
#: the line before ended on (``…名单（草案）`` then ``2、，（待宣读完毕）…``).
_CLAUSE_INNER_MARKS = "，、；：,;:"
#: A note's label alone before a chunk cut (``说明：``): a note holds its text on its own line, so
#: the cut is inside that line.
_LABEL_ALONE = re.compile(r"(?:说明|注|备注)[：:]")


def chunk_numbers(chars: str) -> list[Span]:
    """Chunk prefixes of wenku clones (``1、`` then ``\\n\\n2、`` every few hundred characters).

    A run numbered 1, 2, 3… at line starts is taken for chunking when one of its cuts
    falls inside a word (the previous line does not end a sentence, or the chunk opens on a
    comma): real ``1、`` list items end their sentences and open on words. It is also
    chunking when ``1、`` opens the text itself (the page's header gone, nothing before it,
    not even a title) and every chunk but the last is long: a list never starts a document
    before its title. A page short enough
    for one chunk has ``1、`` alone: it is chunking when ``1、`` opens the text, its line
    is no sentence (the page's title) and no ``2、`` follows anywhere, since a list has
    two items. Every prefix of such a run goes; a cut inside a word, right after a note's
    label (``说明：``) or before a comma, also loses its line break, so ``加速20\\n\\n2、05年``
    becomes ``加速2005年``.

    >>> [span[:2] for span in chunk_numbers("1、在青年座谈会上的讲话\\n青年朋友们：\\n正文。")]
    [(0, 2)]
    >>> chunk_numbers("1、坚持党的领导。\\n正文。"), chunk_numbers("1、标题\\n正文。2、第二项。")
    ([], [])
    """
    spans: list[Span] = []
    for run in _numbered_runs(chars):
        cuts = []
        for m in run[1:]:
            before = chars[:m.start()].rstrip()
            line = before[before.rfind("\n") + 1:]
            cuts.append((m, bool(before) and (before[-1] not in _CHUNK_END or _LABEL_ALONE.fullmatch(line) is not None
                                              or chars[m.end():m.end() + 1] in _CLAUSE_INNER_MARKS)))
        opens_text = not chars[:run[0].start(1)].strip() and (len(run) >= 2 and all(
            b.start() - a.start() >= MIN_CHUNK_CHARS for a, b in zip(run, run[1:])) or _lone_chunk(chars, run))
        if not opens_text and not any(mid_word for _, mid_word in cuts):
            continue
        first = run[0]
        spans.append((first.start(1), first.end(), "chunk_number", "chunk_prefix", False))
        for m, mid_word in cuts:
            start = len(chars[:m.start()].rstrip()) if mid_word else m.start(1)
            spans.append((start, m.end(), "chunk_number", "chunk_prefix", False))
    return spans


def _numbered_runs(chars: str) -> list[list[re.Match]]:
    """The runs of ``N、`` line starts numbered 1, 2, 3…. A number continues the latest run
    that expects it, so a list of the speech's own (``1、…；`` ``2、…；`` ``3、…。``) does not
    end the page's chunk run it sits in: the chunk ``2、`` after it still follows the ``1、``
    that opened the text.

    >>> [[m.group(1) for m in run] for run in _numbered_runs("1、标题\\n议程：\\n1、甲；\\n2、乙。\\n2、文")]
    [['1', '2'], ['1', '2']]
    """
    runs: list[list[re.Match]] = []
    for m in _CHUNK.finditer(chars):
        number = int(m.group(1))
        if number == 1:
            runs.append([m])
            continue
        waiting = next((run for run in reversed(runs) if len(run) + 1 == number), None)
        if waiting is not None:
            waiting.append(m)
    return runs


#: The shortest chunk of a page cut into numbered chunks (renrendoc cuts every 380–520).
MIN_CHUNK_CHARS = 200


def _lone_chunk(chars: str, run: list[re.Match]) -> bool:
    """A run of one ``1、`` whose line is no sentence (a title, which may hold “…”:
    ``1、在全市“最美澄江人”表彰大会上的讲话``), with no ``2、`` after it."""
    first = run[0]
    stop = chars.find("\n", first.end())
    line = chars[first.end():stop if stop >= 0 else len(chars)].strip()
    return len(run) == 1 and bool(line) and not any(c in line for c in SENTENCE_STOP) and "2、" not in chars[first.end():]

#: Credit and layout lines that close a newspaper article (issue 19, point 6): the closing
#: dateline ``（新华社北京2月23日电）``, ``（完）``, the page reference
#: ``《人民日报》（2020年07月29日02版）``, ``版式设计：…``/``责任编辑：…``-style role lines,
#: photo credits ``新华社记者王华摄`` and ``本版图片来源：…``.
_CREDIT_LINE = re.compile(
    r"[（(](?:完|全文完|终)[）)]"
    rf"|[（(]{DATELINE.pattern}[）)]"
    rf"|《[^》\n]{{2,16}}》[（(]\d{{4}}年\d{{1,2}}月\d{{1,2}}日[ \u3000]*(?:第?\d{{1,2}}版)?[）)]"
    r"|[（(【]?(?:责任编辑|责编|编辑|校对|审核|审校|终审|版式设计|版式|美术编辑|美编|图片编辑|图片来源|本版图片来源|图片|"
    r"本版编辑|制图|摄影|摄像|策划|统筹|监制|撰文|文字|记者|通讯员|作者|来源)[：:][^\n。！？]{1,40}?[）)】]?"
    rf"|(?:[{UNIFIED_HAN}]{{0,8}}(?:记者|通讯员))?[ \u3000]*[{UNIFIED_HAN}·]{{2,8}}(?:[ \u3000]*[、，][ \u3000]*[{UNIFIED_HAN}·]{{2,8}})*[ \u3000]*摄"
)


def credits(chars: str) -> list[Span]:
    """Credit and layout lines at the end of the text, after the last line of the article:
    removed as ``credit``, whole lines only, from the end up to the first line that is not
    one. A sentence that names 新华社 or 本报记者 is text; these lines are not sentences.

    >>> text = "正文。\\n（新华社江州5月28日电）\\n版式设计：李芳\\n"
    >>> [text[a:b] for a, b, *_ in credits(text)]
    ['（新华社江州5月28日电）\\n', '版式设计：李芳\\n']
    """
    spans: list[Span] = []
    lines = list(re.finditer(r"[^\n]+", chars))
    for line in reversed(lines[1:]):
        content = line.group().strip()
        if not content:
            continue
        if not _CREDIT_LINE.fullmatch(content):
            break
        spans.append((line.start(), line_end(chars, line.end()), "credit", "closing_credit", False))
    return spans[::-1]


#: The detectors in the order they run, after the site rules.
DETECTORS: tuple[Detector, ...] = (
    control_characters, markup, emoji, urls, page_markers, slide_counters, filler, letter_spacing, chunk_numbers,
    credits,
)

"""Spaces: what a space inside a line is, where whole speeches run onto one line.

In the seed layout a document-sharing site runs a speech's units onto one line with a
space between them, and its page breaks leave spaces inside words and sentences. A space
is a boundary when it follows sentence-final punctuation (。！？；…”), a heading, a titled
sub-lecture or a salutation (the rules of the seed's gold README, widened by issue 19), and
in the seed layout also after a colon, a speech metadata unit, a short unpunctuated subhead
that a sentence follows, a stage direction in brackets, a labelled line (``附件：``), and
inside a toast's cadence of short lines ending in ， that closes on a short exclamation
(``为…， 为…， 干杯！``) and a signature of organisations and a date. A single space between two
complete phrases (``不忘初心 牢记使命``) is text. A page break lands anywhere, so each of
these needs its evidence, and a word of the dictionary running across the space is
evidence against every one of them. ``blocks`` cuts a body with these answers.
"""

import re
from typing import NamedTuple

from pipeline.structure.outline import MAX_HEADING_CHARS, marker
from pipeline.text.chardata import (BARE_DATE, CN_NUMERALS, DATELINE, MAX_ORDINAL_HEADING_CHARS, MAX_SUBHEAD_CHARS,
                                    MIN_SUBHEAD_CHARS, OPENING_SUBTITLE, ORDINAL_OPENING, ORGANISATION_END, SALUTATION,
                                    SENTENCE_END, SENTENCE_STOP, STATEMENT, SUBTITLE_LINE, couplet, date_line,
                                    name_alone, ordinals_in_sequence, sibling_frames, speaker_parts)
from pipeline.text.linebreaks import is_idiom, trusted_words, word_tag
from schemas.characters import HAN

#: Spaces that may be page breaks. The ideographic space (U+3000) is deliberate layout.
SPACE_RUN = re.compile(r"[ \t\u00a0]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9%.]")
_HAN_RE = re.compile(f"[{HAN}]")
#: A marker opening what follows a space: a heading cannot swallow the next one.
_NEXT_MARKER = re.compile(r"(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
#: Characters a phrase or subhead does not end with: a structural particle, a
#: preposition or a conjunction means the sentence goes on.
FUNCTION_END = "的了和与及或在把被对从向以为将要地得着之而并且是于由其"
#: Parts of speech (jieba's tags) of a last word that may end a subhead or a phrase although
#: its last character is in ``FUNCTION_END``: nouns, distinguishing words, localisers, time
#: words, adjectives, idioms, set phrases, verbal nouns (``关键所在``, ``脚踏实地``).
_CONTENT_TAGS = ("n", "b", "f", "t", "a", "i", "l", "s", "j", "vn")
#: Words that open a sentence, not a subhead: pronouns, time words, conjunctions.
SENTENCE_OPENERS = re.compile(
    r"(?:我们|我|你们|你|他们|他|她|它|大家|今天|今年|去年|明年|目前|当前|近年来|近期|同时|此外|另外|但是|但|而且|因此|所以|"
    r"如果|虽然|尽管|这|那|其中|首先|其次|最后|刚才|下面|上午|下午|晚上|让我们|很)"
)
#: Characters a phrase token may hold besides Han: quotes, book-title marks, digits, and a
#: plus sign between them (``打造5G+工业互联网标杆``, never at either end).
_PHRASE_CHARS = re.compile(rf"[{HAN}“”《》·0-9A-Za-z]+(?:\+[{HAN}“”《》·0-9A-Za-z]+)*")
#: Shortest subhead the seed layout shows when a short sibling stands the same way.
MIN_SHORT_SUBHEAD_CHARS = 4
#: Longest subhead the seed layout shows when a sibling subhead opens with the same two
#: characters: parallel subheads (``坚持把发展特色产业作为乡村振兴的根本之策`` …
#: ``坚持把改善人居环境作为乡村振兴的重要任务``) are structure, page breaks are not parallel.
MAX_PARALLEL_SUBHEAD_CHARS = 30
#: Longest toast line, and longest closing exclamation of a toast (``干杯！``, ``万事如意！``).
MAX_CADENCE_LINE_CHARS = 30
MAX_CADENCE_CLOSE_CHARS = 12
#: A run of text between spaces.
TOKEN = re.compile(r"[^ \t\u00a0\u3000]+")


class HeadShape(NamedTuple):
    """The shape the heads of a unit share (``sibling_shape``)."""

    phrases: int  # phrases each holds
    shortest: int  # the length of their shortest phrase
    longest: int  # and of their longest
    heads: int  # how many stand


def line_kind(content: str, opening: bool = False) -> str | None:
    """The metadata kind of a whole line or block: ``speaker``, ``date``, ``dateline`` or
    ``subtitle``; None for text. ``opening``: the line opens the speech body, where any
    short dash line is a subtitle (``OPENING_SUBTITLE``) and a name alone is the speaker
    (``郑怀远`` under the title of an excerpt).

    >>> line_kind("南屏大学校长  陈静"), line_kind("（2019年10月9日，北京）"), line_kind("新华社江州5月28日电")
    ('speaker', 'date', 'dateline')
    >>> line_kind("——在第二届东湖国际合作论坛上的主旨演讲"), line_kind("坚定信心 看好未来")
    ('subtitle', None)
    """
    if speaker_parts(content) or (opening and name_alone(content)):
        return "speaker"
    if date_line(content):
        return "date"
    if DATELINE.fullmatch(content):
        return "dateline"
    if SUBTITLE_LINE.fullmatch(content) or (opening and OPENING_SUBTITLE.fullmatch(content)):
        return "subtitle"
    return None


def phrase_group(chars: str, pos: int, end: int, spaced: bool, whole: bool,
                 siblings: HeadShape | None = None) -> tuple[int, list[tuple[int, int]]] | None:
    """Where a group of phrases separated by single spaces ends, when one opens the block:
    a subhead or slogan (``不忘初心 牢记使命``, ``守初心 担使命 找差距 抓落实``,
    ``一、坚持人民至上 守护万家平安``) whose spaces are text (issue 19, point 8). Returns
    where it ends and the page-break spaces inside its phrases.

    Each phrase is two to sixteen characters without punctuation (the first may carry a
    heading marker). The spaces are phrase boundaries, not page breaks, when the phrases
    are of one length or no word of the dictionary runs across any of them. The group is
    a whole line, or in the seed layout is followed by a space and a sentence. In the seed
    layout a page break may fall inside the group: a single character is no phrase, so it
    joins the phrase before it when a word runs across into it (``造福老区 不负人 民``) or it
    makes that phrase as long as the first (``开放包容 人文相 亲``), else the phrase after it
    (``锤炼作风 建 强队伍``); a piece ending on a particle joins the one after it where that
    makes it as long as the first phrase (``清正廉洁 严于 律己``); and a group is tried without its
    last phrases when they do not read as one (``清正廉洁 严于律己 陈 守一同志…``), or when it holds
    more phrases than its sibling heads where its first phrases are of their shape
    (``siblings``: see ``sibling_shape``).
    """
    tokens: list[tuple[int, int, str]] = []  # (start, end, phrase without page breaks)
    joins: list[tuple[int, int]] = []
    cursor = pos
    while cursor < end:
        start = cursor
        if not tokens and (head := marker(chars[cursor:cursor + 8])):
            start = cursor + len(head[2])
        m = _phrase_at(chars, start, end)
        if m is None:
            break
        token = (m.start(), m.end(), m.group())
        if (len(m.group()) == 1 and spaced and tokens
                and (spans_word(tokens[-1][2], m.group())
                     or (len(tokens) >= 2 and len(tokens[-1][2]) + 1 == len(tokens[0][2])))
                and not spans_word(m.group(), chars[m.end() + 1:m.end() + 4])):
            # the last character of the phrase before: ``造福老区 不负人 民 让…`` (人民 runs across),
            # ``开放包容 人文相 亲 区域…`` (it makes the phrase as long as the first)
            joins.append((tokens[-1][1], tokens[-1][1] + 1))
            tokens[-1] = (tokens[-1][0], m.end(), tokens[-1][2] + m.group())
            cursor = m.end() + 1
            if m.end() >= end or cursor >= end or chars[cursor].isspace():
                break
            continue
        if len(m.group()) == 1 and spaced and m.end() < end:
            rest = _phrase_at(chars, m.end() + 1, end)
            if rest is None:
                break
            joins.append((m.end(), m.end() + 1))
            token = (m.start(), rest.end(), m.group() + rest.group())
        elif tokens and spaced and m.end() < end and _ends_in_particle(m.group()):
            # ``清正廉洁 严于 律己``: no phrase ends on a particle, and joined it is as long as the first
            rest = _phrase_at(chars, m.end() + 1, end)
            if rest is not None and len(m.group()) + len(rest.group()) == len(tokens[0][2]):
                joins.append((m.end(), m.end() + 1))
                token = (m.start(), rest.end(), m.group() + rest.group())
        tokens.append(token)
        cursor = token[1] + 1
        if token[1] >= end or cursor >= end or chars[cursor].isspace():
            break
    most = len(tokens)
    if (siblings and siblings.phrases < most
            and all(siblings.shortest <= len(w) <= siblings.longest for *_, w in tokens[:siblings.phrases])):
        most = siblings.phrases
    for size in range(most, 1, -1):
        group = tokens[:size]
        if _reads_as_phrase_group(chars, pos, end, group, spaced, whole):
            return group[-1][1], [(a, b) for a, b in joins if b <= group[-1][1]]
    return None


def unit_heads(chars: str, start: int, end: int) -> list[tuple[int, int, list[int]]]:
    """In the seed layout, the heads that open blocks of the unit ``[start, end)`` (after a
    sentence end or a colon): groups of phrases, and subheads the boundary test reads alone.
    Each as where it starts, where it ends and the lengths of its phrases. Read once per unit,
    and only for a unit that holds a group or a subhead (``sibling_shape``)."""
    heads = []
    last = ""  # the last character of the token before
    for m in TOKEN.finditer(chars, start, end):
        p, s = m.span()
        opens, last = not last or last in SENTENCE_END + "：:", m.group()[-1]
        if not opens or s >= end or chars[s] != " ":
            continue
        if group := phrase_group(chars, p, end, True, False):
            stop, joins = group
            heads.append((p, stop, [len(w) for w in without_joins(chars, p, stop, joins).split(" ")]))
        elif _reads_as_subhead(m.group(), chars, s + 1, end):
            heads.append((p, s, [len(m.group())]))
    return heads


def sibling_shape(heads: list[tuple[int, int, list[int]]], pos: int) -> HeadShape | None:
    """The shape of the groups of phrases among ``heads`` (``unit_heads``), the one at ``pos``
    and any read over it aside, when two or more stand, all hold as many phrases and each its
    phrases of one length give or take one. Heads of one speech are of one shape; a page break
    early in the paragraph after one leaves a piece that reads as one more phrase (``坚定信心
    看好未来 民营经济是我市 经济的…`` beside ``用心服务 真情护企``). A subhead the boundary test
    reads alone is a head of one phrase: beside one, the groups are of no one shape, and
    subheads of one phrase alone say nothing of where a group ends."""
    siblings = [lengths for p, stop, lengths in heads if not p <= pos < stop]
    if any(max(lengths) - min(lengths) > 1 for lengths in siblings):
        return None  # phrases of a group are parallel: these are a subhead a page break cut
    counts = {len(lengths) for lengths in siblings}
    if len(counts) != 1 or len(siblings) < 2 or counts == {1}:
        return None
    return HeadShape(counts.pop(), min(map(min, siblings)), max(map(max, siblings)), len(siblings))


def without_joins(chars: str, start: int, stop: int, joins: list[tuple[int, int]]) -> str:
    """``chars[start:stop]`` without the page-break spaces ``joins`` (sorted, inside the range)."""
    parts, cursor = [], start
    for a, b in joins:
        parts.append(chars[cursor:a])
        cursor = b
    return "".join(parts) + chars[cursor:stop]


def _phrase_at(chars: str, start: int, end: int) -> re.Match | None:
    """A run of phrase characters starting at ``start`` and ending at a space or ``end``."""
    m = _PHRASE_CHARS.match(chars, start, end)
    if not m or (m.end() < end and chars[m.end()] != " "):
        return None
    return m


def _reads_as_phrase_group(chars: str, pos: int, end: int, tokens: list[tuple[int, int, str]],
                           spaced: bool, whole: bool) -> bool:
    """Whether ``tokens`` (two or more, from ``pos``) are a group of phrases: see
    ``phrase_group``."""
    words = [w for _, _, w in tokens]
    stop = tokens[-1][1]
    if any(not 2 <= len(w) <= 16 for w in words) or stop - pos > 40 or any(c.isdigit() for c in words[0][:1]):
        return False
    if speaker_parts(" ".join(words)):
        return False
    if len(words[0]) != tokens[0][1] - pos and max(map(len, words)) - min(map(len, words)) > 1:
        return False  # a marked heading followed by a phrase group: ``三、…成果 守初心 担使命``
    if not all(_closed(w) for w in words) or any(_opens_sentence(w) for w in words[1:]):
        return False
    balanced = len({len(w) for w in words}) == 1
    if not balanced and any(_ends_in_particle(w) for w in words):
        return False  # ``建设高素质教师队伍 教师是 立教之本…``: a subject and 是 open a sentence
    if not balanced and any(spans_word(a, b) for a, b in zip(words, words[1:])):
        return False
    if stop == end:
        return whole
    if not balanced and len(words[-1]) <= MAX_FRAGMENT_CHARS and len(words[-1]) < len(words[-2]):
        return False  # ``向下扎根 向上生长 扎根 越深，…``: a page break cut the paragraph's first word
    if not spaced or chars[stop] != " " or chars[stop + 1:stop + 2] in (" ", "\u3000"):
        return False  # two spaces are a speaker line's gap: the last phrase is an office
    rest = _paragraph_after(chars, stop + 1, end)
    # ``…队伍 教师是立教 之本、…``, ``…的定位 民办教育 是社会主义…``: the last phrase goes on
    return (len(rest) > stop - pos and any(c in rest for c in "，。！？；") and not spans_word(words[-1], rest)
            and not _opens_on_particle(rest))


_PARAGRAPH_END = re.compile(r"[。！？；…][”’」』]?(?=[ \t\u00a0])")


def _paragraph_after(chars: str, start: int, end: int) -> str:
    """The text from ``start`` to the next sentence end followed by a space (in the seed
    layout, the end of the paragraph that starts there), or to ``end``."""
    m = _PARAGRAPH_END.search(chars, start, end)
    return chars[start:m.end() if m else end]


#: Longest piece a page break leaves between two spaces of the seed layout: the end of a word
#: (``…保持清正 廉洁 我认真…``, ``（三）提升应急救援 能力 要完善…``). No unit of text is this short
#: and unpunctuated with a paragraph after it.
MAX_FRAGMENT_CHARS = 3
_FRAGMENT = re.compile(rf"[{HAN}]{{1,{MAX_FRAGMENT_CHARS}}}(?= \S)")
#: A paragraph's first clause: up to its first mark.
_FIRST_CLAUSE = re.compile(r"[^，。！？；、]*")


def _fragment_at(chars: str, start: int, end: int) -> bool:
    """Whether a fragment (``MAX_FRAGMENT_CHARS``) stands at ``start`` between two spaces
    and the text after it is a paragraph's (its first clause closed before the next space):
    the rest of the unit before, which a page break cut. One ending on a particle opens the
    sentence after it instead (``教师是 立教之本…``), and so does one before a clause too short
    to stand alone (``一年 来，我始终…``), and one that starts a word the text after it ends
    while no word runs across the space before it (``…步伐加快 新能 源板块…``); a short phrase
    before another (``勤学 善思``) is no fragment."""
    m = _FRAGMENT.match(chars, start, end)
    after = TOKEN.match(chars, m.end() + 1, end) if m else None
    if after is None or _ends_in_particle(m.group()):
        return False
    if spans_word(m.group(), after.group()) and not spans_word(chars[max(0, start - 4):start].rstrip(), m.group()):
        return False
    clause = _FIRST_CLAUSE.match(after.group()).group()
    return MAX_FRAGMENT_CHARS < len(clause) < len(after.group())


def cadence_cuts(chars: str, start: int, end: int) -> tuple[set[int], set[int]]:
    """Spaces inside a toast's cadence: two or more short lines ending in ，, each between
    spaces, closed by a short exclamation (``为…， 为…， 干杯！``). A line may
    hold one page-break space of its own. The first line opens a unit (after a sentence
    end, a colon or the line start). Returns the spaces between its lines and the page
    breaks inside them: a line's cadence is the evidence that ``为南屏大学更加 美好的明天，``
    is one line, which no subhead test may cut."""
    pieces = [(start + m.start(), start + m.end(), m.group()) for m in re.finditer(r"[^ \t\u00a0]+", chars[start:end])]
    lines: list[tuple[int, str, int | None]] = []  # (end of the line, its text, its page break)
    k = 0
    while k < len(pieces):
        text, stop, inside = pieces[k][2], pieces[k][1], None
        if (k + 1 < len(pieces) and _HAN_RE.match(text[-1]) and _HAN_RE.match(pieces[k + 1][2][0])
                and pieces[k + 1][2][-1] in "，！!。"):
            k += 1
            text, stop, inside = text + pieces[k][2], pieces[k][1], stop
        lines.append((stop, text, inside))
        k += 1
    cuts: set[int] = set()
    breaks: set[int] = set()
    i = 0
    while i < len(lines):
        opens = i == 0 or lines[i - 1][1][-1] in SENTENCE_END + "：:"
        j = i
        while (opens and j < len(lines) and lines[j][1].endswith("，")
               and len(lines[j][1]) <= MAX_CADENCE_LINE_CHARS and not _SENTENCE_INSIDE.search(lines[j][1][:-1])):
            j += 1
        if (j - i >= 2 and j < len(lines) and lines[j][1][-1] in "！!"
                and len(lines[j][1]) <= MAX_CADENCE_CLOSE_CHARS):
            cuts.update(lines[k][0] for k in range(i, j))
            breaks.update(lines[k][2] for k in range(i, j + 1) if lines[k][2] is not None)
            i = j + 1
        else:
            i += 1
    return cuts, breaks


#: An organisation signing a letter or a notice: its name alone (``中共霞州市委``, ``霞州市人民政府``),
#: no particle or preposition of a clause in it (``会议由市委`` is a sentence's start; a name
#: may hold 和: ``发展和改革委员会``).
_ORGANISATION = re.compile(rf"[^\s，。！？；：、“”,.!?;:{FUNCTION_END.replace('和', '')}]{{1,24}}[{ORGANISATION_END}]")
#: Most organisations a signature lists before its date.
MAX_SIGNATURE_ORGANISATIONS = 3


def signature_cuts(chars: str, start: int, end: int) -> set[int]:
    """Spaces inside a signature closing the unit after its last sentence: organisation names
    and a date alone (``…阖家幸福！ 中共霞州市委 霞州市人民政府 2023年12月``), one line each, as a
    letter or a notice is signed. The date is the evidence: a page break leaves no bare date
    at the end of a unit."""
    tokens = list(TOKEN.finditer(chars, start, end))
    if len(tokens) < 2 or not BARE_DATE.fullmatch(tokens[-1].group()):
        return set()
    k = len(tokens) - 1
    while (k > 1 and len(tokens) - k <= MAX_SIGNATURE_ORGANISATIONS
           and _ORGANISATION.fullmatch(tokens[k - 1].group())):
        k -= 1
    if tokens[k - 1].group()[-1] not in SENTENCE_END:
        return set()  # the signature follows a sentence end
    return {t.end() for t in tokens[k:-1]}


_SENTENCE_INSIDE = re.compile(r"[。！？；]")
#: A short note in brackets: a stage direction (``（鼓掌）``) or an aside (``（见评分标准单页）``).
_BRACKETED_NOTE = r"[（(][^（）()\s]{1,20}[）)]"
#: The most characters ``_CLOSING_ASIDE`` or ``_TRAILING_ASIDE`` match: only that much of
#: the end of a block's text is searched, at every space of the block.
_ASIDE_TAIL = 24
#: A stage direction in brackets right after a sentence end (``…祝贺！（鼓掌）``, ``…培土。（鸣炮）``):
#: the sentence ended before it, so a space after it is no break inside a sentence.
_CLOSING_ASIDE = re.compile(rf"[。！？!?]{_BRACKETED_NOTE}$")
#: The greeting that follows an address (``大家晚上好！``, ``上午好！``), closed by its mark.
_GREETING = re.compile(r"(?:大家|各位)?(?:早上|上午|中午|下午|晚上)?好[！!，,。]")
#: A short clause calling for a toast, closed by a comma (``请允许我提议，``, ``让我们共同举杯，``),
#: and the toast after it, up to its ``干杯！`` with no sentence end before.
_TOAST_CALL = re.compile(r"(?:^|[，,])[^，,]{0,10}(?:提议|举杯)[，,]$")
_TOAST_AFTER = re.compile(r"[^。！？；!?;]{0,80}?干杯[！!]")
#: A few characters closing a sentence right after the space, more text right after it:
#: the space is inside a run-in sentence (``全面提高人才 队伍质量。发挥…``, ``（二）应急准备
#: 必须 充分到位。要修订…``). A short paragraph standing alone (``一、提高认识 要统一思想。``)
#: is not one.
_SENTENCE_TAIL = re.compile(rf"[{HAN}]{{1,5}}。(?=\S)")
#: The rest of a clause, closing a sentence without another comma (a heading may close on
#: ！ or ？: ``三、优化服务，让 企业办事更省心！``).
_CLAUSE_TAIL = re.compile(r"[^，。！？；\s]{1,20}[。！？]")
#: An enumerator opening a sentence (``一是清理一批。``, ``首先，``): what follows the space
#: starts a sentence of its own, so it is no tail of the text before.
_ENUMERATOR = re.compile(r"[一二三四五六七八九十]是|首先[，,]|第[一二三四五六七八九十]+[，,、]")


def keeps_space(chars: str, block_start: int, s: int, e: int) -> bool:
    """A space that is neither a boundary nor a page break: between Latin words or
    numbers, after a closing quote that ends a phrase, not a sentence (``践行“三严三实”
    推行“四个全面”``), or between two phrases inside quotation marks (``以“共享机遇
    共创未来”为主题``), a slogan written with its space. No phrase opens on a bare particle:
    ``“…比知识更重要 的是能力…”`` is a page break inside a quoted sentence."""
    before, after = chars[s - 1], chars[e]
    if (_ASCII_WORD.match(before) and _ASCII_WORD.match(after)) or before in "”’」』":
        return True
    if e - s != 1 or chars[s] != " " or not (_HAN_RE.match(before) and _HAN_RE.match(after)):
        return False
    opened = chars[block_start:s]
    if opened.count("“") <= opened.count("”") and opened.count("《") <= opened.count("》"):
        return False
    if _quoted_clauses(opened):
        return False  # ``“…知识固然重要，但比能力 更重要的是…”``: a quoted sentence, not a slogan
    left = re.search(rf"[{HAN}]+$", chars[block_start:s])
    right = re.compile(rf"[{HAN}]+").match(chars, e)
    return (left is not None and right is not None and len(left.group()) >= 2 and len(right.group()) >= 2
            and not spans_word(left.group(), right.group()) and not _opens_on_particle(right.group()))


def _quoted_clauses(opened: str) -> bool:
    """Whether the quotation still open at the end of ``opened`` already holds a comma or a
    sentence end before the space: it quotes a sentence, and a slogan's phrases hold none."""
    quote = opened.rfind("“")
    return quote >= 0 and opened.rfind("”") < quote and any(c in opened[quote:] for c in "，；。！？")


def boundary(left: str, chars: str, s: int, e: int, end: int, lectures: set[str], spaced: bool,
              run_in: set[str] = frozenset(), comma_kinds: set[str] = frozenset(),
              standing: dict[str, list[int]] | None = None) -> str | None:
    """Why a space after the block text ``left`` (the space is ``chars[s:e]``) ends the
    block, or None when it does not. ``run_in``: the marker kinds whose headings run their
    text in, in this unit (``run_in_kinds``); ``comma_kinds``: those whose headings hold two
    clauses joined by a comma (``comma_heading_kinds``); ``standing``: the title lengths of
    the headings of each kind that stand alone (``standing_headings``).

    A closing quote ends a sentence only after sentence-final punctuation (``。”``).
    """
    if left[-1] in "”’」』" and not _NEXT_MARKER.match(chars, e, end):
        return "sentence" if len(left) > 1 and left[-2] in SENTENCE_END else None
    if left[-1] in SENTENCE_END or (spaced and left[-1] in "：:"):
        return "sentence"
    if _CLOSING_ASIDE.search(left[-_ASIDE_TAIL:]):
        return "sentence"  # ``…表示衷心的祝贺！（鼓掌） 时光荏苒…``: the direction closes the sentence
    if spaced and _TOAST_CALL.search(left) and _TOAST_AFTER.match(chars, e, end):
        return "toast"  # ``请允许我提议， 为…，为…，干杯！``: the call stands on its own line
    if SALUTATION.fullmatch(left) and left[-1] in "：:，,！!":
        return "salutation"  # closed by its mark: ``尊敬的各位 领导，…`` is a page break after 各位
    if spaced and SALUTATION.fullmatch(left) and _GREETING.match(chars, e, end):
        return "salutation"  # no mark, but the greeting answers it: ``…亲爱的侨胞们 大家晚上好！``
    if left in lectures:
        return "lecture"
    found = marker(left)
    if found is not None and len(left) <= MAX_HEADING_CHARS and "。" not in left:
        title = left[len(found[2]):]
        if _NEXT_MARKER.match(chars, e, end):
            return "heading"
        if len(title) >= 2 and _ENUMERATOR.match(chars, e, end) and not spans_word(title, chars[e:e + 3]):
            return "heading"  # ``一、聚焦“三个一批”，推动政策落地见效 一是清理一批。``
        if (len(title) < 2 or spans_word(title, chars[e:e + 3]) or _SENTENCE_TAIL.match(chars, e, end)
                or (spaced and _fragment_at(chars, e, end))
                or (spaced and _ends_in_bare_particle(title) and not _opens_sentence(chars[e:e + 3]))):
            return None  # a page break inside the heading: ``（一）着 力…``, ``（二）应急准备必须 充分到位。``,
            # ``一、坚持政治引领，把 牢正确方向`` (a title does not end on a bare 把)
        if "，" in title and _CLAUSE_TAIL.match(chars, e, end) and not (
                found[0] in comma_kinds and _COMMA_TITLE.fullmatch(title) and not _ends_in_particle(title)):
            return None  # the last clause of a run-in sentence: ``（六）有效防范…风险，牢牢 守住…底线。``
        tail = _RUN_IN_TAIL.match(chars, e, end)
        if found[0] in run_in and tail and len(title) + len(tail.group()) <= MAX_RUN_IN_TITLE_CHARS:
            return None  # its siblings run their text in: ``（一）产业 转型升级步伐加快。新认定…``
        if found[0] in comma_kinds and "，" not in title and _comma_heading_rest(title, chars, e, end):
            return None  # its siblings hold a comma: ``一、坚持政治 引领，把牢正确方向 要始终…``
        if _clause_chain_rest(title, chars, e, end):
            return None  # ``一、形势严峻，我们全县上下务必 充分认识…影响，坚定信心，…使命感 从认清…``
        if spaced and _cut_short(title, (standing or {}).get(found[0], []), chars, e, end):
            return None  # ``一、正确 认识当前经济形势 今年以来…`` among siblings of eleven characters and more
        return "heading"
    if not spaced:
        return None
    if line_kind(left) is not None:
        return "metadata"
    if _ASIDE.fullmatch(left):
        return "aside"  # ``（全体起立，奏唱国歌） 请坐下。``: a stage direction is a unit of its own
    if _DOCUMENT_LABEL.match(left) and _DOCUMENT_LABEL.match(chars, e, end):
        return "label"  # ``附件：…情况表 说明：表中数据…``: each labelled line stands alone
    if _TRAILING_ASIDE.search(left[-_ASIDE_TAIL:]) and _opens_sentence(SPACE_RUN.sub("", chars[e:e + 6])):
        return "aside"  # ``下面宣布评分标准（见评分标准单页） 下面我宣布，…``: the note closes the line
    if _whole_enumeration(left, chars, e, end):
        return "list"  # ``出席的领导有：XX、XX、XX 担任评委的有：…``: the names close the line
    if _SECTION_LABEL.fullmatch(left):
        return "label"  # ``【求真务实篇】 **是大县…``: a label in lenticular brackets stands alone
    heading = _NEXT_MARKER.match(chars, e, end)
    if (heading and heading.end() < end and chars[heading.end()] not in CN_NUMERALS + " "
            and not spans_word(left, chars[e:e + 3])):
        return "heading"  # ``…并请全国政协委员提出意见 一、2011年工作回顾``: a heading needs no full stop before it
    if couplet(left) and _reads_as_subhead(left.replace("，", ""), chars, e, end):
        return "couplet"  # ``读有字之书，也读无字之书 大学是…``: a subhead, though its comma rules out the test
    return "subhead" if _reads_as_subhead(left, chars, e, end) else None


#: A document's labelled line after the text: an attachment, a note (``附件：``, ``附件2：``, ``说明：``).
_DOCUMENT_LABEL = re.compile(r"(?:附件[0-9一二三四五六七八九十]{0,2}|说明|注|备注)[：:]")
#: A section label in lenticular brackets, the whole unit (``【求真务实篇】``, ``【编者按】``): a
#: page break does not fall inside a bracket pair that a space follows.
_SECTION_LABEL = re.compile(r"【[^【】\s]{2,20}】")
#: A note in brackets closing a unit that has text before it (``…评分标准（见评分标准单页）``).
_TRAILING_ASIDE = re.compile(rf"[^\s（）()]{{2}}{_BRACKETED_NOTE}$")
#: Names or items listed after a colon at the end of a unit (``…领导有：XX、XX、XX``).
_ENUMERATION_TAIL = re.compile(r"[：:]((?:[^\s，。！？；：、“”]{1,12}、){2,}[^\s，。！？；：、“”]{1,12})$")


def _whole_enumeration(left: str, chars: str, e: int, end: int) -> bool:
    """Whether ``left`` ends on a list of three or more items after a colon, all of one
    length, that the text after the space does not go on (no ``、``, ``等``, ``和``, no few
    characters closing the sentence: ``…柳思源 同志。``): a page break inside the last item
    would leave it shorter than its siblings."""
    m = _ENUMERATION_TAIL.search(left)
    if m is None or chars[e:e + 1] in ("", "、", "等", "和", "及", "与") or _SENTENCE_TAIL.match(chars, e, end):
        return False
    items = m.group(1).split("、")
    return len({len(item) for item in items}) == 1 and not spans_word(items[-1], chars[e:e + 3])


#: Longest clause of a heading that holds a comma.
MAX_CLAUSE_CHARS = 20
_CLAUSE = rf"[^\s，。！？；]{{2,{MAX_CLAUSE_CHARS}}}"
#: A parenthesis standing as a whole unit (a stage direction or a note: ``（颁奖音乐起）``,
#: ``（全体起立，奏唱国歌）``): nothing outside the brackets but an ellipsis before them (what
#: the chair reads out, left out of a 主持词), nothing bracketed inside.
_ASIDE = re.compile(r"…*[（(][^（）()\s]{2,40}[）)]")
#: A heading's title closing a sentence a little after a space, more text right after it.
_RUN_IN_TAIL = re.compile(rf"[{HAN}]{{1,12}}。(?=\S)")
#: Longest title of a run-in heading read across a page break.
MAX_RUN_IN_TITLE_CHARS = 20
_RUN_IN_HEADING = re.compile(r"(?:^|(?<=[。！？；…”] ))([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)[^\s。！？；，]{2,30}。(?=\S)")


#: A heading of two clauses joined by a comma, standing alone before a space: ``一、坚持政治引领，
#: 把牢正确方向``, ``三、优化服务，让企业办事更省心！``.
_COMMA_HEADING = re.compile(r"(?:^|(?<=[。！？；…”：] ))([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)"
                            rf"{_CLAUSE}，{_CLAUSE}[！？]?(?= )")
#: The title of such a heading, both clauses whole.
_COMMA_TITLE = re.compile(rf"{_CLAUSE}，{_CLAUSE}[！？]?")
#: The rest of such a heading after a page break: the end of its first clause, the comma, the
#: second clause, then a space.
_COMMA_HEADING_REST = re.compile(rf"[^\s，。！？；、“”]{{1,20}}，{_CLAUSE}[！？]?(?= )")


def comma_heading_kinds(chars: str, start: int, end: int) -> set[str]:
    """In the seed layout, the marker kinds of which two or more headings in the unit hold
    two clauses joined by a comma and stand alone (``一、坚持政治引领，把牢正确方向 要始终…``):
    a sibling a page break cut before its comma is such a heading too."""
    counts: dict[str, int] = {}
    for m in _COMMA_HEADING.finditer(chars, start, end):
        kind = marker(m.group(1))[0]
        counts[kind] = counts.get(kind, 0) + 1
    return {kind for kind, n in counts.items() if n >= 2}


def _comma_heading_rest(title: str, chars: str, e: int, end: int) -> bool:
    """Whether the text after the space finishes a comma heading whose title so far is
    ``title``: its first clause, a comma, a second clause, another space; the whole no longer
    than its siblings may be, and not a sentence opening (``要始终坚持…``) or a clause left
    open on a particle."""
    rest = _COMMA_HEADING_REST.match(chars, e, end)
    if rest is None or _opens_sentence(rest.group()) or _ends_in_particle(rest.group().rstrip("！？")):
        return False
    return len(title) + len(rest.group()) <= 2 * MAX_CLAUSE_CHARS + 1


#: The rest of a title that runs clause after clause, after a page break: clauses joined by
#: commas, no sentence punctuation, no quotation, then a space.
_CLAUSE_CHAIN_REST = re.compile(r"[^\s，。！？；：、“”]{1,30}(?:，[^\s，。！？；：“”]{2,30})+(?= \S)")
#: Longest title of a heading read as a chain of clauses across a page break.
MAX_CHAIN_TITLE_CHARS = 60


def _clause_chain_rest(title: str, chars: str, e: int, end: int) -> bool:
    """Whether the text after the space goes on with a title that already holds a comma
    (``一、形势严峻，我们全县上下务必 充分认识国内外经济波动的影响，坚定信心，增强紧迫感 从…``):
    more clauses joined by commas up to the next space, with no sentence end, so no paragraph
    of the seed layout; not a sentence opening (``我们要…``), and the whole a heading's length.
    The title must be left open where the space cuts it (``_title_left_open``): a whole title
    (``一、坚持政治引领，把牢正确方向``) may be followed by a paragraph's first clauses a page break
    cut (``一年来，我始终把理论学 习作为…``). A clause closing a sentence right after that space
    (``…，坚持人民至上 不断推进工作。``) also shows the clauses were a paragraph's."""
    if "，" not in title:
        return False
    rest = _CLAUSE_CHAIN_REST.match(chars, e, end)
    return (rest is not None and _title_left_open(title, rest.group()) and not _opens_sentence(rest.group())
            and not _NEXT_MARKER.match(rest.group()) and len(title) + len(rest.group()) <= MAX_CHAIN_TITLE_CHARS
            and not _CLAUSE_TAIL.match(chars, rest.end() + 1, end))


def _title_left_open(title: str, rest: str) -> bool:
    """Whether a title cannot end before ``rest``: its last word an adverb, which qualifies a
    verb still to come (``…上下务必``, ``…切实``), or ``rest`` opening on a particle (``的影响，…``)."""
    for size in (3, 2):
        tag = word_tag(title[-size:]) if len(title) >= size else None
        if tag is not None:
            return tag in ("d", "ad") or _opens_on_particle(rest)
    return _opens_on_particle(rest)


#: A heading standing alone before a space: its marker at the line start or after a space, then
#: a title without sentence punctuation.
_STANDING_HEADING = re.compile(r"(?:^|(?<= ))([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)"
                               r"([^\s，。！？；：]{1,40})(?= )")
#: The rest of a heading's title after a page break: no sentence punctuation, a space after it.
_TITLE_REST = re.compile(r"[^\s，。！？；：、]{2,40}(?= \S)")


def standing_headings(chars: str, start: int, end: int) -> dict[str, list[int]]:
    """In the seed layout, the title lengths of the headings of each marker kind that stand
    alone before a space in the unit (``一、正确认识当前经济形势 今年以来…``)."""
    lengths: dict[str, list[int]] = {}
    for m in _STANDING_HEADING.finditer(chars, start, end):
        lengths.setdefault(marker(m.group(1))[0], []).append(len(m.group(2)))
    return lengths


def _cut_short(title: str, siblings: list[int], chars: str, e: int, end: int) -> bool:
    """Whether a page break cut the heading with ``title`` short: a sibling of its kind stands
    with a title at least twice as long, and an unpunctuated run after the space makes it no
    longer than twice the longest sibling (``一、正确 认识当前经济形势 今年以来…`` beside
    ``二、明年经济工作的重点任务``), or the run brings it nearer its siblings' typical length
    (``_nearer_siblings``). Headings of one list are of a size; a page break cuts one short."""
    rest = _TITLE_REST.match(chars, e, end)
    if rest is None or len(title) + len(rest.group()) > 2 * max(siblings, default=0):
        return False
    return any(n >= 2 * len(title) for n in siblings) or _nearer_siblings(title, rest.group(), siblings, chars, rest.end())


def _nearer_siblings(title: str, rest: str, siblings: list[int], chars: str, stop: int) -> bool:
    """Whether the unpunctuated ``rest`` after a space (ending at ``stop``) is the end of the heading
    with ``title``: the two together are nearer the median of its siblings' title lengths than
    the title alone (``（一）全面开展重点行业 隐患排查整治 各单位…`` beside titles of twelve), and the
    rest does not open the paragraph instead: it opens no sentence (``要把 招商…``), no word runs
    from it across the space after it, and the text after that space opens with a clause that
    stands alone (``过去 一年，…``)."""
    after = chars[stop + 1:stop + 1 + MAX_HEADING_CHARS]
    if (_opens_sentence(rest) or spans_word(rest, after)
            or len(_FIRST_CLAUSE.match(after).group()) <= MAX_FRAGMENT_CHARS):
        return False
    typical = sorted(siblings)[len(siblings) // 2]
    return abs(len(title) + len(rest) - typical) < abs(len(title) - typical)


def run_in_kinds(chars: str, start: int, end: int) -> set[str]:
    """In the seed layout, the marker kinds of which two or more headings in the unit run
    their text in with no space (``（二）改革开放持续深化。…``, ``（三）民生福祉不断增进。…``):
    a sibling a page break cut a few characters into its title is run in too."""
    counts: dict[str, int] = {}
    for m in _RUN_IN_HEADING.finditer(chars, start, end):
        kind = marker(m.group(1))[0]
        counts[kind] = counts.get(kind, 0) + 1
    return {kind for kind, n in counts.items() if n >= 2}


def parallel_subheads(chars: str, start: int, end: int) -> dict[int, int]:
    """In the seed layout, subheads that a sibling parallels: two or more units that open a
    block (after a sentence end or a colon), read as subheads by every other test, and
    start with the same two characters (up to ``MAX_PARALLEL_SUBHEAD_CHARS`` long) or end
    with the same two (up to ``MAX_SUBHEAD_CHARS``: ``做政治上靠得住的人`` … ``做工作上有本事的人``).
    Where two siblings stand clear, a third a word runs across into its paragraph by
    chance (``…有本事的人 本领不是…`` holds 人本) is a subhead too: page breaks are not parallel.
    Short subheads (``MIN_SHORT_SUBHEAD_CHARS`` up to ``MIN_SUBHEAD_CHARS``), too short to
    tell from the start of a sentence alone, count when two or more stand so in the unit
    (``保持好奇心 好奇心是…。 守住初心 人生的道路很长，…``): a page break lands that early in
    a paragraph and passes every test once in a while, not twice. A short one alone counts
    where it stands as its siblings do, one paragraph after a subhead and one before the next
    (``…上好学 今年…。 为教师减负 要全面清理…。 职业教育大有可为 要对接…``): a page break early in a
    paragraph does not fall into that rhythm.
    Maps the space after each to where it starts."""
    siblings: dict[str, list[tuple[int, int, bool]]] = {}  # frame -> (space, start, clear of words)
    short: list[tuple[int, int]] = []
    cut_short: list[tuple[int, int]] = []  # short subheads a page break cut: they do not count
    units: list[tuple[int, int, str]] = []  # (space, start, text) of every unit tried
    for m in TOKEN.finditer(chars, start, end):
        p, s = m.span()
        if s >= end or chars[s] != " ":
            continue
        before = chars[start:p].rstrip()
        if before and before[-1] not in SENTENCE_END + "：:":
            continue
        unit = m.group()
        cut = _FRAGMENT.match(chars, s + 1, end)
        after = TOKEN.match(chars, cut.end() + 1, end) if cut else None
        if cut and after and _SENTENCE_INSIDE.search(after.group()):
            joined = unit + cut.group()
            if spans_word(unit, cut.group()):
                unit, s = joined, cut.end()  # ``项目攻 坚战 项目是…。``: a page break inside the subhead
            elif (len(unit) < MIN_SHORT_SUBHEAD_CHARS and len(joined) < MIN_SUBHEAD_CHARS
                  and _reads_as_subhead(joined, chars, cut.end() + 1, end, shortest=MIN_SHORT_SUBHEAD_CHARS)):
                cut_short.append((cut.end(), p))  # ``守护文 脉 一方水土…。``: too short to stand cut
                for frame in sibling_frames(joined):
                    siblings.setdefault(frame, []).append((cut.end(), p, False))
                continue
        units.append((s, p, unit))
        if _reads_as_subhead(unit, chars, s + 1, end, MAX_PARALLEL_SUBHEAD_CHARS, word_across=True, statement=True):
            clear = not spans_word(unit, _paragraph_after(chars, s + 1, end))
            for frame in sibling_frames(unit):
                siblings.setdefault(frame, []).append((s, p, clear))
        elif (len(unit) < MIN_SUBHEAD_CHARS and _reads_as_subhead(unit, chars, s + 1, end, shortest=MIN_SHORT_SUBHEAD_CHARS)
              and phrase_group(chars, p, end, True, False) is None):
            short.append((s, p))  # the first phrase of a group (``爱国奉献 矢志不渝``) is no short subhead
            for frame in sibling_frames(unit):  # ``作风攻坚战`` beside ``城乡建设攻坚战``
                siblings.setdefault(frame, []).append((s, p, True))
    found = {s: p for members in siblings.values() if sum(clear for *_, clear in members) >= 2
             for s, p, _ in members}
    if len(short) >= 2:
        found.update(short)
        found.update(cut_short)
    elif short:
        # the subheads the boundary test reads alone, looked for only when one short one needs them
        standing = [(s, p) for s, p, unit in units if _reads_as_subhead(unit, chars, s + 1, end)]
        found.update((s, p) for s, p in short if _between_siblings(chars, s, p, standing))
    return found


def _between_siblings(chars: str, space: int, start: int, standing: list[tuple[int, int]]) -> bool:
    """Whether the unit from ``start`` to ``space`` has a subhead of ``standing`` one paragraph
    before it and another one paragraph after it."""
    before = [s for s, _ in standing if s < start]
    after = [p for _, p in standing if p > space]
    return bool(before and after) and _one_paragraph(chars, before[-1] + 1, start) and _one_paragraph(
        chars, space + 1, after[0])


def _one_paragraph(chars: str, start: int, stop: int) -> bool:
    """Whether ``chars[start:stop]`` is one paragraph of the seed layout: it ends on a sentence
    end and holds no other followed by a space."""
    text = chars[start:stop].rstrip()
    return bool(text) and text[-1] in SENTENCE_END + "”’」』" and _PARAGRAPH_END.search(chars, start, start + len(text) - 1) is None


def ordinal_heads(chars: str, start: int, end: int) -> dict[int, int]:
    """In the seed layout, part headings that open with an ordinal and hold a comma
    (``第一，统一思想，充分认清防汛形势的严峻性 据气象部门预测，…``): each opens a block (after
    a sentence end or a colon) and ends at a space a paragraph follows, two or more numbered
    in sequence. The comma rules out every subhead test, and a page break lands that early
    in a paragraph once in a while, not in two parts numbered one after the other.
    Where an unpunctuated piece stands between a heading and its paragraph, the heading
    takes it when that brings its length nearer its siblings' (``第一，深刻认识 严的主基调的
    重大意义 全面从严治党…`` beside ``第二，准确把握严的主基调的实践要求``): a page break cut it.
    Maps the space after each to where it starts."""
    heads: list[tuple[int, str]] = []
    ends: dict[int, list[int]] = {}
    for m in ORDINAL_OPENING.finditer(chars, start, end):
        p = m.start()
        before = chars[start:p].rstrip()
        if before and (not chars[p - 1].isspace() or before[-1] not in SENTENCE_END + "：:"):
            continue
        if (stop := _ordinal_head_end(chars, p, m.end(), end)) is not None:
            heads.append((p, chars[p:stop]))
            ends[p] = [stop]
            if (longer := _ordinal_head_rest(chars, p, stop, end)) is not None:
                ends[p].append(longer)
    parts = sorted(ordinals_in_sequence(heads))
    found = {}
    for p in parts:
        siblings = [len(SPACE_RUN.sub("", chars[q:ends[q][0]])) for q in parts if q != p]
        typical = sorted(siblings)[len(siblings) // 2]
        stop = min(ends[p], key=lambda s: (abs(len(SPACE_RUN.sub("", chars[p:s])) - typical), s))
        found[stop] = p
    return found


def _ordinal_head_rest(chars: str, start: int, stop: int, end: int) -> int | None:
    """Where an ordinal part heading ending at the space ``stop`` ends if the unpunctuated
    piece after that space is the rest of it: the heading, piece and all, passes
    ``_ordinal_head_end`` at the next space."""
    piece = TOKEN.match(chars, stop + 1, end)
    if piece is None or piece.end() >= end or not _PHRASE_CHARS.fullmatch(piece.group()):
        return None
    longer = _ordinal_head_end(chars, start, piece.start(), end)
    return longer if longer == piece.end() else None


def _ordinal_head_end(chars: str, start: int, opened: int, end: int) -> int | None:
    """The space that ends an ordinal part heading starting at ``start`` (its ordinal
    ends at ``opened``), or None when no paragraph follows it within
    ``MAX_ORDINAL_HEADING_CHARS``. A space a word runs across is a page break inside it."""
    for space in SPACE_RUN.finditer(chars, opened, end):
        s, e = space.span()
        left = SPACE_RUN.sub("", chars[start:s])
        if (e >= end or len(left) > MAX_ORDINAL_HEADING_CHARS or s == opened
                or any(c in SENTENCE_STOP for c in left) or not _PHRASE_CHARS.fullmatch(left[-1])):
            return None
        rest = _paragraph_after(chars, e, end)
        if spans_word(left, rest) or _fragment_at(chars, e, end):
            continue
        if (_closed(left) and not _ends_in_bare_particle(left) and len(rest) > len(left)
                and any(c in rest for c in "，。！？；") and not _SENTENCE_TAIL.match(rest)):
            return s
        return None
    return None


def _ends_in_bare_particle(text: str) -> bool:
    """Whether ``text`` ends on a function character (``FUNCTION_END``) that no word of
    the dictionary ends with there: a part heading names an action, and a verb of two
    characters may end it (``如何担当作为``), a bare particle may not (``…坚持把``)."""
    return text[-1] in FUNCTION_END and not any(word_tag(text[-size:]) is not None for size in (4, 3, 2)
                                                 if len(text) >= size)


def _reads_as_subhead(left: str, chars: str, e: int, end: int, longest: int = MAX_SUBHEAD_CHARS,
                      shortest: int = MIN_SUBHEAD_CHARS, word_across: bool = False, statement: bool = False) -> bool:
    """In the seed layout: ``left`` is a subhead the next sentence follows
    (``深刻认识地方志工作的重要意义 盛世修志，…``). It has no punctuation, does not end in a
    particle or open like a sentence, no word runs across the space (unless ``word_across``
    allows one, for a sibling to decide), and the sentence after it is longer than it.
    ``statement``: a 是…的 statement (``STATEMENT``) may end in its 的, for a sibling to decide."""
    if not shortest <= len(left) <= longest or not _PHRASE_CHARS.fullmatch(left):
        return False
    if _ends_in_particle(left) and not (statement and STATEMENT.fullmatch(left)):
        return False
    if not _closed(left):
        return False  # ``本届论坛以“共饮一江水 携手…”``: a quotation goes on after the space
    if _opens_sentence(left) or marker(left) is not None:
        return False
    rest = _paragraph_after(chars, e, end)
    if (len(rest) <= len(left) or not any(c in rest for c in "，。！？；") or _SENTENCE_TAIL.match(rest)
            or _fragment_at(chars, e, end) or _opens_on_particle(rest) or _nominal_tail(rest)
            or _PREDICATE_COLON.match(rest)):
        return False  # ``全面提高人才 队伍质量。发挥…``: the first sentence goes on after the space
    return word_across or not (spans_word(left, rest) or _name_across(left, chars, e))


#: A predicate introducing a list (``有：``, ``如下：``): the subject before the space goes on
#: (``出席的领导 有：XX、XX``), a subhead is not followed by its own predicate.
_PREDICATE_COLON = re.compile(r"(?:有|是|为|如下)[：:]")


#: Fewest other places the text writes a name that a page break may have cut.
MIN_NAME_REPEATS = 2


def _name_across(left: str, chars: str, e: int) -> bool:
    """Whether a name of the text runs across the space after ``left``: the characters either
    side of it stand together at least ``MIN_NAME_REPEATS`` more times in the text, and no
    word of the dictionary ends or opens at the space (``民营经济是鹤 岭发展的主力军。`` in a
    text that names 鹤岭 again). Places and people the dictionary does not know."""
    pair = left[-1:] + chars[e:e + 1]
    if len(pair) != 2 or not all(_HAN_RE.match(c) for c in pair):
        return False
    if word_tag(left[-2:]) is not None or word_tag(chars[e:e + 2]) is not None:
        return False
    return chars.count(pair) >= MIN_NAME_REPEATS


#: A sentence of a noun phrase alone, ``X的Y。``, more text right after it.
_NOMINAL_TAIL = re.compile(rf"([{HAN}]{{2,4}})的[{HAN}]{{2,4}}。(?=\S)")


def _nominal_tail(text: str) -> bool:
    """Whether ``text`` opens with a sentence that is a noun phrase alone, its modifier a noun
    (``发展的主力军。全县…``): it has no predicate, so it ends the sentence before the space
    (``民营经济是鹤岭 发展的主力军。``), not a subhead."""
    m = _NOMINAL_TAIL.match(text)
    return m is not None and (word_tag(m.group(1)) or "").startswith(("n", "vn"))


#: Characters no sentence opens with, unless a word starts there (``的确``, ``地方``, ``是否``,
#: ``和谐``, ``与会``, ``之所以``): structural particles, the copula, conjunctions joining nouns.
CLAUSE_INNER = "的地得是和与之"


def _opens_on_particle(text: str) -> bool:
    """Whether ``text`` opens on a character of ``CLAUSE_INNER`` that opens no word there:
    no sentence starts so, the text before the space goes on (``铭记历史 不忘来路 历史是最好
    的教科书。``, ``回顾林振声同志 的一生，…``, ``数字政府建设 是一场深刻的自我革命。``); words that open
    on one (``得天独厚``) open sentences as any other."""
    return text[:1] in CLAUSE_INNER and all(word_tag(text[:size]) is None for size in (2, 3, 4))



def _opens_sentence(text: str) -> bool:
    """Whether ``text`` opens like a sentence, not a subhead or a phrase: a pronoun, a time
    word or a conjunction (``SENTENCE_OPENERS``), or the modal 要 before a verb (``要深入
    挖掘…``, not the noun ``要素``)."""
    return SENTENCE_OPENERS.match(text) is not None or _modal_opening(text)


def _modal_opening(text: str) -> bool:
    """Whether ``text`` opens with the modal 要 before a verb (``要深入挖掘…``), not with a
    word that starts with 要 (``要素``, ``要求``)."""
    return text[:1] == "要" and word_tag(text[:2]) is None


def _ends_in_particle(text: str) -> bool:
    """Whether ``text`` ends on a function character (``FUNCTION_END``) that is no part of
    a content word: ``…教师是`` and ``…坚持把发展作为`` do, ``…的关键所在`` and an idiom
    (``职业教育大有可为``) do not."""
    if text[-1] not in FUNCTION_END:
        return False
    if len(text) >= 4 and is_idiom(text[-4:]):
        return False
    for size in (4, 3, 2):
        tag = word_tag(text[-size:]) if len(text) >= size else None
        if tag is not None:
            return not tag.startswith(_CONTENT_TAGS)
    return True


def _closed(text: str) -> bool:
    """Whether every quotation mark and book-title mark opened in ``text`` is closed."""
    return text.count("“") <= text.count("”") and text.count("《") <= text.count("》")


def spans_word(left: str, right: str) -> bool:
    """Whether a word of the dictionary runs from the end of ``left`` into ``right``.

    Two-character words meet by chance where two words meet (``建设|立国`` holds 设立):
    when the two characters on each side are words themselves, the space falls between
    words and only a longer word across it counts. The modal 要 opening a clause (``要严控…``,
    not the word ``要素``) is a word of its own there: ``风险|要严控`` holds 险要 by chance."""
    left, right = left[-3:], right[:3]
    if not (left and right and _HAN_RE.match(left[-1]) and _HAN_RE.match(right[0])):
        return False
    words = trusted_words()
    between = left[-2:] in words and (right[:2] in words or _modal_opening(right))
    return any(left[-i:] + right[:j] in words for i in range(1, len(left) + 1) for j in range(1, len(right) + 1)
               if i + j >= (3 if between else 2))

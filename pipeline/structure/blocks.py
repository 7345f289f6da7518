"""Blocks: the paragraph-sized pieces of a speech body, page-break spaces removed.

A body is cut into blocks at newlines, at indentation inside a line (a run of ideographic
spaces, as CSV exports leave when they collapse a text onto one line), and at spaces that
are boundaries (``spaces`` says which). Every other space between Chinese characters is
either text or a page-break artefact: a single space between two complete phrases
(``不忘初心 牢记使命``, a quoted ``“共享机遇 共创未来”``) is kept, and the rest are removed
(and recorded).
"""

import re
from dataclasses import dataclass

from pipeline.spans import Text
from pipeline.structure.spaces import (MAX_FRAGMENT_CHARS, SPACE_RUN, TOKEN, boundary, cadence_cuts, comma_heading_kinds,
                                       keeps_space, line_kind, ordinal_heads, parallel_subheads, phrase_group,
                                       run_in_kinds, sibling_shape, signature_cuts, spans_word, standing_headings,
                                       unit_heads, without_joins)
from pipeline.text.chardata import (DATE_LINE, DATE_START, DATELINE, FOREIGN_NAME, OPENING_SUBTITLE, ORGANISATION_END,
                                    SALUTATION, SENTENCE_END, SPEAKER_COLON, SUBTITLE_LINE, cn_number, date_line,
                                    name_alone, speaker_parts)
from schemas.characters import HAN

#: Indentation inside a line: a paragraph starts after it (issue 19, point 1).
_INDENT_RUN = re.compile(r"\u3000{2,}|[ \u00a0]{4,}|\t")
#: Indentation at a line start.
_LINE_INDENT = re.compile(r"\u3000|[ \u00a0]{2,}|\t")
_INLINE_MARKER = re.compile(r"(?<=[。！？；])(?:([一二三四五六七八九十]+)、|（([一二三四五六七八九十]+)）)")


@dataclass(frozen=True)
class Block:
    """A paragraph-sized piece of a speech body; ``line`` when it is a whole line of text
    (or a unit the indentation of a collapsed line marks), ``indented`` when it starts
    with indentation (a paragraph, never an unmarked heading)."""

    text: Text
    line: bool
    metadata: str | None = None  # "speaker", "date", "dateline" or "subtitle" for a metadata line
    indented: bool = False
    #: The layout says this is a subhead: a group of phrases, or in the seed layout a short
    #: unpunctuated unit a sentence follows.
    subhead: bool = False


def split(body: Text, lectures: set[str], page_breaks: list[tuple[int, int]], page_spaced: bool = False) -> list[Block]:
    """The blocks (headings and paragraphs) of a speech body, page-break spaces removed.

    ``page_breaks`` receives the source range of every space removed inside a block.
    Speaker, date, dateline and subtitle lines come out whole and unjoined, marked as
    metadata. ``page_spaced``: the page the body comes from runs its units on with spaces;
    a short speech of a seed compilation has too few sentence ends to show it itself.
    """
    out: list[Block] = []
    chars = body.chars
    spaced = page_spaced or spaced_layout(chars)
    lines = list(re.finditer(r"[^\n]+", chars))
    skip_to = -1
    for i, line in enumerate(lines):
        if line.start() < skip_to:
            continue
        content = line.group().strip()
        if not content:
            continue
        kind = line_kind(content, opening=not out)
        end = line.end()
        if kind is None and i + 1 < len(lines) and DATE_START.match(content):
            # A date line the page broke in two: ``——2026年1月26日在…第十四届`` + ``人民代表大会…上``.
            joined = content + lines[i + 1].group().strip()
            if DATE_LINE.fullmatch(joined):
                kind, end, skip_to = "date", lines[i + 1].end(), lines[i + 1].end()
        indented = _LINE_INDENT.match(line.group()) is not None
        if kind:
            out.append(Block(strip(body.slice(line.start(), end)), True, kind, indented))
            continue
        units = _indent_units(chars, line.start(), line.end())
        for k, (start, stop) in enumerate(units):
            out += _unit_blocks(body, start, stop, lectures, page_breaks, spaced, indented or k > 0, not out)
    pieces: list[Block] = []
    opening = True  # no paragraph yet: only metadata and salutation lines (``女士们，先生们，`` before ``朋友们：今天…``)
    for b in out:
        split = _split_inline(b, opening)
        pieces += split
        opening = opening and all(p.metadata or SALUTATION.fullmatch(p.text.chars) for p in split)
    return [piece for piece in pieces if len(piece.text)]


def spaced_layout(chars: str) -> bool:
    """Whether the text runs its units on with spaces between them (the seed layout):
    more sentence ends followed by a space inside lines than line breaks.

    >>> spaced_layout("第一句。 第二句。 第三句。 第四句。"), spaced_layout("第一句。\\n第二句。\\n")
    (True, False)
    """
    ends = len(re.findall(rf"[{SENTENCE_END}：][ \u00a0]+(?=\S)", chars))
    return ends >= 3 and ends > chars.count("\n")


def strip(text: Text) -> Text:
    """The text without leading and trailing whitespace (ideographic indents included)."""
    chars = text.chars
    left = len(chars) - len(chars.lstrip())
    right = len(chars.rstrip())
    return text.slice(left, max(left, right))


def _indent_units(chars: str, start: int, end: int) -> list[tuple[int, int]]:
    """The line ``[start, end)`` cut at indentation inside it (not at its start)."""
    units, pos = [], start
    lead = re.compile(r"[ \t\u3000\u00a0]*").match(chars, start).end()
    for m in _INDENT_RUN.finditer(chars, lead, end):
        if chars[pos:m.start()].strip():
            units.append((pos, m.start()))
        pos = m.end()
    if chars[pos:end].strip():
        units.append((pos, end))
    return units


def _unit_blocks(body: Text, start: int, end: int, lectures: set[str], page_breaks: list,
                 spaced: bool, indented: bool, opening: bool = False) -> list[Block]:
    """The blocks of one unit (a line, or a part of a line between indentation);
    ``opening``: the unit opens the speech body."""
    chars = body.chars
    out: list[Block] = []
    cadence, cadence_breaks = cadence_cuts(chars, start, end) if spaced else (set(), set())
    signature = signature_cuts(chars, start, end) if spaced else set()
    parallel = parallel_subheads(chars, start, end) if spaced else {}
    run_in = run_in_kinds(chars, start, end) if spaced else set()
    comma_kinds = comma_heading_kinds(chars, start, end) if spaced else set()
    standing = standing_headings(chars, start, end) if spaced else {}
    ordinal = ordinal_heads(chars, start, end) if spaced else {}
    heads = None  # the unit's heads (``unit_heads``), read when a group or a subhead needs them
    pos = start
    while pos < end:
        while pos < end and chars[pos].isspace():
            pos += 1
        if pos >= end:
            break
        whole = not out
        header = opening and all(b.metadata for b in out)  # only metadata before it: the speech's head
        if prefix := _metadata_prefix(chars, pos, end, spaced, whole, header):
            stop, kind, inside = prefix
            out.append(Block(_block(body, pos, stop, inside, page_breaks), whole and stop == end, kind, indented and whole))
            pos = stop
            continue
        group = phrase_group(chars, pos, end, spaced, whole)
        if group and spaced:
            heads = unit_heads(chars, start, end) if heads is None else heads
            if (shape := sibling_shape(heads, pos)) is not None:
                group = phrase_group(chars, pos, end, spaced, whole, shape)
        if group:
            stop, inside = group
            out.append(Block(_block(body, pos, stop, inside, page_breaks), whole and stop == end, None,
                             indented and whole, True))
            pos = stop
            continue
        joins: list[tuple[int, int]] = []
        stop, reason = end, None
        for space in SPACE_RUN.finditer(chars, pos, end):
            s, e = space.span()
            # stripped: a subhead a page break cut (``建设高素质教 师队伍 教师是…``) is read whole at the next space
            left = without_joins(chars, pos, s, joins).strip()
            if not left:
                continue
            if e == end:
                break
            if s in cadence_breaks:
                reason = None
            elif s in cadence:
                reason = "cadence"
            elif s in signature:
                reason = "signature"
            elif parallel.get(s) == pos:
                reason = "subhead"
            elif ordinal.get(s) == pos:
                reason = "ordinal"
            else:
                reason = boundary(left, chars, s, e, end, lectures, spaced, run_in, comma_kinds, standing)
                if reason == "subhead" and not joins:
                    heads = unit_heads(chars, start, end) if heads is None else heads
                    if _beside_groups(heads, pos):
                        reason = None
            if reason:
                stop = s
                break
            if not keeps_space(chars, pos, s, e):
                joins.append((s, e))
        text = _block(body, pos, stop, joins, page_breaks)
        kind = line_kind(text.chars) if spaced else None
        out.append(Block(text, whole and stop == end, kind, indented and whole, reason == "subhead"))
        pos = stop
    return out


#: Fewest heads of one shape that make one phrase read alone a page break's piece: a page break
#: inside a subhead makes it read as a group now and then, not in two heads of a speech.
MIN_SHAPED_HEADS = 3


def _beside_groups(heads: list[tuple[int, int, list[int]]], pos: int) -> bool:
    """Whether the subhead of one phrase opening at ``pos`` stands among heads of the unit that
    are all groups of phrases, ``MIN_SHAPED_HEADS`` or more (``sibling_shape``): a page break
    early in a paragraph leaves a piece that reads as a subhead (``守正创新 勇毅前行 民营经济是全县
    经济的…``)."""
    shape = sibling_shape(heads, pos)
    return shape is not None and shape.heads >= MIN_SHAPED_HEADS


def _split_inline(block: Block, opening: bool) -> list[Block]:
    """A block cut where text without breaks hides structure (peiji, xiezuofangchengshi):
    after an opening salutation (``同志们：今天…``) and before a heading marker that follows
    a sentence end and continues its numbering (``…大局。二、突出工作重点…``). An address
    opening a paragraph after the body has begun (``同学们：“…”，让我们…``) is that
    paragraph's first words: only an ``opening`` block is cut after its salutation."""
    if block.metadata:
        return [block]
    chars = block.text.chars
    cuts = []
    salutation = SALUTATION.match(chars) if opening else None
    if salutation and salutation.group().endswith(("：", ":")) and salutation.end() < len(chars):
        cuts.append(salutation.end())
    last: dict[str, int] = {}
    for m in _INLINE_MARKER.finditer(chars):
        kind = "cn" if m.group(1) else "paren_cn"
        number = cn_number(m.group(1) or m.group(2))
        if number == last.get(kind, 0) + 1:
            last[kind] = number
            cuts.append(m.start())
    if not cuts:
        return [block]
    bounds = [0, *cuts, len(chars)]
    return [Block(strip(block.text.slice(a, b)), False, None, block.indented and a == 0)
            for a, b in zip(bounds, bounds[1:]) if b > a]


def _metadata_prefix(chars: str, pos: int, end: int, spaced: bool, whole: bool,
                     opening: bool = False) -> tuple[int, str, list[tuple[int, int]]] | None:
    """A metadata unit opening a block: a dateline run into the first paragraph
    (``本报江州4月23日电　今天…``), a speaker and a colon opening a line
    (``市科技局局长周敏：今年以来…``), and in the seed layout, followed by a space, a date
    line, a subtitle or a speaker (``南屏大学校长  陈静 亲爱的…``). Returns where it ends,
    its kind and the page-break spaces inside it."""
    m = DATELINE.match(chars, pos, end)
    if m and m.end() < end and chars[m.end()] in " \u3000":
        return m.end(), "dateline", []
    m = SPEAKER_COLON.match(chars, pos, end)
    if whole and m and m.end() < end and speaker_parts(m.group("speaker")):
        return m.end(), "speaker", []
    if not spaced:
        return None
    token = TOKEN.match(chars, pos, end)
    if token and token.end() < end and chars[token.start()] in "（(—－―":
        if kind := _bracket_kind(token.group()):
            return token.end(), kind, []
        # A page break inside the line: the token is no line alone, the two tokens are
        # one (``（2023年10月21日，桐 溪）``, ``——在第三届…乡村 振兴论坛上的主旨演讲``).
        after = TOKEN.match(chars, token.end() + 1, end)
        joined = chars[token.end()] == " " and after is not None and after.end() < end
        if joined and (kind := _bracket_kind(token.group() + after.group())):
            return after.end(), kind, [(token.end(), token.end() + 1)]
        # Any dash line opening the body: two tokens only when a word runs across the space
        # (``——致即将远 行的你们``), since a speaker line or the text may follow it.
        if opening and joined and OPENING_SUBTITLE.fullmatch(token.group() + after.group()) \
                and spans_word(token.group(), after.group()):
            return after.end(), "subtitle", [(token.end(), token.end() + 1)]
        if opening and OPENING_SUBTITLE.fullmatch(token.group()):
            return token.end(), "subtitle", []
    for m in _SPEAKER_PREFIXES:
        found = m.match(chars, pos, end)
        if found and speaker_parts(found.group()):
            last = _NAME_CUT.match(chars, found.end(), end)
            if (last and _TWO_CHAR_NAME.search(found.group())
                    and not spans_word(last.group(1), chars[last.end() + 1:last.end() + 4])):
                # ``市长  沈临 风 数字政府…``: no unit is one character, the name goes on
                return last.end(), "speaker", [(found.end(), found.end() + 1)]
            return found.end(), "speaker", []
    found = _CUT_OFFICE.match(chars, pos, end)
    if found and speaker_parts(found.group("post")) and speaker_parts(found.group().replace(" ", "", 1)):
        return found.end(), "speaker", [(found.start("post") - 1, found.start("post"))]
    found = _BROKEN_OFFICE.match(chars, pos, end) if opening else None
    if found and speaker_parts(found.group().replace(" ", "", 1)):
        # At the head of a speech an office holds no space: one is a page break (``中共 栖凤县委书记  何  畅``)
        # where the piece before it is too short to stand alone, a word runs across it, or a
        # post alone follows it (``霁川市副 市长  陶  然``: a post names no one's office); a
        # headline before a whole speaker line stands alone (``创新要敢于啃硬骨头 岚州大学…教授  钱慕白``).
        piece = chars[pos:found.start("rest") - 1]
        after = speaker_parts(found.group("rest"))
        if (len(piece) <= MAX_FRAGMENT_CHARS or spans_word(piece, found.group("rest"))
                or (after and len(after[1] or "") <= MAX_POST_CHARS)):
            return found.end(), "speaker", [(found.start("rest") - 1, found.start("rest"))]
    # After the speaker tests: a short piece a page break cut off an office reads as a name
    # (``云帆 集团董事长  裴清和``).
    if opening and token and token.end() < end and name_alone(token.group()):
        return token.end(), "speaker", []  # a name alone under the title: ``郑怀远 编者按：…``
    return None


def _bracket_kind(token: str) -> str | None:
    """``date`` or ``subtitle`` for a bracketed date line or a ——subtitle, else None."""
    if date_line(token):
        return "date"
    if SUBTITLE_LINE.fullmatch(token):
        return "subtitle"
    return None


_NAME_CHAR = f"[{HAN}]"
#: A speaker unit ends at a space or the end of the text: a letter-spaced name
#: (``方  舟``, its gaps of one width) must not take the first character of the next unit
#: (``方  舟 尊敬的…``, ``陶  然 尊 敬的…``).
_UNIT_END = r"(?=[ \t\u3000]|$)"
#: A name after a speaker line's layout gap: letter-spaced or not, with a page break inside
#: it (``魏 青禾``), or a transliterated one (``艾米莉·卡特``).
_GAP_NAME = (rf"(?: {{2,}}|\u3000)(?:{_NAME_CHAR}(?P<gap>[ \u3000]{{1,3}}){_NAME_CHAR}(?:(?P=gap){_NAME_CHAR}){{0,2}}"
             rf"|{FOREIGN_NAME}|{_NAME_CHAR}{{2,4}}|{_NAME_CHAR} {_NAME_CHAR}{{2,3}}|{_NAME_CHAR}{{2}} {_NAME_CHAR})")
#: Speakers in the seed layout, where a space also separates units: an office and a name
#: after a layout gap, letter-spaced, or after one space (``speaker_parts`` decides).
_SPEAKER_PREFIXES = tuple(re.compile(pattern + _UNIT_END) for pattern in (
    rf"[^\s，。！？；：]{{2,40}}?{_GAP_NAME}",
    rf"[^\s，。！？；：]{{2,40}}? {_NAME_CHAR}(?: {_NAME_CHAR}){{1,2}}",
    rf"[^\s，。！？；：]{{2,40}}? {_NAME_CHAR}{{2,3}}",
))


#: A two-character name after a speaker line's layout gap, and one character standing alone
#: after it: the last character of a three-character name a page break cut off.
_TWO_CHAR_NAME = re.compile(rf"(?: {{2,}}|\u3000){_NAME_CHAR}{{2}}$")
_NAME_CUT = re.compile(rf" ({_NAME_CHAR})(?= \S)")
#: Longest post alone, without its organisation (``市长``, ``县委书记``).
MAX_POST_CHARS = 4
#: A speaker line a page break cut between the organisation and a short post
#: (``中共梧原县委 书记  贺  东  来``): a post alone names no one's office, so it goes on
#: the organisation before the space.
_CUT_OFFICE = re.compile(rf"[^\s，。！？；：]{{1,30}}[{ORGANISATION_END}] (?P<post>[^\s，。！？；：]{{2,{MAX_POST_CHARS}}}{_GAP_NAME})" + _UNIT_END)
#: A speaker line whose office a page break cut anywhere, read only at the head of a speech.
_BROKEN_OFFICE = re.compile(rf"[^\s，。！？；：]{{1,30}} (?P<rest>[^\s，。！？；：]{{1,30}}?{_GAP_NAME})" + _UNIT_END)


def _block(body: Text, start: int, end: int, joins: list[tuple[int, int]], page_breaks: list) -> Text:
    for s, e in joins:
        page_breaks.append(body.source_span(s, e))
    block = body.slice(start, end).delete([(s - start, e - start) for s, e in joins])
    return strip(block)

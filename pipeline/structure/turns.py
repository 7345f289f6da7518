"""Speaker turns of a multi-speaker page (发言摘要, 发言摘登, 代表发言): where each turn starts.

A turn opens with a speaker line (``市工商联主席王华：``, ``东湖区委书记  周敏``) or with the
speaker run into its first paragraph (``市科技局局长周敏：今年以来…``). A short headline
right above a speaker line, after the previous turn's last sentence, is the turn's title.
A page is multi-speaker only with two turns or more: a page with one voice is one speech,
and one speaker line under its title names that speech's speaker.

A start is ``(headline, start, end)`` like a TOC start (``speeches.Start``): the headline
and its range, or ``(None, i, i)`` at the speaker line when the turn has no headline.
"""

from __future__ import annotations

import re

from pipeline.structure.speeches import Start
from pipeline.text.chardata import SENTENCE_END, SPEAKER_COLON, speaker_parts

#: Longest headline of a turn.
MAX_HEADLINE_CHARS = 40

_INDENT = re.compile(r"[\u3000\t]|[ \u00a0]{2,}")


def starts(chars: str) -> list[Start]:
    """Where the turns of a multi-speaker page start; empty when it has fewer than two.

    >>> page = "市工商联主席王华：\\n　　甲。\\n市发展改革委主任刘洋：\\n　　乙。"
    >>> starts(page)
    [(None, 0, 0), (None, 15, 15)]
    >>> starts("市委书记王华同志指出：\\n　　甲。")
    []
    """
    lines = list(re.finditer(r"[^\n]+", chars))
    found: list[Start] = []
    for i, line in enumerate(lines):
        content = line.group().strip()
        if not opens_turn(content):
            continue
        at = line.start() + len(line.group()) - len(line.group().lstrip())
        headline = lines[i - 1] if i > 0 else None
        if headline is not None and _reads_as_headline(headline.group()) and (
                i < 2 or lines[i - 2].group().rstrip()[-1:] in SENTENCE_END + "：:"
                or not _INDENT.match(lines[i - 2].group())):
            text = headline.group().strip()
            start = headline.start() + len(headline.group()) - len(headline.group().lstrip())
            if not found or found[-1][1] < start:
                found.append((text, start, start + len(text)))
                continue
        found.append((None, at, at))
    return found if len(found) >= 2 else []


def opens_turn(content: str) -> bool:
    """A line that opens a turn: a speaker line, or a speaker and a colon before the text.

    >>> opens_turn("东湖区委书记  周敏"), opens_turn("市科技局局长周敏：今年以来，……"), opens_turn("省委书记李明同志在全会上强调：")
    (True, True, False)
    """
    if speaker_parts(content):
        return True
    m = SPEAKER_COLON.match(content)
    return m is not None and m.end() < len(content) and speaker_parts(m.group("speaker")) is not None


def _reads_as_headline(line: str) -> bool:
    """A short unindented line without sentence punctuation that is not itself a speaker
    line: the headline of the turn under it."""
    if _INDENT.match(line):
        return False
    line = line.strip()
    return (2 <= len(line) <= MAX_HEADLINE_CHARS and not any(c in line for c in "。！？；：，,;:!?")
            and not line.startswith(("—", "－", "―")) and not opens_turn(line))

"""Patterns of Chinese text: Han and Chinese context, sentence ends, salutations, speaker
and date lines, Chinese numerals.

The character classes themselves are defined once, in ``schemas.characters``;
everything that asks "is this Chinese context?" uses them.
"""

from __future__ import annotations

import re

from schemas.characters import CJK_PUNCT, HAN, UNIFIED_HAN

HAN_RE = re.compile(f"[{HAN}]")
CHINESE_RE = re.compile(f"[{HAN}{CJK_PUNCT}]")

#: Half-width punctuation that Chinese text writes full-width, and its full-width form.
HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}

#: A paragraph may end after these (gold README: 。！？；…”). Half-width forms are listed
#: because the decision is also taken before punctuation is normalised.
SENTENCE_END = "。！？；…”!?;"

#: Chinese numerals as they appear in 公文 heading markers.
CN_NUMERALS = "一二三四五六七八九十百零〇"

#: Salutations after which a space is a paragraph boundary (gold README).
SALUTATION = re.compile(r"(同志们|各位代表|各位委员|各位同志|同事们|朋友们|女士们、先生们|各位领导)[：:，]?")

#: Speaker lines: an office, a space, a name (``上海市市长 龚 正``); the spacing inside the
#: name is deliberate and kept as written.
_SPEAKER = (
    rf"[{UNIFIED_HAN}]{{0,12}}?(?:市长|省长|主席|书记|总理|副总理|部长|县长|区长|州长|盟长|局长|主任|委员长)"
    rf"[ \u3000]*[{UNIFIED_HAN}](?:[ \u3000]?[{UNIFIED_HAN}·]){{1,9}}"
)
SPEAKER_LINE = re.compile(f"(?P<speaker>{_SPEAKER})")
#: Digits as years are written in Chinese (二〇二六年), with their values.
CN_DIGIT_VALUE = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DIGIT = "".join(CN_DIGIT_VALUE)
_DATE = rf"(?:\d{{4}}|[{_CN_DIGIT}]{{4}})年[\d一二三四五六七八九十]{{1,3}}月[\d一二三四五六七八九十]{{1,3}}日"
#: Date lines: ``——2026年2月3日在上海市第十六届人民代表大会第四次会议上``, ``（2009年2月18日）``,
#: ``——二〇二六年一月二十七日在…上``, sometimes with the speaker after a space.
DATE_LINE = re.compile(
    rf"[—－\-―]*[ \u3000]*[（(]?(?P<date>{_DATE})(?:在(?P<occasion>.{{2,80}}?)上(?:的讲话|的报告|的发言)?)?[）)]?"
    rf"(?:[ \u3000]+(?P<speaker>{_SPEAKER}))?"
)
#: The start of a date line, to mend one the page broke in two.
DATE_START = re.compile(rf"[—－\-―]*[ \u3000]*[（(]?{_DATE}在")


def cn_number(numeral: str) -> int | None:
    """The value of a Chinese numeral up to 999, or None if it is not one.

    >>> cn_number("十二"), cn_number("二十"), cn_number("一百零五"), cn_number("甲")
    (12, 20, 105, None)
    """
    if not numeral or any(c not in CN_NUMERALS for c in numeral):
        return None
    total, current = 0, 0
    for c in numeral:
        if c == "百":
            total += (current or 1) * 100
            current = 0
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = CN_DIGIT_VALUE[c]
    return total + current

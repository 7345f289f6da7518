"""Character classes and patterns of Chinese text, defined once.

The ranges follow zhon.hanzi: CJK Unified Ideographs with Extension A and the
compatibility block. Everything that asks "is this Chinese context?" uses these.
"""

from __future__ import annotations

import re

#: Han ideographs: CJK Unified (4E00–9FFF), Extension A (3400–4DBF), compatibility (F900–FAFF).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

#: Chinese punctuation: CJK symbols (3000–303F: 、。〈〉《》「」【】…), full-width forms
#: (FF01–FF5E: ，：；！？（）…), curly quotes, ellipsis and em dash as Chinese text uses them.
CJK_PUNCT = "\u3000-\u303f\uff01-\uff5e\u201c\u201d\u2018\u2019\u2026\u2014"

HAN_RE = re.compile(f"[{HAN}]")
CHINESE_RE = re.compile(f"[{HAN}{CJK_PUNCT}]")

#: Half-width punctuation that Chinese text writes full-width, and its full-width form.
HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}

#: A paragraph may end after these (gold README: 。！？；…”). Half-width forms are listed
#: because the decision is also taken before punctuation is normalised.
SENTENCE_END = "。！？；…”!?;"

#: Chinese numerals as they appear in 公文 heading markers.
CN_NUMERALS = "一二三四五六七八九十百零〇"
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


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
            current = _CN_DIGITS[c]
    return total + current

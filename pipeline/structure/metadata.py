"""What a speech says about itself: speaker and office, date and place, occasion,
dateline, genre and kind of meeting.

Read from its title and from the lines under it (``上海市市长 龚 正``,
``——2026年1月26日在…会议上``, ``（2019年10月9日，北京）``, ``新华社北京10月9日电``,
``——在…上的主旨演讲``), never guessed from the body. A speaker is stored as the name
without the page's layout spaces (``龚正``) and the office apart (``上海市市长``); the line as
printed stays in the removals.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.text.chardata import CN_DIGIT_VALUE, SALUTATION, SUBTITLE_LINE, cn_number, date_line, speaker_parts
from schemas.characters import UNIFIED_HAN

#: The meeting named in a title: ``在全市…电视电话会议上的讲话``.
OCCASION_IN_TITLE = re.compile(r"在(?P<occasion>.{2,80}?)上的(?:讲话|发言|致辞|报告|讲稿|总结讲话|主持词|主旨演讲|演讲|祝酒词|贺词)")

#: Genre keywords. A title's head noun comes last (关于政府工作报告的决议 is a 决议), so the
#: keyword that ends latest wins; on a tie the earlier entry does.
GENRES: tuple[tuple[str, re.Pattern], ...] = (
    ("党课讲稿", re.compile("党课(?:讲稿)?")),
    ("工作报告", re.compile("工作报告|政府工作报告")),
    ("致辞", re.compile("致辞|贺词|致词|祝酒词")),
    ("决议", re.compile("决议")),
    ("发言", re.compile("发言")),
    ("讲话", re.compile("讲话|讲稿")),
    ("报告", re.compile("报告")),
)

#: Kinds of meeting, most specific first: the first of these named in the occasion (or
#: the title) is the speech's occasion_type, so 人民代表大会第四次会议 is a 人民代表大会.
OCCASION_TYPES = (
    "电视电话会议", "视频会议", "视频会", "调度会", "座谈会", "推进会", "动员会", "部署会", "现场会", "务虚会",
    "专题会", "培训班", "研讨会", "报告会", "表彰大会", "纪念大会", "常委会", "全体会议", "全会",
    "人民代表大会", "代表大会", "民主生活会", "组织生活会", "中心组学习", "茶话会", "党课", "工作会议", "会议",
)

_BARE_NAME = re.compile(f"[{UNIFIED_HAN}]{{2,4}}")


@dataclass(frozen=True)
class LineMetadata:
    """What one metadata line says; None where it says nothing."""

    speaker: str | None = None
    delivered_on: dt.date | None = None
    occasion: str | None = None
    speaker_title: str | None = None
    place: str | None = None
    dateline: str | None = None
    subtitle: str | None = None


#: The fields of ``LineMetadata``, which a speech takes from its lines (the first wins).
LINE_FIELDS = ("speaker", "speaker_title", "delivered_on", "place", "occasion", "dateline", "subtitle")


def from_line(chars: str, kind: str) -> LineMetadata:
    """The metadata of a ``"speaker"``, ``"date"``, ``"dateline"`` or ``"subtitle"`` line
    (a date line broken in two is read whole).

    >>> from_line("——2026年2月3日在上海市第十六届人民代表大会第四次会议上", "date")
    LineMetadata(speaker=None, delivered_on=datetime.date(2026, 2, 3), occasion='上海市第十六届人民代表大会第四次会议', speaker_title=None, place=None, dateline=None, subtitle=None)
    >>> from_line("上海市市长 龚 正", "speaker")
    LineMetadata(speaker='龚正', delivered_on=None, occasion=None, speaker_title='上海市市长', place=None, dateline=None, subtitle=None)
    """
    line = re.sub(r"\s*\n\s*", "", chars)
    if kind == "speaker":
        name, office = speaker_parts(line) or (line.rstrip("：:"), None)
        return LineMetadata(speaker=name, speaker_title=office)
    if kind == "dateline":
        return LineMetadata(dateline=line)
    if kind == "subtitle":
        m = SUBTITLE_LINE.fullmatch(line)
        return LineMetadata(subtitle=line, occasion=m.group("occasion") if m else None)
    m = date_line(line)
    if not m:
        return LineMetadata()
    groups = m.groupdict()
    name, office = (speaker_parts(groups["speaker"]) or (groups["speaker"], None)) if groups.get("speaker") else (None, None)
    return LineMetadata(speaker=name, speaker_title=office, delivered_on=date(m.group("date")),
                        occasion=groups.get("occasion"), place=groups.get("place"))


def is_name_before_salutation(line: str, next_paragraph: str | None) -> bool:
    """A line of two to four Han characters right before the opening salutation: the
    speaker's name on its own (``毛伟明`` then ``各位代表：``).

    >>> is_name_before_salutation("毛伟明", "各位代表："), is_name_before_salutation("毛伟明", "今天开会。")
    (True, False)
    """
    return (_BARE_NAME.fullmatch(line) is not None and next_paragraph is not None
            and SALUTATION.fullmatch(next_paragraph) is not None)


def occasion_in_title(title: str | None) -> str | None:
    """The meeting a title names.

    >>> occasion_in_title("在全市安全生产电视电话会议上的讲话")
    '全市安全生产电视电话会议'
    """
    m = OCCASION_IN_TITLE.search(title) if title else None
    return m.group("occasion") if m else None


def date(text: str) -> dt.date | None:
    """The date of ``2026年2月3日`` or ``二〇二六年一月二十七日``; None when impossible.

    >>> date("二〇二六年一月二十七日"), date("2026年2月30日")
    (datetime.date(2026, 1, 27), None)
    """
    m = re.fullmatch(r"(.{4})年(.{1,3})月(.{1,3})日", text)
    if not m:
        return None
    year = "".join(c if c.isdigit() else str(CN_DIGIT_VALUE[c]) for c in m.group(1))
    values = [int(year)] + [int(v) if v.isdigit() else (cn_number(v) or 0) for v in (m.group(2), m.group(3))]
    try:
        return dt.date(*values)
    except ValueError:
        return None


def occasion_type(occasion: str | None, title: str | None) -> str | None:
    """The kind of meeting named in the occasion, else in the title.

    >>> occasion_type("全市统筹推进新冠肺炎疫情防控和经济社会发展工作落实电视电话会议", None)
    '电视电话会议'
    >>> occasion_type(None, "统筹推进新冠肺炎疫情防控和经济社会发展工作调度会上的发言")
    '调度会'
    >>> occasion_type("上海市第十六届人民代表大会第四次会议", None)
    '人民代表大会'
    """
    for text in (occasion, title):
        if text:
            found = next((t for t in OCCASION_TYPES if t in text), None)
            if found:
                return found
    return None


def genre(title: str | None) -> str | None:
    """The genre a title names, or None.

    >>> genre("党课讲稿：学习统筹推进疫情防控和脱贫攻坚"), genre("在全市电视电话会议上的讲话"), genre("汇编")
    ('党课讲稿', '讲话', None)
    """
    if not title:
        return None
    found = [(m.end(), -rank, name) for rank, (name, pattern) in enumerate(GENRES) for m in pattern.finditer(title)]
    return max(found)[2] if found else None

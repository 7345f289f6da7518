"""Patterns of Chinese text: Han and Chinese context, sentence ends, salutations, speaker
and date lines, Chinese numerals.

The character classes themselves are defined once, in ``schemas.characters``;
everything that asks "is this Chinese context?" uses them.
"""

from __future__ import annotations

import re

from schemas.characters import CJK_PUNCT, HAN, UNIFIED_HAN

HAN_RE = re.compile(f"[{HAN}]")
HAN_RUN = re.compile(f"[{HAN}]+")
CHINESE_RE = re.compile(f"[{HAN}{CJK_PUNCT}]")

#: Half-width punctuation that Chinese text writes full-width, and its full-width form.
HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}

#: A paragraph may end after these (gold README: 。！？；…”). Half-width forms are listed
#: because the decision is also taken before punctuation is normalised.
SENTENCE_END = "。！？；…”!?;"
#: The sentence ends no title holds: a closing quote is one only after another mark, and
#: titles hold “…” (``在“不忘初心、牢记使命”主题教育总结大会上的讲话``).
SENTENCE_STOP = "。！？；…!?;"

#: Chinese numerals as they appear in 公文 heading markers.
CN_NUMERALS = "一二三四五六七八九十百零〇"

#: One addressee of a salutation. Salutations are a family, not a list: ``尊敬的…``,
#: ``亲爱的…``, ``各位…`` or a noun of people with 们 (同志们, 老师们, 企业家朋友们); the
#: pronouns with 们 (我们, 你们…) address nobody.
_ADDRESSEE = (
    r"(?:(?:尊敬的|亲爱的|敬爱的)[^\s，、：。！？；“”,:;!?]{1,24}"
    r"|各位[^\s，、：。！？；“”,:;!?]{0,12}"
    rf"|(?!我们|你们|他们|她们|它们|咱们|人们)[{UNIFIED_HAN}]{{1,8}}们)"
)
#: An addressee and the people it lists with 、: the list shares the addressee's opening,
#: so an item after 、 may be a bare noun of a few characters (``尊敬的各位老领导、老同志``,
#: ``亲爱的老师们、同学们``), and items before it share its ending (``运动员、教练员、裁判员同志们``).
#: After ， an item must be an addressee of its own.
_ADDRESSEE_LIST = rf"(?:[{UNIFIED_HAN}]{{1,5}}、){{0,5}}{_ADDRESSEE}(?:、(?:{_ADDRESSEE}|[{UNIFIED_HAN}]{{1,5}}))*"
#: A salutation line: addressees joined by ， or 、, ending in ：, ， or ！ (or nothing). A
#: salutation may run over two or three lines, each a salutation line (``女士们，先生们，`` /
#: ``朋友们：``). ``fullmatch`` a line; ``match`` finds one opening a block.
SALUTATION = re.compile(rf"{_ADDRESSEE_LIST}(?:[，,]{_ADDRESSEE_LIST})*[：:，,！!]?")

#: Single-character surnames, most common first, and the compound ones: a speaker line's
#: name starts with one. (A name is what a page prints after the office; the surname is the
#: evidence that the last characters are a name and not the end of a phrase.)
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒"
    "阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇"
    "桑郎甄丛仲虞敖巩明佘池查麻苑迟邝封谈匡鞠惠荆乐冀郁胥南班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻厉伊仝"
    "郜阚权帅屠朴盖练廉禹井祖漆巴丰支卿狄计索宣晋相初门云容敬扈晁芮都普阙浦戈伏鹿薄邸雍辜羊乌母裘亓"
    "修邰赫杭况那宿鲜印逯隆茹诸战慕危银亢嵇湛戎勾茅揭尉冶束檀信展阴昝智幸奉植衡富尧闭"
) | frozenset({"欧阳", "司马", "诸葛", "上官", "东方", "慕容", "令狐", "皇甫", "尉迟", "公孙", "长孙", "宇文",
               "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "呼延", "万俟", "澹台", "公冶", "申屠"})

#: Characters an organisation's name ends with (县委, 教育局, 人民政府, 大学…).
ORGANISATION_END = "委局府院校会厅部办市县区省州镇乡村司团社所室处科心学行队组站馆厂党"

#: Last characters of an office or a description of the speaker (局长, 主任, 书记, 代表,
#: 青年, 研究生, 工人…) when nothing but the surname separates it from the name.
OFFICE_END = "长任席记员官生年人师表理士授家工者导监委事裁督总匠手农兵警"

#: A transliterated foreign name: given name and surname joined by the interpunct
#: (``艾米莉·卡特``, ``马丁·霍夫曼``); no Chinese surname list applies to it.
FOREIGN_NAME = rf"[{UNIFIED_HAN}]{{1,8}}(?:·[{UNIFIED_HAN}]{{1,8}}){{1,3}}"
_NAME = rf"(?:{FOREIGN_NAME}|[{UNIFIED_HAN}](?:[ \u3000]{{0,3}}[{UNIFIED_HAN}·]){{1,3}})"
#: The shape of a speaker line: an office, a gap, a name (``上海市市长 龚 正``,
#: ``南屏大学校长  陈静``, ``江州市市长　李　明``). Only the shape; ``speaker_parts`` decides.
_SPEAKER = rf"[{UNIFIED_HAN}（）、·]{{1,40}}?[ \u3000]+{_NAME}"
#: A turn opened by the speaker's office and name and a colon, alone or before the text:
#: ``市工商联主席王华：``.
SPEAKER_COLON = re.compile(rf"(?P<speaker>[{UNIFIED_HAN}（）、·]{{3,40}}?)[：:]")

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
#: A date and the place of delivery in brackets under a title: ``（2019年10月9日，北京）``.
DATE_PLACE_LINE = re.compile(rf"[（(](?P<date>{_DATE})[，,、 \u3000]+(?P<place>[{UNIFIED_HAN}]{{2,12}})[）)]")
#: A line that is nothing but a date, to the month or the day (``2023年12月``, a letter's or a
#: speech's date under its title or its signature): never a title.
BARE_DATE = re.compile(rf"[（(]?(?:\d{{4}}|[{_CN_DIGIT}]{{4}})年[\d一二三四五六七八九十]{{1,3}}月(?:[\d一二三四五六七八九十]{{1,3}}日)?[）)]?")
#: The start of a date line, to mend one the page broke in two.
DATE_START = re.compile(rf"[—－\-―]*[ \u3000]*[（(]?{_DATE}在")

#: A newspaper dateline: agency or paper, place, date, 电 or 讯, and the reporters if named
#: (``新华社北京10月9日电``, ``本报江州1月9日电（记者张伟）``).
DATELINE = re.compile(
    rf"(?:本报|本刊|[{UNIFIED_HAN}]{{1,6}}(?:社|网|台|报))[{UNIFIED_HAN}]{{1,10}}?"
    r"\d{1,2}月\d{1,2}日(?:电|讯)(?:[ \u3000]?[（(](?:记者|通讯员|特约记者)[^（）()\n]{1,40}[）)])?"
)
#: A subtitle under a title: ``——在第二届东湖国际合作论坛上的主旨演讲``.
SUBTITLE_LINE = re.compile(rf"[—－―]{{1,2}}[ \u3000]*(?P<subtitle>在(?P<occasion>[^。！？\n]{{2,80}}?)上的[{UNIFIED_HAN}]{{2,8}})")
#: Any short dash line is a subtitle where it opens a speech body, right under the title
#: (``——致即将远行的你们``, ``——专题党课讲稿``); not the ``——编者`` sign-off.
OPENING_SUBTITLE = re.compile(rf"[—－―]{{1,2}}[ \u3000]*(?!编\s*者)(?=[^\n]*[{UNIFIED_HAN}])[^\s。！？；，：,.!?;:]{{2,30}}")


#: An ordinal opening a part of a speech, closed by its mark: ``第一，统一思想，…``,
#: ``第二个问题：怎样坚定理想信念``. Group ``number`` is the numeral.
ORDINAL_OPENING = re.compile(r"第(?P<number>[一二三四五六七八九十]{1,3})(?:个问题|个方面|部分|点)?[，：,:]")
#: Longest part heading that opens with an ordinal and stands on its own line.
MAX_ORDINAL_HEADING_CHARS = 30


def ordinals_in_sequence(openings: list[tuple[int, str]]) -> set[int]:
    """The keys of ordinal openings (``(key, text)``, in text order) numbered in sequence,
    two or more in a row (第一… 第二…): the parts of one speech. A lone ``第一，`` is as
    likely a sentence's first point as a heading.

    >>> sorted(ordinals_in_sequence([(3, "第一，甲"), (9, "第二，乙"), (20, "第一，丙")]))
    [3, 9]
    """
    found: set[int] = set()
    run: list[int] = []
    last = 0
    for key, text in openings:
        m = ORDINAL_OPENING.match(text)
        number = cn_number(m.group("number")) if m else None
        if number is not None and number == last + 1 and run:
            run.append(key)
        else:
            if len(run) >= 2:
                found.update(run)
            run = [key] if number == 1 else []
        last = number or 0
    if len(run) >= 2:
        found.update(run)
    return found


#: Shortest and longest subhead a one-line layout shows by position alone (shorter: the start
#: of a sentence, ``更好发挥``; longer: a sentence a page break cut).
MIN_SUBHEAD_CHARS = 6
MAX_SUBHEAD_CHARS = 16


#: A statement closed by 是…的 (``实绩是干出来的``, ``口碑是群众给的``): its 的 ends it, as a
#: subhead may end, where a 的 elsewhere leaves a noun to come.
STATEMENT = re.compile(r"[^是的\s]{1,6}是[^是\s]{2,10}的")


def sibling_frames(subhead: str) -> list[str]:
    """The frames a subhead may share with its siblings: its first two characters, and its
    last two when it is no longer than ``MAX_SUBHEAD_CHARS``. Parallel subheads open alike
    (``坚持把…``) or end alike (``做政治上靠得住的人`` … ``做工作上有本事的人``), or are both
    是…的 statements (``STATEMENT``); page breaks do not.

    >>> sibling_frames("做工作上有本事的人"), sibling_frames("口碑是群众给的")
    (['opens 做工', 'ends 的人'], ['opens 口碑', 'ends 给的', '是…的'])
    """
    frames = ["opens " + subhead[:2]]
    if len(subhead) <= MAX_SUBHEAD_CHARS:
        frames.append("ends " + subhead[-2:])
    if STATEMENT.fullmatch(subhead):
        frames.append("是…的")
    return frames


#: Words that may open the second clause of a couplet and not the first: ``…，也读无字之书``.
_COUPLET_LINKS = "也又更还才就"


def couplet(line: str) -> bool:
    """Whether ``line`` is two parallel clauses joined by one comma, as subheads and slogans
    are written (``读有字之书，也读无字之书``, ``既要金山银山，也要绿水青山``): three to ten Han
    characters each, of one length once a linking word opening the second is set aside
    (``_COUPLET_LINKS``), alike in two or more places. Clauses a page break or a wrap cut
    are not parallel (``要加强组织领导，切实抓好落``).

    >>> couplet("读有字之书，也读无字之书"), couplet("既要金山银山，也要绿水青山"), couplet("要加强组织领导，切实抓好落")
    (True, True, False)
    """
    parts = line.split("，")
    if len(parts) != 2 or not all(HAN_RUN.fullmatch(part) for part in parts):
        return False
    first, second = parts
    if len(second) == len(first) + 1 and second[0] in _COUPLET_LINKS:
        second = second[1:]
    if len(first) != len(second) or not 3 <= len(first) <= 10:
        return False
    return sum(a == b for a, b in zip(first, second)) >= 2


def spaced_pattern(title: str) -> str:
    """A regex for a title that allows one page-break space between any two of its
    characters and ignores the spaces it has itself: a compilation's title in its table
    of contents and at the head of its speech may differ so (issue 19, point 3).

    >>> bool(re.fullmatch(spaced_pattern("安全 生产会议"), "安全生产 会议"))
    True
    """
    return "[ \\t\u00a0]?".join(re.escape(c) for c in title if not c.isspace())


def date_line(line: str) -> re.Match | None:
    """The match of a whole date line (``DATE_LINE`` or ``DATE_PLACE_LINE``), or None.

    >>> date_line("（2019年10月9日，北京）").group("place"), date_line("2019年10月9日，我们开会。")
    ('北京', None)
    """
    return DATE_PLACE_LINE.fullmatch(line) or DATE_LINE.fullmatch(line)


def speaker_parts(line: str) -> tuple[str, str | None] | None:
    """``(name, office)`` of a speaker line, the name without layout spaces; None when the
    line is not one.

    The name is where the evidence says it is: after a layout gap (two spaces or an
    ideographic space), as letter-spaced single characters, or after a single space or a
    colon when the office ends like an office (长, 主任, 书记, 代表…). In every case the
    name is two to four characters starting with a surname.

    >>> speaker_parts("上海市市长 龚 正"), speaker_parts("南屏大学党委书记  张  三")
    (('龚正', '上海市市长'), ('张三', '南屏大学党委书记'))
    >>> speaker_parts("市发展改革委主任刘洋："), speaker_parts("坚定信心 看好未来")
    (('刘洋', '市发展改革委主任'), None)
    >>> speaker_parts("罗森堡市市长  艾米莉·卡特"), speaker_parts("中国·江州  国际博览会")
    (('艾米莉·卡特', '罗森堡市市长'), None)
    """
    line = line.strip().rstrip("：:")
    if not line or any(c in line for c in "，。！？；：,.!?;:“”《》") or _HEADING_MARKER.match(line):
        return None  # a numbered heading (``（一）强化督查问责``) names no office
    gap = re.search(r"[ ]{2,}|\u3000", line)
    if gap and gap.start() > 0:
        office, name = line[:gap.start()].strip(), re.sub(r"[ \u3000]", "", line[gap.end():])
        return (name, office) if _is_name(name) and _is_office(office, strict=False) else None
    tokens = line.split()
    if len(tokens) >= 3 and all(len(t) == 1 for t in tokens[1:]):  # letter-spaced: 市长 龚 正
        name, office = "".join(tokens[1:]), tokens[0]
        return (name, office) if _is_name(name) and _is_office(office, strict=False) else None
    if len(tokens) == 2:
        office, name = tokens
        return (name, office) if _is_name(name) and _is_office(office, strict=True) else None
    if len(tokens) == 1:
        for size in (3, 2, 4):
            name, office = line[-size:], line[:-size]
            if _is_name(name) and _is_office(office, strict=True):
                return name, office
    return None


def name_alone(line: str) -> bool:
    """Whether ``line`` is a person's name and nothing else (``郑怀远``): two to four Han
    characters opening with a surname, or a transliterated name, and no word of the
    dictionary (``金秋``, ``高度``). Read only where a speaker line stands, under a title.

    >>> name_alone("郑怀远"), name_alone("艾米莉·卡特"), name_alone("金秋"), name_alone("同志们")
    (True, True, False, False)
    """
    from pipeline.text.linebreaks import trusted_words  # the dictionary module reads these patterns

    return _is_name(line) and line not in trusted_words()


#: A 公文 heading marker opening a line: no office starts with one.
_HEADING_MARKER = re.compile(r"[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百0-9]{1,3}[）)]")
_NAME_CHARS = re.compile(f"[{UNIFIED_HAN}][{UNIFIED_HAN}·]{{1,3}}")
_OFFICE_CHARS = re.compile(f"[{UNIFIED_HAN}（）、·]+")


_FOREIGN_NAME = re.compile(FOREIGN_NAME)
#: Longest transliterated name a speaker line holds.
MAX_FOREIGN_NAME_CHARS = 16


def _is_name(name: str) -> bool:
    if "·" in name:
        return _FOREIGN_NAME.fullmatch(name) is not None and len(name) <= MAX_FOREIGN_NAME_CHARS
    return (_NAME_CHARS.fullmatch(name) is not None and (name[0] in SURNAMES or name[:2] in SURNAMES)
            and (len(name) < 4 or name[:2] in SURNAMES))


def _is_office(office: str, strict: bool) -> bool:
    if not 2 <= len(office) <= 40 or "同志" in office or not _OFFICE_CHARS.fullmatch(office):
        return False
    return HAN_RE.match(office[-1]) is not None and (not strict or office[-1] in OFFICE_END)


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

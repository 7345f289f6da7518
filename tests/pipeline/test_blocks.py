"""Blocks of a speech body: boundaries, page-break spaces, inline structure, metadata lines."""

from __future__ import annotations

import pytest

from pipeline.spans import Text
from pipeline.structure import blocks, spaces


def _split(body: str, lectures: set[str] = frozenset()) -> tuple[list[tuple[str, bool, str | None]], list]:
    page_breaks: list[tuple[int, int]] = []
    found = blocks.split(Text.from_source(body), set(lectures), page_breaks)
    return [(b.text.chars, b.line, b.metadata) for b in found], page_breaks


@pytest.mark.parametrize("body, expected", [
    ("第一句。 第二句。", ["第一句。", "第二句。"]),                  # after a sentence end
    ("作 出决策，部署工作。", ["作出决策，部署工作。"]),               # a page break inside a sentence
    ("践行“三严三实” 推行“四个全面”。", ["践行“三严三实” 推行“四个全面”。"]),  # a phrase's closing quote
    ("他说：“好。” 大家鼓掌。", ["他说：“好。”", "大家鼓掌。"]),        # a sentence's closing quote
    ("GDP growth 5%。", ["GDP growth 5%。"]),                        # Latin words keep their space
    ("一、总体要求 今年要做好工作。", ["一、总体要求", "今年要做好工作。"]),  # after a heading
    ("同志们：今天召开会议。", ["同志们：", "今天召开会议。"]),         # after an opening salutation
    ("开场白。一、总体要求。二、突出重点。", ["开场白。", "一、总体要求。", "二、突出重点。"]),  # numbered run in text
    ("抓好落实。三、不是接着的编号。", ["抓好落实。三、不是接着的编号。"]),
])
def test_split(body, expected):
    assert [chars for chars, _, _ in _split(body)[0]] == expected


def test_removed_page_breaks_are_source_ranges():
    _, page_breaks = _split("作 出决策， 部署。")
    assert page_breaks == [(1, 2), (6, 7)]


def test_a_lecture_title_ends_its_block():
    assert [c for c, _, _ in _split("党课讲稿一 正文。", {"党课讲稿一"})[0]] == ["党课讲稿一", "正文。"]


def test_speaker_and_date_lines_come_out_whole_as_metadata():
    found, page_breaks = _split("上海市市长 龚 正\n——2026年1月26日在上海市第十六届\n人民代表大会第四次会议上\n正文。")
    assert found == [("上海市市长 龚 正", True, "speaker"),
                     ("——2026年1月26日在上海市第十六届\n人民代表大会第四次会议上", True, "date"),
                     ("正文。", True, None)]
    assert page_breaks == []


def test_a_whole_line_is_marked_as_a_line():
    assert _split("一行。\n第一句。 第二句。")[0] == [("一行。", True, None), ("第一句。", False, None), ("第二句。", False, None)]


def test_strip_keeps_offsets():
    text = blocks.strip(Text.from_source("\u3000\u3000正文。 \n"))
    assert (text.chars, text.source_span(0, len(text))) == ("正文。", (2, 5))


@pytest.mark.parametrize("body, expected", [
    # a group of phrases on its own line keeps its spaces (issue 19, point 8)
    ("不忘初心 牢记使命", ["不忘初心 牢记使命"]),
    ("守初心 担使命 找差距 抓落实", ["守初心 担使命 找差距 抓落实"]),
    ("一、坚持人民至上 守护万家平安", ["一、坚持人民至上 守护万家平安"]),
    # …but not a page break splitting a word, nor a no-break space after a marker
    ("（二）持续激发消 费活力", ["（二）持续激发消费活力"]),
    ("一、\u00a0充分肯定过去一年改革取得的成效", ["一、充分肯定过去一年改革取得的成效"]),
    # a slogan in quotation marks keeps its space; a space in a clause is a page break
    ("本届论坛以“共享机遇 共创未来”为主题。", ["本届论坛以“共享机遇 共创未来”为主题。"]),
    ("我们要坚持问题导向 着力解决群众急难愁盼问题。", ["我们要坚持问题导向着力解决群众急难愁盼问题。"]),
    # indentation inside a collapsed line starts a paragraph, even after ，
    ("\u3000\u3000女士们，先生们，\u3000\u3000朋友们：\u3000\u3000今晚，我们相聚。", ["女士们，先生们，", "朋友们：", "今晚，我们相聚。"]),
])
def test_phrase_spaces_and_indentation(body, expected):
    assert [chars for chars, _, _ in _split(body)[0]] == expected


SEED = "开场。 第二句话。 第三句话。 "  # enough sentence ends followed by a space: the seed layout


@pytest.mark.parametrize("body, expected", [
    # a phrase-pair subhead followed by a sentence
    ("坚定信心 看好未来 民营经济是我市经济的重要组成部分，贡献很大。",
     ["坚定信心 看好未来", "民营经济是我市经济的重要组成部分，贡献很大。"]),
    # an unpunctuated subhead followed by its paragraph
    ("深刻认识地方志工作的重要意义 盛世修志，志载盛世。地方志是中华民族特有的文化传承形式。",
     ["深刻认识地方志工作的重要意义", "盛世修志，志载盛世。地方志是中华民族特有的文化传承形式。"]),
    # NEGATIVE: a sentence a page break cut a few characters before its end
    ("全面提高人才 队伍质量。发挥人才高地的辐射作用。", ["全面提高人才队伍质量。发挥人才高地的辐射作用。"]),
    # a toast's cadence, one line broken by a page break
    ("现在，我提议： 为各 友好城市之间的友谊， 为本届大会的圆满成功， 干杯！",
     ["现在，我提议：", "为各友好城市之间的友谊，", "为本届大会的圆满成功，", "干杯！"]),
    # issue 19, round 6: the cadence holds the line together where a page break leaves a piece
    # that reads as a subhead (为南屏大学更加)
    ("让我们共同举杯， 为母校九十华诞， 为南屏大学更加 美好的明天， 干杯！",
     ["让我们共同举杯，", "为母校九十华诞，", "为南屏大学更加美好的明天，", "干杯！"]),
    # NEGATIVE: page breaks after commas inside a long sentence
    ("要压实分区分级精准防控策略， 制定差异化区域防控措施， 统筹考虑国家信贷政策，确保各项工作落到实处。",
     ["要压实分区分级精准防控策略，制定差异化区域防控措施，统筹考虑国家信贷政策，确保各项工作落到实处。"]),
    # a salutation over two units, a date line and a speaker
    ("（2022年6月24日） 南屏大学校长  陈静 尊敬的各位来宾， 女士们，先生们： 大家好！",
     ["（2022年6月24日）", "南屏大学校长  陈静", "尊敬的各位来宾，", "女士们，先生们：", "大家好！"]),
    # a run-in heading broken by a page break, and one broken right after its marker
    ("（三）壮大村级集体经 济。要因村施策。 （一）着 力扩大有效投资 要紧盯重点项目。",
     ["（三）壮大村级集体经济。要因村施策。", "（一）着力扩大有效投资", "要紧盯重点项目。"]),
    # a heading does not swallow the next marker after a closing quote
    ("一、坚决守牢“两条底线” （一）守牢粮食安全底线。要稳定面积。",
     ["一、坚决守牢“两条底线”", "（一）守牢粮食安全底线。要稳定面积。"]),
    # issue 19, round 2: a page break inside a date line; a letter-spaced name ends before
    # the salutation after it
    ("（2023年10月21日，桐 溪） 中共沧澜县委书记  方  舟 尊敬的各位领导，各位嘉宾： 大家好！",
     ["（2023年10月21日，桐溪）", "中共沧澜县委书记  方  舟", "尊敬的各位领导，各位嘉宾：", "大家好！"]),
    # a salutation listing its addressees with 、
    ("霁川市副市长  陶  然 尊敬的各位老领导、老校友， 亲爱的老师们、同学们： 大家好！",
     ["霁川市副市长  陶  然", "尊敬的各位老领导、老校友，", "亲爱的老师们、同学们：", "大家好！"]),
    # NEGATIVE: a page break after 各位 does not end a salutation its mark has not closed
    ("尊敬的各位 领导，各位来宾： 大家好！", ["尊敬的各位领导，各位来宾：", "大家好！"]),
    # parallel subheads longer than a lone subhead may be, opening with the same words
    ("坚持把发展特色产业作为乡村振兴的根本之策 我们立足高山冷凉气候，发展三大特色产业，建成基地二十八万亩。 "
     "坚持把改善人居环境作为乡村振兴的重要任务 我们整县推进农村厕所革命，建成示范村四十六个。",
     ["坚持把发展特色产业作为乡村振兴的根本之策", "我们立足高山冷凉气候，发展三大特色产业，建成基地二十八万亩。",
      "坚持把改善人居环境作为乡村振兴的重要任务", "我们整县推进农村厕所革命，建成示范村四十六个。"]),
    # a page break inside a phrase group: a lone character joins the phrase after it
    ("锤炼作风 建 强队伍 全体干部要以身作则，严守纪律，敢于担当。",
     ["锤炼作风 建强队伍", "全体干部要以身作则，严守纪律，敢于担当。"]),
    # issue 19, round 6: a lone character a word runs into joins the phrase before it
    ("造福老区 不负人 民 让老区人民过上好日子，是我们的庄严承诺。",
     ["造福老区 不负人民", "让老区人民过上好日子，是我们的庄严承诺。"]),
    # ... or when it makes the phrase before as long as the first, with no dictionary word across
    ("开放包容 人文相 亲 区域合作不仅是经济的合作，也是文化的交流。",
     ["开放包容 人文相亲", "区域合作不仅是经济的合作，也是文化的交流。"]),
    ("勇攀高峰 敢为人 先 创新从来都是九死一生，但我们必须坚持。",
     ["勇攀高峰 敢为人先", "创新从来都是九死一生，但我们必须坚持。"]),
    # NEGATIVE: a word runs on from the lone character into the phrase after it, as before
    ("守正创新 敢 为人先 全市上下要以改革的办法破解发展难题。",
     ["守正创新 敢为人先", "全市上下要以改革的办法破解发展难题。"]),
    # a page break before 的: no sentence opens on a bare particle, so the phrase group is two
    # phrases, not three, and no subhead ends there
    ("铭记历史 不忘来路 历史是最好 的教科书。要加强革命文物保护利用。",
     ["铭记历史 不忘来路", "历史是最好的教科书。要加强革命文物保护利用。"]),
    ("坚定不移推进改革开放 的历史经验告诉我们，改革是发展的动力。",
     ["坚定不移推进改革开放的历史经验告诉我们，改革是发展的动力。"]),
    # nor on the copula 是 or a conjunction (和, 与) that joins two nouns
    ("数字政府建设 是一场深刻的自我革命。三年来成效明显。", ["数字政府建设是一场深刻的自我革命。三年来成效明显。"]),
    ("守住安全底线 发展和安全 是一体之两翼。要落实网络安全责任制。",
     ["守住安全底线", "发展和安全是一体之两翼。要落实网络安全责任制。"]),
    ("坚持绿色低碳发展 和安全发展，推动产业转型升级。", ["坚持绿色低碳发展和安全发展，推动产业转型升级。"]),
    # 让我们 opens a sentence, not a subhead
    ("让我们以纪念 解放七十五周年为新的起点，团结一心、接续奋斗！", ["让我们以纪念解放七十五周年为新的起点，团结一心、接续奋斗！"]),
    # NEGATIVE: a subhead may open with 让 before a noun
    ("让群众少跑腿 我们推行一网通办，办事更方便。", ["让群众少跑腿", "我们推行一网通办，办事更方便。"]),
    # NEGATIVE: words opening on 是, 和 or 之 open a sentence as any other
    ("深化国有企业改革 是否真正见效，要看企业活力。", ["深化国有企业改革", "是否真正见效，要看企业活力。"]),
    ("建设和美乡村示范带 和谐的邻里关系是乡村的底色，要用心呵护。",
     ["建设和美乡村示范带", "和谐的邻里关系是乡村的底色，要用心呵护。"]),
    # NEGATIVE: a word opening on 的 or 地 opens a sentence as any other
    ("铭记历史 不忘来路 的确，历史是最好的教科书，要加强保护利用。",
     ["铭记历史 不忘来路", "的确，历史是最好的教科书，要加强保护利用。"]),
    ("推进乡村全面振兴 地方各级党委要扛起责任，抓好落实。",
     ["推进乡村全面振兴", "地方各级党委要扛起责任，抓好落实。"]),
    # a page break before a noun phrase closing the sentence: it cannot stand as a sentence
    ("民营经济是鹤岭 发展的主力军。全县民营企业贡献了68%的税收。",
     ["民营经济是鹤岭发展的主力军。全县民营企业贡献了68%的税收。"]),
    # NEGATIVE: a short first sentence with a subject and a predicate follows a subhead
    ("共建共享是目标 这是我们的初心。全区上下要共同努力，久久为功。",
     ["共建共享是目标", "这是我们的初心。全区上下要共同努力，久久为功。"]),
    ("绿色发展是出路 生态的底色更亮了。全区森林覆盖率达到62%。",
     ["绿色发展是出路", "生态的底色更亮了。全区森林覆盖率达到62%。"]),
    # a page break inside a name the text writes again elsewhere: no subhead ends inside it
    ("民营经济是鹤 岭发展的主要力量，贡献很大。民营企业好，鹤岭才会好。鹤岭企业通办事方便。",
     ["民营经济是鹤岭发展的主要力量，贡献很大。民营企业好，鹤岭才会好。鹤岭企业通办事方便。"]),
    # NEGATIVE: the two characters stand together elsewhere, but words of the dictionary end
    # and open at the space
    ("壮大村级集体经济 我们要因村施策，多种模式并举。经济我们要抓，经济我们要管。",
     ["壮大村级集体经济", "我们要因村施策，多种模式并举。经济我们要抓，经济我们要管。"]),
    # a page break cut a heading short: a sibling of its kind stands twice as long
    ("一、正确 认识当前经济形势 今年以来，经济运行稳中有进。 二、明年经济工作的重点任务 要扩大有效投资。",
     ["一、正确认识当前经济形势", "今年以来，经济运行稳中有进。", "二、明年经济工作的重点任务", "要扩大有效投资。"]),
    ("（一）扩大 优质教育资源供给 要推进集团化办学。 （二）推进教育数字化转型 要建设智慧教育平台。",
     ["（一）扩大优质教育资源供给", "要推进集团化办学。", "（二）推进教育数字化转型", "要建设智慧教育平台。"]),
    # a short subhead a page break cut before its last word still counts as a sibling
    ("项目攻 坚战 项目是发展的硬支撑，今年要抓好。 城乡建设攻坚战 要加快县城改造，完成危房改造。 "
     "作风攻坚战 所有攻坚战都要靠作风来保障。",
     ["项目攻坚战", "项目是发展的硬支撑，今年要抓好。", "城乡建设攻坚战", "要加快县城改造，完成危房改造。",
      "作风攻坚战", "所有攻坚战都要靠作风来保障。"]),
    # a short subhead cut too short to stand, with no word across: taken where two stand uncut
    ("守护文 脉 一方水土养一方人，文献存文脉。 用好文脉 文献不能只躺在书架上，要用起来。 "
     "传承文脉 要把成果融入教育，让历史活起来。",
     ["守护文脉", "一方水土养一方人，文献存文脉。", "用好文脉", "文献不能只躺在书架上，要用起来。",
      "传承文脉", "要把成果融入教育，让历史活起来。"]),
    # a short subhead shares a frame with a longer sibling (the other short one a page break cut)
    ("城乡建设攻坚战 要加快县城改造，完成危房改造。 作风攻坚战 所有攻坚战都要靠作风来保障。",
     ["城乡建设攻坚战", "要加快县城改造，完成危房改造。", "作风攻坚战", "所有攻坚战都要靠作风来保障。"]),
    # NEGATIVE: cut subheads do not count as the evidence of two uncut ones
    ("守护文 脉 一方水土养一方人，文献存文脉。 传承文 脉 要把成果融入教育，让历史活起来。",
     ["守护文脉一方水土养一方人，文献存文脉。", "传承文脉要把成果融入教育，让历史活起来。"]),
    # NEGATIVE: no short sibling stands beside it: a page break lands that early once in a while
    ("作风攻 坚战 所有攻坚战都要靠作风来保障。 要加快县城改造，完成危房改造。",
     ["作风攻坚战所有攻坚战都要靠作风来保障。", "要加快县城改造，完成危房改造。"]),
    # NEGATIVE: headings of one size, each followed by a subhead; a sibling of another kind
    ("一、成绩 稳中求进成效明显 全年经济增长6%。 二、问题 有效需求仍然不足 部分企业经营困难。",
     ["一、成绩", "稳中求进成效明显", "全年经济增长6%。", "二、问题", "有效需求仍然不足", "部分企业经营困难。"]),
    ("一、总则 稳中求进成效明显 全年经济增长6%。 （一）明年经济工作的重点任务 要扩大有效投资。",
     ["一、总则", "稳中求进成效明显", "全年经济增长6%。", "（一）明年经济工作的重点任务", "要扩大有效投资。"]),
    # issue 19, round 6: a piece ending on a particle joins the one after it when that makes the
    # phrases of one length; NEGATIVE: not when it does not (no phrase space is kept then)
    ("清正廉洁 严于 律己 陈守一同志一生克己奉公、两袖清风，深受群众爱戴。",
     ["清正廉洁 严于律己", "陈守一同志一生克己奉公、两袖清风，深受群众爱戴。"]),
    ("清正廉洁 严于 律己修身 陈守一同志一生克己奉公、两袖清风，深受群众爱戴。",
     ["清正廉洁严于律己修身", "陈守一同志一生克己奉公、两袖清风，深受群众爱戴。"]),
    # a phrase group without the phrases that do not read as one: the name a page break cut
    ("清正廉洁 严于律己 陈 守一同志一生清廉，从不以权谋私，深受群众爱戴。",
     ["清正廉洁 严于律己", "陈守一同志一生清廉，从不以权谋私，深受群众爱戴。"]),
    # a subhead a page break cut is read whole at the next space
    ("建设高素质教 师队伍 教师是立教之本、兴教之源，要下大力气抓好。",
     ["建设高素质教师队伍", "教师是立教之本、兴教之源，要下大力气抓好。"]),
    # NEGATIVE: a subject and 是 open a sentence, not a phrase group
    ("建设高素质教师队伍 教师是 立教之本、兴教之源，要下大力气抓好。",
     ["建设高素质教师队伍", "教师是立教之本、兴教之源，要下大力气抓好。"]),
    # issue 19, round 6: NEGATIVE: nor when the text after it opens on a particle (之本、); a phrase
    # group before a word opening with one (之所以) stands
    ("建设高素质教师队伍 教师是立教 之本、兴教之源，要下大力气抓好。",
     ["建设高素质教师队伍", "教师是立教之本、兴教之源，要下大力气抓好。"]),
    ("不忘初心 牢记使命 之所以这样讲，是因为初心易得，始终难守。", ["不忘初心 牢记使命", "之所以这样讲，是因为初心易得，始终难守。"]),
    # nor before a bare 是: the last phrase is its subject (民办教育 是…), phrases of one length too
    ("准确把握民办教育的定位 民办教育 是社会主义教育事业的重要组成部分，在校生十一万六千人。",
     ["准确把握民办教育的定位", "民办教育是社会主义教育事业的重要组成部分，在校生十一万六千人。"]),
    ("不忘初心 牢记使命 是我们党的根本宗旨所在，必须始终坚持。", ["不忘初心牢记使命是我们党的根本宗旨所在，必须始终坚持。"]),
    # a heading needs no full stop before it
    ("现在我代表国务院，向大会报告工作，请予审议，并请全国政协委员提出意见 一、2011年工作回顾 过去一年，我们取得了新的成就。",
     ["现在我代表国务院，向大会报告工作，请予审议，并请全国政协委员提出意见", "一、2011年工作回顾", "过去一年，我们取得了新的成就。"]),
    # issue 19, round 6: no paragraph opens on a structural particle; NEGATIVE: a word opening
    # with one (的确) may open it
    ("回顾林振声同志 的一生，我们深深感到，他身上集中体现了老一辈科学家的崇高品格。",
     ["回顾林振声同志的一生，我们深深感到，他身上集中体现了老一辈科学家的崇高品格。"]),
    ("坚持创新驱动发展 的确，创新是引领发展的第一动力，我们要抓紧抓实。",
     ["坚持创新驱动发展", "的确，创新是引领发展的第一动力，我们要抓紧抓实。"]),
    ("用好区位优势 得天独厚的区位条件，是我们发展的最大底气。", ["用好区位优势", "得天独厚的区位条件，是我们发展的最大底气。"]),
    # NEGATIVE: a quotation goes on after its space; the modal 要 opens a sentence
    ("本届论坛以“共饮一江水 携手促发展”为主题，共商合作大计。", ["本届论坛以“共饮一江水 携手促发展”为主题，共商合作大计。"]),
    ("要深入挖掘红色资源 讲好革命故事，传承红色基因。", ["要深入挖掘红色资源讲好革命故事，传承红色基因。"]),
    # issue 19, round 3: a turn's headline, then its speaker: two spaces are a speaker line's
    # gap, so the office is no phrase of a phrase group
    ("创新要敢于啃硬骨头 岚州大学材料学院教授  钱慕白 我们团队一直在做储能材料研究，最大的体会是不能怕失败。",
     ["创新要敢于啃硬骨头", "岚州大学材料学院教授  钱慕白", "我们团队一直在做储能材料研究，最大的体会是不能怕失败。"]),
    # a page break between the organisation and a short post
    ("（二〇二二年六月五日） 中共梧原县委 书记  贺  东  来 同志们： 今天是世界环境日。",
     ["（二〇二二年六月五日）", "中共梧原县委书记  贺  东  来", "同志们：", "今天是世界环境日。"]),
    # a page break inside the name after the gap
    ("让成果走出实验室 星川集团研究院副院长  魏 青禾 企业最需要的是能用、好用的技术，成果要走出实验室。",
     ["让成果走出实验室", "星川集团研究院副院长  魏 青禾", "企业最需要的是能用、好用的技术，成果要走出实验室。"]),
    # NEGATIVE: a headline before a whole office is not part of it
    ("让成果走出实验室 星川集团研究院副院长  魏青禾 企业最需要的是能用、好用的技术，成果要走出实验室。",
     ["让成果走出实验室", "星川集团研究院副院长  魏青禾", "企业最需要的是能用、好用的技术，成果要走出实验室。"]),
    # a toast's call on its own line before a toast on one line; a page break after 为
    ("请允许我提议， 为 茶文化节的圆满成功，为各国人民的友谊，干杯！",
     ["请允许我提议，", "为茶文化节的圆满成功，为各国人民的友谊，干杯！"]),
    # NEGATIVE: a proposal that no toast follows goes on after its comma
    ("我提议， 大家围绕这个问题展开讨论，提出建议。", ["我提议，大家围绕这个问题展开讨论，提出建议。"]),
    # short subheads, two standing the same way
    ("保持好奇心 好奇心是创新的源泉，希望你们勇于探索未知。 守住初心 人生的道路很长，不要忘记为什么出发。",
     ["保持好奇心", "好奇心是创新的源泉，希望你们勇于探索未知。", "守住初心", "人生的道路很长，不要忘记为什么出发。"]),
    # issue 19, round 6: NEGATIVE: the first phrases of phrase groups are no short siblings of a
    # page break early in a paragraph
    ("爱国奉献 矢志不渝 林振声同志常说，我的事业在中国。 回顾林振声 同志的一生，我们深深感到他的崇高品格。 "
     "求真务实 严谨治学 他治学严谨，一丝不苟，从不放过一个数据。",
     ["爱国奉献 矢志不渝", "林振声同志常说，我的事业在中国。", "回顾林振声同志的一生，我们深深感到他的崇高品格。",
      "求真务实 严谨治学", "他治学严谨，一丝不苟，从不放过一个数据。"]),
    # NEGATIVE: one short unit alone is the start of a sentence a page break cut
    ("城市更新 需要大量资金投入，单靠政府财力难以为继。 要积极引入社会资本，探索新的模式。",
     ["城市更新需要大量资金投入，单靠政府财力难以为继。", "要积极引入社会资本，探索新的模式。"]),
    # issue 19, round 6: one short subhead standing as its siblings do, one paragraph after a
    # subhead and one before the next
    ("让每个孩子都能上好学 今年全市将新建中小学28所，新增学位2.4万个。 为教师减负 要全面清理各类检查、评比和填表任务，"
     "让教师把更多精力用在教书育人上。 职业教育大有可为 要对接产业发展需求，调整优化专业设置。",
     ["让每个孩子都能上好学", "今年全市将新建中小学28所，新增学位2.4万个。", "为教师减负", "要全面清理各类检查、评比和填表任务，"
      "让教师把更多精力用在教书育人上。", "职业教育大有可为", "要对接产业发展需求，调整优化专业设置。"]),
    # NEGATIVE: two paragraphs after the subhead before it, or no subhead after it: a page break
    # early in a paragraph
    ("让每个孩子都能上好学 今年全市将新建中小学28所，新增学位2.4万个。 我们还要推进集团化办学。 为教师减负 要全面清理各类检查、"
     "评比和填表任务，让教师把更多精力用在教书育人上。 职业教育大有可为 要对接产业发展需求，调整优化专业设置。",
     ["让每个孩子都能上好学", "今年全市将新建中小学28所，新增学位2.4万个。", "我们还要推进集团化办学。", "为教师减负要全面清理各类检查、"
      "评比和填表任务，让教师把更多精力用在教书育人上。", "职业教育大有可为", "要对接产业发展需求，调整优化专业设置。"]),
    ("让每个孩子都能上好学 今年全市将新建中小学28所，新增学位2.4万个。 为教师减负 要全面清理各类检查、评比和填表任务，"
     "让教师把更多精力用在教书育人上。 我们还要推进集团化办学。",
     ["让每个孩子都能上好学", "今年全市将新建中小学28所，新增学位2.4万个。", "为教师减负要全面清理各类检查、评比和填表任务，"
      "让教师把更多精力用在教书育人上。", "我们还要推进集团化办学。"]),
    # a run-in heading cut a few characters into its title, among run-in siblings
    ("（一）产业 转型升级步伐加快。新认定高新技术企业三百四十家。 （二）改革开放持续深化。企业开办时间压减至一天。 "
     "（三）民生福祉不断增进。新增就业六万二千人。",
     ["（一）产业转型升级步伐加快。新认定高新技术企业三百四十家。", "（二）改革开放持续深化。企业开办时间压减至一天。",
      "（三）民生福祉不断增进。新增就业六万二千人。"]),
    # NEGATIVE: without run-in siblings a heading before a short first sentence stands alone
    ("（一）产业 转型升级步伐加快。新认定高新技术企业三百四十家。 （二）改革开放持续深化 企业开办时间压减至一天，成效明显。",
     ["（一）产业", "转型升级步伐加快。新认定高新技术企业三百四十家。", "（二）改革开放持续深化", "企业开办时间压减至一天，成效明显。"]),
    # issue 19, round 4: part headings opening with an ordinal and holding a comma, numbered in
    # sequence; one holds a page break inside a word (认 清)
    ("第一，统一思想，充分认 清防汛形势的严峻性 据气象部门预测，今年汛期我县降水总体偏多二到三成，出现暴雨的可能性较大。 "
     "第二个问题：如何担当作为 担当作为是理想信念的具体体现，面对急难险重任务要冲得上去。",
     ["第一，统一思想，充分认清防汛形势的严峻性", "据气象部门预测，今年汛期我县降水总体偏多二到三成，出现暴雨的可能性较大。",
      "第二个问题：如何担当作为", "担当作为是理想信念的具体体现，面对急难险重任务要冲得上去。"]),
    # NEGATIVE: a part heading does not end on a bare particle
    ("第一，统一思想，坚持把 防汛工作摆在突出位置，认真做好各项准备。 第二，压实责任，切实把各项措施落到实处 "
     "防汛工作实行行政首长负责制，各乡镇主要负责同志是本辖区防汛第一责任人。",
     ["第一，统一思想，坚持把防汛工作摆在突出位置，认真做好各项准备。", "第二，压实责任，切实把各项措施落到实处防汛工作实行行政首长负责制，"
      "各乡镇主要负责同志是本辖区防汛第一责任人。"]),
    # NEGATIVE: a lone 第一， paragraph a page break cut early is no heading, its sibling ending a sentence
    ("第一，统一思想，充分认清防汛形势的严峻性 据气象部门预测，今年汛期我县降水总体偏多二到三成，出现暴雨的可能性较大。 "
     "第二，压实责任。防汛工作实行行政首长负责制，各乡镇主要负责同志是本辖区防汛第一责任人。",
     ["第一，统一思想，充分认清防汛形势的严峻性据气象部门预测，今年汛期我县降水总体偏多二到三成，出现暴雨的可能性较大。",
      "第二，压实责任。防汛工作实行行政首长负责制，各乡镇主要负责同志是本辖区防汛第一责任人。"]),
    # issue 19, round 6: an unpunctuated piece between a part heading and its paragraph is the
    # rest of the heading when that brings it to its siblings' length
    ("第一，深刻认识 严的主基调的重大意义 全面从严治党永远在路上，我们必须坚持不懈。 第二，准确把握严的主基调的实践要求 "
     "落实严的主基调，要把握好思想教育、制度约束和执纪问责三个方面。 第三，以自我革命精神锻造纪检监察铁军 打铁必须自身硬，纪检监察干部要带头遵规守纪。",
     ["第一，深刻认识严的主基调的重大意义", "全面从严治党永远在路上，我们必须坚持不懈。", "第二，准确把握严的主基调的实践要求",
      "落实严的主基调，要把握好思想教育、制度约束和执纪问责三个方面。", "第三，以自我革命精神锻造纪检监察铁军", "打铁必须自身硬，纪检监察干部要带头遵规守纪。"]),
    # a heading with a comma, then an enumerated sentence: 一是 opens a sentence of its own
    ("一、聚焦“三个一批”，推动政策落地见效 一是清理一批。对现行涉企政策进行全面梳理，年底前一律废止。",
     ["一、聚焦“三个一批”，推动政策落地见效", "一是清理一批。对现行涉企政策进行全面梳理，年底前一律废止。"]),
    # NEGATIVE: the last clause of a run-in sentence after a page break
    ("（六）有效防范化解重大风险，牢牢 守住不发生系统性风险底线。要完善风险监测预警体系。",
     ["（六）有效防范化解重大风险，牢牢守住不发生系统性风险底线。要完善风险监测预警体系。"]),
    # a subhead may hold a plus sign between its words; NEGATIVE: one ending on it goes on
    ("打造5G+工业互联网标杆 要支持龙头企业开放数字化转型能力，带动上下游中小企业上云用数。",
     ["打造5G+工业互联网标杆", "要支持龙头企业开放数字化转型能力，带动上下游中小企业上云用数。"]),
    ("加快发展互联网+ 医疗健康等新业态，让数据多跑路，让群众少跑腿。",
     ["加快发展互联网+医疗健康等新业态，让数据多跑路，让群众少跑腿。"]),
    # subheads ending the same way: where two stand clear, a word across the third's space (人本) is chance
    ("做政治上靠得住的人 对党忠诚是干部的第一品质，要在大是大非面前旗帜鲜明。 做工作上有本事的人 本领不是天生的，是干出来的。"
     " 做作风上过得硬的人 要耐得住寂寞，守得住清贫，经得起诱惑。",
     ["做政治上靠得住的人", "对党忠诚是干部的第一品质，要在大是大非面前旗帜鲜明。", "做工作上有本事的人", "本领不是天生的，是干出来的。",
      "做作风上过得硬的人", "要耐得住寂寞，守得住清贫，经得起诱惑。"]),
    # NEGATIVE: with one sibling standing clear, the word across the space is a page break's
    ("做政治上靠得住的人 对党忠诚是干部的第一品质，要在大是大非面前旗帜鲜明。 做工作上有本事的人 本领不是天生的，是干出来的。",
     ["做政治上靠得住的人", "对党忠诚是干部的第一品质，要在大是大非面前旗帜鲜明。", "做工作上有本事的人本领不是天生的，是干出来的。"]),
    # a page break leaves the end of a heading's word alone between two spaces
    ("四、严守纪律规矩，保持清正 廉洁 我认真履行党风廉政建设责任，严格执行各项规定。", ["四、严守纪律规矩，保持清正廉洁",
                                                            "我认真履行党风廉政建设责任，严格执行各项规定。"]),
    ("（三）提升应急救援 能力 要完善三级应急预案体系，每年至少开展一次综合性应急演练。",
     ["（三）提升应急救援能力", "要完善三级应急预案体系，每年至少开展一次综合性应急演练。"]),
    # …and a phrase group does not take the first word of the paragraph after it
    ("向下扎根 向上生长 扎根 越深，才能长得越高。希望你们打牢基础，把每一门课学扎实。",
     ["向下扎根 向上生长", "扎根越深，才能长得越高。希望你们打牢基础，把每一门课学扎实。"]),
    # NEGATIVE: a piece before a clause too short to stand alone opens the paragraph
    ("一、坚持政治引领，把牢正确方向 一年 来，我始终把理论学习作为首要政治任务，带头讲专题党课。",
     ["一、坚持政治引领，把牢正确方向", "一年来，我始终把理论学习作为首要政治任务，带头讲专题党课。"]),
    # NEGATIVE: a short phrase group after a heading is no fragment of it
    ("三、主要任务 勤学 善思 笃行 青年学生要勤于学习，善于思考，勇于实践。",
     ["三、主要任务", "勤学 善思 笃行", "青年学生要勤于学习，善于思考，勇于实践。"]),
    # a subhead of two parallel clauses joined by a comma
    ("读有字之书，也读无字之书 大学是读书的好时光。希望你们走进图书馆，也走进田野、走进工厂。",
     ["读有字之书，也读无字之书", "大学是读书的好时光。希望你们走进图书馆，也走进田野、走进工厂。"]),
    # NEGATIVE: two clauses a page break cut are not parallel
    ("要加强组织领导，切实抓好 落实各项工作任务，确保取得实效。", ["要加强组织领导，切实抓好落实各项工作任务，确保取得实效。"]),
    # issue 19, round 5: a heading of two clauses a page break cut before its comma, among siblings
    # that hold a comma and stand alone
    ("一、坚持政治 引领，把牢正确方向 要始终坚持党的领导，把党的领导贯穿全过程。 "
     "二、聚焦中心大局，助推高质量发展 要围绕中心工作，开展深入调研。 三、践行为民宗旨，倾听群众呼声 要深入开展活动。",
     ["一、坚持政治引领，把牢正确方向", "要始终坚持党的领导，把党的领导贯穿全过程。", "二、聚焦中心大局，助推高质量发展",
      "要围绕中心工作，开展深入调研。", "三、践行为民宗旨，倾听群众呼声", "要深入开展活动。"]),
    # NEGATIVE: without such siblings the space ends the heading; a paragraph's opening clause
    # and a modal 要 are no rest of a heading; a sibling holding its comma stands alone before
    # a short sentence
    ("一、坚持政治引领 要始终坚持，把党的领导 贯穿全过程。", ["一、坚持政治引领", "要始终坚持，把党的领导贯穿全过程。"]),
    ("一、坚持政治引领，把牢正确方向 要始终坚持党的领导。 二、聚焦中心大局，助推高质量发展 要围绕中心工作，开展调研。 "
     "三、践行为民宗旨 要深入开展，倾听群众呼声 走进千家万户。",
     ["一、坚持政治引领，把牢正确方向", "要始终坚持党的领导。", "二、聚焦中心大局，助推高质量发展", "要围绕中心工作，开展调研。",
      "三、践行为民宗旨", "要深入开展，倾听群众呼声走进千家万户。"]),
    # a heading closing on ！ cut after its comma: the clause after the space is its end
    ("三、优化服务，让 企业办事更省心！ 要深化“拿地即开工”改革，项目审批时间压缩到30个工作日以内。",
     ["三、优化服务，让企业办事更省心！", "要深化“拿地即开工”改革，项目审批时间压缩到30个工作日以内。"]),
    # a heading's title does not end on a bare 把; NEGATIVE: a 2-character piece that starts a
    # word of the next text (新能|源) is no end of the heading before it
    ("一、坚持政治引领，把 牢正确方向 一年来，我始终把理论学习作为首要政治任务，带头讲专题党课。",
     ["一、坚持政治引领，把牢正确方向", "一年来，我始终把理论学习作为首要政治任务，带头讲专题党课。"]),
    ("（二）转型升级步伐加快 新能 源板块营业收入首次突破50亿元，占集团总收入的比重提高到17.5%。",
     ["（二）转型升级步伐加快", "新能源板块营业收入首次突破50亿元，占集团总收入的比重提高到17.5%。"]),
    # issue 19, round 6: a title too short to stand is what a page break cut when a sibling of its
    # kind stands at least twice as long; NEGATIVE: a short title before its paragraph stands
    ("（一）经营业绩再创新高 营业收入增长12%。 （二）转型 升级步伐加快 新能源板块营业收入首次突破50亿元，占集团总收入的比重提高到17.5%。",
     ["（一）经营业绩再创新高", "营业收入增长12%。", "（二）转型升级步伐加快",
      "新能源板块营业收入首次突破50亿元，占集团总收入的比重提高到17.5%。"]),
    ("一、总则 新能源板块营业收入首次突破50亿元，占集团总收入的比重提高到17.5%。",
     ["一、总则", "新能源板块营业收入首次突破50亿元，占集团总收入的比重提高到17.5%。"]),
    # a parenthesis standing alone is a stage direction; NEGATIVE: one inside a sentence is text
    ("（全体起立，奏唱国歌） 请坐下。 （颁奖音乐起） 请获奖者代表发言。",
     ["（全体起立，奏唱国歌）", "请坐下。", "（颁奖音乐起）", "请获奖者代表发言。"]),
    ("他的发言（摘要） 刊登在今天的报纸上。", ["他的发言（摘要）刊登在今天的报纸上。"]),
    # a heading whose title runs clause after clause, cut by a page break after an adverb or
    # before a particle: the clauses after the space, with no sentence end before the next
    # space, are its rest; NEGATIVE: after a whole title, a paragraph's first clauses that a page
    # break cut, and clauses that a short clause closes after the next space, are the paragraph's
    ("开场白。 一、任务艰巨，全镇上下必须 清醒看到外部环境变化带来的压力，保持定力，切实增强抓落实的自觉性 先说任务，主要有两项。 再说措施。",
     ["开场白。", "一、任务艰巨，全镇上下必须清醒看到外部环境变化带来的压力，保持定力，切实增强抓落实的自觉性",
      "先说任务，主要有两项。", "再说措施。"]),
    ("开场白。 一、任务艰巨，全镇上下必须清醒看到外部环境 的压力，保持定力，切实增强抓落实的自觉性 先说任务，主要有两项。 再说措施。",
     ["开场白。", "一、任务艰巨，全镇上下必须清醒看到外部环境的压力，保持定力，切实增强抓落实的自觉性",
      "先说任务，主要有两项。", "再说措施。"]),
    ("开场白。 一、守牢安全底线，护航高质量发展 今年以来，全镇压实企业主体 责任，开展隐患排查三次。 再说措施。",
     ["开场白。", "一、守牢安全底线，护航高质量发展", "今年以来，全镇压实企业主体责任，开展隐患排查三次。", "再说措施。"]),
    ("开场白。 一、守牢安全底线，护航高质量发展 压实企业主体责任，加强隐患排查 持续用力。 再说措施。",
     ["开场白。", "一、守牢安全底线，护航高质量发展", "压实企业主体责任，加强隐患排查持续用力。", "再说措施。"]),
    # a 主持词's ellipsis for what is read out, then the direction; NEGATIVE: an ellipsis closing a
    # sentence before a parenthesis inside it is text
    ("请审议。 ……（宣读名单） 名单已印发给大家，请同志们审议。 通过。",
     ["请审议。", "……（宣读名单）", "名单已印发给大家，请同志们审议。", "通过。"]),
    ("各项工作正在推进…（详见附表） 进展顺利。 通过。", ["各项工作正在推进…（详见附表）进展顺利。", "通过。"]),
    # the modal 要 after a heading: 险要 across the space is chance; NEGATIVE: 需 要 is one word
    ("（三）防范化解风险 要严控债务规模，应收账款周转天数压减10天以上。",
     ["（三）防范化解风险", "要严控债务规模，应收账款周转天数压减10天以上。"]),
    ("（三）防范风险还需 要严控债务规模，压减周转天数。", ["（三）防范风险还需要严控债务规模，压减周转天数。"]),
    # two 是…的 statements standing as subheads; NEGATIVE: one alone is a page break after 的
    ("实绩是干出来的 去年，全市机关办理群众诉求14.6万件，按时办结率98.7%。 口碑是群众给的 要把群众满意不满意作为检验作风的根本标准。",
     ["实绩是干出来的", "去年，全市机关办理群众诉求14.6万件，按时办结率98.7%。", "口碑是群众给的",
      "要把群众满意不满意作为检验作风的根本标准。"]),
    ("创新是引领发展的 第一动力，我们要坚持创新驱动发展战略。", ["创新是引领发展的第一动力，我们要坚持创新驱动发展战略。"]),
    # a subhead may end on an idiom that ends on a function character (大有可为); NEGATIVE: a bare 为
    ("职业教育大有可为 要对接产业发展需求，调整优化专业设置，新开设专业12个。",
     ["职业教育大有可为", "要对接产业发展需求，调整优化专业设置，新开设专业12个。"]),
    ("把职业教育作为 要对接产业发展需求，调整优化专业设置，新开设专业12个。",
     ["把职业教育作为要对接产业发展需求，调整优化专业设置，新开设专业12个。"]),
    # a letter's signature: organisations and a bare date after the last sentence, one line each
    ("祝大家新春愉快，阖家幸福！ 中共霞州市委 霞州市人民政府 2023年12月",
     ["祝大家新春愉快，阖家幸福！", "中共霞州市委", "霞州市人民政府", "2023年12月"]),
    # NEGATIVE: no date, or no sentence end before them: a page break inside a sentence
    ("祝大家新春愉快，阖家幸福！ 中共霞州市委 霞州市人民政府", ["祝大家新春愉快，阖家幸福！", "中共霞州市委霞州市人民政府"]),
    ("会议由市委 市政府 2023年12月", ["会议由市委市政府2023年12月"]),
    # labelled lines after the text stand alone; NEGATIVE: a label after text that has none
    ("以上说明，请予审议。 附件：霞州市2023年预算执行情况表 说明：表中数据为快报数，最终以决算数为准。",
     ["以上说明，请予审议。", "附件：霞州市2023年预算执行情况表", "说明：表中数据为快报数，最终以决算数为准。"]),
    ("下面我就有关情况作简要 说明：今年财政收入增长6.8%。", ["下面我就有关情况作简要说明：今年财政收入增长6.8%。"]),
])
def test_the_seed_layout(body, expected):
    found, _ = _split(SEED + body)
    assert [chars for chars, _, _ in found][3:] == expected


#: Three heads of one shape, two phrases of four characters, each over its paragraph.
_SIBLING_GROUPS = ("聚焦产业 做强链条 要培育龙头企业，带动上下游协同发展。 "
                   "优化服务 护航企业 营商环境是发展的生命线，要持续深化改革。")


@pytest.mark.parametrize("body, head", [
    # a page break early in the paragraph leaves a piece that reads as a third phrase: the
    # siblings hold two
    ("守正创新 勇毅前行 民营经济是全县 经济的重要组成部分，贡献了六成税收。 ", "守正创新 勇毅前行"),
    # NEGATIVE: a page break inside the group's first phrase: its pieces are not of the siblings' shape
    ("守正 创新 勇毅前行 民营经济是全县经济的重要组成部分，贡献了六成税收。 ", "守正 创新 勇毅前行"),
    # NEGATIVE: a group of three shorter phrases stands whole beside groups of two
    ("守初心 担使命 抓落实 民营经济是全县经济的重要组成部分，贡献了六成税收。 ", "守初心 担使命 抓落实"),
])
def test_a_group_of_phrases_holds_as_many_as_its_siblings(body, head):
    found, _ = _split(SEED + body + _SIBLING_GROUPS)
    assert found[3][0] == head


_GROUP_PARAGRAPH = "民营经济是全县经济的重要组成部分，贡献了六成税收。"


@pytest.mark.parametrize("body, expected", [
    # beside three groups of phrases, a piece of one phrase a page break left early in the
    # paragraph is no subhead of its own
    ("守正创新 勇毅前行 民营经济是全县 经济的重要组成部分，贡献了六成税收。 ",
     ["守正创新 勇毅前行", _GROUP_PARAGRAPH]),
    # NEGATIVE: beside two groups, a subhead of one phrase stands (heads of a speech may mix shapes)
    ("平凡之中见伟大 今天受表彰的二十名同志，来自各行各业。 ",
     ["平凡之中见伟大", "今天受表彰的二十名同志，来自各行各业。"]),
])
def test_one_phrase_alone_beside_groups_of_phrases(body, expected):
    siblings = "凝心聚力 攻坚克难 全县上下要拧成一股绳，确保目标实现。 " + _SIBLING_GROUPS
    if body.startswith("平凡"):
        siblings = _SIBLING_GROUPS
    found, _ = _split(SEED + body + siblings)
    assert [chars for chars, _, _ in found][3:3 + len(expected)] == expected


#: Headings of one list, their titles of twelve characters, each over its paragraph.
_SIBLING_HEADINGS = ("（二）持续强化安全生产执法检查 要加大执法力度，严厉打击非法违法行为。 "
                     "（三）着力提升应急救援处置能力 要完善应急预案，加强救援队伍建设。")


def test_a_heading_a_page_break_cut_takes_the_piece_that_brings_it_nearer_its_siblings():
    found, _ = _split(SEED + "（一）全面开展重点行业 隐患排查整治 各单位要对照清单逐项检查，确保不留死角。 " + _SIBLING_HEADINGS)
    assert [chars for chars, _, _ in found][3:5] == ["（一）全面开展重点行业隐患排查整治", "各单位要对照清单逐项检查，确保不留死角。"]


@pytest.mark.parametrize("title, text, nearer", [
    ("全面开展重点行业", "隐患排查整治 各单位要对照清单逐项检查，确保不留死角。", True),
    # NEGATIVE: the piece opens a sentence, a word runs from it across the space after it, or
    # a clause too short to stand alone follows that space: it opens the paragraph
    ("强化考核激励", "要把招商 引资工作纳入年度综合考核。", False),
    ("强化考核激励", "招商引资工 作要纳入年度综合考核。", False),
    ("去年工作回顾", "过去一年 来，全县经济稳步增长。", False),
    # NEGATIVE: the piece takes the title further from its siblings' length
    ("全面开展重点行业隐患排查", "整治工作 各单位要对照清单逐项检查。", False),
])
def test_nearer_siblings(title, text, nearer):
    rest = text.split(" ")[0]
    assert spaces._nearer_siblings(title, rest, [len(title), 12, 12], text, len(rest)) is nearer


@pytest.mark.parametrize("body, breaks", [
    ("为母校九十华诞， 为南屏大学更加 美好的明天， 干杯！", {16}),
    # NEGATIVE: lines no short exclamation closes are no cadence: their spaces are left to the other rules
    ("为母校九十华诞， 为南屏大学更加 美好的明天， 我们要共同努力。", set()),
])
def test_page_breaks_inside_a_cadence(body, breaks):
    assert spaces.cadence_cuts(body, 0, len(body))[1] == breaks


@pytest.mark.parametrize("body, headings", [
    ("第一，深刻认识 严的主基调的重大意义 全面从严治党永远在路上，我们必须坚持不懈。 第二，准确把握严的主基调的实践要求 "
     "落实严的主基调，要把握好思想教育、制度约束和执纪问责三个方面。 好。", ["第一，深刻认识 严的主基调的重大意义", "第二，准确把握严的主基调的实践要求"]),
    # NEGATIVE: siblings as short as the heading without the piece: a page break early in the paragraph
    ("第一，统一思想 据气象部门最新 预测，今年汛期我县降水总体偏多二到三成。 第二，压实责任 防汛工作实行行政首长负责制，层层落实。 好。",
     ["第一，统一思想", "第二，压实责任"]),
])
def test_ordinal_part_headings(body, headings):
    assert [body[p:s] for s, p in sorted(spaces.ordinal_heads(body, 0, len(body)).items())] == headings


def test_metadata_opening_a_line():
    found, _ = _split("\u3000\u3000本报江州4月23日电\u3000今天是世界读书日。\n\u3000\u3000市科技局局长周敏：今年以来，成绩很大。")
    assert found == [("本报江州4月23日电", False, "dateline"), ("今天是世界读书日。", False, None),
                     ("市科技局局长周敏：", False, "speaker"), ("今年以来，成绩很大。", False, None)]


def test_a_short_paragraph_after_a_heading_stands_alone():
    """The sample inbox's short.txt: a heading, then a paragraph of one short sentence."""
    assert [c for c, _, _ in _split("同志们： 今天召开会议。 一、提高认识 要统一思想。")[0]] == [
        "同志们：", "今天召开会议。", "一、提高认识", "要统一思想。"]


@pytest.mark.parametrize("body, expected", [
    # any short dash line opening the body is its subtitle, on its own line or in the seed layout
    ("——致即将远行的你们\n鹿鸣大学校长  程立言\n\u3000\u3000同学们：\n\u3000\u3000正文。",
     [("——致即将远行的你们", "subtitle"), ("鹿鸣大学校长  程立言", "speaker"), ("同学们：", None), ("正文。", None)]),
    ("——专题党课讲稿 同志们： 今年是建党100周年。 这次党课分三个部分。 第一部分讲初心。",
     [("——专题党课讲稿", "subtitle"), ("同志们：", None), ("今年是建党100周年。", None),
      ("这次党课分三个部分。", None), ("第一部分讲初心。", None)]),
    # in the seed layout, a page break inside a subtitle: 在…上的讲话 joined, any other one where a
    # word runs across the space (远行)
    ("——在梧原县生态环境保护大会上 的讲话 （二〇二二年六月五日） 同志们： 今天是世界环境日。 我们开会。 要治污。",
     [("——在梧原县生态环境保护大会上的讲话", "subtitle"), ("（二〇二二年六月五日）", "date"), ("同志们：", None),
      ("今天是世界环境日。", None), ("我们开会。", None), ("要治污。", None)]),
    ("——致即将远 行的你们 鹿鸣大学校长  程立言 同学们： 今天举行毕业典礼。 我们祝贺你们。 祝前程似锦。",
     [("——致即将远行的你们", "subtitle"), ("鹿鸣大学校长  程立言", "speaker"), ("同学们：", None),
      ("今天举行毕业典礼。", None), ("我们祝贺你们。", None), ("祝前程似锦。", None)]),
    # NEGATIVE: a dash line further down is text; a dash paragraph has sentence marks; the sign-off
    ("\u3000\u3000同志们：\n——综合实力显著增强\n\u3000\u3000正文。",
     [("同志们：", None), ("——综合实力显著增强", None), ("正文。", None)]),
    ("——综合实力显著增强。全县生产总值年均增长8.1%。\n\u3000\u3000正文。",
     [("——综合实力显著增强。全县生产总值年均增长8.1%。", None), ("正文。", None)]),
    ("——编 者\n\u3000\u3000正文。", [("——编者", None), ("正文。", None)]),
])
def test_a_dash_line_opening_the_body_is_its_subtitle(body, expected):
    assert [(chars, kind) for chars, _, kind in _split(body)[0]] == expected


@pytest.mark.parametrize("body, expected", [
    # issue 19, round 5: at the head of a speech an office holds no space: one is a page break
    ("中共 栖凤县委书记  何  畅 同志们： 今天召开推进会。 下面，我讲三点意见。 好。",
     [("中共栖凤县委书记  何  畅", "speaker"), ("同志们：", None)]),
    ("（2024年2月20日） 中共霞州 市委书记  郑怀远 同志们： 今天召开会议。 我讲三点。 好。",
     [("（2024年2月20日）", "date"), ("中共霞州市委书记  郑怀远", "speaker"), ("同志们：", None)]),
    # issue 19, round 6: a piece of any length before a post alone (市长, 县委书记)
    ("（2023年10月21日，桐溪） 霁川市副 市长  陶  然 尊敬的各位老领导、老校友， 亲爱的老师们、同学们： 大家上午好！ 百年风雨。 好。",
     [("（2023年10月21日，桐溪）", "date"), ("霁川市副市长  陶  然", "speaker"), ("尊敬的各位老领导、老校友，", None)]),
    ("中共栖凤 县委书记  何  畅 同志们： 今天召开推进会。 下面，我讲三点意见。 好。",
     [("中共栖凤县委书记  何  畅", "speaker"), ("同志们：", None)]),
    # a transliterated name after the gap
    ("罗森堡市市长  艾米莉·卡特 尊敬的何清扬市长， 女士们，先生们： 大家好！ 十年前，我来到霞州。 今天我很高兴。",
     [("罗森堡市市长  艾米莉·卡特", "speaker"), ("尊敬的何清扬市长，", None)]),
    # a name alone under the title, on its own line or in the seed layout
    ("郑怀远 编者按：4月12日，全市教育大会召开。 现将讲话刊发如下。 教育是国之大计。 要办好教育。",
     [("郑怀远", "speaker"), ("编者按：4月12日，全市教育大会召开。", None)]),
    # issue 19, round 6: a page break cut an office after a piece that reads as a name: the
    # speaker line is read first
    ("云帆 集团董事长  裴清和 二十年前，云帆从一间仓库起步。 今天，云帆已经成长起来。 谢谢大家。 干杯。",
     [("云帆集团董事长  裴清和", "speaker"), ("二十年前，云帆从一间仓库起步。", None)]),
    # a page break before the last character of a three-character name: no unit is one character
    ("澜州市人民政府市长  沈临 风 数字政府建设是一场深刻的自我革命。 三年来成效明显。 要继续努力。 好。",
     [("澜州市人民政府市长  沈临风", "speaker"), ("数字政府建设是一场深刻的自我革命。", None)]),
    # NEGATIVE: a two-character name, then a page break inside the first word of the next unit
    ("澜州市人民政府市长  沈临 同 志们： 数字政府建设是一场深刻的自我革命。 三年来成效明显。 要继续努力。 好。",
     [("澜州市人民政府市长  沈临", "speaker"), ("同志们：", None)]),
    # a body opening on the adverb 很 opens with a sentence, not a subhead (issue 19, round 6)
    ("很高兴与各位 新老朋友相聚在澜江之畔，共同探讨数字经济。 数字经济加速发展。 我们将加快建设。 谢谢。",
     [("很高兴与各位新老朋友相聚在澜江之畔，共同探讨数字经济。", None)]),
    # NEGATIVE: a name alone before a sentence is still the speaker
    ("裴清和 二十年前，云帆从一间仓库起步。 今天，云帆已经成长起来。 谢谢大家。 干杯。",
     [("裴清和", "speaker"), ("二十年前，云帆从一间仓库起步。", None)]),
    ("郑怀远\n\u3000\u3000编者按：4月12日，全市教育大会召开。", [("郑怀远", "speaker"), ("编者按：4月12日，全市教育大会召开。", None)]),
    # NEGATIVE: a headline before a whole speaker line stands alone (a turn of a 发言摘登 page);
    # a word that opens with a surname is no name; further down the office's space is left to
    # the other rules
    ("创新要敢于啃硬骨头 岚州大学材料学院教授  钱慕白 我们团队一直在做储能材料研究。 最大的体会是不能怕失败。 希望加大支持。 谢谢。",
     [("创新要敢于啃硬骨头", None), ("岚州大学材料学院教授  钱慕白", "speaker")]),
    ("创新要敢于啃硬骨头 材料学院院长  钱慕白 我们团队一直在做储能材料研究。 最大的体会是不能怕失败。 希望加大支持。 谢谢。",
     [("创新要敢于啃硬骨头", None), ("材料学院院长  钱慕白", "speaker")]),
    ("金秋 九月，丹桂飘香。 今天开学。 我们欢迎新同学。 祝大家学业有成。", [("金秋九月，丹桂飘香。", None), ("今天开学。", None)]),
    ("同志们： 今天开会。 我讲三点。 全县 乡村振兴推进会  何  畅 同志们好。", [("同志们：", None), ("今天开会。", None)]),
])
def test_metadata_at_the_head_of_a_speech(body, expected):
    assert [(chars, kind) for chars, _, kind in _split(body)[0]][:len(expected)] == expected


@pytest.mark.parametrize("body, expected", [
    # an address opening a paragraph once the body has begun is that paragraph's first words
    ("同志们：\n今天开会。\n同学们：“行百里者半九十”，让我们再加一把劲！\n谢谢。",
     ["同志们：", "今天开会。", "同学们：“行百里者半九十”，让我们再加一把劲！", "谢谢。"]),
    # NEGATIVE: the opening salutation is still cut off its text, after a date line or after
    # the salutation's first line
    ("（2023年1月5日）\n同志们：今天开会。\n正文。", ["（2023年1月5日）", "同志们：", "今天开会。", "正文。"]),
    ("女士们，先生们，\n朋友们：今天开会。\n正文。", ["女士们，先生们，", "朋友们：", "今天开会。", "正文。"]),
])
def test_only_the_opening_salutation_is_cut_off_its_text(body, expected):
    assert [chars for chars, _, _ in _split(body)[0]] == expected

"""The generic noise detectors, one table each: what they take and what they must leave."""

from __future__ import annotations

import pytest

from pipeline.text import detect


def _taken(detector, chars: str) -> list[str]:
    return [chars[start:end] for start, end, *_ in sorted(detector(chars))]


@pytest.mark.parametrize("detector, chars, taken", [
    (detect.control_characters, "资源\x08等\ufffd方面\n", ["\x08", "\ufffd"]),
    (detect.control_characters, "第一段。\n\t第二段。", []),
    (detect.pinyin, "發(fā)展(G2G)", ["(fā)"]),
    (detect.pinyin, "采用(payoff)模式", []),
    (detect.page_markers, "正文。\n第1页 / 共43页\n正文。", ["第1页 / 共43页\n"]),
    (detect.page_markers, "正文第一页,共36页。正文。", ["第一页,共36页。"]),
    (detect.slide_counters, "1/90一、基本知识。2/90二、要求。3/90三、措施。", ["1/90", "2/90", "3/90"]),
    (detect.slide_counters, "增长1/3左右。", []),                    # a fraction
    (detect.urls, "给我触动很大。九象范文25http://www.jike120.com周六", ["九象范文25http://www.jike120.com"]),
    (detect.markup, "正文<br/>正文&nbsp;。", ["<br/>", "&nbsp;"]),
    (detect.markup, "**重点工作**要抓好，**市要落实。", ["**", "**"]),  # bold marks go, its words and **市 stay
    (detect.letter_spacing, "江 西 省 地 方 标 准", [" "] * 6),
    (detect.letter_spacing, "上海市市长 龚 正", []),                 # a spaced two-character name stays
    (detect.emoji, "关注👉公众号👈", ["👉", "👈"]),
])
def test_detector(detector, chars, taken):
    assert _taken(detector, chars) == taken


def test_filler_takes_a_title_wall_and_a_repeated_block():
    wall = " ".join(["某某讲话稿"] * 6)
    assert _taken(detect.filler, f"正文。\n{wall}\n正文。") == [wall]
    block = "蒄蚄袀膇莀蚃羂羀芆蚃蚂膅"
    assert _taken(detect.filler, f"正文。{block * 3}正文。") == [block * 3]
    assert _taken(detect.filler, "我们要坚持，坚持，再坚持。") == []


def test_duplicate_blocks_take_the_second_copy_of_repeated_lines():
    lines = "第一段内容比较长，讲的是全年的工作安排。\n第二段内容也比较长，讲的是具体的措施要求。\n"
    chars = lines + lines + "第三段。"
    assert _taken(detect.duplicate_blocks, chars) == [lines]
    assert _taken(detect.duplicate_blocks, "口号。\n口号。\n正文。") == []   # short: a chorus, a slogan


def test_chunk_numbers_go_only_when_a_cut_falls_inside_a_word():
    chunked = "1、第一部分讲加速20\n\n2、05年的发展。\n\n3、第三部分。"
    assert _taken(detect.chunk_numbers, chunked) == ["1、", "\n\n2、", "3、"]
    listed = "1、第一项工作。\n2、第二项工作。\n3、第三项工作。"
    assert _taken(detect.chunk_numbers, listed) == []



def test_a_chunk_cut_after_a_notes_label_is_inside_its_line():
    chunked = "1、第一部分讲加速20\n\n2、05年的发展。\n说明：\n\n3、表中数据为快报数。"
    assert _taken(detect.chunk_numbers, chunked) == ["1、", "\n\n2、", "\n\n3、"]
    # NEGATIVE: a lead-in line ending in its colon keeps its break
    chunked = "1、第一部分讲加速20\n\n2、05年的发展。\n要把握好三个方面：\n\n3、一是思想教育。"
    assert _taken(detect.chunk_numbers, chunked) == ["1、", "\n\n2、", "3、"]


def test_a_chunk_that_opens_on_a_comma_was_cut_out_of_its_sentence():
    """The cut fell after a closing bracket, which may end a line, but the chunk after it opens
    on a comma: the sentence goes on, the line break goes with the prefix."""
    chunked = "1、请宣读名单（草案）\n\n2、，（稍候）大家如无意见，现在表决。"
    assert _taken(detect.chunk_numbers, chunked) == ["1、", "\n\n2、"]
    # NEGATIVE: a chunk that opens on a word after a closing bracket keeps its line break
    chunked = "1、请宣读名单（草案）\n\n2、大家如无意见，现在表决。"
    assert _taken(detect.chunk_numbers, "标题\n" + chunked) == []


def test_line_end_takes_trailing_spaces_and_one_break():
    assert detect.line_end("广告 \n正文", 2) == 4
    assert detect.line_end("广告正文", 2) == 2


def test_chunk_numbers_that_open_the_text_are_chunking():
    """renrendoc: 1、 opens the body right after the site header and the page has only two
    long chunks, cut after a colon (no cut inside a word)."""
    first = "在某某大会上的祝酒词\n" + "正文" * 120 + "我提议：\n"
    chars = "\n1、" + first + "\n2、\n为友谊，\n干杯！"
    assert [t.strip() for t in _taken(detect.chunk_numbers, chars)] == ["1、", "2、"]
    assert _taken(detect.chunk_numbers, "标题\n1、" + first + "2、第二项。") == []   # a title before it: a list


def test_a_list_of_the_speech_does_not_end_the_chunk_run_around_it():
    """renrendoc over a 主持词 whose agenda is a 1、2、3、 list: the chunk 2、 after the list
    still follows the 1、 that opened the text before the title."""
    agenda = "议程如下：\n1、审议名单；\n2、审议议程；\n3、通过决议。\n"
    chars = "1、某某会议预备会主持词\n各位委员：\n" + agenda + "一、审议名单。" + "请大家发表意见。" * 40 + "\n\n2、，（稍候）通过。"
    assert [t.strip() for t in _taken(detect.chunk_numbers, chars)] == ["1、", "2、"]
    # NEGATIVE: the same list under a title and no chunk cut: its items stay
    assert _taken(detect.chunk_numbers, "标题\n" + agenda + "正文。") == []


@pytest.mark.parametrize("chars, taken", [
    # a page short enough for one chunk: 1、 before its title, quoted words in the title or not
    ("1、在青年座谈会上的讲话\n青年朋友们：\n正文。", ["1、"]),
    ("1、在全市“最美澄江人”表彰大会上的讲话\n同志们：\n正文。", ["1、"]),
    # NEGATIVE: a line that ends a sentence, inside quotes or not, is a list item
    ("1、他说：“要抓好落实。”\n正文。", []),
    ("1、坚持“两个毫不动摇”。\n正文。", []),
])
def test_a_lone_chunk_number_before_a_title(chars, taken):
    assert _taken(detect.chunk_numbers, chars) == taken


@pytest.mark.parametrize("tail, credits", [
    ("（新华社江州5月28日电）", ["（新华社江州5月28日电）"]),
    ("《人民日报》（2020年07月29日02版）\n版式设计：李芳", ["《人民日报》（2020年07月29日02版）", "版式设计：李芳"]),
    ("新华社记者王华摄\n本版图片来源：江州日报社", ["新华社记者王华摄", "本版图片来源：江州日报社"]),
    ("（完）\n（责任编辑：赵敏）", ["（完）", "（责任编辑：赵敏）"]),
    # NEGATIVE: sentences naming the agency, the paper or a photographer are text
    ("前不久，新华社刊发长篇通讯，报道了我市的经验做法。", []),
    ("《人民日报》曾以《一片叶子富了一方百姓》为题报道，本报记者也多次采访。", []),
    ("其中不少作品由本报摄影记者拍摄。", []),
    # NEGATIVE: a credit-looking line above the last paragraph is not at the end
    ("版式设计：李芳\n最后一段。", []),
])
def test_credits_are_whole_lines_at_the_end(tail, credits):
    chars = "标题\n正文第一段。\n" + tail + "\n"
    assert [t.strip() for t in _taken(detect.credits, chars)] == credits


def test_a_lone_mask_shows_that_paired_stars_are_masks_too():
    masked = "**是产粮大县。**农业人口占六成，我们**，要抓好增收。"
    assert _taken(detect.markup, masked) == []
    # NEGATIVE: every ** pairs up: bold marks go (and a lone **市 is a mask any text holds, above)
    assert _taken(detect.markup, "**重点工作**要抓好，**民生实事**要办好。") == ["**", "**", "**", "**"]


def test_a_chunk_cut_right_before_a_space_opens_on_it():
    chunked = "1、第一部分讲到节日精灵（SANTA\n\n2、 CLAUS）的来历。\n\n3、第三部分。"
    assert _taken(detect.chunk_numbers, chunked) == ["1、", "\n\n2、", "3、"]
    # NEGATIVE: list items written with a space after the mark, each a whole sentence
    assert _taken(detect.chunk_numbers, "前言。\n1、 第一项工作。\n2、 第二项工作。\n3、 第三项工作。") == []

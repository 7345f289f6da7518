"""Line breaks inside words: joined by the dictionary, which loads only when asked."""

from __future__ import annotations

from pipeline.text import detect


def _joined(chars: str) -> list[str]:
    return [chars[max(0, start - 2):end + 2] for start, end, *_ in detect.dictionary_joins(chars)]


def test_a_word_across_a_break_is_joined_and_a_sentence_end_is_not():
    chars = "我们要始终坚持中国\n共产党的领导。\n同志们要认真落实。"
    assert _joined(chars) == ["中国\n共产"]


def test_text_without_an_undecided_break_never_loads_the_dictionary():
    detect._dictionary.cache_clear()
    chars = "在全市工作会议上的讲话\n同志们：\n今天召开会议，部署全年工作。\n一、坚持稳中求进\n做好各项工作，\n落实责任。"
    assert _joined(chars) == ["作，\n落实"]
    assert detect._dictionary.cache_info().currsize == 0
    assert _joined("始终坚持中国\n共产党的领导。") == ["中国\n共产"]
    assert detect._dictionary.cache_info().currsize == 1


def test_the_dictionary_is_the_trusted_words_of_jiebas_main_dictionary():
    """Read from jieba's file, it holds the words a jieba tokenizer would have given."""
    from pipeline.corpus.tokenize import TokenizeConfig, make_tokenizer

    frequencies = make_tokenizer(TokenizeConfig()).FREQ
    assert detect._dictionary() == {w for w, f in frequencies.items() if f >= 100 and len(w) >= 2}
    assert len(detect._dictionary()) > 30_000

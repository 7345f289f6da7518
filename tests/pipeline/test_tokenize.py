"""jieba tokens, pinned (spaCy's practice): a jieba or dictionary change shows up here.

The pins are Python jieba's, the reference engine, named explicitly: the default engine is
jieba-rs wherever it is installed, and its parity with jieba is tests/test_segmenter_parity.py."""

from __future__ import annotations

import jieba
import pytest

from pipeline.corpus import tokenize
from pipeline.errors import ConfigError
from pipeline.corpus.tokenize import TokenizeConfig

JIEBA = TokenizeConfig(engine="jieba")


@pytest.mark.parametrize("text, expected", [
    ("党的十八大以来，习近平总书记把脱贫攻坚摆到治国理政突出位置。",
     ("党", "的", "十八大", "以来", "，", "习近平", "总书记", "把", "脱贫攻坚", "摆", "到", "治国", "理政", "突出位置", "。")),
    ("确保两不愁三保障，统筹推进疫情防控和经济社会发展",
     ("确保", "两不愁三保障", "，", "统筹", "推进", "疫情防控", "和", "经济社会", "发展")),
    ("占到2019年第一季度GDP的4.6%。", ("占到", "2019", "年", "第一季度", "GDP", "的", "4.6%", "。")),
    ("XX同志对《XX若干政策措施》进行了详细的解读", ("XX", "同志", "对", "《", "XX", "若干", "政策措施", "》", "进行", "了", "详细", "的", "解读")),
    ("Belt and Road", ("Belt", "and", "Road")),
    ("", ()),
])
def test_pinned_tokens(text, expected):
    assert tokenize.tokens(text, JIEBA) == expected


def test_without_the_user_dictionary_jieba_splits_the_domain_terms():
    """Pins jieba's own behaviour: the reason the user dictionary exists."""
    plain = TokenizeConfig(user_dict=None, engine="jieba")
    assert tokenize.tokens("党的十八大以来，脱贫攻坚", plain) == ("党", "的", "十八", "大", "以来", "，", "脱贫", "攻坚")


@pytest.mark.parametrize("engine", tokenize.ENGINES)
def test_every_user_dictionary_term_comes_out_whole(engine):
    for word, _, _ in tokenize.user_dict_entries(tokenize.DEFAULT_USER_DICT):
        assert tokenize.tokens(word, TokenizeConfig(engine=engine)) == (word,)


def test_malformed_user_dictionary_line_is_a_config_error(tmp_path):
    bad = tmp_path / "dict.txt"
    bad.write_text("脱贫攻坚 3 nz extra\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 1"):
        tokenize.user_dict_entries(bad)


def test_the_global_jieba_tokenizer_is_left_alone():
    tokenize.tokens("统筹推进", JIEBA)
    assert tokenize.make_tokenizer(JIEBA) is not jieba.dt


def test_one_tokenizer_per_config_and_process():
    assert tokenize.make_tokenizer(JIEBA) is tokenize.make_tokenizer(TokenizeConfig(engine="jieba"))
    assert tokenize.make_tokenizer(TokenizeConfig(hmm=False, engine="jieba")) is not tokenize.make_tokenizer(JIEBA)


def test_an_unknown_engine_is_refused_with_the_choices():
    with pytest.raises(ConfigError, match="jieba, rjieba"):
        TokenizeConfig(engine="thulac")


def test_the_default_engine_is_jieba_rs_where_it_is_installed(monkeypatch):
    import importlib.util

    assert TokenizeConfig().engine == "rjieba"  # installed with the project (make, the test extra)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "rjieba" else real_find_spec(name, *a))
    assert TokenizeConfig().engine == "jieba"

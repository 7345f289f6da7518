"""jieba tokens, pinned (spaCy's practice): a jieba or dictionary change shows up here."""

from __future__ import annotations

import jieba
import pytest

from pipeline import tokenize
from pipeline.tokenize import TokenizeConfig


@pytest.mark.parametrize("text, expected", [
    ("党的十八大以来，习近平总书记把脱贫攻坚摆到治国理政突出位置。",
     # 十八/大 is one of the domain splits a user dictionary is meant to fix.
     ("党", "的", "十八", "大", "以来", "，", "习近平", "总书记", "把", "脱贫", "攻坚", "摆", "到", "治国", "理政", "突出位置", "。")),
    ("占到2019年第一季度GDP的4.6%。", ("占到", "2019", "年", "第一季度", "GDP", "的", "4.6%", "。")),
    ("XX同志对《XX若干政策措施》进行了详细的解读", ("XX", "同志", "对", "《", "XX", "若干", "政策措施", "》", "进行", "了", "详细", "的", "解读")),
    ("Belt and Road", ("Belt", "and", "Road")),
    ("", ()),
])
def test_pinned_tokens(text, expected):
    assert tokenize.tokens(text) == expected


def test_the_global_jieba_tokenizer_is_left_alone():
    tokenize.tokens("统筹推进")
    assert tokenize.make_tokenizer(TokenizeConfig()) is not jieba.dt


def test_one_tokenizer_per_config_and_process():
    assert tokenize.make_tokenizer(TokenizeConfig()) is tokenize.make_tokenizer(TokenizeConfig())
    assert tokenize.make_tokenizer(TokenizeConfig(hmm=False)) is not tokenize.make_tokenizer(TokenizeConfig())

"""Word tokens of paragraphs, through jieba-rs or an explicit ``jieba.Tokenizer``.

jieba's module-level functions share one global tokenizer that any import can mutate
(``jieba.load_userdict``, ``enable_parallel``); here every process builds its own instance
from a frozen config, so tokens depend only on that config and the versioned user
dictionary (``pipeline/resources/userdict.txt``).

``engine="rjieba"`` segments with jieba-rs (the ``rjieba`` binding, in the default
install): the same dictionary and algorithm in Rust, many times faster, so it is the
default wherever it is installed (``default_engine``). Python jieba stays the reference:
jieba-rs's tokens differ from it in a small share of paragraphs (HMM details for unknown
words), which ``tests/test_segmenter_parity.py`` bounds on real reports; tests that pin
exact tokens pin ``engine="jieba"``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jieba

from pipeline.errors import ConfigError

RESOURCES = Path(__file__).parents[1] / "resources"

#: Segmenters behind ``tokens``: Python jieba (the reference), or jieba-rs.
ENGINES = ("jieba", "rjieba")

#: Terms of official speech that jieba's dictionary splits (脱贫攻坚, 两不愁三保障…).
DEFAULT_USER_DICT = RESOURCES / "userdict.txt"


def default_engine() -> str:
    """``"rjieba"`` when the rjieba package is installed (it is in the default install),
    else ``"jieba"``: the fast engine wherever it exists, without making it a requirement."""
    return "rjieba" if importlib.util.find_spec("rjieba") is not None else "jieba"


@dataclass(frozen=True)
class TokenizeConfig:
    """How paragraphs are tokenised.

    ``hmm``: jieba's HMM guesses words missing from the dictionary (names, new terms);
    on by default because official speeches are full of them.
    ``user_dict``: the domain dictionary loaded into the tokenizer; None for jieba alone.
    ``cache_dir``: where jieba keeps its prefix-dictionary cache (default: the system
    temporary directory, as jieba does).
    ``engine``: ``"jieba"`` or ``"rjieba"`` (jieba-rs); by default rjieba when it is
    installed (``default_engine``). The manifest records the engine a release used.
    """

    hmm: bool = True
    user_dict: Path | None = DEFAULT_USER_DICT
    cache_dir: Path | None = None
    engine: str = field(default_factory=default_engine)

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ConfigError(f"segmenter engine {self.engine!r} is not one of {', '.join(ENGINES)}")
        if self.cache_dir is not None and self.cache_dir.exists() and not self.cache_dir.is_dir():
            raise ConfigError(f"jieba cache_dir {str(self.cache_dir)!r} exists and is not a directory")
        if self.user_dict is not None and not Path(self.user_dict).is_file():
            raise ConfigError(f"user dictionary {str(self.user_dict)!r} does not exist")


def user_dict_entries(path: Path) -> list[tuple[str, int | None, str | None]]:
    """``(word, frequency, tag)`` of each entry of a user dictionary; ``#`` lines are comments."""
    entries = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        freq = next((int(p) for p in parts[1:] if p.isdigit()), None)
        tag = next((p for p in parts[1:] if not p.isdigit()), None)
        if len(parts) > 3:
            raise ConfigError(f"{Path(path).name} line {number}: expected 'word [frequency] [tag]', got {line!r}")
        entries.append((parts[0], freq, tag))
    return entries


def user_dict_sha256(config: TokenizeConfig) -> str | None:
    """The sha256 of the user dictionary in use (recorded in the manifest)."""
    return hashlib.sha256(Path(config.user_dict).read_bytes()).hexdigest() if config.user_dict else None


@functools.cache
def make_tokenizer(config: TokenizeConfig) -> jieba.Tokenizer:
    """A ready jieba tokenizer for ``config``, built once per process (~1 s, ~65 MB)."""
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    if config.cache_dir is not None:
        config.cache_dir.mkdir(parents=True, exist_ok=True)
        tokenizer.tmp_dir = str(config.cache_dir)
    tokenizer.initialize()
    if config.user_dict is not None:
        for word, freq, tag in user_dict_entries(config.user_dict):
            tokenizer.add_word(word, freq, tag)
    return tokenizer


@functools.cache
def segmenter(config: TokenizeConfig) -> Callable[[str], Iterable[str]]:
    """The precise-mode cut of ``config.engine``, with the user dictionary, once per process."""
    if config.engine == "jieba":
        return functools.partial(make_tokenizer(config).cut, HMM=config.hmm)
    try:
        import rjieba
    except ImportError:
        raise ConfigError("segmenter engine 'rjieba' needs the rjieba package: pip install rjieba") from None
    engine = rjieba.Jieba()
    if config.user_dict is not None:
        for word, freq, tag in user_dict_entries(config.user_dict):
            engine.add_word(word, freq, tag)
    return functools.partial(engine.cut, hmm=config.hmm)


def tokens(text: str, config: TokenizeConfig = TokenizeConfig()) -> tuple[str, ...]:
    """The tokens of ``text`` in precise mode, whitespace tokens dropped.

    >>> tokens("统筹推进疫情防控，GDP增长4.6%。")
    ('统筹', '推进', '疫情防控', '，', 'GDP', '增长', '4.6%', '。')
    """
    return tuple([t for t in segmenter(config)(text) if not t.isspace()])

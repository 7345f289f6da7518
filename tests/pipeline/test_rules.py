"""Site rules: loading the JSON rule files, which families apply, and what each scope removes."""

from __future__ import annotations

import json

import pytest

from pipeline.errors import ConfigError
from pipeline.text import rules


def _write(folder, family: str, rule_list: list[dict], detect: list[str], urls: list[str] = ()) -> None:
    spec = {"family": family, "detect": detect, "urls": list(urls), "rules": rule_list}
    (folder / f"{family}.json").write_text(json.dumps(spec), encoding="utf-8")


@pytest.mark.parametrize("rule, message", [
    ({"name": "x", "kind": "banner", "scope": "paragraph", "pattern": "a"}, "scope"),
    ({"name": "x", "kind": "banner", "scope": "line", "pattern": "("}, "error"),
    ({"name": "x", "kind": "banner", "scope": "line", "pattern": "(?P<author>a)"}, "metadata"),
    ({"kind": "banner", "scope": "line", "pattern": "a"}, "KeyError"),
])
def test_malformed_rules_file_is_a_config_error(tmp_path, rule, message):
    (tmp_path / "bad.json").write_text(json.dumps({"family": "bad", "detect": [], "rules": [rule]}), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        rules.load((tmp_path,))


def test_empty_rules_dir_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no rule files"):
        rules.load((tmp_path,))


def test_missing_rules_dir_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        rules.files((tmp_path / "nowhere",))


def test_a_later_folder_replaces_a_file_of_the_same_name(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    _write(first, "mysite", [{"name": "old", "kind": "banner", "scope": "line", "pattern": "旧"}], detect=["^我的网站$"])
    _write(second, "mysite", [{"name": "new", "kind": "banner", "scope": "line", "pattern": "新"}], detect=["^我的网站$"])
    assert rules.files((first, second)) == [second / "mysite.json"]
    (family,) = rules.load((first, second))
    assert [r.name for r in family.rules] == ["new"]


def test_generic_loads_last_and_the_shipped_families_are_there():
    families = rules.load((rules.RULES_DIR,))
    assert families[-1].family == "generic"
    assert {"61taotao", "wikisource"} <= {f.family for f in families}


def test_generic_always_applies_a_family_only_when_detected(tmp_path):
    _write(tmp_path, "generic", [], detect=[])
    _write(tmp_path, "mysite", [], detect=["^我的网站$"])
    _write(tmp_path, "bysite", [], detect=["^不会出现$"], urls=[r"bysite\.example"])
    families = rules.load((tmp_path,))
    assert [f.family for f in rules.applicable(families, "正文。", None)] == ["generic"]
    assert [f.family for f in rules.applicable(families, "我的网站\n正文。", None)] == ["mysite", "generic"]
    assert [f.family for f in rules.applicable(families, "正文。", "https://bysite.example/1")] == ["bysite", "generic"]
    late = "正文。" * rules.DETECT_WINDOW + "\n我的网站\n"
    assert [f.family for f in rules.applicable(families, late, None)] == ["generic"]


@pytest.mark.parametrize("scope, pattern, removed", [
    ("line", "广告", ["广告\n"]),                         # the whole line and its break
    ("inline", "广告", ["广告", "广告", "广告"]),          # every match
    ("tail", "广告", ["广告"]),                            # only a match that ends the text
    ("rest", "相关阅读", ["相关阅读：广告"]),               # the match and everything after
    ("head", "正文开始", ["标题\n正文开始"]),               # everything up to the match
])
def test_what_each_scope_removes(tmp_path, scope, pattern, removed):
    chars = "标题\n正文开始 广告 内容。\n广告\n相关阅读：广告"
    if scope == "line":
        chars = "标题\n广告\n正文。"
    _write(tmp_path, "generic", [{"name": "r", "kind": "banner", "scope": scope, "pattern": pattern}], detect=[])
    hits = rules.hits(list(rules.load((tmp_path,))), chars)
    assert [chars[start:end] for _, _, start, end in hits] == removed


def test_a_named_group_captures_metadata(tmp_path):
    _write(tmp_path, "generic", [{"name": "pages", "kind": "site_header", "scope": "line",
                                  "pattern": "(?P<page_count>[0-9]+)页"}], detect=[])
    ((rule, m, _, _),) = rules.hits(list(rules.load((tmp_path,))), "60页\n正文。")
    assert (rule.name, m.group("page_count")) == ("pages", "60")

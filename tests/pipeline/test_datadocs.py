"""Data Docs built by Great Expectations for a real release, made readable offline."""

from __future__ import annotations

import re

import pytest

from conftest import SEED
from pipeline import process, validate
from pipeline.validate import datadocs
from pipeline.errors import ConfigError


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    docs = tmp_path_factory.mktemp("docs") / "validation"
    tables = process.tables([process.batch([SEED], SEED.parent)])
    assert validate.validate(tables, docs).success
    return docs


def test_every_page_loads_only_local_resources_that_exist(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 13  # index, six suites, six validation results
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not datadocs.EXTERNAL_RESOURCE.search(text), page
        for relative in re.findall(r'(?:src|href)="([^"#?]+\.(?:js|css|png))"', text):
            assert (page.parent / relative).resolve().is_file(), (page, relative)
    for copy in datadocs.LOCAL_COPIES.values():
        assert (site / datadocs.VENDOR_IN_SITE / copy).is_file()


def test_the_index_lists_a_result_for_every_table(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for name in ("documents", "speeches", "sections", "paragraphs", "removals", "rejects"):
        assert f"validations/{name}_suite/" in index


def test_an_unknown_external_resource_is_refused_not_shipped(tmp_path):
    (tmp_path / "index.html").write_text('<html><script src="https://cdn.example/new-lib@9.js"></script></html>')
    with pytest.raises(ConfigError, match="new-lib"):
        datadocs.make_offline(tmp_path)


def test_a_folder_without_an_index_is_not_a_site(tmp_path):
    with pytest.raises(ConfigError, match="index.html"):
        datadocs.make_offline(tmp_path)

"""Guards on the project's structure: pipeline/ is pure, schemas and records agree."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

import schemas
from conftest import REPO
from pipeline import records


def test_pipeline_never_imports_prefect():
    """In a fresh interpreter, since other tests in this session import Prefect."""
    modules = sorted(p.stem for p in (REPO / "pipeline").glob("*.py") if p.stem != "__init__")
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module('pipeline.' + m)\n"
        "leaked = sorted(n for n in sys.modules if n == 'prefect' or n.startswith('prefect.'))\n"
        "print(len(leaked)); sys.exit(1 if leaked else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_in_pipeline_mentions_prefect_imports():
    offenders = [p.name for p in (REPO / "pipeline").rglob("*.py")
                 if any(line.strip().startswith(("import prefect", "from prefect")) for line in p.read_text().splitlines())]
    assert offenders == []


@pytest.mark.parametrize("name", list(schemas.TABLES))
def test_record_fields_are_the_schema_columns(name):
    fields = [f.name for f in dataclasses.fields(records.RECORD_TYPES[name])]
    assert fields == schemas.TABLES[name].column_names


@pytest.mark.parametrize("name", list(schemas.TABLES))
def test_every_column_is_documented_and_keys_exist(name):
    table = schemas.TABLES[name]
    assert all(c.doc.strip().endswith((".", ")")) for c in table.columns), "one sentence per column"
    assert set(table.key) <= set(table.column_names)
    assert set(table.sort_by) <= set(table.column_names)
    for column in table.columns:
        if column.references:
            other, col = column.references.split(".")
            assert col in schemas.TABLES[other].column_names

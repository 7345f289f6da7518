"""Guards on the project's structure: pipeline/ is pure, schemas and records agree."""

from __future__ import annotations

import dataclasses
import fnmatch
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import schemas
from conftest import REPO
from pipeline import records


def test_pipeline_never_imports_prefect():
    """In a fresh interpreter, since other tests in this session import Prefect."""
    modules = sorted(".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
                     for p in (REPO / "pipeline").rglob("*.py"))
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
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


# --------------------------------------------------------------- a fresh clone is enough


def _test_sources() -> list[Path]:
    return sorted((REPO / "tests").rglob("*.py"))


def test_tests_read_nothing_outside_the_repo_and_import_no_benchmark():
    """A clone of this repository alone runs the suite: no data beside it, no benchmarks/ code."""
    outside = re.compile(r"""\.\./shared|parent\s*/\s*["']shared["']|["']/(?:work|root|home|tmp)/""")
    benchmark = re.compile(r"^\s*(?:from|import)\s+benchmarks\b", re.MULTILINE)
    offenders = [p.relative_to(REPO).as_posix() for p in _test_sources()
                 if outside.search(p.read_text(encoding="utf-8")) or benchmark.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_install_files_name_packages_and_versions_only():
    lines = [line for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+!\-]+", line) for line in lines), \
        [line for line in lines if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+!\-]+", line)]
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + [r for group in project["optional-dependencies"].values() for r in group]
    assert [r for r in requirements if "@" in r or "file:" in r or "://" in r] == []


def test_every_test_data_file_names_its_source():
    data = REPO / "tests" / "data"
    named = re.findall(r"`([^`]+)`", (data / "SOURCES.md").read_text(encoding="utf-8"))
    files = [p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file() and p.name != "SOURCES.md"]
    assert files
    assert [f for f in files if not any(fnmatch.fnmatch(f, pattern) for pattern in named)] == []


def test_readme_opens_with_the_two_commands_ci_runs():
    """.ci/run runs the first code block of the README, one command a line."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("```")[1].splitlines()[1:]
    commands = [re.sub(r"\s*#.*$", "", line).strip() for line in block]
    assert [c for c in commands if c] == ["make run", "make test"]
    assert "README.md" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


# ------------------------------------------------------------ pipeline/ is pure


#: What only ``flows/`` may use: threads, futures, processes, and process-wide settings.
_ORCHESTRATION = re.compile(
    r"^\s*(?:import|from)\s+(?:concurrent|threading|multiprocessing|subprocess|asyncio)\b"
    r"|\b(?:sys\.set\w+|os\.environ\.(?:setdefault|update|pop)|os\.putenv"
    r"|gc\.(?:freeze|disable|set_threshold)|logging\.basicConfig|warnings\.(?:filterwarnings|simplefilter))\b"
    r"|\bos\.environ\[[^]]+\]\s*=(?!=)",
    re.MULTILINE,
)


def test_pipeline_starts_no_thread_or_process_and_changes_no_process_wide_setting():
    offenders = {p.relative_to(REPO).as_posix(): _ORCHESTRATION.findall(p.read_text(encoding="utf-8"))
                 for p in (REPO / "pipeline").rglob("*.py")}
    assert {path: found for path, found in offenders.items() if found} == {}


def test_the_check_for_orchestration_finds_what_it_forbids():
    samples = ["import concurrent.futures", "from threading import Thread", "import subprocess",
               "sys.setswitchinterval(0.001)", 'os.environ["X"] = "1"', 'os.environ.setdefault("X", "1")', "gc.freeze()"]
    assert all(_ORCHESTRATION.search(sample) for sample in samples)
    assert not _ORCHESTRATION.search("if final.exists():  # published by a concurrent build meanwhile")

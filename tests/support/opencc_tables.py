"""The characters that exist in one script only, derived from OpenCC's own character tables.

``pipeline/resources/traditional_only.txt`` and ``simplified_only.txt`` are what this
writes; the test of script detection derives the sets again from the installed OpenCC and
compares. Run by hand after an OpenCC upgrade:

    .venv/bin/python tests/support/opencc_tables.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import opencc

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from pipeline.text.normalize import SIMPLIFIED_ONLY_FILE, TRADITIONAL_ONLY_FILE  # noqa: E402

HEADER = (
    "# Characters that exist only in {script} Chinese, one per line: written by\n"
    "# tests/support/opencc_tables.py from the character tables of the installed OpenCC\n"
    "# ({table} keys that are not among their own candidates, nor a candidate of any\n"
    "# key, nor a key of {other}). Do not edit by hand.\n"
)


def tool() -> Path:
    """OpenCC's ``opencc_dict``, shipped with the Python package: it writes a compiled
    (``.ocd2``) table out as text."""
    return Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"


def table(name: str) -> dict[str, list[str]]:
    """An OpenCC table as ``{key: [candidates]}``."""
    share = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"{name}.txt"
        subprocess.run([str(tool()), "-i", str(share / f"{name}.ocd2"), "-o", str(out), "-f", "ocd2", "-t", "text"],
                       check=True, capture_output=True)
        rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines() if "\t" in line]
    return {key: value.split(" ") for key, value in rows}


def only(table_name: str, other_name: str) -> list[str]:
    """The keys of OpenCC's ``table_name`` that exist in its source script only, sorted:
    not among their own candidates (乾 → 干 乾: 乾坤 is simplified too), nor a candidate
    of any key, nor a key of the table of the other direction."""
    mapping, other = table(table_name), set(table(other_name))
    candidates = {c for values in mapping.values() for c in values}
    return sorted(key for key, values in mapping.items()
                  if len(key) == 1 and key not in values and key not in candidates and key not in other)


def text(script: str) -> str:
    """The resource file of ``script`` ("traditional" or "simplified"), as written."""
    names = ("TSCharacters", "STCharacters") if script == "traditional" else ("STCharacters", "TSCharacters")
    return HEADER.format(script=script, table=names[0], other=names[1]) + "".join(f"{c}\n" for c in only(*names))


if __name__ == "__main__":
    for script, path in (("traditional", TRADITIONAL_ONLY_FILE), ("simplified", SIMPLIFIED_ONLY_FILE)):
        path.write_text(text(script), encoding="utf-8")
        print(f"wrote {path}")

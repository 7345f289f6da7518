"""Fuzzing run of the ingest-to-tables path (run by hand at any size; CI runs it small).

Writes an inbox of N generated hostile inputs plus every known hostile case
(``tests/support/fuzz.py``), processes it a file at a time, merges and validates the
tables, and prints one JSON line: crashes, paths not accounted for, rejects by reason,
validation, the slowest file, seconds and peak RSS. ``tests/test_fuzz_inputs.py`` runs
the same at a size that takes well under two minutes.

    .venv/bin/python benchmarks/fuzz_inputs.py --inputs 10000
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from support import fuzz  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fuzz.write_inbox(Path(tmp) / "inbox", Path(tmp) / "outside", args.inputs, args.seed)
        result = fuzz.run(Path(tmp) / "inbox")
    result["inputs"] = args.inputs
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

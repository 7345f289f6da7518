"""Fuzzing run of the ingest-to-tables path (run by hand at any size; CI runs it small).

Writes an inbox of N generated hostile inputs plus every known hostile case
(``tests/support/fuzz.py``), processes it a file at a time, merges and validates the
tables, and prints one JSON line: crashes, paths not accounted for, rejects by reason,
validation, the slowest file, seconds and peak RSS. ``tests/test_fuzz_inputs.py`` runs
the same at a size that takes well under two minutes.

    .venv/bin/python benchmarks/fuzz_inputs.py --inputs 10000
    .venv/bin/python benchmarks/fuzz_inputs.py --adversarial
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from support import fuzz  # noqa: E402


def adversarial_seconds() -> dict:
    """Seconds from reading to a document or a reject, for each 4 MB adversarial page."""
    from pipeline import ingest, process

    out = {}
    for name, unit in fuzz.ADVERSARIAL_HTML.items():
        with tempfile.TemporaryDirectory() as tmp:
            box = Path(tmp)
            (box / name).write_text(unit * (fuzz.ADVERSARIAL_HTML_CHARS // len(unit)), encoding="utf-8")
            started = time.perf_counter()
            batch = process.batch(ingest.inbox_files(box), box)
            rejects = batch.tables["rejects"].to_pylist()
            out[name] = {"seconds": round(time.perf_counter() - started, 2),
                         "outcome": rejects[0]["reason"] if rejects else "document"}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--adversarial", action="store_true",
                        help="instead: time each 4 MB adversarial HTML page (issue 21's bound: 10 s)")
    args = parser.parse_args()
    if args.adversarial:
        print(json.dumps(adversarial_seconds(), ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory() as tmp:
        fuzz.write_inbox(Path(tmp) / "inbox", Path(tmp) / "outside", args.inputs, args.seed)
        result = fuzz.run(Path(tmp) / "inbox")
    result["inputs"] = args.inputs
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Precision and recall of duplicate detection on the fixture of ``tests/support/dedup_fixtures.py``
(run by hand): every threshold, the chosen one, and the similarity margins.

    .venv/bin/python benchmarks/dedup_fixtures.py [n_reports] [--reports FILE] [--shingles 3,4,5]

``--reports`` defaults to the extract in tests/data (8 reports with a year); the table in
the support module's docstring was measured on all 52 of ../shared/corpus (30 chosen).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from pipeline.corpus.dedup import DedupConfig  # noqa: E402
from support.dedup_fixtures import THRESHOLDS, build_fixtures, build_tables, choose, evaluate, margins  # noqa: E402

REPORTS = REPO / "tests" / "data" / "national-reports" / "government_work_reports.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_reports", nargs="?", type=int, default=30)
    parser.add_argument("--reports", type=Path, default=REPORTS, help="JSONL of government work reports")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shingles", default=str(DedupConfig().shingle_size), help="comma-separated sizes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as inbox:
        build_fixtures(Path(inbox), args.reports, args.n_reports, args.seed)
        started = time.perf_counter()
        tables = build_tables(Path(inbox))
    print(json.dumps({"documents": tables["documents"].num_rows, "speeches": tables["speeches"].num_rows,
                      "paragraphs": tables["paragraphs"].num_rows,
                      "build_seconds": round(time.perf_counter() - started, 1)}))
    for size in (int(s) for s in args.shingles.split(",")):
        results = evaluate(Path(), THRESHOLDS, size, tables)
        for r in results:
            print(json.dumps(r, ensure_ascii=False))
        print(json.dumps(margins(tables, size)))
        print(json.dumps({"chosen": choose(results)["threshold"], "shingle_size": size,
                          "default": DedupConfig().threshold}))


if __name__ == "__main__":
    main()

"""Validation's memory alone: the peak RSS of validating a build's tables, above what the
tables hold (run by hand, never in the test suite).

Builds the enriched tables of the batches ``corpus_memory.py --batches DIR`` spilled, once,
into ``--tables DIR`` (Arrow files, reused when present); then loads them, warms Great
Expectations up on the empty tables (its imports are no part of the data's cost), and
validates them with Data Docs as a build does, sampling RSS every 5 ms. Example::

    .venv/bin/python benchmarks/validation_memory.py --batches /tmp/bench105/batches --tables /tmp/bench105/tables
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def save_tables(batches: Path, folder: Path) -> None:
    """The tables a build validates (assembled and enriched) of the spilled ``batches``."""
    import pyarrow.feather as feather

    from pipeline import process
    from pipeline.corpus import enrich

    spilled = [process.SpilledBatch(path, 0) for path in sorted(batches.iterdir())]
    tables, terms = process.tables(spilled), process.terms_of(spilled)
    config = enrich.EnrichConfig()
    enriched = enrich.combine(enrich.keywords_of(tables, config, {}, None, terms),
                              enrich.duplicates_of(tables, config, {}, None))
    folder.mkdir(parents=True)
    for name, table in enriched.tables.items():
        feather.write_feather(table, folder / f"{name}.arrow", compression="uncompressed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=Path, required=True, help="spilled batches (corpus_memory.py --batches)")
    parser.add_argument("--tables", type=Path, required=True, help="the tables' Arrow files (made when absent)")
    args = parser.parse_args()

    from flows import runtime

    runtime.offline_prefect()
    runtime.load_arrow()  # the build process's allocator settings
    import psutil
    import pyarrow.feather as feather

    import schemas
    from pipeline import validate

    if not args.tables.is_dir():
        save_tables(args.batches, args.tables)
    tables = {name: feather.read_table(args.tables / f"{name}.arrow", memory_map=False) for name in schemas.TABLES}
    validate.validate({name: table.slice(0, 0) for name, table in tables.items()})
    validate.suites_digest()
    gc.collect()
    process, peak, done = psutil.Process(), [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.005)

    before = process.memory_info().rss
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        report = validate.validate(tables, Path(work) / "docs")
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    gc.collect()
    rows = ", ".join(f"{name} {table.num_rows:,}" for name, table in tables.items())
    print(f"rows: {rows}")
    print(f"validate {seconds:.1f} s: RSS {before >> 20} MB before, peak {peak[0] >> 20} MB "
          f"(+{(peak[0] - before) >> 20}), {process.memory_info().rss >> 20} MB after; passed: {report.success}")


if __name__ == "__main__":
    main()

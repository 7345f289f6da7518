"""Where the build's own process spends its memory, stage by stage (run by hand, never in
the test suite).

Processes an inbox (made by ``build_benchmark.py --keep DIR``: ``DIR/inbox``) into
spilled batches on two processes, as the command's workers do, once (``--batches DIR``
keeps and reuses them); then runs the flow process's steps on them in this process, one
after the other: assembling the tables, keywords, duplicates, the index tables,
validation, the Parquet files, the JSONL download. After each step it prints the seconds,
the RSS and its peak during the step (sampled every 5 ms), its anonymous part (RSS less
file pages: the assembled tables are mapped files, as in the command, whose pages are
handed back where the command hands them back), and the bytes Arrow holds and held at most. The command runs keywords beside duplicates and validation beside the data
files, so its peak is higher than any one step's here; this says which step holds what.
Example::

    .venv/bin/python benchmarks/corpus_memory.py --inbox /tmp/bench105/inbox --batches /tmp/bench105/batches
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gc
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def spill_batch(job: tuple[Path, Path, list[Path]]) -> None:
    from pipeline import process
    from pipeline.corpus.keywords import KeywordConfig

    inbox, folder, paths = job
    process.spill(process.batch(paths, inbox, process.BuildConfig(), KeywordConfig()), folder)


class Meter:
    """RSS and Arrow's bytes, now and at most since the last ``mark``."""

    def __init__(self):
        import psutil
        import pyarrow as pa

        self._process, self._pa = psutil.Process(), pa
        self._peak = self._arrow_peak = self._anonymous_peak = 0
        self._started = time.perf_counter()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            memory = self._process.memory_info()
            self._peak = max(self._peak, memory.rss)
            self._anonymous_peak = max(self._anonymous_peak, memory.rss - memory.shared)
            self._arrow_peak = max(self._arrow_peak, self._pa.total_allocated_bytes())
            time.sleep(0.005)

    def mark(self, step: str) -> None:
        gc.collect()
        memory, arrow = self._process.memory_info(), self._pa.total_allocated_bytes()
        rss, anonymous = memory.rss, memory.rss - memory.shared
        print(f"{step:16s} {time.perf_counter() - self._started:6.1f} s  RSS {rss >> 20:5d} MB "
              f"(peak {max(self._peak, rss) >> 20:5d})  anonymous {anonymous >> 20:5d} MB "
              f"(peak {max(self._anonymous_peak, anonymous) >> 20:5d})  "
              f"Arrow {arrow >> 20:5d} MB (peak {max(self._arrow_peak, arrow) >> 20:5d})", flush=True)
        self._peak, self._anonymous_peak, self._arrow_peak = rss, anonymous, arrow
        self._started = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--batches", type=Path, help="keep the spilled batches here (reused when present)")
    args = parser.parse_args()

    from flows import runtime

    runtime.offline_prefect()
    runtime.load_arrow()  # the build process's allocator settings
    from flows.processing import plan_batches
    from pipeline import incremental, ingest, process, records, validate
    from pipeline.corpus import enrich
    from pipeline.release import parquet, store
    from flows import download
    from schemas.layout import DATA_DIR, JSONL_NAME

    inbox = args.inbox.resolve()
    work = Path(tempfile.mkdtemp(prefix="corpus-memory-"))
    folder = args.batches or work / "batches"
    try:
        if not folder.is_dir():
            batches = plan_batches(ingest.inbox_files(inbox), 4_000_000, 200, 2)
            jobs = [(inbox, folder / f"{i:06d}", paths) for i, paths in enumerate(batches)]
            with concurrent.futures.ProcessPoolExecutor(2) as pool:
                list(pool.map(spill_batch, jobs))
        meter = Meter()
        meter.mark("imports")
        spilled = [process.SpilledBatch(path, 0) for path in sorted(folder.iterdir())]
        pages = records.MappedTables(work / "tables", piece_rows=parquet.ROW_GROUP_ROWS)
        pages.folder.mkdir()
        tables, terms = process.tables(spilled, pages), process.terms_of(spilled)
        meter.mark("assemble")
        config = enrich.EnrichConfig()
        ranking = enrich.keywords_of(tables, config, {}, None, terms)
        meter.mark("keywords")
        duplicates = enrich.duplicates_of(tables, config, {}, None)
        meter.mark("duplicates")
        enriched = enrich.combine(ranking, duplicates)
        del ranking, duplicates, tables
        pages.release()
        index = {**enriched.index, incremental.STATE: incremental.state_table(
            enriched.tables, incremental.fingerprints(process.BuildConfig()))}
        meter.mark("index")
        session = validate.Session(enriched.tables, work / "docs", slice_checked=pages.release)
        session.references()
        pages.release()
        session.rows(None)
        pages.release()
        session.report().raise_for_failures()
        meter.mark("validate")
        release = work / "release"
        store.data_folder(release, enriched.tables)
        parquet.write_tables(release, enriched.tables, index, lambda path: pages.release(),
                             row_group_written=pages.release)
        meter.mark("parquet")
        download.write(enriched.tables, release / DATA_DIR / JSONL_NAME, release=pages.release)
        pages.release()
        meter.mark("download")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

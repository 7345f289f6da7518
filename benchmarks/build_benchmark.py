"""Build-throughput benchmark (run by hand, never in the test suite).

Builds an inbox of a requested size from real texts (``--corpus``: a folder with
``national-reports/*.jsonl`` and ``provincial-2026/*.csv``; by default the extracts in
tests/data, or pass ../shared/corpus for the whole corpus) with doc-site noise variants, then, in one run on the same machine:

1. times bare jieba segmentation of the same decoded text with the same number of
   processes (the floor for a jieba-based pipeline);
2. times a full build (``build_release`` with the process runner against a local Prefect
   server started beforehand, so server start-up is not counted);
3. times an incremental no-op build of the unchanged inbox;
4. optionally (``--add-one``) adds one new document, times the incremental build, and
   checks its data files against a full rebuild of the same inbox, byte for byte; and
   times a flow run that does nothing (Prefect's start-up, which every build pays; the
   median of five).

Memory is sampled every 50 ms during the full build: the flow process alone, and the
flow process plus its worker processes at the same instant (the Prefect server, started
before, is not counted). The process's lifetime maximum would also count the corpus
generation and the later builds of this benchmark.

Prints one JSON line. Examples::

    .venv/bin/python benchmarks/build_benchmark.py --mb 50 --corpus ../shared/corpus
    .venv/bin/python benchmarks/build_benchmark.py --documents 2000 --add-one
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.chdir(REPO)

import flows.build  # noqa: E402,F401  (Prefect offline and pyarrow set up as for a build)

CORPUS = REPO / "tests" / "data"
TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
HEADER = "- 2021-04-23 发布 |\n- 37.5 KB |\n- 60页\n申明敬告: 本站不保证该用户上传的文档完整性,不预览、不比对内容而直接下载产生的反悔问题本站不予受理。\n文档介绍\n"


def source_texts(corpus: Path) -> list[tuple[str, str]]:
    """(title, text) of every real record of the corpus."""
    texts = []
    for name in ("government_work_reports.jsonl", "cpc_congress_reports.jsonl"):
        for line in (corpus / "national-reports" / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts.append((record["title"], record["content"]))
    csv.field_size_limit(10**9)
    for path in sorted((corpus / "provincial-2026").glob("2026_*.csv")):
        for row in csv.DictReader(path.open(encoding="utf-8-sig")):
            texts.append((row["title"], row["full_text"]))
    return texts


def variant(title: str, text: str, n: int, rng: random.Random, s2t) -> str:
    """Document ``n``: the text (a slice of it, so documents vary in size) wearing one of
    the doc-site noise families."""
    start = rng.randrange(0, max(1, len(text) // 3))
    body = text[start:start + rng.randrange(8_000, 40_000)]
    body = f"{body}\n（文档编号{n}）"  # no two documents are byte-identical
    kind = n % 4
    if kind == 0:
        return f"{HEADER}{title}\n{title} {body}查看更多"
    if kind == 1:  # traditional mirror with partial pinyin
        trad = s2t.convert(body)
        return "".join(c + (f"({rng.choice('bcdfghjklmnpqrstwxyz')}{rng.choice(TONED)})" if "\u4e00" <= c <= "\u9fff" and rng.random() < 0.1 else "")
                       for c in trad)
    if kind == 2:
        pages = "".join(f"{title}_第{i}页\n" for i in range(1, 6))
        return f"{pages}已阅读5页,还剩30页未读 继续免费阅读\n下载本文档\n文档简介\n{body}"
    return f"{title}\n{body[: len(body) // 2]}\n......此处隐藏2432字,下载文档可见......\n{body[len(body) // 2:]}"


def build_inbox(inbox: Path, corpus: Path, megabytes: float | None, documents: int | None,
                seed: int = 7) -> tuple[int, int]:
    import opencc

    s2t = opencc.OpenCC("s2t")
    rng = random.Random(seed)
    texts = source_texts(corpus)
    inbox.mkdir(parents=True, exist_ok=True)
    total = n = 0
    while (megabytes is not None and total < megabytes * 1e6) or (documents is not None and n < documents):
        title, text = texts[n % len(texts)]
        data = variant(title, text, n, rng, s2t).encode("utf-8")
        (inbox / f"doc_{n:06d}.txt").write_bytes(data)
        total += len(data)
        n += 1
    return n, total


_TOKENIZER = None


def _init_jieba() -> None:
    global _TOKENIZER
    import jieba

    _TOKENIZER = jieba.Tokenizer()
    _TOKENIZER.initialize()


def _cut(lines: list[str]) -> int:
    return sum(len(_TOKENIZER.lcut(line)) for line in lines)


def bare_jieba_seconds(inbox: Path, workers: int) -> float:
    """Wall time of jieba alone on the decoded inbox text, ``workers`` processes."""
    from pipeline import ingest

    lines = []
    for path in sorted(inbox.iterdir()):
        text, _ = ingest.decode(path.read_bytes())
        lines.extend(text.split("\n"))
    chunks = [lines[i:i + 2000] for i in range(0, len(lines), 2000)]
    with concurrent.futures.ProcessPoolExecutor(workers, initializer=_init_jieba) as pool:
        list(pool.map(_cut, chunks[:workers]))  # workers warm (dictionary loaded) before timing
        start = time.perf_counter()
        list(pool.map(_cut, chunks))
        return time.perf_counter() - start


def timed_build(inbox: Path, output: Path, workers: int, segmenter: str, incremental: bool = True) -> tuple[float, dict]:
    from flows import runners
    from flows.build import RunParams, build_release

    flow = build_release.with_options(task_runner=runners.task_runner("processes", workers))
    start = time.perf_counter()
    summary = flow(RunParams(input_dir=inbox, output_dir=output, incremental=incremental, segmenter=segmenter))
    return time.perf_counter() - start, summary


def prefect_startup_seconds(runs: int = 5) -> float:
    """Wall time of a flow run that does nothing, on the same server: what any build pays
    to Prefect around its steps (creating the run, its states, its logs, the heartbeat
    thread it joins at the end). The median of ``runs``: once in a run here, one empty
    flow took 6.6 s while the server was busy."""
    from prefect import flow

    @flow(name="empty")
    def empty() -> None:
        return None

    empty()  # the first run also pays for registering the flow
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        empty()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


class MemorySampler:
    """Peak RSS of this process, and of it plus the processes it starts, while active."""

    def __init__(self, interval: float = 0.05):
        import psutil

        self._me = psutil.Process()
        self._before = {p.pid for p in self._me.children(recursive=True)}  # the Prefect server
        self._interval = interval
        self._stop = threading.Event()
        self.flow_mb = self.total_mb = 0

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            mine = self._me.memory_info().rss
            total = mine
            for child in self._me.children(recursive=True):
                if child.pid not in self._before:
                    try:
                        total += child.memory_info().rss
                    except psutil.Error:
                        pass  # ended meanwhile
            self.flow_mb = max(self.flow_mb, round(mine / 2**20))
            self.total_mb = max(self.total_mb, round(total / 2**20))
            self._stop.wait(self._interval)


def data_files(output: Path, summary: dict) -> dict[str, bytes]:
    release = output / "releases" / summary["release_id"]
    return {p.name: p.read_bytes() for p in sorted((release / "data").iterdir())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--mb", type=float, help="input size in MB (UTF-8)")
    size.add_argument("--documents", type=int, help="number of documents")
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help="folder of national-reports/*.jsonl and provincial-2026/*.csv (default: tests/data)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--add-one", action="store_true", help="also time an incremental build with one new document")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--segmenter", choices=("jieba", "rjieba"), default="jieba",
                        help="the pipeline's segmenter (the floor is always bare Python jieba)")
    args = parser.parse_args()

    from flows import server

    work = args.keep or Path(tempfile.mkdtemp(prefix="speechcorpus-bench-"))
    try:
        inbox, output = work / "inbox", work / "output"
        documents, input_bytes = build_inbox(inbox, args.corpus, args.mb, args.documents)
        jieba_seconds = bare_jieba_seconds(inbox, args.workers)
        with server.local_server() as api_url, server.using(api_url):
            with MemorySampler() as memory:
                full_seconds, summary = timed_build(inbox, output, args.workers, args.segmenter)
            noop_seconds, _ = timed_build(inbox, output, args.workers, args.segmenter)
            result = {
                "corpus": str(args.corpus), "input_mb": round(input_bytes / 1e6, 1), "documents": documents,
                "workers": args.workers,
                "segmenter": args.segmenter,
                "paragraphs": summary["row_counts"]["paragraphs"],
                "full_build_seconds": round(full_seconds, 1),
                "mb_per_second": round(input_bytes / 1e6 / full_seconds, 3),
                "bare_jieba_seconds": round(jieba_seconds, 1),
                "throughput_vs_bare_jieba": round(jieba_seconds / full_seconds, 2),
                "noop_incremental_seconds": round(noop_seconds, 1),
                "full_build_peak_rss_mb": {"flow_process": memory.flow_mb, "with_workers": memory.total_mb},
            }
            if args.add_one:
                (inbox / "new_document.txt").write_text("在全市工作会议上的讲话\n同志们：\n今天召开会议，部署全年工作。", encoding="utf-8")
                one_seconds, one = timed_build(inbox, output, args.workers, args.segmenter)
                _, rebuilt = timed_build(inbox, work / "rebuild", args.workers, args.segmenter, incremental=False)
                startup = prefect_startup_seconds()
                result["one_new_document_seconds"] = round(one_seconds, 1)
                result["one_new_vs_full"] = round(one_seconds / full_seconds, 3)
                result["prefect_startup_seconds"] = round(startup, 2)
                result["one_new_minus_startup_vs_full"] = round((one_seconds - startup) / full_seconds, 3)
                result["one_new_equals_full_rebuild"] = data_files(output, one) == data_files(work / "rebuild", rebuilt)
        print(json.dumps(result, ensure_ascii=False))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

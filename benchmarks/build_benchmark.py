"""Build-speed benchmark as a user sees it (run by hand, never in the test suite).

Builds an inbox of a requested size from real texts (``--corpus``: a folder with
``national-reports/*.jsonl`` and ``provincial-2026/*.csv``; by default the extracts in
tests/data, or pass ../shared/corpus for the whole corpus) with doc-site noise variants,
then, in one run on the same machine:

1. times bare ``jieba.lcut`` over the same decoded text on ``--workers`` processes (the
   floor for a jieba-based pipeline; dictionaries loaded before the clock starts);
2. runs the real command for each configuration (``--config NAME=ARGS``; by default the
   table of issue 22: the default command, ``--segmenter rjieba``, ``--segmenter jieba``,
   ``--runner processes --workers 2``, and the default command on one file): ``python -m flows.cli build
   --input DIR --output DIR ARGS`` as a subprocess, timed from start to exit (Prefect's
   server start included), with the time from "published" to exit, the peak RSS of the
   command's processes (sampled every 50 ms: the command, its workers, its server), the
   load average before it, and the in-flow timers its log shows (start: imports and server
   start up to the flow run; planning, processing, enrichment, validation, publishing);
3. with ``--add-one``: a no-op rebuild of the unchanged inbox, then one new document in
   the existing release, whose data files are checked against a full rebuild, byte for
   byte (each a real command, timed the same way).

``--tree DIR`` runs the commands of another checkout (the code before a change), with this
checkout's inbox and jieba floor: run both in turn to compare. Prints one JSON line.
Examples::

    .venv/bin/python benchmarks/build_benchmark.py --mb 23.3 --corpus ../shared/corpus
    .venv/bin/python benchmarks/build_benchmark.py --mb 50 --corpus ../shared/corpus --config default=
    .venv/bin/python benchmarks/build_benchmark.py --documents 2000 --add-one --config default=
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

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
    """Wall time of ``jieba.lcut`` alone on the decoded inbox text, ``workers`` processes."""
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


#: The issue's table: name → the options of ``speechcorpus build`` (``one file`` runs on an
#: inbox of the first file only).
CONFIGS = {
    "default": "",
    "rjieba": "--segmenter rjieba",
    "jieba": "--segmenter jieba",
    "processes": "--runner processes --workers 2",
    "one file": "",
}

#: In-flow timers: a part of the build ends at the first log line matching its pattern
#: (``start``: the command's imports and its Prefect server's start, up to the flow run).
PARTS = (
    ("start", re.compile(r"Beginning flow run")),
    ("plan", re.compile(r"file\(s\) to process|nothing changed since")),
    ("process", re.compile(r"assemble_tables-\w+' - Finished")),
    ("enrich", re.compile(r"enrich_tables-\w+' - Finished")),
    ("validate", re.compile(r"validate_and_write-\w+' - Finished")),
    ("publish", re.compile(r"published /")),
)


class TreeMemory:
    """Peak RSS of a process and all its descendants together, sampled while active, and
    the peak of their anonymous memory (RSS less the file and shared pages it counts:
    what the system cannot drop and read again; Linux only, else None).

    A child between its fork and its exec is left out: until then it shares its parent's
    memory and shows the parent's RSS as its own (a command that starts a child while it
    holds 1.3 GB would count 2.6 GB for a few milliseconds). A worker forked without an
    exec would be left out too; the build's workers are spawned.
    """

    def __init__(self, pid: int, interval: float = 0.05):
        import psutil

        self._root = psutil.Process(pid)
        self._interval = interval
        self._stop = threading.Event()
        self.peak_mb = self.largest_mb = 0
        self.peak_anon_mb = 0 if sys.platform == "linux" else None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            sizes, anonymous = [], []
            try:
                for p in [self._root, *self._root.children(recursive=True)]:
                    try:
                        if p is not self._root and not _executed(p.pid):
                            continue
                        memory = p.memory_info()
                        sizes.append(memory.rss)
                        anonymous.append(memory.rss - getattr(memory, "shared", 0))
                    except psutil.Error:
                        pass  # ended meanwhile
            except psutil.Error:
                return
            if sizes:
                self.peak_mb = max(self.peak_mb, round(sum(sizes) / 2**20))
                self.largest_mb = max(self.largest_mb, round(max(sizes) / 2**20))
                if self.peak_anon_mb is not None:
                    self.peak_anon_mb = max(self.peak_anon_mb, round(sum(anonymous) / 2**20))
            self._stop.wait(self._interval)


#: The kernel's flag of a process forked that has not called exec yet (``PF_FORKNOEXEC``).
_FORKED_NOT_EXECUTED = 0x40


def _executed(pid: int) -> bool:
    """False for a process between its fork and its exec (Linux: its flags in
    /proc/PID/stat); True elsewhere, and when it cannot be told."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    flags = int(stat.rsplit(")", 1)[1].split()[6])
    return not flags & _FORKED_NOT_EXECUTED


def run_command(tree: Path, inbox: Path, output: Path, options: str, home: Path) -> dict:
    """``speechcorpus build --input inbox --output output OPTIONS`` in ``tree``, as a user
    runs it, timed from start to exit."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(home)
    load = os.getloadavg()[0]
    start = time.monotonic()
    command = subprocess.Popen([sys.executable, "-u", "-m", "flows.cli", "build", "--input", str(inbox),
                                "--output", str(output), *shlex.split(options)],
                               cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    memory = TreeMemory(command.pid)
    lines = [(time.monotonic() - start, line.rstrip("\n")) for line in command.stdout]
    code = command.wait()
    wall = time.monotonic() - start
    memory.stop()
    if code != 0:
        raise RuntimeError(f"{options!r} exited {code}:\n" + "\n".join(line for _, line in lines[-40:]))
    result = {"wall_seconds": round(wall, 1), "load_average": round(load, 2),
              "peak_rss_mb": memory.peak_mb, "largest_process_mb": memory.largest_mb,
              "peak_anonymous_mb": memory.peak_anon_mb}
    published = next((t for t, line in lines if "published /" in line or "nothing published" in line), None)
    if published is not None:
        result["published_to_exit_seconds"] = round(wall - published, 1)
    timers, before = {}, 0.0
    for part, pattern in PARTS:
        at = next((t for t, line in lines if pattern.search(line)), None)
        if at is not None:
            timers[part], before = round(at - before, 1), at
    result["in_flow_seconds"] = timers
    release = next((m.group(1) for _, line in lines if (m := re.search(r"written to (\S+)", line))), None)
    result["release"] = release
    return result


def data_files(release: str) -> dict[str, bytes]:
    """Every data file of ``release`` (each table's parts, the download) by its path in the release."""
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted((Path(release) / "data").rglob("*")) if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--mb", type=float, help="input size in MB (UTF-8)")
    size.add_argument("--documents", type=int, help="number of documents")
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help="folder of national-reports/*.jsonl and provincial-2026/*.csv (default: tests/data)")
    parser.add_argument("--workers", type=int, default=2, help="processes of the bare jieba floor (default: 2)")
    parser.add_argument("--config", action="append", metavar="NAME=OPTIONS",
                        help="a command to time: a name and the options of `speechcorpus build` (repeatable; "
                        "default: the issue's table, %s); the name 'one file' runs on the first file only"
                        % ", ".join(f"{k!r}" for k in CONFIGS))
    parser.add_argument("--tree", type=Path, default=REPO, help="the checkout whose command runs (default: this one)")
    parser.add_argument("--add-one", action="store_true",
                        help="also time a no-op rebuild and an incremental build with one new document")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (an inbox there is reused)")
    args = parser.parse_args()
    configs = dict(c.split("=", 1) for c in args.config) if args.config else CONFIGS

    work = args.keep or Path(tempfile.mkdtemp(prefix="speechcorpus-bench-"))
    try:
        inbox, one = work / "inbox", work / "one"
        if not inbox.is_dir():
            build_inbox(inbox, args.corpus, args.mb, args.documents)
        if not one.is_dir():
            one.mkdir()
            first = min(inbox.iterdir())
            shutil.copy(first, one / first.name)
        files = sorted(inbox.iterdir())
        input_bytes = sum(p.stat().st_size for p in files)
        jieba_seconds = bare_jieba_seconds(inbox, args.workers)
        home = work / "prefect-home"
        result = {"corpus": str(args.corpus), "tree": str(args.tree), "input_mb": round(input_bytes / 1e6, 1),
                  "files": len(files), "cores": os.cpu_count(),
                  "bare_jieba": {"processes": args.workers, "seconds": round(jieba_seconds, 1),
                                 "load_average": round(os.getloadavg()[0], 2)}}
        if not home.exists():  # a fresh Prefect database migrates for seconds: not what a build costs
            run_command(args.tree, one, work / "warm-up", "", home)
        commands = {}
        for name, options in configs.items():
            output = work / f"out-{len(commands)}"
            shutil.rmtree(output, ignore_errors=True)
            timed = run_command(args.tree, one if name == "one file" else inbox, output, options, home)
            if name != "one file":
                timed["mb_per_second"] = round(input_bytes / 1e6 / timed["wall_seconds"], 2)
                timed["vs_bare_jieba"] = round(jieba_seconds / timed["wall_seconds"], 2)
            timed["options"] = options
            commands[name] = timed
        result["commands"] = commands
        if args.add_one:
            output, options = work / "out-0", next(iter(configs.values()))
            full = commands[next(iter(configs))]
            noop = run_command(args.tree, inbox, output, options, home)
            (inbox / "new_document.txt").write_text("在全市工作会议上的讲话\n同志们：\n今天召开会议，部署全年工作。",
                                                    encoding="utf-8")
            try:
                added = run_command(args.tree, inbox, output, options, home)
                rebuilt = run_command(args.tree, inbox, work / "rebuild", options + " --full", home)
            finally:
                (inbox / "new_document.txt").unlink()
            result["noop_rebuild"] = noop
            result["one_new_document"] = {**added, "vs_full": round(added["wall_seconds"] / full["wall_seconds"], 3),
                                          "equals_full_rebuild": data_files(added["release"]) == data_files(rebuilt["release"])}
        print(json.dumps(result, ensure_ascii=False))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

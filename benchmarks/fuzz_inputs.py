"""Fuzzing run of the ingest-to-tables path (run by hand, not in the test suite).

Generates N hostile inputs (random bytes, mutated Chinese text in several encodings,
truncated and corrupted gzip/JSONL/CSV/HTML), builds the tables and validates them, and
checks that nothing crashed and every input is a document or a reject with a reason.
Prints one JSON line.

    .venv/bin/python benchmarks/fuzz_inputs.py --inputs 10000
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import ingest, process, validate  # noqa: E402
from pipeline.ingest import IngestConfig  # noqa: E402
from pipeline.process import BuildConfig  # noqa: E402

TEXT = (REPO / "data" / "inbox" / "000_7cdd236544d05e86.txt").read_text(encoding="utf-8")
SUFFIXES = (".txt", ".txt", ".txt", ".html", ".jsonl", ".jsonl.gz", ".csv", ".doc", "")


def mutate(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randrange(0, 20)):
        if not data:
            break
        i = rng.randrange(len(data))
        choice = rng.random()
        if choice < 0.4:
            data[i] = rng.randrange(256)
        elif choice < 0.7:
            del data[i:i + rng.randrange(1, 50)]
        else:
            data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 20)))
    return bytes(data)


def sample(rng: random.Random) -> tuple[str, bytes]:
    suffix = rng.choice(SUFFIXES)
    start = rng.randrange(len(TEXT))
    text = TEXT[start:start + rng.randrange(0, 3000)]
    kind = rng.random()
    if kind < 0.2:
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 3000)))
    elif suffix == ".jsonl" or suffix == ".jsonl.gz":
        lines = [json.dumps({rng.choice(["content", "text", "title", "x"]): text[i::3]}, ensure_ascii=False) for i in range(3)]
        data = "\n".join(lines).encode(rng.choice(["utf-8", "gb18030"]), errors="replace")
        if suffix == ".jsonl.gz":
            data = gzip.compress(data)
    elif suffix == ".csv":
        data = ("title,full_text\n" + f"标题,\"{text}\"\n").encode("utf-8")
    elif suffix == ".html" and kind < 0.3:
        # a download link in a paragraph: once refused every build (half width in chinese)
        data = f"<html><p>{text[:40]}</p><p>下载地址: www.example.gov.cn (PDF)<br>{text}</p></html>".encode("utf-8")
    elif suffix == ".html":
        data = f"<html><script>{text[:50]}</script><p>{text}</p></html>".encode("utf-8")
    else:
        data = text.encode(rng.choice(["utf-8", "utf-8-sig", "gb18030", "utf-16"]), errors="replace")
    if rng.random() < 0.7:
        data = mutate(data, rng)
    return suffix, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    config = BuildConfig(ingest=IngestConfig(max_file_bytes=1_000_000, max_decompressed_bytes=2_000_000))
    with tempfile.TemporaryDirectory() as tmp:
        box = Path(tmp)
        for i in range(args.inputs):
            suffix, data = sample(rng)
            (box / f"in_{i:05d}{suffix}").write_bytes(data)
        start = time.perf_counter()
        paths = ingest.inbox_files(box)
        tables = process.tables([process.batch(paths, box, config)])
        report = validate.validate(tables)
        quarantined = 0
        if report.quarantinable():  # as a build does (without its corpus-wide steps)
            out = validate.quarantine(tables, report)
            tables, quarantined = out.tables, len(out.documents)
            report = validate.validate(tables)
        seconds = time.perf_counter() - start
        files = {ingest.relative_name(p, box) for p in paths}
        seen = set(tables["documents"].column("source_path").to_pylist()) | set(tables["rejects"].column("source_path").to_pylist())
        rejects = tables["rejects"].to_pylist()
        reasons: dict[str, int] = {}
        for r in rejects:
            reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
        print(json.dumps({
            "inputs": args.inputs, "documents": tables["documents"].num_rows, "rejects": len(rejects),
            "every_input_accounted": files == seen, "rejects_without_reason": sum(1 for r in rejects if not (r["reason"] and r["detail"])),
            "validation_passed": report.success, "validation_failures": report.failures(), "quarantined": quarantined,
            "reasons": dict(sorted(reasons.items())), "seconds": round(seconds, 1),
        }, ensure_ascii=False))


if __name__ == "__main__":
    main()

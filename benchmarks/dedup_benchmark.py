"""Time and memory of duplicate detection on 10,000 documents (run by hand).

Running the whole pipeline on 10,000 documents would take about 20 minutes (cleaning
runs at ~50,000 characters a second) and measure the cleaning, not dedup, so the
records are built directly: paragraphs of 2–5 sentences drawn from the real national
reports (``--corpus``: the extracts in tests/data by default; the figures below used
../shared/corpus), 30 to a document, so that paragraphs are unique unless copied on
purpose. Of the documents, 60% are unique; the rest copy one of them the way sites do:
names and figures masked, a traditional mirror converted back (OpenCC s2t then t2s, with
half-width punctuation), a paywall cut after 35–65% of the paragraphs, or a compilation
of three documents. Tokens are left empty: dedup never reads them.

The tables are written to Parquet and read back by a fresh process, which runs
``annotate`` twice, the second time with the first run's index, as a rebuild of an
unchanged inbox would. One JSON line: sizes, seconds per run, RSS with the tables
loaded and at the peak (``resource.getrusage`` maxrss), reuse counts.

    .venv/bin/python benchmarks/dedup_benchmark.py [n_documents] [--corpus ../shared/corpus]

Results: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import opencc  # noqa: E402

from support.dedup_fixtures import LEADERS, body  # noqa: E402
from pipeline import records  # noqa: E402
from pipeline.corpus import dedup
from pipeline.records import Document, Paragraph, Speech, stable_id  # noqa: E402

CORPUS = REPO / "tests" / "data"
_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]")
_FIGURE = re.compile(r"\d+(?:\.\d+)?")
_HALF_WIDTH = str.maketrans({"，": ",", "：": ":", "；": ";"})


def sentences(corpus: Path) -> list[str]:
    """Every sentence of the national reports (simplified, as the pipeline would leave them)."""
    t2s = opencc.OpenCC("t2s")
    out = []
    for path in sorted((corpus / "national-reports").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out += _SENTENCE.findall(t2s.convert(body(json.loads(line)["content"])))
    return [s.strip() for s in out if len(s.strip()) >= 8]


def masked(paragraph: str, rng: random.Random) -> str:
    """Names masked; one figure in three paragraphs replaced by XX."""
    paragraph = re.sub("|".join(LEADERS), "xxx", paragraph)
    figures = list(_FIGURE.finditer(paragraph))
    if figures and rng.random() < 1 / 3:
        m = rng.choice(figures)
        paragraph = paragraph[:m.start()] + "XX" + paragraph[m.end():]
    return paragraph


def documents(n_documents: int, corpus: Path, seed: int = 1) -> dict[str, list[str]]:
    """doc name → paragraphs: unique documents and their copies (see the module docstring)."""
    rng = random.Random(seed)
    pool = sentences(corpus)
    s2t, t2s = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    n_unique = int(n_documents * 0.6)
    docs = {f"u{i:05d}": ["".join(rng.sample(pool, rng.randint(2, 5))) for _ in range(30)] for i in range(n_unique)}
    originals = list(docs)
    kinds = {"masked": "x", "mirror": "m", "truncated": "t", "compilation": "c"}  # kind → name prefix
    for i in range(n_documents - n_unique):
        kind = list(kinds)[i % len(kinds)]
        source = docs[rng.choice(originals)]
        if kind == "masked":
            copy = [masked(p, rng) for p in source]
        elif kind == "mirror":
            copy = [t2s.convert(s2t.convert(p)).translate(_HALF_WIDTH) for p in source]
        elif kind == "truncated":
            keep = int(len(source) * rng.uniform(0.35, 0.65))
            last = source[keep]
            copy = source[:keep] + [last[:len(last) // 2]]
        else:
            copy = [p for name in rng.sample(originals, 3) for p in docs[name]]
        docs[f"{kinds[kind]}{i:05d}"] = copy
    return docs


def tables(docs: dict[str, list[str]], seed: int = 1) -> dict:
    """documents, speeches and paragraphs tables: one speech per document."""
    rng = random.Random(seed)
    rows: dict[str, list] = {"documents": [], "speeches": [], "paragraphs": []}
    for name, paragraphs in docs.items():
        doc_id = stable_id("benchmark", name)
        speech_id = stable_id(doc_id, "speech", 0)
        text = "\n".join(paragraphs)
        offset = 0
        for ordinal, paragraph in enumerate(paragraphs, start=1):
            rows["paragraphs"].append(Paragraph(
                paragraph_id=stable_id(doc_id, "paragraph", offset), speech_id=speech_id, section_id=None,
                doc_id=doc_id, ordinal=ordinal, text=paragraph, char_count=len(paragraph), tokens=(), token_count=0,
                placeholders=(), placeholder_count=paragraph.count("xxx") + paragraph.count("XX"),
                flags=("truncated",) if name[0] == "t" and ordinal == len(paragraphs) else (),
                duplicate_of=None, duplicate_kind=None, duplicate_score=None,
                source_start=offset, source_end=offset + len(paragraph)))
            offset += len(paragraph) + 1
        placeholders = sum(p.placeholder_count for p in rows["paragraphs"][-len(paragraphs):])
        rows["speeches"].append(Speech(
            speech_id=speech_id, doc_id=doc_id, ordinal=1, title=None, genre=None, speaker=None, delivered_on=None,
            occasion=None, occasion_type=None, salutation=None, text=text, char_count=len(text), section_count=0,
            paragraph_count=len(paragraphs), token_count=0, placeholder_count=placeholders, keywords=(),
            duplicate_of=None, duplicate_kind=None, duplicate_score=None, duplicate_cluster=speech_id,
            source_start=0, source_end=len(text), title_source_start=None, title_source_end=None))
        rows["documents"].append(Document(
            doc_id=doc_id, source_path=f"{name}.txt", source_line=None, source_sha256="0" * 64,
            source_bytes=len(text.encode()), format="txt", encoding="utf-8", site=None, url=None, title=None,
            published_date=dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3000)) if rng.random() < 0.7 else None,
            page_count=None, declared_size=None, declared_speech_count=None, speech_count=1,
            paragraph_count=len(paragraphs), char_count=len(text), removed_char_count=0,
            converted_char_count=len(text) // 3 if name[0] == "m" else 0, script="simplified",
            segmentation="single", status="ok", flags=(), metadata=None))
    return {name: records.to_arrow(name, rows[name]) for name in rows}


def rss_mb() -> float:
    """Resident set size now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def measure(folder: Path) -> dict:
    """Read the tables a build would hold, annotate twice (the second time with the first
    run's index, as a rebuild of an unchanged inbox does), and report time and memory."""
    built = {name: pq.read_table(folder / f"{name}.parquet") for name in ("documents", "speeches", "paragraphs")}
    rss_tables = rss_mb()
    _, index, first = dedup.annotate(built)
    _, _, second = dedup.annotate(built, previous=index)
    return {
        "documents": built["documents"].num_rows,
        "paragraphs": built["paragraphs"].num_rows,
        "speeches": built["speeches"].num_rows,
        "characters": int(pa.compute.sum(pa.compute.utf8_length(built["paragraphs"].column("text"))).as_py()),
        "seconds_first": first.seconds,
        "seconds_second": second.seconds,
        "rss_mb_tables_loaded": rss_tables,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "index_mb": round(index.nbytes / 2**20, 1),
        "first": first.to_dict(),
        "second": {k: v for k, v in second.to_dict().items() if k in ("signatures_reused", "signatures_computed")},
    }


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(Path(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_documents", nargs="?", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of national-reports/*.jsonl")
    args = parser.parse_args()
    started = time.perf_counter()
    built = tables(documents(args.n_documents, args.corpus))
    build_seconds = round(time.perf_counter() - started, 1)
    with tempfile.TemporaryDirectory() as folder:
        for name, table in built.items():
            pq.write_table(table, Path(folder) / f"{name}.parquet")
        del built
        # A fresh process, so that the memory of building the records does not count.
        result = subprocess.run([sys.executable, __file__, "--measure", folder], check=True,
                                capture_output=True, text=True)
    print(json.dumps({"build_seconds": build_seconds, **json.loads(result.stdout)}))


if __name__ == "__main__":
    main()

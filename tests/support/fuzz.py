"""The hostile-input fuzz: an inbox of generated broken files and of every known hostile case,
run through the pipeline; nothing may crash and every path must be accounted for.

``benchmarks/fuzz_inputs.py`` runs it by hand at any size; ``tests/test_fuzz_inputs.py``
runs it in CI at a size that takes well under two minutes, in a child interpreter that
reports its peak RSS. One inbox holds:

- ``count`` generated files (``sample``): random bytes, slices of a real speech in every
  encoding and format the pipeline reads, mutated (bytes flipped, cut, inserted);
- the known hostile cases (``write_hostile_cases``), one each: those of issue 21 (a page
  whose punctuation width followed URL removal, quadratic HTML, a small ``.jsonl.gz`` of
  many bad lines, hidden files and folders, linked folders and link loops, stray control
  characters, bidi controls) and of the first round (a gzip bomb, a named pipe, a link
  out of the inbox, a text over the size limit).

``run`` processes the inbox a file at a time, so that a crash names its file and the
others still count, then merges, validates and quarantines the tables as a build would.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import time
from pathlib import Path

from pipeline import ingest, process, validate
from pipeline.ingest import IngestConfig
from pipeline.process import BuildConfig

REPO = Path(__file__).resolve().parents[2]
SPEECH = (REPO / "data" / "inbox" / "000_7cdd236544d05e86.txt").read_text(encoding="utf-8")
SUFFIXES = (".txt", ".txt", ".txt", ".html", ".jsonl", ".jsonl.gz", ".csv", ".doc", "")

#: Limits small enough that the size cases stay small: each limit is still crossed.
CONFIG = BuildConfig(ingest=IngestConfig(max_file_bytes=1_000_000, max_decompressed_bytes=2_000_000,
                                         max_record_chars=300_000))

#: The HTML the standard library's parser read in quadratic time, at 200 KB a page (80 s
#: each before the fix): the parser reads them in one pass, or stops at its budget.
QUADRATIC_HTML = {"unclosed_tags": "<a", "unclosed_tags_on_lines": "<a\n", "unclosed_end_tags": "</",
                  "comments_never_closed": "<!--x>", "unbalanced_quotes": '<a b="x" c=">'}
QUADRATIC_HTML_CHARS = 200_000
#: The same pages at the size of issue 21's bound (4 MB, under every limit), and one of
#: unclosed blocks: ``tests/test_hostile_inputs.py`` checks their outcome,
#: ``benchmarks/fuzz_inputs.py --adversarial`` times them (the bound is 10 s each).
ADVERSARIAL_HTML = {f"{name}.html": unit for name, unit in QUADRATIC_HTML.items()} | {"open_blocks.html": "<p>"}
ADVERSARIAL_HTML_CHARS = 4_000_000

#: Files processed (a batch each, so that a crash names its file) between merges.
MERGE_EVERY = 100


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
    """One generated input: its suffix and its bytes."""
    suffix = rng.choice(SUFFIXES)
    start = rng.randrange(len(SPEECH))
    text = SPEECH[start:start + rng.randrange(0, 3000)]
    kind = rng.random()
    if kind < 0.2:
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 3000)))
    elif suffix in (".jsonl", ".jsonl.gz"):
        lines = [json.dumps({rng.choice(["content", "text", "title", "x"]): text[i::3]}, ensure_ascii=False) for i in range(3)]
        data = "\n".join(lines).encode(rng.choice(["utf-8", "gb18030"]), errors="replace")
        if suffix == ".jsonl.gz":
            data = gzip.compress(data)
    elif suffix == ".csv":
        data = ("title,full_text\n" + f"标题,\"{text}\"\n").encode("utf-8")
    elif suffix == ".html":
        data = f"<html><script>{text[:50]}</script><p>{text}</p></html>".encode("utf-8")
    else:
        data = text.encode(rng.choice(["utf-8", "utf-8-sig", "gb18030", "utf-16"]), errors="replace")
    if rng.random() < 0.7:
        data = mutate(data, rng)
    return suffix, data


def write_hostile_cases(box: Path, outside: Path) -> None:
    """One file (or folder, or link) for each known hostile case; ``outside`` is a folder
    beside the inbox that links point out to."""
    speech = SPEECH[:2700]
    files = {
        # issue 21
        "download_line.html": ("<p>关于印发通知的说明</p><p>下载地址: www.example.gov.cn (PDF)<br>"
                               "各地区、各部门要认真贯彻落实会议精神，结合实际抓好各项工作的组织实施，确保取得实效。</p>").encode("utf-8"),
        "stray_controls.txt": (speech[:900] + "\x08" + speech[900:1800] + "\x1b" + speech[1800:2699] + "\x00").encode("utf-8"),
        "bidi.html": f"<title>讲话\u202e稿</title><p>{speech[:400]}\u202e{speech[400:800]}</p>".encode("utf-8"),
        "bidi_title.jsonl": json.dumps({"title": "讲话\u2067稿\u2069", "content": speech[:800]}, ensure_ascii=False).encode("utf-8"),
        "many_bad_lines.jsonl.gz": gzip.compress(b"{}\n" * 300_000),
        "many_bad_rows.csv": ("title,content\n" + "a,b,c\n" * 3000).encode("utf-8"),
        # the first round
        "gzip_bomb.jsonl.gz": gzip.compress(b'{"content": "' + b"a" * 3_000_000 + b'"}\n'),
        "too_large.txt": "很长的一行。".encode("utf-8") * 200_000,
        "nul_and_controls.txt": speech[:200].replace("，", "\x00\x01\x02").encode("utf-8"),
        "ole.doc.txt": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096),
        "empty.txt": b"",
        ".hidden.txt": speech[:200].encode("utf-8"),
    }
    for name, unit in QUADRATIC_HTML.items():
        files[f"quadratic_{name}.html"] = (unit * (QUADRATIC_HTML_CHARS // len(unit))).encode("utf-8")
    for name, data in files.items():
        (box / name).write_bytes(data)
    (box / ".git" / "objects").mkdir(parents=True)
    (box / ".git" / "HEAD").write_bytes(b"ref: refs/heads/main\n")
    (box / "sub").mkdir()
    (box / "sub" / ".swp").write_bytes(b"\x00swap")
    (box / "sub" / "speech.txt").write_text(speech[:1200], encoding="utf-8")
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text(speech[:300], encoding="utf-8")
    (box / "linked_out").symlink_to(outside, target_is_directory=True)
    (box / "sub" / "linked_up").symlink_to(box, target_is_directory=True)
    (box / "linked_sibling").symlink_to(box / "sub", target_is_directory=True)
    (box / "self_link").symlink_to(box / "self_link")
    (box / "loop_a.txt").symlink_to(box / "loop_b.txt")
    (box / "loop_b.txt").symlink_to(box / "loop_a.txt")
    (box / "dangling.txt").symlink_to(box / "deleted.txt")
    (box / "file_out.txt").symlink_to(outside / "secret.txt")
    os.mkfifo(box / "pipe.txt")


def write_inbox(box: Path, outside: Path, count: int, seed: int = 1) -> None:
    """The fuzz inbox: ``count`` generated files and the hostile cases."""
    rng = random.Random(seed)
    box.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        suffix, data = sample(rng)
        (box / f"in_{i:05d}{suffix}").write_bytes(data)
    write_hostile_cases(box, outside)


def unlisted(box: Path, listed: list[Path]) -> list[str]:
    """Entries under ``box`` that are neither listed nor inside a listed folder (the folders
    the walk enters are accounted for by what they hold)."""
    names = {p.relative_to(box).as_posix() for p in listed}
    missing = []
    for root, dirs, files in os.walk(box):
        for name in dirs + files:
            path = Path(root, name)
            if path.is_dir() and not path.is_symlink() and not name.startswith("."):
                continue
            relative = path.relative_to(box)
            if not {relative.as_posix(), *(p.as_posix() for p in relative.parents)} & names:
                missing.append(relative.as_posix())
    return missing


def run(box: Path, config: BuildConfig = CONFIG) -> dict:
    """Process the inbox a file at a time, merge, validate; what happened, as a dict."""
    started = time.perf_counter()
    paths = ingest.inbox_files(box)
    merged, batches, crashes, slowest = process.Batch(), [], [], (0.0, "")
    for path in paths:
        name = ingest.relative_name(path, box)
        began = time.perf_counter()
        try:
            batches.append(process.batch([path], box, config))
        except Exception as exc:  # a crash: what the fuzz is looking for
            crashes.append(f"{name}: {exc!r}"[:300])
        slowest = max(slowest, (time.perf_counter() - began, name))
        if len(batches) == MERGE_EVERY:  # a batch's tables weigh ~160 KB of Python objects, even empty
            merged, batches = process.Batch(process.tables([merged, *batches])), []
    tables = process.tables([merged, *batches])
    report = validate.validate(tables)
    quarantined = 0
    if report.quarantinable():  # as a build does: rows that broke a row-level expectation become rejects
        out = validate.quarantine(tables, report)
        tables, quarantined = out.tables, len(out.documents)
        report = validate.validate(tables)
    names = {ingest.relative_name(p, box) for p in paths}
    seen = set(tables["documents"].column("source_path").to_pylist()) | set(tables["rejects"].column("source_path").to_pylist())
    rejects = tables["rejects"].to_pylist()
    reasons: dict[str, int] = {}
    for r in rejects:
        reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
    return {
        "paths": len(paths),
        "documents": tables["documents"].num_rows,
        "rejects": len(rejects),
        "crashes": crashes,
        "unaccounted": sorted(names - seen),
        "unlisted": unlisted(box, paths),
        "rejects_without_reason": sum(1 for r in rejects if not (r["reason"] and r["detail"])),
        "validation_passed": report.success,
        "validation_failures": report.failures(),
        "quarantined": quarantined,
        "reasons": dict(sorted(reasons.items())),
        "reject_of": {r["source_path"]: r["reason"] for r in rejects if r["source_line"] is None},
        "slowest_file": {"seconds": round(slowest[0], 2), "path": slowest[1]},
        "seconds": round(time.perf_counter() - started, 1),
    }

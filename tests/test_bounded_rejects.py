"""Issue 21, point 3: a file's rejects are bounded, and the manifest lists files, not lines.

A 3 KB ``.jsonl.gz`` of a million ``{}`` lines cost a million reject rows, 2.8 GB peak RSS
and a 199 MB manifest.json. Past ``IngestConfig.max_rejects_per_file`` one row stands for
all of a file's rejects, with the count by reason and the first examples.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json

from pipeline import ingest, process
from pipeline.ingest import IngestConfig
from pipeline.process import BuildConfig
from pipeline.release import describe
from support.measure import in_child

TEXT = "各地区、各部门要认真贯彻落实会议精神，结合实际抓好各项工作的组织实施，确保取得实效。"
GOOD = json.dumps({"title": "会议讲话", "content": TEXT}, ensure_ascii=False)
TEN = BuildConfig(ingest=IngestConfig(max_rejects_per_file=10))


def _tables(box, config=TEN):
    return process.tables([process.batch(ingest.inbox_files(box), box, config)])


def test_past_the_threshold_one_row_stands_for_a_files_rejects(tmp_path):
    lines = [GOOD] + ["{}"] * 20 + ["[1]"] * 5 + [GOOD.replace("会议", "大会")]
    (tmp_path / "many.jsonl.gz").write_bytes(gzip.compress("\n".join(lines).encode("utf-8")))
    tables = _tables(tmp_path)
    assert tables["documents"].num_rows == 2  # the good lines are documents still
    (row,) = tables["rejects"].to_pylist()
    assert (row["source_path"], row["source_line"], row["reason"]) == ("many.jsonl.gz", None, "too_many_rejects")
    assert row["source_sha256"] == tables["documents"].column("source_sha256")[0].as_py()
    assert "25 " in row["detail"] and "no_text_column 20" in row["detail"] and "malformed_record 5" in row["detail"]
    assert "line 2 " in row["detail"]  # the first examples, with their lines


def test_at_the_threshold_every_rejected_line_keeps_its_row(tmp_path):
    (tmp_path / "few.jsonl").write_text("\n".join([GOOD] + ["{}"] * 10), encoding="utf-8")
    rejects = _tables(tmp_path)["rejects"].to_pylist()
    assert sorted(r["source_line"] for r in rejects) == list(range(2, 12))
    assert {r["reason"] for r in rejects} == {"no_text_column"}


def test_a_file_level_reject_after_many_lines_carries_their_count(tmp_path):
    data = gzip.compress("\n".join([GOOD] + ["{}"] * 5000).encode("utf-8"))
    (tmp_path / "cut.jsonl.gz").write_bytes(data[:-12])  # the stream breaks off after many lines: undecodable
    (row,) = _tables(tmp_path)["rejects"].to_pylist()
    assert (row["source_line"], row["reason"]) == (None, "undecodable")
    assert "no_text_column" in row["detail"]


def test_the_manifest_lists_files_not_lines(tmp_path):
    (tmp_path / "few.jsonl").write_text("\n".join([GOOD, "{}", "{}", GOOD.replace("会议", "大会")]), encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text("{}\n[1]\n{}\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    tables = _tables(tmp_path)
    inputs = describe.manifest("r", dt.datetime(2026, 1, 1), tables, {}, TEN)["inputs"]
    assert inputs == [
        {"source_path": "bad.jsonl", "sha256": inputs[0]["sha256"], "status": "rejected", "reason": "no_text_column",
         "documents": 0, "rejects": {"malformed_record": 1, "no_text_column": 2}},
        {"source_path": "empty.txt", "sha256": hashlib.sha256(b"").hexdigest(), "status": "rejected", "reason": "empty_file",
         "documents": 0, "rejects": {"empty_file": 1}},
        {"source_path": "few.jsonl", "sha256": inputs[2]["sha256"], "bytes": (tmp_path / "few.jsonl").stat().st_size,
         "status": "document", "documents": 2, "rejects": {"no_text_column": 2}},
    ]


MILLION_EMPTY_OBJECTS = """
import datetime as dt, gzip, json, sys, tempfile
from pathlib import Path
from pipeline import ingest, process
from pipeline.process import BuildConfig
from pipeline.release import describe

def main():
    lines = int(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        box = Path(tmp)
        (box / "empty_objects.jsonl.gz").write_bytes(gzip.compress(b"{}\\n" * lines))
        tables = process.tables([process.batch(ingest.inbox_files(box), box, BuildConfig())])
        manifest = describe.manifest("r", dt.datetime.now(dt.timezone.utc), tables, {}, BuildConfig())
        return {"compressed_bytes": (box / "empty_objects.jsonl.gz").stat().st_size,
                "reject_rows": tables["rejects"].num_rows, "manifest_inputs": len(manifest["inputs"]),
                "manifest_bytes": len(json.dumps(manifest, ensure_ascii=False, indent=2))}
"""


def test_a_small_file_of_many_bad_lines_costs_one_row_and_bounded_memory():
    """200,000 ``{}`` lines (the issue's million, scaled to a test's time): before, one
    reject row each and a peak RSS growing with them (1.3 GB for the million in
    ``process.batch`` alone); now one row, one manifest entry, the memory of a small file."""
    result = in_child(MILLION_EMPTY_OBJECTS, "200000")
    assert (result["reject_rows"], result["manifest_inputs"]) == (1, 1), result
    assert result["manifest_bytes"] < 20_000, result
    assert result["peak_rss_mb"] < 250, result

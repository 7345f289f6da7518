"""`speechcorpus verify` re-checks a release from disk; one build at a time per output."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import REPO, SEED
from pipeline import process, validate
from pipeline.corpus import enrich
from pipeline.release import describe, lock, parquet, store, verify
from support.layouts import as_layout_1


#: Rows per part of the release the tests check: the seed's 136 paragraphs in 3 parts (50, 50, 36).
PART_ROWS = 50


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    enriched = enrich.tables(process.tables([process.batch([SEED], SEED.parent)]))
    report = validate.validate(enriched.tables)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    manifest = describe.manifest("r1", now, enriched.tables, report.to_dict(), process.BuildConfig())
    release = store.write_release(out, "r1", enriched.tables, manifest, enriched.index, part_rows=PART_ROWS)
    assert [p.name for p in parquet.table_files(release, "paragraphs")] == [
        "part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    return release


def _copy(release, tmp_path):
    import shutil

    target = tmp_path / "releases" / release.name
    shutil.copytree(release, target)
    return target


def _edit_manifest(release, edit) -> None:
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    edit(manifest)
    (release / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _relist(release, relative: str):
    """The manifest's entry of ``relative`` made to match the file: a change it cannot see."""
    def edit(manifest):
        manifest["files"][relative] = {"sha256": store.sha256_file(release / relative),
                                       "bytes": (release / relative).stat().st_size}
    return edit


def test_a_published_release_verifies(release):
    assert verify.release(release) == []
    assert verify.output(release.parent.parent) == []


def test_a_changed_byte_is_found(release, tmp_path):
    copy = _copy(release, tmp_path)
    data = copy / "data" / "speeches.jsonl.gz"
    raw = bytearray(data.read_bytes())
    raw[-1] ^= 0xFF
    data.write_bytes(bytes(raw))
    assert verify.release(copy) == ["data/speeches.jsonl.gz: sha256 differs from the manifest"]


def test_a_corrupted_part_is_named(release, tmp_path):
    copy = _copy(release, tmp_path)
    part = copy / "data" / "paragraphs.parquet" / "part-00001.parquet"
    raw = bytearray(part.read_bytes())
    raw[-1] ^= 0xFF  # the footer's magic: the part no longer reads
    part.write_bytes(bytes(raw))
    problems = verify.release(copy)
    assert problems[0] == "data/paragraphs.parquet/part-00001.parquet: sha256 differs from the manifest"
    assert problems[1].startswith("data/paragraphs.parquet/part-00001.parquet: unreadable:") and len(problems) == 2


def test_a_missing_part_is_named(release, tmp_path):
    copy = _copy(release, tmp_path)
    (copy / "data" / "paragraphs.parquet" / "part-00001.parquet").unlink()
    assert verify.release(copy) == [
        "data/paragraphs.parquet/part-00001.parquet: listed in the manifest but missing",
        "data/paragraphs.parquet/part-00001.parquet: missing (parts of paragraphs are numbered from 0 without a gap)",
        "data/paragraphs.parquet (2 parts): 86 rows, manifest says 136",
    ]
    # deleted with its line of the manifest, the gap still shows
    _edit_manifest(copy, lambda m: m["files"].pop("data/paragraphs.parquet/part-00001.parquet"))
    assert verify.release(copy)[0] == \
        "data/paragraphs.parquet/part-00001.parquet: missing (parts of paragraphs are numbered from 0 without a gap)"


def test_an_extra_part_is_named(release, tmp_path):
    import shutil

    copy = _copy(release, tmp_path)
    shutil.copy(copy / "data" / "paragraphs.parquet" / "part-00000.parquet", copy / "data" / "paragraphs.parquet" / "part-00003.parquet")
    shutil.copy(copy / "data" / "paragraphs.parquet" / "part-00000.parquet", copy / "data" / "paragraphs.parquet" / "old.parquet")
    problems = verify.release(copy)
    assert problems[:2] == ["data/paragraphs.parquet/old.parquet: not listed in the manifest",
                            "data/paragraphs.parquet/part-00003.parquet: not listed in the manifest"]
    assert "data/paragraphs.parquet/old.parquet: not a part of table paragraphs (parts are data/paragraphs.parquet/part-00000.parquet, …)" \
        in problems
    assert "data/paragraphs.parquet/part-00002.parquet: 36 rows; every part but the last holds part_rows=50 (the manifest's " \
        "layout), the last 1 to 50 (0 when it is the only one)" in problems
    assert problems[-1] == "data/paragraphs.parquet (5 parts): 236 rows, manifest says 136"


def test_rows_moved_between_parts_are_found(release, tmp_path):
    """Every row still there, every checksum matching: the parts are not those the
    manifest's layout makes, so a loader's part-by-part reading would differ."""
    copy = _copy(release, tmp_path)
    folder = copy / "data" / "paragraphs.parquet"
    first, second = (parquet.read_table(copy, "paragraphs").slice(start, 50) for start in (0, 50))
    parquet.write_parquet(first.slice(0, 49), folder / "part-00000.parquet", "paragraphs")
    parquet.write_parquet(pa.concat_tables([first.slice(49), second]), folder / "part-00001.parquet", "paragraphs")
    for number in (0, 1):
        _edit_manifest(copy, _relist(copy, f"data/paragraphs.parquet/part-0000{number}.parquet"))
    problems = verify.release(copy)
    assert [p.split(":")[0] for p in problems] == ["data/paragraphs.parquet/part-00000.parquet", "data/paragraphs.parquet/part-00001.parquet"]


def test_a_wrong_row_count_and_a_broken_table_are_found(release, tmp_path):
    copy = _copy(release, tmp_path)
    _edit_manifest(copy, lambda m: m["row_counts"].update(paragraphs=m["row_counts"]["paragraphs"] + 1))
    assert verify.release(copy) == ["data/paragraphs.parquet (3 parts): 136 rows, manifest says 137"]
    _edit_manifest(copy, lambda m: m["row_counts"].update(paragraphs=136, documents=2))
    assert verify.release(copy) == ["data/documents.parquet/part-00000.parquet: 1 rows, manifest says 2"]


def test_a_dangling_reference_fails_the_suites(release, tmp_path):
    copy = _copy(release, tmp_path)
    (last,) = [p for p in parquet.table_files(copy, "sections")][-1:]
    table = pq.read_table(last)
    pq.write_table(table.slice(0, table.num_rows - 1), last)  # the last section goes; its paragraphs still point at it
    _edit_manifest(copy, _relist(copy, last.relative_to(copy).as_posix()))
    _edit_manifest(copy, lambda m: m["row_counts"].update(sections=m["row_counts"]["sections"] - 1))
    problems = verify.release(copy)
    assert problems and all(p.startswith("validation: ") for p in problems)
    assert any("references sections.section_id" in p for p in problems), problems


def test_a_release_of_layout_1_verifies_and_its_files_are_checked(release, tmp_path):
    copy = as_layout_1(_copy(release, tmp_path))
    assert (copy / "data" / "paragraphs.parquet").is_file()  # a file where layout 2 has a folder
    assert verify.release(copy) == []
    _edit_manifest(copy, lambda m: m["row_counts"].update(paragraphs=137))
    assert verify.release(copy) == ["data/paragraphs.parquet: 136 rows, manifest says 137"]


def test_cli_verify_exit_codes(release, tmp_path):
    ok = subprocess.run([sys.executable, "-m", "flows.cli", "verify", str(release)], cwd=REPO, capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("ok:")
    copy = _copy(release, tmp_path)
    (copy / "data" / "rejects.parquet" / "part-00000.parquet").unlink()
    bad = subprocess.run([sys.executable, "-m", "flows.cli", "verify", str(copy)], cwd=REPO, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "data/rejects.parquet/part-00000.parquet: listed in the manifest but missing" in bad.stdout.splitlines()


def test_a_second_build_on_a_locked_output_exits_with_one_line(tmp_path):
    with lock.exclusive(tmp_path):
        result = subprocess.run([sys.executable, "-m", "flows.cli", "build", "--output", str(tmp_path)],
                                cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "another build" in lines[0] and str(tmp_path) in lines[0]


def test_the_lock_waits_for_another_holder_and_is_not_reentrant(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pipeline.release import lock\n"
         "with lock.exclusive(sys.argv[1]):\n    print('held', flush=True); time.sleep(1.5)", str(tmp_path)],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(lock.BuildLocked, match=f"pid {holder.pid}"):
        with lock.exclusive(tmp_path):
            pass
    start = time.monotonic()
    with lock.exclusive(tmp_path, wait_seconds=30):
        waited = time.monotonic() - start
        # a second hold is a second build, even in one process (the command line tells the flow it holds it)
        with pytest.raises(lock.BuildLocked, match=f"pid {os.getpid()}"), lock.exclusive(tmp_path):
            pass
    holder.wait()
    assert waited > 0.5

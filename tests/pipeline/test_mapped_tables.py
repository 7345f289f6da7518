"""Tables held as mapped files: the assembled release's tables (``process.tables`` with a
``place``) and the download child's inputs are file pages, not the process's memory, the
same values and chunks, and their pages can be handed back while the table is in use."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pytest

import schemas
from conftest import SEED
from pipeline import process, records


def _resident_bytes() -> int:
    """This process's resident memory (Linux: /proc/self/statm, in pages)."""
    import resource

    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize()


def _table(rows: int) -> pa.Table:
    """Two chunks of text and numbers: about 40 bytes of text per row."""
    chunk = pa.table({"n": pa.array(range(rows), pa.int64()), "text": pa.array([f"第{i}段文字" * 3 for i in range(rows)])})
    return pa.concat_tables([chunk, chunk.slice(rows // 3)])


def test_a_mapped_file_holds_the_same_values_and_chunks_outside_arrows_memory(tmp_path):
    table = _table(200_000)
    allocated = pa.total_allocated_bytes()
    mapped = records.to_mapped_file(table, tmp_path / "t.arrow")
    assert pa.total_allocated_bytes() - allocated < table.nbytes // 100
    assert mapped.equals(table)
    assert [c.num_chunks for c in mapped.columns] == [c.num_chunks for c in table.columns] == [2, 2]


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/statm")
def test_released_pages_leave_the_process_and_read_back_the_same(tmp_path):
    table = _table(1_000_000)
    records.write_arrow_file(table, tmp_path / "t.arrow")
    size = (tmp_path / "t.arrow").stat().st_size
    mapped = records.MappedArrowFile(tmp_path / "t.arrow")
    before = _resident_bytes()
    assert mapped.table.equals(table)  # reads every page
    touched = _resident_bytes()
    assert touched - before > size // 2
    mapped.release()
    assert touched - _resident_bytes() > size // 2
    assert mapped.table.equals(table)  # read in again from the file, the same values


def test_placed_tables_stand_for_the_sorted_ones_one_at_a_time(tmp_path):
    batches = [process.batch([SEED], SEED.parent), process.Batch()]
    plain = process.tables(batches)
    placed = []

    def place(name: str, table: pa.Table) -> pa.Table:
        assert table.equals(plain[name])
        placed.append(name)
        return records.to_mapped_file(table, tmp_path / f"{name}.arrow")

    allocated = pa.total_allocated_bytes()
    mapped = process.tables(batches, place)
    assert placed == list(schemas.TABLES)
    assert mapped == plain
    # the batches are in memory here, the sorted copies are not kept
    assert pa.total_allocated_bytes() - allocated < plain["paragraphs"].nbytes // 2

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


def test_a_placed_table_holds_the_same_values_and_chunks_outside_arrows_memory(tmp_path):
    table = _table(200_000)
    allocated = pa.total_allocated_bytes()
    mapped = records.MappedTables(tmp_path).place("t", table)
    assert pa.total_allocated_bytes() - allocated < table.nbytes // 100
    assert mapped.equals(table)
    assert [c.num_chunks for c in mapped.columns] == [c.num_chunks for c in table.columns] == [2, 2]
    assert (tmp_path / "t.arrow").is_file()


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/statm")
def test_released_pages_leave_the_process_and_read_back_the_same(tmp_path):
    table = _table(1_000_000)
    tables = records.MappedTables(tmp_path)
    mapped = tables.place("t", table)
    size = (tmp_path / "t.arrow").stat().st_size
    before = _resident_bytes()
    assert mapped.equals(table)  # reads every page
    touched = _resident_bytes()
    assert touched - before > size // 2
    tables.release()
    assert touched - _resident_bytes() > size // 2
    assert mapped.equals(table)  # read in again from the file, the same values
    (tmp_path / "t.arrow").unlink()  # a mapping keeps the bytes of its file (POSIX)
    tables.release()
    assert mapped.equals(table)


def test_placed_tables_stand_for_the_sorted_ones_one_at_a_time(tmp_path):
    batches = [process.batch([SEED], SEED.parent), process.Batch()]
    plain = process.tables(batches)
    placed = []

    files = records.MappedTables(tmp_path)

    def place(name: str, table: pa.Table) -> pa.Table:
        assert table.equals(plain[name])
        placed.append(name)
        return files.place(name, table)

    allocated = pa.total_allocated_bytes()
    mapped = process.tables(batches, place)
    assert placed == list(schemas.TABLES)
    assert mapped == plain
    # the batches are in memory here, the sorted copies are not kept
    assert pa.total_allocated_bytes() - allocated < plain["paragraphs"].nbytes // 2

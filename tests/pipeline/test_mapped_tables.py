"""Tables held as mapped files: the assembled release's tables (``process.tables`` with
``pages``, sorted into their files a piece at a time) and the download child's inputs are
file pages, not the process's memory, the same values, and their pages can be handed back
while the table is in use."""

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


def test_a_sorted_table_holds_the_same_values_in_pieces_outside_arrows_memory(tmp_path):
    table = _table(200_000)
    expected = records.sort(table, ["n"])
    allocated = pa.total_allocated_bytes()
    mapped = records.MappedTables(tmp_path, piece_rows=100_000).sorted("t", table, ["n"])
    assert pa.total_allocated_bytes() - allocated < table.nbytes // 100
    assert mapped.equals(expected)
    assert [len(c) for c in mapped.column("n").chunks] == [100_000] * 3 + [table.num_rows - 300_000]
    assert (tmp_path / "t.arrow").is_file()


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/statm")
def test_released_pages_leave_the_process_and_read_back_the_same(tmp_path):
    table = records.sort(_table(1_000_000), ["n"])
    tables = records.MappedTables(tmp_path)
    mapped = tables.sorted("t", table, ["n"])
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


def _interleaved(rows: int) -> pa.Table:
    """Three chunks whose keys interleave (every chunk holds small and large keys), with
    repeated keys (ties keep their order), nulls and a string key."""
    chunks = []
    for c in range(3):
        keys = [None if (i + c) % 11 == 0 else (i * 7 + c) % 5 for i in range(rows)]
        names = [f"k{(i * 3 + c) % 4}" for i in range(rows)]
        chunks.append(pa.table({"key": pa.array(keys, pa.int64()), "name": names,
                                "row": pa.array([c * rows + i for i in range(rows)], pa.int64()),
                                "text": [f"第{c}块第{i}行" * (i % 3) for i in range(rows)]}))
    return pa.concat_tables(chunks)


@pytest.mark.parametrize("table", [_interleaved(40), _interleaved(1), _interleaved(1).slice(0, 1),
                                   _interleaved(3).slice(0, 0)], ids=["interleaved", "three", "one row", "empty"])
@pytest.mark.parametrize("piece_rows", [1, 2, 7, 10**6])
def test_a_table_sorted_into_a_file_piece_by_piece_equals_the_sort_in_memory(tmp_path, table, piece_rows):
    columns = ["key", "name"]
    if table.num_rows > 3:  # the keys interleave across the chunks: the rows move
        assert records.sort(table, columns).column("row").to_pylist() != table.column("row").to_pylist()
    pieces = []
    path = tmp_path / "t.arrow"
    records.write_sorted_arrow_file(table, columns, path, piece_rows, lambda: pieces.append(1))
    written = records.MappedArrowFile(path).table
    expected = records.sort(table, columns)
    assert written.equals(expected)
    assert written.schema == table.schema
    assert len(pieces) == -(-table.num_rows // piece_rows)  # one call per piece
    if table.num_rows:
        assert [len(c) for c in written.column("row").chunks][:-1] == [piece_rows] * (len(pieces) - 1)


def test_a_table_sorted_into_a_file_keeps_rows_in_runs_as_they_are(tmp_path):
    """An incremental build's rows are mostly in order already (moved as slices, not
    gathered): the same sort, piece by piece, across the runs' ends."""
    ordered = pa.table({"key": pa.array(range(100), pa.int64()), "text": [str(i) for i in range(100)]})
    table = pa.concat_tables([ordered.slice(50), ordered.slice(0, 50)])
    path = tmp_path / "t.arrow"
    records.write_sorted_arrow_file(table, ["key"], path, 30)
    assert records.MappedArrowFile(path).table.equals(ordered)


def test_a_table_written_in_pieces_holds_the_same_rows_and_hands_back_after_each(tmp_path, monkeypatch):
    table = _table(1_000)
    pieces = []
    monkeypatch.setattr(records, "PIECE_ROWS", 300)
    records.write_arrow_file(table, tmp_path / "t.arrow", piece_written=lambda: pieces.append(1))
    assert records.MappedArrowFile(tmp_path / "t.arrow").table.equals(table)
    assert len(pieces) == -(-table.num_rows // 300)


def test_sorted_tables_stand_for_the_sorted_ones_one_at_a_time(tmp_path):
    """``process.tables`` with ``pages``: every table sorted into its file, the same tables
    as sorted in memory, none of the sorted copies kept in Arrow's memory; spilled batches
    have the pages they were read from handed back after each piece."""
    batches = [process.batch([SEED], SEED.parent), process.Batch()]
    plain = process.tables(batches)
    spilled = [process.spill(b, tmp_path / f"batch{i}") for i, b in enumerate(batches)]
    (tmp_path / "tables").mkdir()
    pages = records.MappedTables(tmp_path / "tables", piece_rows=5)
    allocated = pa.total_allocated_bytes()
    mapped = process.tables(spilled, pages)
    assert mapped == plain
    assert pa.total_allocated_bytes() - allocated < plain["paragraphs"].nbytes // 2
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == sorted(f"{n}.arrow" for n in schemas.TABLES)
    for name, table in mapped.items():
        assert [len(c) for c in table.column(0).chunks][:-1] == [5] * (table.column(0).num_chunks - 1), name


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/statm")
def test_sorting_a_spilled_table_hands_back_the_pages_it_read(tmp_path):
    """What a piece of the sort read of the batches' files is handed back before the next:
    sorting a mapped table of many pieces leaves few of its pages resident."""
    table = _table(1_000_000)
    records.write_arrow_file(table, tmp_path / "in.arrow")
    source = records.MappedArrowFile(tmp_path / "in.arrow")
    size = (tmp_path / "in.arrow").stat().st_size
    before = _resident_bytes()
    records.write_sorted_arrow_file(source.table, ["n"], tmp_path / "out.arrow", 100_000, source.release)
    assert _resident_bytes() - before < size // 2
    assert records.MappedArrowFile(tmp_path / "out.arrow").table.equals(records.sort(table, ["n"]))

"""Where things are in a release folder, and what the dataset is called.

Shared by the publisher and by the files it writes (dataset card, Croissant metadata,
report), so none of them imports another to learn a folder name.
"""

#: Folder of a release that holds the data files (the only one the card's configs name).
DATA_DIR = "data"

#: Version of how a release's data files are laid out. 2: each table is a folder of parts,
#: ``data/<table>.parquet/part-00000.parquet`` …, so that no reader or writer needs a whole
#: table in one file. 1 (releases before it, whose manifest has no ``layout``): one file per
#: table at the same path, ``data/<table>.parquet``; readers still read it (``table_files``).
#: The folder keeps the file's name so that code written for layout 1 reads layout 2
#: unchanged: pyarrow, pandas and DuckDB (2.0) read a folder of parts given that path.
LAYOUT_VERSION = 2
#: Most rows in one part of a table (the build's ``part_rows`` setting): a part of
#: paragraphs is then a few hundred MB at most, what a reader holds at once when it reads
#: a table part by part. Split by rows, not bytes, so the same rows always split the same
#: way whatever the compression gives.
PART_ROWS = 500_000
#: The digits of a part's number: parts sort by name in their order (part 0 first), as
#: pandas, DuckDB, pyarrow.dataset and Hugging Face ``datasets`` list them.
PART_DIGITS = 5
#: The most parts a table may have in this naming.
MAX_PARTS = 10**PART_DIGITS


def table_dir(table_name: str) -> str:
    """The folder of a table's parts, relative to the release: what pyarrow, pandas and
    DuckDB read as one table, as they read the one file of layout 1 at the same path."""
    return f"{DATA_DIR}/{table_name}.parquet"


def part_path(table_name: str, number: int) -> str:
    """Part ``number`` (from 0) of a table, relative to the release.

    >>> part_path("paragraphs", 12)
    'data/paragraphs.parquet/part-00012.parquet'
    """
    if not 0 <= number < MAX_PARTS:
        raise ValueError(f"part {number} of {table_name!r}: a table has parts 0 to {MAX_PARTS - 1}")
    return f"{table_dir(table_name)}/part-{number:0{PART_DIGITS}d}.parquet"


def parts_glob(table_name: str) -> str:
    """Every part of a table, relative to the release: DuckDB's, Hugging Face
    ``data_files``' and Croissant's ``includes`` pattern."""
    return f"{table_dir(table_name)}/*.parquet"


#: Folder of a release that holds state for later builds (not data for users).
INDEX_DIR = "index"
#: The nested download: one speech per line.
JSONL_NAME = "speeches.jsonl.gz"
#: Croissant (MLCommons) metadata and the human-readable report, at the release root.
CROISSANT_NAME = "croissant.json"
REPORT_NAME = "report.html"
#: The speeches added, removed and changed since the release a build started from, at
#: the release root (``pipeline.release.diff``; none in a first release).
CHANGES_NAME = "changes.json"
#: Great Expectations' Data Docs of the release's validation, under the release folder.
DATA_DOCS_DIR = "validation"

PRETTY_NAME = "Chinese official speeches (speechcorpus)"

#: The license statement of the card and of the Croissant metadata.
LICENSE_NOTE = (
    "The texts are speeches, reports and other documents of Chinese party and state "
    "bodies, as scraped from document-sharing sites (文库). Article 5 of the Copyright Law "
    "of the PRC excludes documents of a legislative, administrative or judicial nature and "
    "their official translations from copyright protection; this pipeline does not check "
    "whether each text falls under that article, nor the terms of the sites it was "
    "collected from. Users are responsible for their own use."
)

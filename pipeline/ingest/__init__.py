"""Reading inputs: list the inbox, and turn each file into its documents or the reasons why not.

The inbox holds one-document files (``.txt``, ``.html``) and corpus files with one
document per record (``.jsonl``, ``.jsonl.gz``, ``.csv``). ``read`` yields a ``Source`` for
every document and a ``Reject`` (reason code and a detail naming the offending value) for
everything it cannot use, down to the line or row: a bad record never costs the file's
good ones, and a bad file never stops the run.

Each ``Source`` carries the text that offsets point into (``text``) and what the pipeline
cleans (``body``), plus the whole file's sha256 and size, which is the provenance the
document ids are derived from (with the line number for corpus files).

Every path under the inbox is accounted for: the walk lists hidden files and folders,
linked folders and link loops too, and ``read`` makes each of them one reject. A file's
rejects are bounded (``tally``): past ``IngestConfig.max_rejects_per_file`` one row stands
for them all.

Modules: ``inbox`` (the walk, which entries are not read and why, stored names, reading
bytes), ``decoding`` (BOMs, the UTF-8/GB18030 fallback, an HTML page's declared charset),
``formats`` (``read`` and the reader of each suffix), ``jsonl`` and ``csv`` (corpus
files), ``fields`` (a record's text, title, URL and date), ``html`` (a page's text with
offsets into the markup, in one pass and within a work budget), ``tally`` (a file's
rejects, bounded), ``source`` (``Source``) and ``config`` (``IngestConfig``: record fields
and the limits).
"""

from pipeline.ingest.config import IngestConfig
from pipeline.ingest.decoding import decode
from pipeline.ingest.formats import read
from pipeline.ingest.inbox import inbox_files, relative_name
from pipeline.ingest.source import Source

__all__ = ["IngestConfig", "Source", "decode", "inbox_files", "read", "relative_name"]

"""Where things are in a release folder, and what the dataset is called.

Shared by the publisher and by the files it writes (dataset card, Croissant metadata,
report), so none of them imports another to learn a folder name.
"""

#: Folder of a release that holds the data files (the only one the card's configs name).
DATA_DIR = "data"
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

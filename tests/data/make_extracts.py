"""Writes the corpus extracts of this folder from a checkout of the shared corpus (run by hand).

    .venv/bin/python tests/data/make_extracts.py PATH/TO/corpus

The tests read only what this writes; SOURCES.md says where each record came from. Extracts
are whole records (national reports), the opening and closing lines of a page's text
(provincial reports) or a page's frame around its first and last blocks (government
portal), so every test sees real text as it was scraped, at a size it needs.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Line numbers (1-based) of the national-report records kept: reports of every period,
#: one NPC resolution, the traditional-character 1954 and 1957 reports, the 七大 stub.
NATIONAL = {
    "government_work_reports.jsonl": (1, 2, 14, 34, 46, 56, 62, 69, 72),
    "cpc_congress_reports.jsonl": (2, 4, 6, 14),
}
#: Provincial pages kept: the three the flow tests build, and the two with the most
#: varied page chrome (breadcrumbs, font-size bars, share and QR lines, read counts).
PROVINCES = ("上海市", "北京市", "河北省", "云南省", "宁夏回族自治区")
#: Lines of a provincial page's text kept from its start (page chrome, title, speaker,
#: salutation, the first sections) and from its end (the closing and the trailing chrome).
HEAD_LINES, TAIL_LINES = 60, 6
MANIFEST_ROWS = 3
#: Government portal pages kept: one whose title is broken by a <br>, one by three <p>s.
#: Each is cut to the page frame, the first and the last blocks of the document.
GOV_PAGES = ("policy_001.html", "policy_002.html")
GOV_FIRST_BLOCKS, GOV_LAST_BLOCKS = 8, 4


def national(corpus: Path) -> None:
    out = HERE / "national-reports"
    out.mkdir(exist_ok=True)
    for name, keep in NATIONAL.items():
        lines = (corpus / "national-reports" / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (out / name).write_text("".join(lines[i - 1] for i in keep), encoding="utf-8")


def provincial(corpus: Path) -> None:
    out = HERE / "provincial-2026"
    out.mkdir(exist_ok=True)
    csv.field_size_limit(10**8)  # a script of its own: nothing else runs in this process
    for province in PROVINCES:
        name = f"2026_{province}_政府工作报告.csv"
        with (corpus / "provincial-2026" / name).open(encoding="utf-8-sig", newline="") as f:
            (row,) = csv.DictReader(f)
        lines = row["full_text"].split("\n")
        row["full_text"] = "\n".join(lines[:HEAD_LINES] + lines[-TAIL_LINES:])
        _write_csv(out / name, list(row), [row])
    with (corpus / "provincial-2026" / "run_manifest_2026.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))[:MANIFEST_ROWS]
    _write_csv(out / "run_manifest_2026.csv", list(rows[0]), rows)


def gov_portal(corpus: Path) -> None:
    """The frame of each page (metadata table before the document, QR and tools after it)
    around its first and last ``<p>`` blocks; the markup is cut between blocks only."""
    out = HERE / "gov-portal"
    out.mkdir(exist_ok=True)
    for name in GOV_PAGES:
        page = (corpus / "gov-portal" / name).read_text(encoding="utf-8")
        start = page.index('id="UCAP-CONTENT"')
        end = page.index("<!--/enpcontent-->")
        ends = [m.end() for m in re.finditer("</p>", page[:end]) if m.start() > start]
        starts = [m.start() for m in re.finditer("<p[ >]", page[:end]) if m.start() > start]
        head = ends[GOV_FIRST_BLOCKS - 1]
        tail = starts[-GOV_LAST_BLOCKS]
        (out / name).write_text(page[:head] + " " + page[tail:], encoding="utf-8")


def _write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    """UTF-8 with a BOM and LF row ends, as the scraper wrote them."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    corpus = Path(sys.argv[1])
    national(corpus)
    provincial(corpus)
    gov_portal(corpus)


if __name__ == "__main__":
    main()

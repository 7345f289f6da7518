"""Fidelity of cleaning on the real corpora of ../shared/corpus (run by hand).

For the national reports (zh.wikisource): the reference is the record's text up to the
licence footer, with line breaks inside sentences joined, normalised the way the pipeline
normalises characters (t2s, punctuation width). The measure is the share of the
reference's Han characters that the cleaned speech changed (inserted, deleted or
replaced), over the whole set. For the provincial reports: chrome left in paragraphs,
and whether speaker/date/salutation reached the speech metadata.

    .venv/bin/python benchmarks/evaluate_corpus.py
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import ingest, normalize, process  # noqa: E402
from pipeline.chardata import HAN  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
FOOTER = "本作品是中华人民共和国的"
_HAN = re.compile(f"[{HAN}]")


def reference_body(content: str) -> str:
    """The report as published: the text before the licence footer, hyperlink line breaks
    joined, characters normalised."""
    body = content.split(FOOTER)[0]
    body = re.sub(r"(?<=[^\n])\n(?=[^\n])", "", body)
    return normalize.string(body)


def han_changes(reference: str, cleaned: str) -> tuple[int, int]:
    """(changed Han characters, Han characters in the reference)."""
    a, b = "".join(_HAN.findall(reference)), "".join(_HAN.findall(cleaned))
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return max(len(a), len(b)) - same, len(a)


def national_reports() -> dict:
    path = CORPUS / "national-reports" / "government_work_reports.jsonl"
    changed = total = reports = sections = rejects = 0
    worst = []
    for source in ingest.read(path, path.parent):
        if not isinstance(source, ingest.Source):
            rejects += 1
            continue
        if source.metadata.get("year") is None:  # the 21 NPC resolutions on the reports
            continue
        bundle = process.document(source)
        if not isinstance(bundle, process.Bundle):
            rejects += 1
            continue
        reports += 1
        # Speaker and date lines are kept as speech metadata, not text: count them as kept.
        metadata = "".join(normalize.string(r.text) for r in bundle.removals if r.kind == "speech_metadata")
        text = metadata + "".join(s.text for s in bundle.speeches)
        c, n = han_changes(reference_body(source.text), text)
        changed, total = changed + c, total + n
        sections += len(bundle.sections)
        worst.append((c / max(n, 1), source.title, c, n))
    worst.sort(reverse=True)
    return {
        "reports": reports, "rejects": rejects, "han_chars": total, "changed_han_chars": changed,
        "changed_ratio": round(changed / max(total, 1), 6), "sections_per_report": round(sections / max(reports, 1), 1),
        "worst": [f"{t}: {c}/{n}" for _, t, c, n in worst[:5]],
    }


def main() -> None:
    print(json.dumps({"national_reports": national_reports()}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

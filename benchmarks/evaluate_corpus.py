"""Fidelity of cleaning on the real national reports (run by hand).

For the national reports (zh.wikisource): the reference is the record's text up to the
licence footer, with line breaks inside sentences joined, normalised the way the pipeline
normalises characters (t2s, punctuation width). The measure is the share of the
reference's Han characters that the cleaned speech changed (inserted, deleted or
replaced), over the whole set.

    .venv/bin/python benchmarks/evaluate_corpus.py [CORPUS]

CORPUS is a folder with ``national-reports/government_work_reports.jsonl``: by default the
extract in tests/data; ../shared/corpus for all 51 reports.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from pipeline import ingest, process  # noqa: E402
from pipeline.text import normalize
from support.fidelity import han_changes, reference_body  # noqa: E402

CORPUS = REPO / "tests" / "data"


def national_reports(corpus: Path) -> dict:
    path = corpus / "national-reports" / "government_work_reports.jsonl"
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
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    print(json.dumps({"national_reports": national_reports(corpus)}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

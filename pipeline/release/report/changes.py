"""The report's changes section: the input files and the speeches that changed since the
previous release.

The speeches are those of ``pipeline.release.diff`` (the release's ``changes.json``, what
``speechcorpus diff`` prints), the first ``MAX_LISTED`` of them shown, and a line saying how
many more the file lists.
"""

from __future__ import annotations

from pipeline.release.report.markup import Html, Section, esc, no_data, table
from schemas.layout import CHANGES_NAME

#: Speeches listed on the page; the others are counted in a "N more" line.
MAX_LISTED = 50

#: How each kind of change reads in the list, in the order the list gives them.
_KINDS = (("added", "added"), ("removed", "removed"), ("changed", "changed"))


def section(manifest: dict, changes: dict | None) -> Section:
    """What a nightly run's reader asks first: which input files came, went or changed,
    and which speeches; ``changes`` is the release's ``changes.json`` (None for a first
    release, or one built before releases held it)."""
    parts = []
    files = manifest.get("changes")
    if isinstance(files, dict) and isinstance(files.get("files"), dict):
        rows = [[kind, n] for kind, n in files["files"].items()]
        if "documents_carried_over" in files:
            rows.append(["documents carried over", files["documents_carried_over"]])
        parts.append(table(["input files", "count"], rows, caption="Input files since the previous release",
                           table_id="changed-files"))
    parts.append(speeches(changes) if changes is not None else
                 no_data("No previous release to compare the speeches with."))
    return Section("changes", "Changes since the previous release", "\n".join(parts))


def speeches(changes: dict) -> str:
    """The speeches added, removed and changed, at most ``MAX_LISTED`` of them, then how
    many more ``changes.json`` lists."""
    counts = changes.get("counts", {})
    total = sum(counts.get(kind, 0) for kind, _ in _KINDS)
    link = Html(f'<a href="{CHANGES_NAME}">{CHANGES_NAME}</a>')
    against = changes.get("old_release")
    intro = (f"<p>{esc(counts.get('added', 0))} speech(es) added, {esc(counts.get('removed', 0))} removed and "
             f"{esc(counts.get('changed', 0))} changed since release <code>{esc(against)}</code>; the list is "
             f"{link} (<code>speechcorpus diff</code> prints the same).</p>")
    if not total:
        return intro
    entries = [(label, entry) for kind, label in _KINDS for entry in changes.get(kind, [])]
    rows = [[label, entry.get("title") or "(untitled)", _document(entry), entry.get("speech_id"), _what(entry)]
            for label, entry in entries[:MAX_LISTED]]
    out = intro + "\n" + table(["change", "title", "document", "speech_id", "what differs"], rows,
                                caption="Speeches added, removed and changed", table_id="changed-speeches")
    if total > len(rows):
        out += f'\n<p class="more">… and {total - len(rows):,} more in {link}.</p>'
    return out


def _document(entry: dict) -> str:
    line = entry.get("source_line")
    return f"{entry.get('source_path')}{'' if line is None else f':{line}'} #{entry.get('ordinal')}"


def _what(entry: dict) -> str:
    """For a changed speech: its paragraphs and fields that differ, and its former id."""
    if "paragraphs_differing" not in entry:
        return ""
    parts = [f"{entry['paragraphs_differing']} paragraph(s)"]
    if entry.get("fields"):
        parts.append("fields: " + ", ".join(entry["fields"]))
    if entry.get("previous_speech_id") not in (None, entry.get("speech_id")):
        parts.append(f"was {entry['previous_speech_id']}")
    return "; ".join(parts)

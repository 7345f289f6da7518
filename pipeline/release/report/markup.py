"""HTML building blocks of the report: escaping, data tables, sections and no-data notes.

Every string goes through ``esc`` when inserted, except ``Html``: markup this package
built itself. A scraped title is attacker-controlled text, so nothing else is trusted.
"""

from __future__ import annotations

import html
from typing import NamedTuple

#: Shown for a manifest value a partial manifest lacks.
NOT_RECORDED = "not recorded"


class Html(str):
    """Markup this package built itself; every other string is escaped when inserted."""


class Section(NamedTuple):
    """One section of the page: its anchor, its heading and its body's markup."""

    id: str
    heading: str
    body: str


def esc(value: object) -> str:
    """``value`` as text that shows as itself in HTML, attribute values included.

    >>> esc('<b title="x">&')
    '&lt;b title=&quot;x&quot;&gt;&amp;'
    """
    return html.escape(str(value), quote=True)


def is_number(value: object) -> bool:
    """Whether a cell holds a count (shown right-aligned with thousands separators)."""
    return isinstance(value, int) and not isinstance(value, bool)


def cell(value: object) -> str:
    """A cell's content: ``Html`` as is, a count with separators, anything else escaped."""
    if isinstance(value, Html):
        return value
    return f"{value:,}" if is_number(value) else esc(value)


def table(header: list[str], rows: list[list], caption: str, table_id: str | None = None) -> str:
    """A data table; numbers are right-aligned, text is escaped, ``Html`` is inserted as is."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num">{cell(v)}</td>' if is_number(v) else f"<td>{cell(v)}</td>"
            for v in row
        ) + "</tr>\n"
        for row in rows
    )
    ident = f' id="{table_id}"' if table_id else ""
    return (f'<table class="data"{ident}>\n<caption>{esc(caption)}</caption>\n'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>")


def no_data(message: str) -> str:
    """The note a section shows instead of a plot or table it has no rows for."""
    return f'<p class="empty">{esc(message)}</p>'

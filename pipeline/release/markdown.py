"""Markdown tables for the dataset card and a build's summary, with document text shown as text.

Paths, site names and failure examples come from the documents: a file named
``<img src=x onerror=…>`` must show as those characters on any renderer.
"""

from __future__ import annotations

import html


def inert(text: str) -> str:
    """``text`` with HTML escaped, so a Markdown renderer shows it as written.

    >>> inert("<b>&")
    '&lt;b&gt;&amp;'
    """
    return html.escape(text, quote=False)


def cell(text: str) -> str:
    """A table cell: ``|`` escaped (even in code spans) and line breaks as ``<br>``.

    >>> cell("a|b\\nc")
    'a\\\\|b<br>c'
    """
    return text.replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table of ``rows`` under ``header``; every cell goes through ``cell``."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"

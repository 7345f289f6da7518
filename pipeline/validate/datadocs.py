"""Great Expectations Data Docs that work without a network.

GX 1.x's Data Docs pages load jQuery, Bootstrap, bootstrap-table and Font Awesome from
CDNs, and the index page builds its tables with them: opened offline (a researcher on a
train, a locked-down server, this project's CI) the index shows empty tables. ``make_offline``
copies the files the pages need (``resources/datadocs``, see its NOTICE.md) into the
site and points every page at the copies; scripts the release's pages never call (Vega,
for charts of expectations this pipeline does not use) and the dark-mode stylesheet are
dropped. Links to web pages (GX's documentation) stay: they are navigation, not resources.

GX also copies its whole ``static`` folder into every site: animated GIFs of its own
documentation, a font family, logos in four forms, 4.9 MB of which a release's pages use
a logo and an icon. Files under ``static`` that no page or stylesheet of the site refers
to are removed (``unused_static``).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from pipeline.errors import ConfigError

VENDOR = Path(__file__).parents[1] / "resources" / "datadocs"
#: Where in the site the copies go.
VENDOR_IN_SITE = Path("static") / "vendor"

#: CDN address → the copy under ``VENDOR``.
LOCAL_COPIES = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "js/jquery.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "js/bootstrap.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "js/popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "js/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "js/bootstrap-table-filter-control.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "js/bootstrap-datepicker.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "css/bootstrap.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "css/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "css/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "css/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "css/all.min.css",
}
#: Loaded by the templates but used by no page of a release.
UNUSED = (
    "https://cdn.jsdelivr.net/npm/vega@5",
    "https://cdn.jsdelivr.net/npm/vega-lite@5",
    "https://cdn.jsdelivr.net/npm/vega-embed@6",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css",
)
#: GX's logo from its web assets; the site carries its own copy.
_REMOTE_LOGO = re.compile(r"https://great-expectations-web-assets\.s3\.[a-z0-9-]+\.amazonaws\.com/[a-z_-]+\.png(?:\?d=[0-9TZ.]+)?")
_LOCAL_LOGO = Path("static") / "images" / "logo-long.png"

_SCRIPT = re.compile(r'<script\b[^>]*\bsrc="(https?://[^"]+)"[^>]*>\s*</script>')
_STYLESHEET = re.compile(r'<link\b[^>]*\bhref="(https?://[^"]+)"[^>]*>')
#: Subresource-integrity and CORS attributes: a file:// page may not load a
#: ``crossorigin`` script at all.
_CORS_ATTRIBUTES = re.compile(r'\s(?:integrity|crossorigin)="[^"]*"')
#: What must not be left: an external script, stylesheet or image.
EXTERNAL_RESOURCE = re.compile(r'<(?:script|img)\b[^>]*\bsrc="https?://|<link\b[^>]*\bhref="https?://|url\([\'"]?https?://')


def make_offline(site: Path) -> None:
    """Make the Data Docs site at ``site`` self-contained (see the module docstring).

    Raises ``ConfigError`` naming the page and address when a page loads an external
    resource this module has no copy of: a newer great-expectations changed its
    templates, and a release must not ship half-offline docs unnoticed.
    """
    site = Path(site)
    if not (site / "index.html").is_file():
        raise ConfigError(f"{str(site)!r} is not a Data Docs site (no index.html)")
    shutil.copytree(VENDOR, site / VENDOR_IN_SITE, ignore=shutil.ignore_patterns("*.md"), dirs_exist_ok=True)
    for page in sorted(site.rglob("*.html")):
        text = _localised(page.read_text(encoding="utf-8"), os.path.relpath(site, page.parent))
        left = EXTERNAL_RESOURCE.search(text)
        if left:
            start = max(0, left.start() - 20)
            raise ConfigError(f"{page.relative_to(site)} loads an external resource with no offline copy: {text[start:left.end() + 80]!r}")
        page.write_text(text, encoding="utf-8")
    for unused in unused_static(site):
        unused.unlink()
    for folder in sorted((p for p in (site / "static").rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


#: A relative reference in a page (``src``/``href``) or a stylesheet (``url(…)``).
_REFERENCE = re.compile(r'(?:\bsrc|\bhref)="([^"#?:]+)[^"]*"|url\([\'"]?([^\'")#?:]+)')


def unused_static(site: Path) -> list[Path]:
    """The files under ``site/static`` that no page of the site, nor a stylesheet a page
    loads, refers to (relative ``src``, ``href`` and ``url(…)`` references)."""
    used: set[Path] = set()
    for page in site.rglob("*.html"):
        used.update(_references(page))
    for stylesheet in sorted(p for p in used if p.suffix == ".css"):  # each once, though every page loads them
        if stylesheet.is_file():
            used.update(_references(stylesheet))
    static = site / "static"
    return sorted(p for p in static.rglob("*") if p.is_file() and p.resolve() not in used) if static.is_dir() else []


def _references(file: Path) -> set[Path]:
    text = file.read_text(encoding="utf-8", errors="replace")
    return {(file.parent / (m.group(1) or m.group(2))).resolve() for m in _REFERENCE.finditer(text)}


def _localised(page: str, to_site: str) -> str:
    def local(path: Path | str) -> str:
        return Path(to_site, path).as_posix()

    def replace(match: re.Match) -> str:
        url = match.group(1)
        if url in UNUSED:
            return ""
        if url in LOCAL_COPIES:
            tag = _CORS_ATTRIBUTES.sub("", match.group(0))
            return tag.replace(url, local(VENDOR_IN_SITE / LOCAL_COPIES[url]))
        return match.group(0)

    page = _SCRIPT.sub(replace, page)
    page = _STYLESHEET.sub(replace, page)
    return _REMOTE_LOGO.sub(local(_LOCAL_LOGO), page)

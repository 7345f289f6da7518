"""Bytes to text: byte-order marks, the UTF-8 then GB18030 fallback, an HTML page's declared charset.

Every decoder returns ``(text, encoding)`` or raises ``BadDocument`` (``empty_file``,
``undecodable``, ``too_large``) naming what it tried.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

from pipeline.errors import BadDocument
from schemas.characters import CONTROL

#: Decoders tried in order when a file has no byte-order mark. UTF-8 first: it is strict
#: enough that a GB18030 file almost never decodes as UTF-8 by accident, while the reverse
#: happens all the time.
FALLBACK_ENCODINGS = ("utf-8", "gb18030")

#: Share of control characters (other than tab and line ends) above which a decoded file
#: is taken to be binary that happened to decode. Binary is far above it (random bytes
#: that decode hold about 12 %, a UTF-16 text without its BOM read as UTF-8 about half);
#: a damaged text's strays are far below (3 in 2,700 characters rejected such a text
#: whole when the bound was 0.1 %), and ``text.detect.control_characters`` removes them,
#: recorded as removals.
MAX_CONTROL_SHARE = 0.05

#: Bytes at the start of an HTML page searched for a ``<meta>`` charset declaration. The
#: HTML standard's prescan reads 1024; Chinese portals often put long keyword and
#: description tags before the charset, so we look further.
META_SNIFF_BYTES = 4096

#: Declared charsets (as Python codec names) that are read as GB18030, their superset.
GB_CHARSETS = frozenset({"gb2312", "gbk", "gb18030"})

#: Bytes per character at most in UTF-8 and GB18030: bytes longer than this many per
#: allowed character are over ``max_record_chars`` without decoding them.
MAX_BYTES_PER_CHAR = 4

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CONTROLS = re.compile(f"[{CONTROL}]+")
#: A control character below the space other than tab, line ends and form feed: many of
#: them mean a binary file (counted by the pattern, not a Python loop over every character).
_BINARY_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)


def decode(data: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of the bytes: BOM-marked UTF-8/UTF-16, else UTF-8, else GB18030.

    >>> decode("统筹推进".encode("gb18030"))
    ('统筹推进', 'gb18030')
    >>> decode(b"\\xef\\xbb\\xbf\\xe5\\x8f\\x91\\xe8\\xa8\\x80")
    ('发言', 'utf-8-sig')
    """
    if not data:
        raise BadDocument("empty_file", "the file has 0 bytes")
    if data.startswith(codecs.BOM_UTF8):
        return decode_as(data, ("utf-8-sig",))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_as(data, ("utf-16",))
    return decode_as(data, FALLBACK_ENCODINGS)


def decode_as(data: bytes, candidates: tuple[str, ...]) -> tuple[str, str]:
    """The first of ``candidates`` that decodes ``data`` to text rather than binary."""
    errors = []
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            errors.append(f"{encoding}: {exc.reason} at byte {exc.start}")
            continue
        controls = len(_BINARY_CONTROL.findall(text))
        if controls > MAX_CONTROL_SHARE * len(text):
            errors.append(f"{encoding}: decodes, but {controls} control characters in {len(text)} suggest a binary file")
            continue
        return text, encoding
    raise BadDocument("undecodable", "; ".join(errors))


def decode_html(data: bytes) -> tuple[str, str]:
    """``decode``, except that bytes with no BOM that are not UTF-8 follow the page's
    ``<meta>`` charset: GBK and GB2312 are read as GB18030, and a page declaring a charset
    the pipeline does not read (Big5, Shift_JIS…) is ``undecodable`` instead of garbled.
    """
    if not data.startswith(_BOMS):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            charset = declared_charset(data)
            if charset in GB_CHARSETS:
                return decode_as(data, ("gb18030",))
            if charset not in (None, "utf-8"):
                raise BadDocument(
                    "undecodable",
                    f"the page declares charset {charset!r}; only UTF-8, UTF-16 and GB18030 "
                    f"(and its subsets {', '.join(sorted(GB_CHARSETS - {'gb18030'}))}) are read",
                ) from None
    return decode(data)


def declared_charset(data: bytes) -> str | None:
    """The codec name of the page's first ``<meta>`` charset, or ``None`` (absent or unknown).

    >>> declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">')
    'gb2312'
    >>> declared_charset(b'<meta charset="cp936">'), declared_charset(b'<meta charset=nonsense>')
    ('gbk', None)
    """
    match = _META_CHARSET.search(data, 0, META_SNIFF_BYTES)
    if match is None:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None


def decode_within_limit(data: bytes, max_record_chars: int, decoder: Callable[[bytes], tuple[str, str]]) -> tuple[str, str]:
    """``decoder(data)``, or ``too_large`` when the text is over ``max_record_chars``;
    bytes that cannot be that short are refused undecoded (a 200 MB single line costs
    nothing to refuse)."""
    if len(data) > MAX_BYTES_PER_CHAR * max_record_chars:
        raise BadDocument("too_large", f"the file has {len(data)} bytes, more than {MAX_BYTES_PER_CHAR} per allowed character (max_record_chars is {max_record_chars})")
    text, encoding = decoder(data)
    if len(text) > max_record_chars:
        raise BadDocument("too_large", f"the text has {len(text)} characters; max_record_chars is {max_record_chars}")
    return text, encoding


def without_controls(value: str) -> str:
    r"""``value`` without control and bidirectional-control characters (``schemas.characters.CONTROL``).

    For what a record or a page declares beside its text (a title): it is shown as is,
    and a U+202E in it reverses what follows on every page that shows it. The document's
    text keeps them; cleaning removes them there and records each removal.

    >>> without_controls("在全县\u202e工作会议上的讲话\x08")
    '在全县工作会议上的讲话'
    """
    return _CONTROLS.sub("", value)

"""The character classes of Chinese text, defined once.

Each class is the body of a regular-expression character class (``f"[{HAN}]"``), written
with the characters themselves: Python's ``re`` and Arrow's RE2 kernels both read it, and
the pattern text is part of the index-format versions built from it. The GX suites show
their patterns to people, where an invisible U+0000 or U+3000 would be unreadable, so
they write the same class with escapes (``escaped``).

The Han ranges follow zhon.hanzi.
"""

from __future__ import annotations

#: CJK Unified Ideographs alone (U+4E00–9FFF): the block names are matched against.
UNIFIED_HAN = "\u4e00-\u9fff"

#: Han ideographs: Extension A (U+3400–4DBF), CJK Unified, compatibility (U+F900–FAFF).
HAN = "\u3400-\u4dbf" + UNIFIED_HAN + "\uf900-\ufaff"

#: Chinese punctuation: CJK symbols (3000–303F: 、。〈〉《》「」【】…), full-width forms
#: (FF01–FF5E: ，：；！？（）…), curly quotes, ellipsis and em dash as Chinese text uses them.
CJK_PUNCT = "\u3000-\u303f\uff01-\uff5e\u201c\u201d\u2018\u2019\u2026\u2014"

#: Characters that are never text: control characters (tab and line ends excepted) and
#: U+FFFD, the marks of a bad decode; and the bidirectional controls (Unicode's
#: Bidi_Control: embeddings, overrides, isolates and marks), invisible characters that
#: reorder what a reader sees after them (U+202E shows ``讲话`` as ``话讲``).
CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"


def escaped(char_class: str) -> str:
    r"""The class with every character that is not printable ASCII written as an escape.

    >>> print(escaped(CONTROL))
    \x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069
    >>> print(escaped(HAN))
    \u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff
    """
    return "".join(map(_escape, char_class))


def characters(char_class: str) -> list[str]:
    """Every character of a class body (characters and ``a-z`` ranges), for code that
    looks characters up in a table instead of matching the class.

    >>> "".join(characters("a-cx"))
    'abcx'
    """
    out, i = [], 0
    while i < len(char_class):
        if i + 2 < len(char_class) and char_class[i + 1] == "-":
            out += map(chr, range(ord(char_class[i]), ord(char_class[i + 2]) + 1))
            i += 3
        else:
            out.append(char_class[i])
            i += 1
    return out


def _escape(c: str) -> str:
    if " " <= c <= "~":
        return c
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

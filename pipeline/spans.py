"""Text that remembers where each of its characters came from in the source.

Every stage after decoding works on ``Text``: deleting noise, replacing characters and
removing page-break spaces all keep, for each remaining code point, its offset in the
decoded source file. That is what lets paragraphs, headings and removals carry
``source_start``/``source_end`` that rebuild the source (dolma's ``TextSlice`` idea).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Text:
    """A string plus, for each code point, its offset in the decoded source."""

    chars: str
    offsets: array

    def __post_init__(self) -> None:
        if len(self.chars) != len(self.offsets):
            raise ValueError(
                f"Text needs one offset per character: {len(self.chars)} chars, {len(self.offsets)} offsets"
            )

    @classmethod
    def from_source(cls, source: str) -> Text:
        """The whole decoded source, each character at its own offset.

        >>> Text.from_source("你好").source_span(0, 2)
        (0, 2)
        """
        return cls(source, array("q", range(len(source))))

    def __len__(self) -> int:
        return len(self.chars)

    def __str__(self) -> str:
        return self.chars

    def slice(self, start: int, end: int) -> Text:
        """The characters ``[start, end)`` with their offsets."""
        return Text(self.chars[start:end], self.offsets[start:end])

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The source range ``[a, b)`` covered by characters ``[start, end)`` (non-empty)."""
        if not 0 <= start < end <= len(self.chars):
            raise ValueError(f"empty or out-of-range span [{start}, {end}) of a {len(self.chars)}-char text")
        return self.offsets[start], self.offsets[end - 1] + 1

    def replace_chars(self, new_chars: str) -> Text:
        """The same offsets under new characters of the same length (a 1:1 mapping)."""
        if len(new_chars) != len(self.chars):
            raise ValueError(f"replace_chars needs equal length: {len(self.chars)} -> {len(new_chars)}")
        return Text(new_chars, self.offsets)

    def delete(self, spans: Iterable[tuple[int, int]]) -> Text:
        """The text without the given ``[start, end)`` index ranges (sorted, disjoint)."""
        keep_chars: list[str] = []
        keep_offsets = array("q")
        pos = 0
        for start, end in spans:
            if start < pos or end < start:
                raise ValueError(f"spans must be sorted and disjoint; got [{start}, {end}) after {pos}")
            keep_chars.append(self.chars[pos:start])
            keep_offsets.extend(self.offsets[pos:start])
            pos = end
        keep_chars.append(self.chars[pos:])
        keep_offsets.extend(self.offsets[pos:])
        return Text("".join(keep_chars), keep_offsets)

    @staticmethod
    def concat(parts: Iterable[Text]) -> Text:
        """The parts one after another."""
        chars: list[str] = []
        offsets = array("q")
        for p in parts:
            chars.append(p.chars)
            offsets.extend(p.offsets)
        return Text("".join(chars), offsets)


@dataclass(frozen=True)
class Removed:
    """A span a stage removed from the source: ``[start, end)`` code-point offsets, the
    kind of noise and the rule that matched. Every stage reports its removals so; the
    ``removals`` table is their union."""

    kind: str
    rule: str
    start: int
    end: int

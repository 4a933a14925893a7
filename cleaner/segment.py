"""Stage 2: split the repaired text into numbered lines.

In: normalised text. Out: a tuple of Line, one per input line, numbered from 1. A final
line break does not make an extra empty line; every other line, blank ones included, is kept.
"""
from __future__ import annotations

from .model import Line


def split_lines(text: str) -> tuple[Line, ...]:
    """Return the page's lines with their 1-based numbers."""
    if not text:
        return ()
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return tuple(Line(number, part.strip()) for number, part in enumerate(parts, start=1))

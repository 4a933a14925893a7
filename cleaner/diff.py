"""A unified diff of a page against its clean text, in time linear in the page's length.

In: the input's text and its Result. Out: unified-diff lines (`--- a/NAME`, `+++ b/NAME`, hunks
with three lines of context). The clean text is the kept lines, in order, with one blank line
between them, so the edit script follows from the labels: difflib's general matching is only
the fallback (it is quadratic on long pages).
"""
from __future__ import annotations

import difflib
import re
from typing import Collection, Iterator

from .model import Label, Result

CONTEXT_LINES = 3
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_input_lines(text: str) -> list[str]:
    """Return the input's lines as the segmenter numbers them (a final line break adds none)."""
    text = text[1:] if text.startswith("\ufeff") else text
    if not text:
        return []
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def unified_diff(before: str, result: Result, keep: Collection[Label], name: str) -> Iterator[str]:
    """Yield the unified diff of the input text against the clean text (no trailing newlines)."""
    old = split_input_lines(before)
    new = result.text.split("\n") if result.text else []
    opcodes = _opcodes_from_labels(old, new, result, keep)
    if opcodes is None:  # the clean text is not the labels' (HTML input): match generally
        yield from difflib.unified_diff(old, new, f"a/{name.lstrip('/')}", f"b/{name.lstrip('/')}", lineterm="")
        return
    groups = list(_Known(opcodes).get_grouped_opcodes(CONTEXT_LINES))
    if not groups:
        return
    yield f"--- a/{name.lstrip('/')}"
    yield f"+++ b/{name.lstrip('/')}"
    for group in groups:
        first, last = group[0], group[-1]
        yield f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in old[i1:i2])
                continue
            yield from ("-" + line for line in old[i1:i2])
            yield from ("+" + line for line in new[j1:j2])


def _opcodes_from_labels(old: list[str], new: list[str], result: Result,
                         keep: Collection[Label]) -> list[tuple[str, int, int, int, int]] | None:
    """Return difflib-style opcodes from the kept lines, or None if the texts do not line up."""
    kept = [k for k, line in enumerate(result.lines) if line.label in keep]
    if len(result.lines) != len(old) or len(new) != max(0, 2 * len(kept) - 1):
        return None
    if any(new[2 * m] != result.lines[k].text for m, k in enumerate(kept)):
        return None
    ops: list[tuple[str, int, int, int, int]] = []

    def add(tag: str, i1: int, i2: int, j1: int, j2: int) -> None:
        if i1 == i2 and j1 == j2:
            return
        if ops and ops[-1][0] == tag and ops[-1][2] == i1 and ops[-1][4] == j1:
            ops[-1] = (tag, ops[-1][1], i2, ops[-1][3], j2)
        else:
            ops.append((tag, i1, i2, j1, j2))

    i = 0
    for m, k in enumerate(kept):
        j = 2 * m
        if m:  # the blank line before this kept line: an input blank line between them, or new
            blank = next((b for b in range(i, k) if old[b] == ""), None)
            if blank is None:
                add("insert", i, i, j - 1, j)
            else:
                add("delete", i, blank, j - 1, j - 1)
                add("equal", blank, blank + 1, j - 1, j)
                i = blank + 1
        add("delete", i, k, j, j)
        add("equal" if old[k] == new[j] else "replace", k, k + 1, j, j + 1)
        i = k + 1
    add("delete", i, len(old), len(new), len(new))
    return ops or [("equal", 0, 0, 0, 0)]


class _Known(difflib.SequenceMatcher):
    """A SequenceMatcher whose opcodes are already known (for its hunk grouping)."""

    def __init__(self, opcodes: list[tuple[str, int, int, int, int]]):
        super().__init__(None, "", "")
        self._known = opcodes

    def get_opcodes(self):
        return list(self._known)


def _range(start: int, stop: int) -> str:
    """Return a unified diff range ("3,4", "3", "2,0"), as difflib writes it."""
    beginning, length = start + 1, stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"

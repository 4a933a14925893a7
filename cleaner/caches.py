"""What the process remembers of texts already seen, and one call to forget it all.

Lines, words and n-grams repeat within a page and across the pages of a site (menus,
footers, teasers, stop words), so several stages remember what they computed for a text.
Every such memory is bounded (emptied when full) and registers its clearing function here;
`clear_caches()` forgets everything (benchmarks time cold passes with it; tests use it to
show that remembering never changes an answer).
"""
from __future__ import annotations

from typing import Callable

_CLEARERS: list[Callable[[], None]] = []


def register(clear: Callable[[], None]) -> Callable[[], None]:
    """Register a function that empties one memory; return it unchanged."""
    _CLEARERS.append(clear)
    return clear


def clear_caches() -> None:
    """Forget every remembered line, word and n-gram of this process."""
    for clear in _CLEARERS:
        clear()

"""Fold text into the key that rule phrases and stop words are compared on.

In: a line or a phrase. Out: its key: NFKC, case-folded (Turkish dotted and dotless i
folded together), Arabic letter variants and diacritics unified, whitespace collapsed,
punctuation and symbols stripped from both ends. The same function folds both sides.
"""
from __future__ import annotations

import unicodedata

import regex

_ARABIC = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي",
    "ـ": None, "İ": "i", "ı": "i", "\u0307": None, "ك": "ك", "ی": "ي", "ک": "ك",
})
_DIACRITICS = regex.compile(r"[\u064B-\u065F\u0670\u06D6-\u06ED\u200B-\u200F\u2060\uFEFF]")
_EDGES = regex.compile(r"^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$")
_SPACES = regex.compile(r"\s+")


def fold_key(text: str) -> str:
    """Return the comparison key of a line or phrase."""
    text = unicodedata.normalize("NFKC", text).translate(_ARABIC).casefold().translate(_ARABIC)
    text = _DIACRITICS.sub("", text)
    text = _SPACES.sub(" ", text)
    return _EDGES.sub("", text)


def fold_word(word: str) -> str:
    """Return the comparison key of a single word (stop-word lookups)."""
    return _DIACRITICS.sub("", word.translate(_ARABIC).casefold().translate(_ARABIC))

"""Fold text into the key that rule phrases and stop words are compared on.

In: a line or a phrase. Out: its key: NFKC, case-folded (Turkish dotted and dotless i
folded together), accents of Latin, Greek and Cyrillic letters dropped ("À LIRE" = "à lire"
= "a lire"), apostrophes unified, Arabic letter variants and diacritics unified, whitespace
collapsed, punctuation and symbols stripped from both ends. The same function folds both
sides. Stop words use fold_word, which keeps accents (Vietnamese tones tell words apart).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

_ARABIC = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي",
    "ـ": None, "İ": "i", "ı": "i", "\u0307": None, "ك": "ك", "ی": "ي", "ک": "ك",
})
_DIACRITICS = regex.compile(r"[\u064B-\u065F\u0670\u06D6-\u06ED\u200B-\u200F\u2060\uFEFF]")
_ACCENTS = regex.compile(r"[\u0300-\u036f]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "ʻ": "'"})
_EDGES = regex.compile(r"^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$")
_SPACES = regex.compile(r"\s+")


# Keys already folded, per process: lines and words repeat within and across pages (menus,
# footers, stop words). Bounded: a cache is emptied when full; long lines are not kept.
CACHE_MAX_ENTRIES = 1 << 16
CACHE_MAX_LINE_CHARS = 256
_LINE_KEYS: dict[str, str] = {}
_WORD_KEYS: dict[str, str] = {}


def fold_key(text: str) -> str:
    """Return the comparison key of a line or phrase."""
    key = _LINE_KEYS.get(text)
    if key is None:
        key = _fold_key(text)
        if len(text) <= CACHE_MAX_LINE_CHARS:
            if len(_LINE_KEYS) >= CACHE_MAX_ENTRIES:
                _LINE_KEYS.clear()
            _LINE_KEYS[text] = key
    return key


def _fold_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_ARABIC).casefold().translate(_ARABIC)
    text = _DIACRITICS.sub("", text).translate(_APOSTROPHES)
    if not text.isascii():
        text = unicodedata.normalize("NFC", _ACCENTS.sub("", unicodedata.normalize("NFD", text)))
    text = _SPACES.sub(" ", text)
    return _EDGES.sub("", text)


@lru_cache(maxsize=1 << 16)
def fold_word(word: str) -> str:
    """Return the comparison key of a single word (stop-word lookups)."""
    key = _WORD_KEYS.get(word)
    if key is None:
        key = _DIACRITICS.sub("", word.translate(_ARABIC).casefold().translate(_ARABIC))
        if len(word) <= CACHE_MAX_LINE_CHARS:
            if len(_WORD_KEYS) >= CACHE_MAX_ENTRIES:
                _WORD_KEYS.clear()
            _WORD_KEYS[word] = key
    return key

"""Fold text into the key that rule phrases and stop words are compared on.

In: a line or a phrase. Out: its key: NFKC, case-folded (Turkish dotted and dotless i
folded together), accents of Latin, Greek and Cyrillic letters dropped ("À LIRE" = "à lire"
= "a lire"), apostrophes unified, Arabic letter variants and diacritics unified, whitespace
collapsed, punctuation and symbols stripped from both ends. The same function folds both
sides. Stop words use fold_word, which keeps accents (Vietnamese tones tell words apart).
"""
from __future__ import annotations

import re
import unicodedata

import regex

from .caches import register

_ARABIC = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي",
    "ـ": None, "İ": "i", "ı": "i", "\u0307": None, "ك": "ك", "ی": "ي", "ک": "ك",
})
_DIACRITICS = regex.compile(r"[\u064B-\u065F\u0670\u06D6-\u06ED\u200B-\u200F\u2060\uFEFF]")
_ACCENTS = regex.compile(r"[\u0300-\u036f]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "ʻ": "'"})
# Edges are found from each end (REVERSE: the trailing run is found without scanning the line).
_EDGE_START = regex.compile(r"[\s\p{P}\p{S}]+")
_EDGE_END = regex.compile(r"[\s\p{P}\p{S}]+$", regex.REVERSE)
# The ASCII characters of those edges: an ASCII key is stripped of them by str.strip.
_ASCII_EDGE = "".join(ch for ch in map(chr, range(128)) if _EDGE_START.match(ch))
_ARABIC_PAIRS = tuple((chr(k), v or "") for k, v in _ARABIC.items())
_APOSTROPHE_PAIRS = tuple((chr(k), v) for k, v in _APOSTROPHES.items())
# The standard library's re scans a plain character class 4x faster than regex.
_DIACRITICS_RE = re.compile(_DIACRITICS.pattern)
_ACCENTS_RE = re.compile(_ACCENTS.pattern)


# Keys already folded, per process: lines and words repeat within and across pages (menus,
# footers, stop words). Bounded: a cache is emptied when full; long lines are not kept.
CACHE_MAX_ENTRIES = 1 << 16
CACHE_MAX_LINE_CHARS = 256
_LINE_KEYS: dict[str, str] = {}
_WORD_KEYS: dict[str, str] = {}
# Longer lines (paragraphs) rarely repeat across pages, but each is folded twice in its page
# (for its features and for its rules): they are kept apart, up to this many characters.
CACHE_MAX_LONG_CHARS = 1 << 20
_LONG_KEYS: dict[str, str] = {}
_long_chars = 0


def fold_key(text: str) -> str:
    """Return the comparison key of a line or phrase."""
    key = _LINE_KEYS.get(text)
    if key is None:
        if len(text) > CACHE_MAX_LINE_CHARS:
            return _fold_long(text)
        key = _fold_key(text)
        if len(_LINE_KEYS) >= CACHE_MAX_ENTRIES:
            _LINE_KEYS.clear()
        _LINE_KEYS[text] = key
    return key


def _fold_long(text: str) -> str:
    global _long_chars
    key = _LONG_KEYS.get(text)
    if key is None:
        key = _fold_key(text)
        if len(text) <= CACHE_MAX_LONG_CHARS:
            if _long_chars + len(text) > CACHE_MAX_LONG_CHARS:
                _LONG_KEYS.clear()
                _long_chars = 0
            _LONG_KEYS[text] = key
            _long_chars += len(text)
    return key


def _fold_key(text: str) -> str:
    if text.isascii():  # the common case: NFKC, the Arabic table and the accents change nothing
        text = text.lower()
        if "`" in text:
            text = text.replace("`", "'")
    else:
        text = _translate(unicodedata.normalize("NFKC", text), _ARABIC_PAIRS).casefold()
        text = _translate(text, _ARABIC_PAIRS)
        text = _translate(_DIACRITICS_RE.sub("", text), _APOSTROPHE_PAIRS)
        if not text.isascii():
            text = unicodedata.normalize("NFC", _ACCENTS_RE.sub("", unicodedata.normalize("NFD", text)))
    text = " ".join(text.split())
    if text.isascii():
        return text.strip(_ASCII_EDGE)
    start = _EDGE_START.match(text)
    end = _EDGE_END.search(text)
    return text[start.end() if start else 0:end.start() if end else len(text)] if start or end else text


def _translate(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """Return text.translate(table) for a small table: a substring test per key is far cheaper."""
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


def fold_word(word: str) -> str:
    """Return the comparison key of a single word (stop-word lookups)."""
    key = _WORD_KEYS.get(word)
    if key is None:
        if word.isascii():  # the Arabic table and the diacritics hold no ASCII character
            key = word.lower()
        else:
            key = _DIACRITICS.sub("", word.translate(_ARABIC).casefold().translate(_ARABIC))
        if len(word) <= CACHE_MAX_LINE_CHARS:
            if len(_WORD_KEYS) >= CACHE_MAX_ENTRIES:
                _WORD_KEYS.clear()
            _WORD_KEYS[word] = key
    return key


@register
def _clear() -> None:
    global _long_chars
    _LINE_KEYS.clear()
    _LONG_KEYS.clear()
    _long_chars = 0
    _WORD_KEYS.clear()

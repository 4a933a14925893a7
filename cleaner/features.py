"""Stage 4: measurable facts about every line (length, stop words, punctuation, shape, repetition).

In: the page's lines, the language's stop words and the feature settings. Out: one
LineFeatures per line. Pure: no rules, no labels. Script-aware: scripts written without
spaces are measured per character, and case features apply only to cased scripts.

Most facts belong to a line's text alone (its length, ending, shape, stop words); a few
belong to its place in the page (position, repetition, topic, relative length). The first
kind is measured once per distinct text and remembered (`LineMemo`): menus, footers and
teasers repeat within a page and across the pages of a site.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter
from typing import Collection, Iterable, Mapping, Sequence

import regex

from .caches import register
from .fold import fold_key, fold_word
from .model import Line, LineFeatures

UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
_TOKEN = regex.compile(rf"[{UNSPACED}]|[^\W{UNSPACED}]+")
_WORD = regex.compile(r"\w+")               # the same tokens on a line without unspaced scripts
_UNSPACED_CHAR = regex.compile(rf"[{UNSPACED}]")
# Blocks that hold every character of those scripts (and some more): a line with no character
# in them has none (tests/test_stages.py checks every code point); the standard library's re
# scans for them far faster than regex scans for the scripts themselves.
UNSPACED_BLOCKS = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x19E0, 0x19FF), (0x2E80, 0xA4CF),
                   (0xA9E0, 0xAA7F), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x116D0, 0x116E3), (0x16FE0, 0x16FFF),
                   (0x1AFF0, 0x1B2FF), (0x1F200, 0x1F2FF), (0x20000, 0x3FFFF))
_MAYBE_UNSPACED = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in UNSPACED_BLOCKS) + "]")
# ASCII lines are counted with bytes.translate: the characters of each class deleted.
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_UPPER = bytes(range(65, 91))
_ASCII_DIGITS = b"0123456789"
_ASCII_SPACES = b"\t\n\x0b\x0c\r "
# Sentence ends of every script: Latin, CJK full-width, Arabic/Urdu, Devanagari, Armenian, Ethiopic.
_TERMINAL = regex.compile(r"[.!?…。！？؟۔।॥։።;．](?:[\s\"'”’»)\]」』›]*)$")
_ELLIPSIS = regex.compile(r"(?:…|\.\.\.)[\s\"'”’»)\]]*$")
_COLON_END = regex.compile(r"[:：][\s]*$")
_SEPARATORS = regex.compile(r"(?:^|\s)[|»›·•/>–—]+(?=\s|$)|\s\|\s?|\|")
_SEPARATOR_CHARS = frozenset("|»›·•/>–—")
# The e-mail branch starts only where a run of address characters starts and never gives
# characters back (++): without both, a long run without "@" costs quadratic time.
_URL = regex.compile(r"https?://|www\.\w|(?<![\w.+-])[\w.+-]++@[\w-]+\.\w")
_GLUED = regex.compile(r"\p{Ll}{2}\p{Lu}\p{Ll}")
# A headline glued to its summary or to the next link: "Student-AthleteA 24-year-old", "Rise?Violence".
# A list item: "1) ...", "2. ...", "3a etapa: ...", "• ...", "* ...".
_ENUMERATED = regex.compile(r"^\s*(?:\d{1,3}[a-z]?[.):]\s|[•*·▪◦‣–-]\s)")
_JOIN = regex.compile(r"\p{Ll}{2}[?!.…]?\p{Lu}(?:\p{Ll}|\s)|[?!…]\p{Lu}\p{Ll}")
# Runs, not single characters: count_chars removes a run in one step (twice as fast).
_CASED_LETTER = regex.compile(r"[\p{Lu}\p{Ll}\p{Lt}]+")
_UPPER = regex.compile(r"\p{Lu}")
_DIGIT = regex.compile(r"\d")
_NON_SPACE = regex.compile(r"\S+")
# A date or clock time: "4:47", "29.04.2023", "September 12, 2018", "12 May 2025", "3 hours ago".
_DATED = regex.compile(
    r"\b\d{1,2}:\d{2}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b|\b(?:19|20)\d{2}\b.{0,20}\b\d{1,2}\b"
    r"|\b\d{1,2}\b.{0,12}\b(?:19|20)\d{2}\b"
    r"|\b\d+\s*(?:min|mins|minutes?|hours?|hrs?|h|days?|weeks?|months?|years?)\s+ago\b")

EMPTY = LineFeatures(
    chars=0, words=0, stopword_density=0.0, terminal_punct=False, ellipsis_end=False,
    digit_share=0.0, upper_share=0.0, title_share=0.0, separators=0, has_url=False,
    glued=False, position=0.0, repeats=0, topic_overlap=0.0, cased=False, colon_end=False,
    relative_length=0.0, starts_lower=False, joins=0, enumerated=False,
)


def count_chars(pattern: regex.Pattern, text: str) -> int:
    """Return how many characters of a one-character class a text has, without a list of matches."""
    return len(text) - len(pattern.sub("", text))


def tokenize(text: str) -> list[str]:
    """Return the word tokens of a line; characters of scripts without spaces are one token each."""
    if text.isascii() or _MAYBE_UNSPACED.search(text) is None:
        return _WORD.findall(text)
    return _TOKEN.findall(text)


def count_words(text: str, tokens: Sequence[str], chars_per_word: float) -> int:
    """Return the number of words, counting unspaced-script characters chars_per_word to a word."""
    unspaced = count_chars(_UNSPACED_CHAR, text)
    return round(len(tokens) - unspaced + unspaced / chars_per_word)


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What a line's text alone says: its features but those of its place, and its keys."""

    features: tuple           # LineFeatures' fields, the page fields left at zero
    key: str                  # fold_key of the text: repetition is counted on it
    content: frozenset[str]   # its content words (not stop words, not numbers, long enough)
    long: bool                # long enough that its words make the page's vocabulary


class LineMemo:
    """The LineFacts of the texts already measured with one stop list and one set of settings.

    Bounded: emptied when full, so memory stays flat however many pages go through.
    """

    MAX_ENTRIES = 1 << 15
    MAX_LINE_CHARS = 4000        # longer lines rarely repeat and are not remembered

    def __init__(self, stopwords: Collection[str], chars_per_word: float, topic_min_chars: int, topic_min_words: int,
                 dated_max_words: int):
        self.stopwords = stopwords
        self.dated_max_words = dated_max_words
        self.chars_per_word = chars_per_word
        self.topic_min_chars = topic_min_chars
        self.topic_min_words = topic_min_words
        self.facts: dict[str, LineFacts] = {}
        # Per token: whether it is a stop word, and its content key (None: not a content word).
        # Two dicts, not one of pairs, so that a line's tokens are looked up by map() in C.
        self.stop: dict[str, bool] = {}
        self.content: dict[str, str | None] = {}
        # Stop words of several characters in a script without spaces (Thai: "และ", "ของ") never
        # equal a one-character token: they are found in the text, each character they cover a stop.
        multi = sorted((w for w in stopwords if len(w) > 1 and _UNSPACED_CHAR.match(w)), key=lambda w: (-len(w), w))
        self.multi_stops = regex.compile("|".join(map(regex.escape, multi))) if multi else None

    def get(self, text: str) -> LineFacts:
        facts = self.facts.get(text)
        if facts is None:
            facts = self.measure(text)
            if len(text) <= self.MAX_LINE_CHARS:
                if len(self.facts) >= self.MAX_ENTRIES:
                    self.facts.clear()
                self.facts[text] = facts
        return facts

    def learn(self, tokens: Iterable[str]) -> None:
        """Look up the tokens not seen before: are they stop words, what are their content keys."""
        new = set(tokens).difference(self.stop)
        if len(self.stop) + len(new) > self.MAX_ENTRIES:
            self.stop.clear()
            self.content.clear()
            new = set(tokens)
        for token in new:
            key = fold_word(token)
            stop = key in self.stopwords
            content = None
            if not stop and not key.isdigit() and (len(key) >= self.topic_min_chars or _UNSPACED_CHAR.match(key)):
                content = key
            self.stop[token] = stop
            self.content[token] = content

    def measure(self, text: str) -> LineFacts:
        """Return the facts of one non-blank line's text."""
        ascii_ = text.isascii()
        unspaced = not ascii_ and _MAYBE_UNSPACED.search(text) is not None
        toks = _TOKEN.findall(text) if unspaced else _WORD.findall(text)
        n_tok = len(toks) or 1
        try:
            stops = sum(map(self.stop.__getitem__, toks))
        except KeyError:
            self.learn(toks)
            stops = sum(map(self.stop.__getitem__, toks))
        content = set(map(self.content.__getitem__, toks))
        content.discard(None)
        if unspaced and self.multi_stops is not None:
            stops += sum(m.end() - m.start() for m in self.multi_stops.finditer(text))
        if ascii_:
            raw = text.encode("ascii")
            cased_letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
            upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
            digits = len(raw) - len(raw.translate(None, _ASCII_DIGITS))
            non_space = len(raw.translate(None, _ASCII_SPACES))
        else:
            cased_letters = count_chars(_CASED_LETTER, text)
            upper = count_chars(_UPPER, text) if cased_letters >= 2 else 0
            digits = count_chars(_DIGIT, text)
            non_space = count_chars(_NON_SPACE, text)
        cased = cased_letters >= 2
        if cased:  # the words that begin with a cased letter, and those of them that begin upper-case
            initials = "".join(map(itemgetter(0), toks))
            if ascii_:
                raw = initials.encode("ascii")
                cased_words = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
                title_words = len(raw) - len(raw.translate(None, _ASCII_UPPER))
            else:
                initials = "".join(_CASED_LETTER.findall(initials))
                cased_words = len(initials)
                title_words = sum(map(str.isupper, initials))
        else:
            upper, cased_words, title_words = 0, 0, 0
        # No sentence end can follow a letter or digit: the regex runs only when the last is neither.
        last = text[-1]
        # A join needs an upper-case letter after a lower-case one or a ! ? …: not the first letter alone.
        joinable = upper >= 2 or (upper == 1 and not text[0].isupper())
        words = count_words(text, toks, self.chars_per_word) if unspaced else len(toks)
        features = (
            len(text),                                                  # chars
            words,
            stops / n_tok,                                              # stopword_density
            not last.isalnum() and bool(_TERMINAL.search(text)),        # terminal_punct
            ("…" in text or "..." in text) and bool(_ELLIPSIS.search(text)),
            digits / (non_space or 1),                                  # digit_share
            (upper / cased_letters) if cased else 0.0,                  # upper_share
            (title_words / cased_words) if cased and cased_words else 0.0,
            len(_SEPARATORS.findall(text)) if not _SEPARATOR_CHARS.isdisjoint(text) else 0,
            # Cheap necessary conditions first: most lines have no "@", "://" or "www." and a space.
            ("@" in text or "://" in text or "www." in text) and bool(_URL.search(text)),
            " " not in text.strip() and bool(_GLUED.search(text)),     # glued
            0.0,                                                        # position (page)
            0,                                                          # repeats (page)
            0.0,                                                        # topic_overlap (page)
            cased,
            (":" in text or "：" in text) and bool(_COLON_END.search(text)),
            0.0,                                                        # relative_length (page)
            text[0].islower(),                                          # starts_lower
            len(_JOIN.findall(text)) if joinable else 0,                # joins
            bool(_ENUMERATED.match(text)),                              # enumerated
            # A date or time on a short line: digits first, the regex only where there are some.
            words <= self.dated_max_words and digits > 0 and bool(_DATED.search(text)),  # dated
        )
        return LineFacts(features, fold_key(text), frozenset(content), len(toks) >= self.topic_min_words)


_MEMOS: dict[tuple, LineMemo] = {}


def line_memo(stopwords: frozenset[str] | Collection[str], settings: Mapping) -> LineMemo:
    """Return the process's LineMemo for this stop list and these feature settings."""
    numbers = (settings["features.unspaced_chars_per_word"], settings["features.topic_word_min_chars"],
               settings["features.topic_min_words"], settings["features.dated_max_words"])
    if not isinstance(stopwords, frozenset):
        stopwords = frozenset(stopwords)
    key = (stopwords, numbers)
    memo = _MEMOS.get(key)
    if memo is None:
        if len(_MEMOS) >= 64:
            _MEMOS.clear()
        memo = _MEMOS[key] = LineMemo(stopwords, *numbers)
    return memo


register(_MEMOS.clear)


def measure_lines(lines: Sequence[Line], stopwords: Collection[str], settings) -> tuple[LineFeatures, ...]:
    """Return the features of every line of a page."""
    memo = line_memo(stopwords, settings)
    facts = [memo.get(line.text) if line.text else None for line in lines]
    key_counts = Counter(f.key for f in facts if f is not None and f.key)
    # How many long lines use each content word: the page's own vocabulary.
    vocabulary: Counter[str] = Counter()
    for f in facts:
        if f is not None and f.long:
            vocabulary.update(f.content)
    # A long line's own words count once in the vocabulary: it shares only those used twice.
    used = vocabulary.keys()
    used_twice = {w for w, n in vocabulary.items() if n > 1}

    nonblank = [i for i, f in enumerate(facts) if f is not None]
    first, last = (nonblank[0], nonblank[-1]) if nonblank else (0, 0)
    span = max(1, last - first)
    lengths = sorted(facts[i].features[0] for i in nonblank)
    long_line = max(1, lengths[int(0.9 * (len(lengths) - 1))] if lengths else 1)
    out = []
    for i, f in enumerate(facts):
        if f is None:
            out.append(EMPTY)
            continue
        own = f.content
        topic = len(own & (used_twice if f.long else used)) / len(own) if own else 0.0
        v = f.features
        out.append(LineFeatures(
            v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10],
            (i - first) / span, key_counts[f.key] - 1 if f.key else -1, topic, v[14], v[15],
            min(v[0] / long_line, 3.0), v[17], v[18], v[19], v[20],
        ))
    return tuple(out)

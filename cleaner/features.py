"""Stage 4: measurable facts about every line (length, stop words, punctuation, shape, repetition).

In: the page's lines, the language's stop words and the feature settings. Out: one
LineFeatures per line. Pure: no rules, no labels. Script-aware: scripts written without
spaces are measured per character, and case features apply only to cased scripts.
"""
from __future__ import annotations

from collections import Counter
from typing import Collection, Sequence

import regex

from .fold import fold_key, fold_word
from .model import Line, LineFeatures

UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
_TOKEN = regex.compile(rf"[{UNSPACED}]|[^\W{UNSPACED}]+")
_UNSPACED_CHAR = regex.compile(rf"[{UNSPACED}]")
# Sentence ends of every script: Latin, CJK full-width, Arabic/Urdu, Devanagari, Armenian, Ethiopic.
_TERMINAL = regex.compile(r"[.!?…。！？؟۔।॥։።;．](?:[\s\"'”’»)\]」』›]*)$")
_ELLIPSIS = regex.compile(r"(?:…|\.\.\.)[\s\"'”’»)\]]*$")
_COLON_END = regex.compile(r"[:：][\s]*$")
_SEPARATORS = regex.compile(r"(?:^|\s)[|»›·•/>–—]+(?=\s|$)|\s\|\s?|\|")
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
    return _TOKEN.findall(text)


def count_words(text: str, tokens: Sequence[str], chars_per_word: float) -> int:
    """Return the number of words, counting unspaced-script characters chars_per_word to a word."""
    unspaced = count_chars(_UNSPACED_CHAR, text)
    return round(len(tokens) - unspaced + unspaced / chars_per_word)


def _content_words(tokens: Sequence[str], stopwords: Collection[str], min_chars: int) -> set[str]:
    words = set()
    for tok in tokens:
        key = fold_word(tok)
        if key in stopwords or key.isdigit():
            continue
        if len(key) >= min_chars or _UNSPACED_CHAR.match(key):
            words.add(key)
    return words


def measure_lines(lines: Sequence[Line], stopwords: Collection[str], settings) -> tuple[LineFeatures, ...]:
    """Return the features of every line of a page."""
    chars_per_word = settings["features.unspaced_chars_per_word"]
    topic_min_words = settings["features.topic_min_words"]
    topic_min_chars = settings["features.topic_word_min_chars"]

    tokens = [tokenize(line.text) for line in lines]
    keys = [fold_key(line.text) if line.text else "" for line in lines]
    key_counts = Counter(k for k in keys if k)
    content = [_content_words(t, stopwords, topic_min_chars) for t in tokens]
    # How many long lines use each content word: the page's own vocabulary.
    vocabulary: Counter[str] = Counter()
    for toks, words in zip(tokens, content):
        if len(toks) >= topic_min_words:
            vocabulary.update(words)

    nonblank = [i for i, line in enumerate(lines) if line.text]
    first, last = (nonblank[0], nonblank[-1]) if nonblank else (0, 0)
    span = max(1, last - first)
    lengths = sorted(len(line.text) for line in lines if line.text)
    long_line = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 1
    out = []
    for i, line in enumerate(lines):
        text = line.text
        if not text:
            out.append(EMPTY)
            continue
        toks = tokens[i]
        n_tok = len(toks) or 1
        stops = sum(1 for t in toks if fold_word(t) in stopwords)
        cased_letters = count_chars(_CASED_LETTER, text)
        cased = cased_letters >= 2
        cased_words = [t for t in toks if _CASED_LETTER.match(t[0])]
        title_words = sum(1 for t in cased_words if t[0].isupper())
        non_space = count_chars(_NON_SPACE, text) or 1
        own = content[i]
        shared = sum(1 for w in own if vocabulary[w] - (1 if len(toks) >= topic_min_words else 0) > 0)
        out.append(LineFeatures(
            chars=len(text),
            words=count_words(text, toks, chars_per_word),
            stopword_density=stops / n_tok,
            terminal_punct=bool(_TERMINAL.search(text)),
            ellipsis_end=("…" in text or "..." in text) and bool(_ELLIPSIS.search(text)),
            digit_share=count_chars(_DIGIT, text) / non_space,
            upper_share=(count_chars(_UPPER, text) / cased_letters) if cased else 0.0,
            title_share=(title_words / len(cased_words)) if cased and cased_words else 0.0,
            separators=len(_SEPARATORS.findall(text)),
            # Cheap necessary conditions first: most lines have no "@", "://" or "www." and a space.
            has_url=("@" in text or "://" in text or "www." in text) and bool(_URL.search(text)),
            glued=" " not in text.strip() and bool(_GLUED.search(text)),
            position=(i - first) / span,
            repeats=key_counts[keys[i]] - 1,
            topic_overlap=(shared / len(own)) if own else 0.0,
            cased=cased,
            colon_end=(":" in text or "：" in text) and bool(_COLON_END.search(text)),
            relative_length=min(len(text) / max(1, long_line), 3.0),
            starts_lower=text[0].islower(),
            joins=len(_JOIN.findall(text)),
            enumerated=bool(_ENUMERATED.match(text)),
        ))
    return tuple(out)

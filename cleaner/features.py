"""Stage 4: measurable facts about every line (length, stop words, punctuation, shape, repetition).

In: the page's lines, the language's stop words and the feature settings. Out: one
LineFeatures per line. Pure: no rules, no labels. Script-aware: scripts written without
spaces are measured per character, and case features apply only to cased scripts.

A page is measured at once, not line by line: its lines are joined by "\n" and every
per-line count is a per-character or per-token count summed over each line's span in
numpy; every per-line pattern is one scan of the joined page. The patterns are written so
that no match can cross a line break (`[^\\S\\n]` where a line's own pattern would say
`\\s`; `^` and `$` hold at every line's edges), so a scan of the page finds exactly the
matches of the lines scanned one by one. tests/test_features.py checks that this is the
per-line definition (tests/reference_features.py, written one line at a time) on every
code point and on generated pages. Data tables (a page-level shape, tables.py) are found
from the lines' lengths, digits and words once those are measured.
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
import unicodedata
from collections import Counter
from operator import itemgetter
from typing import Collection, Mapping, Sequence

import numpy
import regex

from .caches import register
from .fold import fold_key, fold_word
from .model import Line, LineFeatures
from .tables import table_cells

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

# The page's tokens, with each line break as a token of its own: it tells the tokens' lines.
_PAGE_TOKEN = regex.compile(rf"[{UNSPACED}]|[^\W{UNSPACED}]+|\n")
_PAGE_WORD = regex.compile(r"\w+|\n")
_RE_PAGE_WORD = re.compile(r"\w+|\n")

# Character classes, one bit each in a table over every code point. Each is defined by the
# pattern or str method beside it, and the table is built from exactly that on first use.
(_CASED, _LU, _LL, _DIGIT, _SPACE, _UNSPACED, _ISUPPER, _ISLOWER, _BLANK, _SEPARATOR, _JOIN_MARK, _DOT,
 _ITEM, _RE_WORD_DIFFERS, _STRIPPED) = (1 << k for k in range(15))
_CLASS_PATTERNS = (
    (_CASED, r"[\p{Lu}\p{Ll}\p{Lt}]"),     # a cased letter
    (_LU, r"\p{Lu}"),                       # an upper-case letter
    (_LL, r"\p{Ll}"),                       # a lower-case letter
    (_DIGIT, r"\d"),
    (_SPACE, r"\s"),
    (_UNSPACED, rf"[{UNSPACED}]"),          # a character of a script written without spaces
    (_BLANK, " "),                          # the space itself: a line without one may be glued
    (_SEPARATOR, r"[|»›·•/>–—]"),           # menu separators (_SEPARATORS)
    (_JOIN_MARK, r"[?!…]"),                 # (_JOIN)
    (_DOT, r"\."),
    (_ITEM, r"[\d•*·▪◦‣–\-\s]"),            # what a list item can start with (_ENUMERATED)
)
_CLASS_METHODS = ((_ISUPPER, str.isupper), (_ISLOWER, str.islower), (_STRIPPED, str.isspace))
_TABLE: list[numpy.ndarray] = []


def char_classes() -> numpy.ndarray:
    """Return the class bits of every code point.

    Built once (about 0.3 s) and kept in the cache folder of the rule databases, under a hash
    of the definitions and of both libraries' Unicode versions; a process loads it in a few ms.
    """
    if not _TABLE:
        from .prefilter import cache_dir   # where compiled things are kept

        recipe = repr((_CLASS_PATTERNS, [m.__name__ for _, m in _CLASS_METHODS], regex.__version__,
                       unicodedata.unidata_version, sys.version_info[:2], "re-word-differs"))
        path = cache_dir() / f"classes-{hashlib.sha256(recipe.encode()).hexdigest()[:16]}.npy"
        try:
            table = numpy.load(path)
            if table.shape == (0x110000,) and table.dtype == numpy.uint16:
                _TABLE.append(table)
                return table
        except (OSError, ValueError):
            pass
        table = _build_classes()
        try:   # written whole under another name, then renamed: a reader never sees half a file
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}.tmp.npy")
            numpy.save(partial, table)
            partial.replace(path)
        except OSError:   # a read-only home: build again next time
            pass
        _TABLE.append(table)
    return _TABLE[0]


def _build_classes() -> numpy.ndarray:
    """Return the class bits of every code point, from the definitions beside each bit."""
    codes = numpy.arange(0x110000, dtype=numpy.uint32)
    every = codes.tobytes().decode("utf-32-le", "surrogatepass")
    table = numpy.zeros(0x110000, dtype=numpy.uint16)
    for bit, pattern in _CLASS_PATTERNS:
        table[_code_points("".join(regex.findall(pattern, every)))] |= bit
    # The methods are asked only of the characters that can answer yes: the letters and
    # spaces of either library (their Unicode versions differ; str.isspace takes U+001C-F).
    maybe = "".join(set(regex.findall(r"[\p{Cased}\s]", every)) | set(re.findall(r"[\w\s]", every)))
    for bit, method in _CLASS_METHODS:
        table[_code_points("".join([ch for ch in maybe if method(ch)]))] |= bit
    # The standard library's \w, where it is not regex's (combining marks, some numbers).
    by_re, by_regex = numpy.zeros(0x110000, dtype=bool), numpy.zeros(0x110000, dtype=bool)
    by_re[_code_points("".join(re.findall(r"\w", every)))] = True
    by_regex[_code_points("".join(regex.findall(r"\w", every)))] = True
    table[by_re != by_regex] |= _RE_WORD_DIFFERS
    return table


def _code_points(text: str) -> numpy.ndarray:
    return numpy.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32)


# regex's whitespace but the line break, as a plain class: the standard library's re then reads
# a pattern exactly as regex does (its own \s also takes U+001C-U+001F) and scans a page faster.
_S = "[" + "".join(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}"
                   for ch in regex.findall(r"\s", "".join(map(chr, range(0x3001)))) if ch != "\n") + "]"
# Sentence ends of every script: Latin, CJK full-width, Arabic/Urdu, Devanagari, Armenian, Ethiopic.
# A paragraph may close with its writer's lower-case (Latin) sign-off after the sentence: "… verstorben. (nz)",
# "(dpa)", "(red/ag)". An upper-case "(AP)" is left out: that is a photo caption's agency credit.
_SIGN_OFF = r"\([a-zß-öø-ÿ]{1,5}(?:/[a-zß-öø-ÿ]{1,5})*\)"
_TERMINAL = re.compile(rf"[.!?…。！？؟۔।॥։።;．](?:{_S}|[\"'”’»)\]」』›])*(?:{_SIGN_OFF}{_S}*)?$", re.MULTILINE)
_ELLIPSIS = re.compile(rf"(?:…|\.\.\.)(?:{_S}|[\"'”’»)\]])*$", re.MULTILINE)
_COLON_END = re.compile(rf"[:：]{_S}*$", re.MULTILINE)
_URL_SIGN = re.compile(r"@|://|www\.")                  # what every match of _URL holds
# Per-line patterns, run on the lines whose characters allow a match.
_SEPARATORS = regex.compile(r"(?:^|\s)[|»›·•/>–—]+(?=\s|$)|\s\|\s?|\|")
# The e-mail branch starts only where a run of address characters starts and never gives
# characters back (++): without both, a long run without "@" costs quadratic time.
_URL = regex.compile(r"https?://|www\.\w|(?<![\w.+-])[\w.+-]++@[\w-]+\.\w")
# Inline words glued without spaces ("AzerbaijanIsrael"), counted on lines without a space.
_GLUED = regex.compile(r"\p{Ll}{2}\p{Lu}\p{Ll}")
# A headline glued to its summary or to the next link: "Warehouse-ComplexA 31-year-old", "Rise?Prices".
_JOIN = regex.compile(r"\p{Ll}{2}[?!.…]?\p{Lu}(?:\p{Ll}|\s)|[?!…]\p{Lu}\p{Ll}")
# A list item: "1) ...", "2. ...", "3a etapa: ...", "• ...", "* ...".
_ENUMERATED = regex.compile(r"^\s*(?:\d{1,3}[a-z]?[.):]\s|[•*·▪◦‣–-]\s)")
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


def tokenize(text: str) -> list[str]:
    """Return the word tokens of a line; characters of scripts without spaces are one token each."""
    if text.isascii() or _MAYBE_UNSPACED.search(text) is None:
        return _WORD.findall(text)
    return _TOKEN.findall(text)


class Vocabulary:
    """What the tokens already seen are, under one stop list and one set of settings.

    One number per token: STOP for a stop word, OTHER for a word that is neither a stop word
    nor a content word (a number, a short word), else the number of its content word (its
    fold, cut to topic_prefix_chars letters; tokens that fold alike share it). One dict, so
    that a page's tokens are looked up by one map() in C. Bounded: emptied when full.
    """

    MAX_ENTRIES = 1 << 16
    STOP, OTHER = -2, -1

    def __init__(self, stopwords: Collection[str], chars_per_word: float, topic_min_chars: int, topic_min_words: int,
                 dated_max_words: int, topic_prefix_chars: int = 0):
        self.stopwords = stopwords
        self.chars_per_word = chars_per_word
        self.topic_min_chars = topic_min_chars
        self.topic_prefix_chars = topic_prefix_chars
        self.topic_min_words = topic_min_words
        self.dated_max_words = dated_max_words
        self.codes: dict[str, int] = {}
        self.content_ids: dict[str, int] = {}
        self.clear()
        # Stop words of several characters in a script without spaces (Thai: "และ", "ของ") never
        # equal a one-character token: they are found in the text, each character they cover a stop.
        multi = sorted((w for w in stopwords if len(w) > 1 and _UNSPACED_CHAR.match(w)), key=lambda w: (-len(w), w))
        self.multi_stops = regex.compile("|".join(map(regex.escape, multi))) if multi else None

    def clear(self) -> None:
        self.codes.clear()
        self.content_ids.clear()
        self.codes["\n"] = self.OTHER      # the line breaks among a page's tokens

    def learn(self, tokens: Collection[str]) -> None:
        """Look up the tokens not seen before: are they stop words, what are their content words."""
        new = set(tokens).difference(self.codes)
        if len(self.codes) + len(new) > self.MAX_ENTRIES:
            self.clear()
            new = set(tokens).difference(self.codes)
        # fold_word of an ASCII word is its lower case: all of them lowered in one call.
        plain = [t for t in new if t.isascii()]
        other = [t for t in new if not t.isascii()]
        keys = ("\n".join(plain).lower().split("\n") if plain else []) + list(map(fold_word, other))
        stops = list(map(self.stopwords.__contains__, keys))
        # A content word: not a stop word, not a number, long enough (or of an unspaced script).
        min_chars, unspaced = self.topic_min_chars, _UNSPACED_CHAR.match
        content = [not stop and not key.isdigit() and (len(key) >= min_chars or unspaced(key) is not None)
                   for key, stop in zip(keys, stops)]
        ids = self.content_ids
        if self.topic_prefix_chars:     # a content word by its first letters: inflections are one word
            keys = [key if unspaced(key) is not None else key[:self.topic_prefix_chars] for key in keys]
        fresh = [k for k in dict.fromkeys([k for k, c in zip(keys, content) if c]) if k not in ids]
        ids.update(zip(fresh, range(len(ids), len(ids) + len(fresh))))
        self.codes.update(zip(plain + other, [self.STOP if stop else ids[key] if c else self.OTHER
                                              for key, stop, c in zip(keys, stops, content)]))

    def lookup(self, tokens: list[str]) -> numpy.ndarray:
        """Return the tokens' numbers (STOP, OTHER or a content word's)."""
        try:
            return numpy.fromiter(map(self.codes.__getitem__, tokens), dtype=numpy.int64, count=len(tokens))
        except KeyError:
            self.learn(tokens)
            return numpy.fromiter(map(self.codes.__getitem__, tokens), dtype=numpy.int64, count=len(tokens))


_VOCABULARIES: dict[tuple, Vocabulary] = {}


def vocabulary(stopwords: frozenset[str] | Collection[str], settings: Mapping) -> Vocabulary:
    """Return the process's Vocabulary for this stop list and these feature settings."""
    numbers = (settings["features.unspaced_chars_per_word"], settings["features.topic_word_min_chars"],
               settings["features.topic_min_words"], settings["features.dated_max_words"],
               settings["features.topic_prefix_chars"])
    if not isinstance(stopwords, frozenset):
        stopwords = frozenset(stopwords)
    key = (stopwords, numbers)
    vocab = _VOCABULARIES.get(key)
    if vocab is None:
        if len(_VOCABULARIES) >= 64:
            _VOCABULARIES.clear()
        vocab = _VOCABULARIES[key] = Vocabulary(stopwords, *numbers)
    return vocab


register(_VOCABULARIES.clear)


# The classes counted per line, one column each.
_COUNTED = (_CASED, _LU, _DIGIT, _SPACE, _UNSPACED, _BLANK, _SEPARATOR)
_COUNTED_BITS = numpy.array(_COUNTED, dtype=numpy.uint16)


class _Page:
    """A page's lines joined by "\\n", where each line is in it, and its characters' classes."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.n = len(texts)
        self.text = "\n".join(texts)
        self.lengths = numpy.fromiter(map(len, texts), dtype=numpy.int64, count=self.n)
        self.ends = numpy.cumsum(self.lengths + 1) - 1          # where each line's "\n" is (or would be)
        self.starts = self.ends - self.lengths
        # The classes of the page's characters and of one more "\n" after the last line.
        self.classes = char_classes()[_code_points(self.text + "\n")]
        # Per line, how many characters of each counted class: the sums over each line and the
        # "\n" after it, less that "\n" (a space).
        each = (self.classes[None, :] & _COUNTED_BITS[:, None]) != 0
        self.counts = numpy.add.reduceat(each, self.starts, axis=1, dtype=numpy.int64).T
        self.counts[:, _COUNTED.index(_SPACE)] -= 1
        self.first = numpy.where(self.lengths > 0, self.classes[self.starts], 0)   # each line's first character
        self.last = numpy.where(self.lengths > 0, self.classes[self.ends - 1], 0)  # and its last

    def count_of(self, bit: int) -> numpy.ndarray:
        return self.counts[:, _COUNTED.index(bit)]

    def line_of(self, positions) -> numpy.ndarray:
        return numpy.searchsorted(self.ends, positions)

    def has(self, pattern: re.Pattern) -> numpy.ndarray:
        """Return, per line, whether a pattern that cannot cross a line break matches in it."""
        found = numpy.zeros(self.n, dtype=bool)
        found[self.line_of([m.start() for m in pattern.finditer(self.text)])] = True
        return found

    def search(self, pattern: regex.Pattern, candidates: numpy.ndarray) -> numpy.ndarray:
        """Return, per line, whether the pattern matches in it, searched in the candidate lines only."""
        found = numpy.zeros(self.n, dtype=bool)
        texts = self.texts
        for i in numpy.flatnonzero(candidates).tolist():
            found[i] = pattern.search(texts[i]) is not None
        return found

    def count(self, pattern: regex.Pattern, candidates: numpy.ndarray) -> numpy.ndarray:
        """Return, per line, how many times the pattern matches in it, counted in the candidate lines only."""
        found = numpy.zeros(self.n, dtype=numpy.int64)
        texts = self.texts
        for i in numpy.flatnonzero(candidates).tolist():
            found[i] = len(pattern.findall(texts[i]))
        return found

    def lines_with(self, mask: numpy.ndarray) -> numpy.ndarray:
        """Return, per line, whether any of its characters is set in a per-character mask."""
        out = numpy.zeros(self.n, dtype=bool)
        out[self.line_of(numpy.flatnonzero(mask))] = True
        return out


def measure_lines(lines: Sequence[Line], stopwords: Collection[str], settings) -> tuple[LineFeatures, ...]:
    """Return the features of every line of a page (a line break inside a line reads as a space)."""
    if not lines:
        return ()
    vocab = vocabulary(stopwords, settings)
    texts = [line.text.replace("\n", " ") if "\n" in line.text else line.text for line in lines]
    page = _Page(texts)
    n, chars, classes = page.n, page.lengths, page.classes
    nonblank = numpy.flatnonzero(chars)
    if len(nonblank) == 0:
        return (EMPTY,) * n

    # Characters.
    cased_letters, unspaced_chars = page.count_of(_CASED), page.count_of(_UNSPACED)
    cased = cased_letters >= 2
    upper = numpy.where(cased, page.count_of(_LU), 0)
    digits = page.count_of(_DIGIT)
    non_space = chars - page.count_of(_SPACE)

    # Tokens: the page's tokens in order, a line break closing each line. The standard
    # library's \w is regex's on most pages, and twice as fast.
    if unspaced_chars.any():
        tokens = _PAGE_TOKEN.findall(page.text)
    elif (classes & _RE_WORD_DIFFERS).any():
        tokens = _PAGE_WORD.findall(page.text)
    else:
        tokens = _RE_PAGE_WORD.findall(page.text)
    initial_points = _code_points("".join(map(itemgetter(0), tokens)))
    initials = char_classes()[initial_points]
    breaks = initial_points == 10                             # "\n": no word token starts with it
    token_line = numpy.cumsum(breaks) - breaks                # a line break belongs to the line it ends
    n_tokens = numpy.bincount(token_line[~breaks], minlength=n)
    content = vocab.lookup(tokens)
    stops = numpy.bincount(token_line, weights=content == Vocabulary.STOP, minlength=n)
    if vocab.multi_stops is not None and unspaced_chars.any():
        spans = [(m.start(), m.end() - m.start()) for m in vocab.multi_stops.finditer(page.text)]
        if spans:
            where, length = zip(*spans)
            stops = stops + numpy.bincount(page.line_of(where), weights=length, minlength=n)
    cased_initial = (initials & _CASED) != 0
    cased_words = numpy.bincount(token_line, weights=cased_initial, minlength=n)
    title_words = numpy.bincount(token_line, weights=cased_initial & ((initials & _ISUPPER) != 0), minlength=n)
    words = n_tokens.copy()
    for i in numpy.flatnonzero(unspaced_chars).tolist():  # characters of unspaced scripts: cpw to a word
        u = int(unspaced_chars[i])
        words[i] = round(int(n_tokens[i]) - u + u / vocab.chars_per_word)

    # Patterns: a line's end is scanned for on the whole page; the others are searched only in
    # the lines whose characters allow a match.
    lu, ll = (classes & _LU) != 0, (classes & _LL) != 0
    mark, dot = (classes & _JOIN_MARK) != 0, (classes & _DOT) != 0
    # Where _JOIN can start: two lower-case letters before an upper-case one (maybe after
    # one of ?!.…), or one of ?!… before upper and lower case.
    join_start = ll[:-2] & ll[1:-1] & lu[2:]
    join_start[:-1] |= ll[:-3] & ll[1:-2] & (mark[2:-1] | dot[2:-1]) & lu[3:]
    join_start |= mark[:-2] & lu[1:-1] & ll[2:]
    joinable = (upper >= 2) | ((upper == 1) & ((page.first & _ISUPPER) == 0))
    joins = page.count(_JOIN, joinable & page.lines_with(join_start))
    glued_start = ll[:-3] & ll[1:-2] & lu[2:-1] & ll[3:]
    glued = page.search(_GLUED, (page.count_of(_BLANK) == 0) & page.lines_with(glued_start))
    for i in numpy.flatnonzero((page.first | page.last) & _STRIPPED).tolist():  # str.strip's edges: the inside counts
        glued[i] = " " not in texts[i].strip() and bool(_GLUED.search(texts[i]))
    url_signs = numpy.zeros(n, dtype=bool)
    url_signs[page.line_of([m.start() for m in _URL_SIGN.finditer(page.text)])] = True
    dated = page.search(_DATED, (words <= vocab.dated_max_words) & (digits > 0))

    # The page: position, repetition, the page's own vocabulary, relative length.
    first_line, last_line = int(nonblank[0]), int(nonblank[-1])
    span = max(1, last_line - first_line)
    position = (numpy.arange(n) - first_line) / span
    keys = [fold_key(t) if t else "" for t in texts]
    key_counts = Counter(key for key in keys if key)
    repeats = [key_counts[k] - 1 if k else -1 for k in keys]
    lengths = numpy.sort(chars[nonblank])
    long_line = max(1, int(lengths[int(0.9 * (len(lengths) - 1))]))
    relative = numpy.minimum(chars / long_line, 3.0)
    if unspaced_chars.any():
        content = _unspaced_pairs(content, (initials & _UNSPACED) != 0)
    topic = _topic_overlap(token_line, content, n_tokens >= vocab.topic_min_words, n)

    columns = (
        chars.tolist(),
        words.tolist(),
        (stops / numpy.maximum(n_tokens, 1)).tolist(),                      # stopword_density
        page.has(_TERMINAL).tolist(),
        page.has(_ELLIPSIS).tolist(),
        (digits / numpy.maximum(non_space, 1)).tolist(),                    # digit_share
        numpy.where(cased, upper / numpy.maximum(cased_letters, 1), 0.0).tolist(),
        numpy.where(cased & (cased_words > 0), title_words / numpy.maximum(cased_words, 1), 0.0).tolist(),
        page.count(_SEPARATORS, page.count_of(_SEPARATOR) > 0).tolist(),
        page.search(_URL, url_signs).tolist(),
        glued.tolist(),
        position.tolist(),
        repeats,
        topic.tolist(),
        cased.tolist(),
        page.has(_COLON_END).tolist(),
        relative.tolist(),
        ((page.first & _ISLOWER) != 0).tolist(),                            # starts_lower
        joins.tolist(),
        page.search(_ENUMERATED, (page.first & _ITEM) != 0).tolist(),
        dated.tolist(),
        table_cells(texts, chars, digits, words, settings["features.table_min_rows"],
                    settings["features.table_max_columns"], settings["features.table_min_number_columns"],
                    settings["features.table_header_rows"], settings["features.table_header_max_words"]).tolist(),
    )
    make = LineFeatures._make
    return tuple(make(values) if values[0] else EMPTY for values in zip(*columns))


def _unspaced_pairs(content: numpy.ndarray, unspaced: numpy.ndarray) -> numpy.ndarray:
    """Return the tokens' content-word numbers with the characters of unspaced scripts taken in
    pairs: such a character stands for the pair it starts with the next content character, and
    for nothing when none follows (a Chinese or Japanese page shares nearly all its single
    characters between its lines, its two-character words far fewer). Numbers are dense again.

    Two characters of different lines never pair: a line break is a token between them.
    """
    ok = unspaced & (content >= 0)
    follows = numpy.zeros(len(content), dtype=bool)
    follows[:-1] = ok[:-1] & ok[1:]
    span = int(content.max()) + 1
    paired = numpy.full(len(content), -1, dtype=numpy.int64)
    paired[:-1] = span + content[:-1] * span + content[1:]      # beyond every single word's number
    out = numpy.where(ok, numpy.where(follows, paired, -1), content)
    words = out >= 0
    if words.any():
        out[words] = numpy.unique(out[words], return_inverse=True)[1]
    return out


def _topic_overlap(token_line: numpy.ndarray, content: numpy.ndarray, long: numpy.ndarray, n: int) -> numpy.ndarray:
    """Return, per line, the share of its content words that the page's long lines also use.

    The page's vocabulary is the content words of its long lines; a long line's own words
    count once in it, so a long line shares only the words that another long line uses too.
    """
    mine = content >= 0
    if not mine.any():
        return numpy.zeros(n)
    words = int(content.max()) + 1
    pairs = numpy.unique(token_line[mine] * words + content[mine])   # each (line, word) once
    line, word = pairs // words, pairs % words
    in_long = long[line]
    vocabulary_ = numpy.bincount(word[in_long], minlength=words)
    shared = vocabulary_[word] >= numpy.where(in_long, 2, 1)
    own = numpy.bincount(line, minlength=n)
    return numpy.where(own > 0, numpy.bincount(line, weights=shared, minlength=n) / numpy.maximum(own, 1), 0.0)

"""The per-line definition of every feature: the oracle for cleaner.features.

cleaner measures a page at once (one scan, counts summed in numpy); this module measures
one line at a time, plainly, as the features are defined. tests/test_features.py checks that
both give the same LineFeatures, field for field, on every page it tries.
"""
from __future__ import annotations

from collections import Counter

import regex

from cleaner.features import UNSPACED, vocabulary
from cleaner.fold import fold_key, fold_word
from cleaner.model import LineFeatures

TOKEN = regex.compile(rf"[{UNSPACED}]|[^\W{UNSPACED}]+")
UNSPACED_CHAR = regex.compile(rf"[{UNSPACED}]")
TERMINAL = regex.compile(r"[.!?…。！？؟۔।॥։።;．][\s\"'”’»)\]」』›]*(?:\([a-zß-öø-ÿ]{1,5}(?:/[a-zß-öø-ÿ]{1,5})*\)\s*)?$")
ELLIPSIS = regex.compile(r"(?:…|\.\.\.)[\s\"'”’»)\]]*$")
COLON_END = regex.compile(r"[:：][\s]*$")
SEPARATORS = regex.compile(r"(?:^|\s)[|»›·•/>–—]+(?=\s|$)|\s\|\s?|\|")
URL = regex.compile(r"https?://|www\.\w|(?<![\w.+-])[\w.+-]++@[\w-]+\.\w")
GLUED = regex.compile(r"\p{Ll}{2}\p{Lu}\p{Ll}")
ENUMERATED = regex.compile(r"^\s*(?:\d{1,3}[a-z]?[.):]\s|[•*·▪◦‣–-]\s)")
JOIN = regex.compile(r"\p{Ll}{2}[?!.…]?\p{Lu}(?:\p{Ll}|\s)|[?!…]\p{Lu}\p{Ll}")
CASED_LETTER = regex.compile(r"[\p{Lu}\p{Ll}\p{Lt}]")
DATED = regex.compile(
    r"\b\d{1,2}:\d{2}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b|\b(?:19|20)\d{2}\b.{0,20}\b\d{1,2}\b"
    r"|\b\d{1,2}\b.{0,12}\b(?:19|20)\d{2}\b"
    r"|\b\d+\s*(?:min|mins|minutes?|hours?|hrs?|h|days?|weeks?|months?|years?)\s+ago\b")


def count(pattern: str, text: str) -> int:
    return len(regex.findall(pattern, text))


def line_facts(text: str, stopwords, multi: str, chars_per_word: float, topic_min_chars: int, dated_max_words: int,
               topic_prefix_chars: int = 0):
    """Return (the features of a line's text alone, its content words, its token count).

    `multi`: the stop words of several characters of scripts without spaces, as one alternation.
    A content word is its fold's first topic_prefix_chars letters (0: all of them).
    """
    tokens = TOKEN.findall(text)
    keys = [fold_word(t) for t in tokens]
    stops = sum(key in stopwords for key in keys)
    unspaced = count(rf"[{UNSPACED}]", text)
    if unspaced and multi:
        stops += sum(m.end() - m.start() for m in regex.finditer(multi, text))
    def is_content(k):
        return k not in stopwords and not k.isdigit() and (len(k) >= topic_min_chars or UNSPACED_CHAR.match(k))
    # A character of a script without spaces counts as the pair it makes with the next content
    # character (nothing without one); any other content word by its first topic_prefix_chars letters.
    content = set()
    for k, after in zip(keys, keys[1:] + [None]):
        if not is_content(k):
            continue
        if UNSPACED_CHAR.match(k):
            if after is not None and UNSPACED_CHAR.match(after) and is_content(after):
                content.add(k + after)
        else:
            content.add(k[:topic_prefix_chars] if topic_prefix_chars else k)
    cased_letters = count(r"[\p{Lu}\p{Ll}\p{Lt}]", text)
    cased = cased_letters >= 2
    upper = count(r"\p{Lu}", text) if cased else 0
    initials = [t[0] for t in tokens if CASED_LETTER.match(t[0])]
    digits = count(r"\d", text)
    non_space = count(r"\S", text)
    words = round(len(tokens) - unspaced + unspaced / chars_per_word) if unspaced else len(tokens)
    joinable = upper >= 2 or (upper == 1 and not text[0].isupper())
    features = dict(
        chars=len(text),
        words=words,
        stopword_density=stops / (len(tokens) or 1),
        terminal_punct=bool(TERMINAL.search(text)),
        ellipsis_end=bool(ELLIPSIS.search(text)),
        digit_share=digits / (non_space or 1),
        upper_share=upper / cased_letters if cased else 0.0,
        title_share=sum(map(str.isupper, initials)) / len(initials) if cased and initials else 0.0,
        separators=len(SEPARATORS.findall(text)),
        has_url=bool(URL.search(text)),
        glued=" " not in text.strip() and bool(GLUED.search(text)),
        cased=cased,
        colon_end=bool(COLON_END.search(text)),
        starts_lower=text[0].islower(),
        joins=len(JOIN.findall(text)) if joinable else 0,
        enumerated=bool(ENUMERATED.match(text)),
        dated=words <= dated_max_words and digits > 0 and bool(DATED.search(text)),
    )
    return features, content, len(tokens)


def measure_lines(texts: list[str], stopwords, settings) -> tuple[LineFeatures, ...]:
    """Return the features of every line of a page, one line at a time."""
    vocab = vocabulary(stopwords, settings)
    multi = "|".join(map(regex.escape, sorted((w for w in stopwords if len(w) > 1 and UNSPACED_CHAR.match(w)),
                                              key=lambda w: (-len(w), w))))
    facts = [line_facts(t, vocab.stopwords, multi, vocab.chars_per_word, vocab.topic_min_chars, vocab.dated_max_words,
                        settings["features.topic_prefix_chars"]) if t else None for t in texts]
    nonblank = [i for i, f in enumerate(facts) if f is not None]
    if not nonblank:
        return tuple(LineFeatures(0, 0, 0.0, False, False, 0.0, 0.0, 0.0, 0, False, False, 0.0, 0, 0.0, False,
                                  False, 0.0, False, 0, False) for _ in texts)
    keys = Counter(fold_key(texts[i]) for i in nonblank)
    vocabulary_: Counter[str] = Counter()
    for f in facts:
        if f is not None and f[2] >= vocab.topic_min_words:
            vocabulary_.update(f[1])
    first, last = nonblank[0], nonblank[-1]
    lengths = sorted(len(texts[i]) for i in nonblank)
    long_line = max(1, lengths[int(0.9 * (len(lengths) - 1))])
    cells = table_cells([texts[i] for i in nonblank], [facts[i][0]["words"] for i in nonblank], settings)
    in_table = {i for i, cell in zip(nonblank, cells) if cell}
    out = []
    for i, (text, f) in enumerate(zip(texts, facts)):
        if f is None:
            out.append(LineFeatures(0, 0, 0.0, False, False, 0.0, 0.0, 0.0, 0, False, False, 0.0, 0, 0.0, False,
                                    False, 0.0, False, 0, False))
            continue
        features, content, n_tokens = f
        need = 2 if n_tokens >= vocab.topic_min_words else 1
        key = fold_key(text)
        out.append(LineFeatures(
            position=(i - first) / max(1, last - first),
            repeats=keys[key] - 1 if key else -1,
            topic_overlap=sum(vocabulary_[w] >= need for w in content) / len(content) if content else 0.0,
            relative_length=min(len(text) / long_line, 3.0),
            table_cell=i in in_table,
            **features))
    return tuple(out)


BARE_NUMBER = regex.compile(r"[-+−]?\d+(?:[.,]\d+)*\s?[%％]?|[-–—]")


def table_cells(texts: list[str], words: list[int], settings) -> list[bool]:
    """Per non-blank line: a cell of a data table. A run of lines whose shapes (a bare number or
    not) repeat with a period p (the smallest that fits, 3 to table_max_columns) for at least
    table_min_rows rows, with at least table_min_number_columns numbers and one text in a row;
    minus a text line at either end longer than twice the line p away plus 20 characters; plus
    up to table_header_rows rows of short text lines right above it."""
    setting = lambda name: settings["features.table_" + name]
    number = [len(t.strip()) <= 16 and BARE_NUMBER.fullmatch(t.strip()) is not None for t in texts]
    size = [len(t.strip()) for t in texts]
    m = len(texts)
    if sum(number) < setting("min_rows") * setting("min_number_columns"):
        return [False] * m
    covered = [False] * m
    for p in range(3, setting("max_columns") + 1):
        j = 0
        while j + p < m:
            if number[j] != number[j + p]:
                j += 1
                continue
            start = j
            while j + p < m and number[j] == number[j + p]:
                j += 1
            stop = j + p                       # lines start .. stop - 1 repeat with period p
            row = number[start:start + p]
            smallest = min(q for q in range(1, p + 1) if p % q == 0 and row == row[:q] * (p // q))
            if smallest != p or not setting("min_number_columns") <= sum(row) < p:
                continue
            numbers = [k for k in range(start, stop) if number[k]]
            for k in range(max(numbers[-1] + 1, start + p), stop):
                if size[k] > 2 * size[k - p] + 20:
                    stop = k
                    break
            for k in range(min(numbers[0], stop - p) - 1, start - 1, -1):
                if size[k] > 2 * size[k + p] + 20:
                    start = k + 1
                    break
            if stop - start < p * setting("min_rows"):
                continue
            for k in range(start, stop):
                covered[k] = True
            k = start - 1
            while k >= max(0, start - setting("header_rows") * p) and not covered[k] and not number[k] \
                    and words[k] <= setting("header_max_words"):
                covered[k] = True
                k -= 1
    return covered

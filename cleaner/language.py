"""Stage 3: one language per page, detected once from a bounded sample of its prose lines.

In: the page's lines and the detection settings. Out: an ISO 639-1 code, or None when the
page has too little prose or the detector is unsure. Deterministic: langdetect is seeded.
langdetect's own loops run per character in pure Python; `_probabilities` runs the same
algorithm (same profiles, same random draws, same float operations in the same order, so
the same answer) with the per-character work done by regexes, a table and comprehensions.
"""
from __future__ import annotations

import random
import re
from typing import Mapping, Sequence

import numpy
from langdetect import detector_factory
from langdetect.detector import Detector
from langdetect.language import Language
from langdetect.utils.ngram import NGram

from .caches import register
from .model import Line

# langdetect's codes that are not plain ISO 639-1, mapped onto ours.
CODE_MAP = {"zh-cn": "zh", "zh-tw": "zh", "iw": "he", "jw": "jv", "tl": "tl", "nb": "no", "nn": "no"}


SEED = 0                                     # langdetect is random; a fixed seed makes it repeatable
_SPACE_RUN = re.compile(" {2,}")
_LATIN = re.compile("[A-z]")                 # langdetect's 'A' <= ch <= 'z'
_NON_LATIN = re.compile("[\u0300-\u1dff\u1f00-\U0010ffff]")  # >= U+0300, outside Latin Extended Additional
_NORMALIZED: dict[str, str] = {}             # NGram.normalize per character, remembered
_WORD_NGRAMS: dict[int, dict[tuple[str, bool], tuple[str, ...]]] = {}  # per profile set: a word's n-grams
WORD_CACHE_MAX_ENTRIES = 1 << 16             # words remembered; emptied when full


def _factory():
    if detector_factory._factory is None:
        detector_factory.init_factory()
    return detector_factory._factory


def load_profiles() -> None:
    """Load langdetect's language profiles now (before forking workers, they then share them)."""
    _factory()


def _prepare(text: str) -> str:
    """Return the text as langdetect's Detector.append and cleaning_text leave it."""
    text = Detector.URL_RE.sub(" ", text)
    text = Detector.MAIL_RE.sub(" ", text)
    text = _SPACE_RUN.sub(" ", NGram.normalize_vi(text)[:10000])  # Detector.max_text_length
    if len(_LATIN.findall(text)) * 2 < len(_NON_LATIN.findall(text)):
        text = _LATIN.sub("", text)
    return text


def _normalize(text: str) -> str:
    """Return the text with every character as NGram.normalize maps it."""
    table = _NORMALIZED
    for ch in set(text).difference(table):
        table[ch] = NGram.normalize(ch)
    return "".join([table[ch] for ch in text])


def _word_ngrams(word: str, spaced: bool, known) -> tuple[str, ...]:
    """Return the n-grams langdetect takes from one word (and the space after it, if `spaced`)."""
    out = []
    g = " " + word
    for j in range(1, len(g)):
        ch, last = g[j], g[j - 1]
        if ch.isupper() and last.isupper():  # inside an all-capitals word: langdetect skips it
            continue
        if ch in known:
            out.append(ch)
        if g[j - 1:j + 1] in known:
            out.append(g[j - 1:j + 1])
        if j >= 2 and g[j - 2:j + 1] in known:
            out.append(g[j - 2:j + 1])
    if spaced:
        if g[-1] + " " in known:
            out.append(g[-1] + " ")
        if g[-2:] + " " in known:
            out.append(g[-2:] + " ")
    return tuple(out)


def _ngrams(text: str, known) -> list[str]:
    """Return the 1- to 3-grams langdetect's _extract_ngrams finds in the text, in order.

    langdetect's n-gram buffer starts afresh at every space, so the n-grams are those of each
    space-separated word (remembered per word: words repeat) and of the space after it.
    """
    words = _normalize(text).split(" ")
    cache = _WORD_NGRAMS.setdefault(id(known), {})
    if len(cache) >= WORD_CACHE_MAX_ENTRIES:
        cache.clear()
    out: list[str] = []
    last = len(words) - 1
    for k, word in enumerate(words):
        if word:
            spaced = k < last
            grams = cache.get((word, spaced))
            if grams is None:
                grams = cache[(word, spaced)] = _word_ngrams(word, spaced, known)
            out += grams
    return out


_VECTORS: dict[str, numpy.ndarray] = {}      # an n-gram's probabilities per language, as a vector
register(_VECTORS.clear)
register(_WORD_NGRAMS.clear)


def _vector(gram: str, word_probs) -> numpy.ndarray:
    vec = _VECTORS.get(gram)
    if vec is None:
        if len(_VECTORS) >= WORD_CACHE_MAX_ENTRIES:
            _VECTORS.clear()
        vec = _VECTORS[gram] = numpy.array(word_probs[gram], dtype=numpy.float64)
    return vec


def _probabilities(text: str) -> list[Language]:
    """Return langdetect's get_probabilities() for the text (langdetect with seed SEED).

    The same random draws and the same float operations in the same order as langdetect's
    loop, done on numpy vectors of all languages at once.
    """
    factory = _factory()
    word_probs, langs = factory.word_lang_prob_map, factory.langlist
    ngrams = _ngrams(_prepare(text), word_probs)
    if not ngrams:
        return []
    n_rows = len(ngrams)
    n_lang, n_trial = len(langs), 7
    total = numpy.zeros(n_lang)
    rng = random.Random()
    rng.seed(SEED)
    draw = rng._randbelow  # what rng.choice(ngrams) calls: the same draws
    for _ in range(n_trial):
        prob = numpy.full(n_lang, 1.0 / n_lang)
        alpha = Detector.ALPHA_DEFAULT + rng.gauss(0.0, 1.0) * Detector.ALPHA_WIDTH
        weight = alpha / Detector.BASE_FREQ
        i = 0
        while True:
            prob = prob * (weight + _vector(ngrams[draw(n_rows)], word_probs))
            if i % 5 == 0:
                prob = prob / numpy.cumsum(prob)[-1]   # a running sum: Python's sum() order
                if prob.max() > Detector.CONV_THRESHOLD or i >= Detector.ITERATION_LIMIT:
                    break
            i += 1
        total = total + prob / n_trial
    found = [Language(lang, float(p)) for lang, p in zip(langs, total) if p > Detector.PROB_THRESHOLD]
    found.sort(reverse=True)
    return found


def sample_prose(lines: Sequence[Line], max_chars: int, min_chars: int) -> str:
    """Return the page's longest lines, in page order, up to max_chars characters."""
    ranked = sorted((line for line in lines if len(line.text) >= min_chars), key=lambda l: (-len(l.text), l.number))
    chosen, total = [], 0
    for line in ranked:
        if total >= max_chars:
            break
        chosen.append(line)
        total += len(line.text)
    return "\n".join(line.text for line in sorted(chosen, key=lambda l: l.number))[:max_chars]


def detect_language(lines: Sequence[Line], *, max_chars: int, min_chars: int, min_probability: float,
                    letters: Mapping[str, str] | None = None, min_letters: int = 3) -> str | None:
    """Return the page's language code, or None when there is too little text or doubt.

    `letters` maps a language to the letters only its alphabet has (Serbian Cyrillic: ђ ћ):
    a sample with at least min_letters of them is that language, whatever langdetect (which
    has no profile for it) says.
    """
    sample = sample_prose(lines, max_chars, min_chars)
    if len(sample) < min_chars:
        return None
    for code, own in sorted((letters or {}).items()):
        if sum(sample.count(ch) for ch in own) >= min_letters:
            return code
    best = _probabilities(sample)
    if not best or best[0].prob < min_probability:
        return None
    return CODE_MAP.get(best[0].lang, best[0].lang)

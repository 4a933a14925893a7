"""langdetect's detector (seeded with SEED), run on numpy arrays: the same answers, faster.

In: a text. Out: langdetect's get_probabilities() for it, exactly, from the same profiles,
the same random draws and the same float operations in the same order. langdetect loops
per character and per language in pure Python; here the text's n-grams are found all at
once, and the random walk multiplies in the draws between two of its checks in one call.
The equivalence is tested against langdetect's own Detector (tests/test_langprob.py).
"""
from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass

import numpy
from langdetect import detector_factory
from langdetect.detector import Detector
from langdetect.language import Language
from langdetect.utils.ngram import NGram

SEED = 0                                     # langdetect is random; a fixed seed makes it repeatable
N_TRIAL = 7                                  # langdetect's Detector.n_trial
MAX_TEXT_CHARS = 10000                       # langdetect's Detector.max_text_length
_DMARK = re.compile("[" + NGram.DMARK_CLASS + "]")  # the marks NGram.normalize_vi joins to a vowel


def _factory():
    if detector_factory._factory is None:
        detector_factory.init_factory()
    return detector_factory._factory


def _code(gram: str) -> int:
    """Return an n-gram's code: its characters' code points, 21 bits each (none is 0: no NUL)."""
    code = 0
    for ch in gram:
        code = code << 21 | ord(ch)
    return code


_HASH_BITS = 19                              # 2**19 slots for langdetect's 87,598 n-grams
_HASH_MUL = numpy.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: a code's slot is the top bits of code * this


def _slots(codes: numpy.ndarray) -> numpy.ndarray:
    return (codes.view(numpy.uint64) * _HASH_MUL) >> numpy.uint64(64 - _HASH_BITS)


@dataclass(frozen=True)
class _Profiles:
    """langdetect's profiles as arrays: one row of probabilities per n-gram, found by its code.

    Rows run from the most probable n-gram (summed over languages) down, so that the rows a
    page uses lie close together in memory. A hash table gives each slot one n-gram (the
    most probable one hashed there); the others of a shared slot are in `spilled`.
    """
    langs: tuple[str, ...]
    vectors: numpy.ndarray    # per n-gram, its probability in each language (langdetect's word_lang_prob_map)
    codes: numpy.ndarray      # per row of vectors, its n-gram's code; then -1, the code of no n-gram
    table: numpy.ndarray      # per slot, the row of the n-gram kept there, or len(vectors) (code -1)
    shared: numpy.ndarray     # per slot, whether other n-grams hashed there too
    spilled: numpy.ndarray    # those other n-grams' codes, sorted
    spilled_rows: numpy.ndarray


_PROFILES: list[_Profiles] = []
_LOCK = threading.Lock()


def _profiles() -> _Profiles:
    """Return langdetect's profiles as arrays, made the first time they are asked for."""
    if not _PROFILES:
        with _LOCK:
            if not _PROFILES:
                _PROFILES.append(_build_profiles(_factory()))
    return _PROFILES[0]


def _build_profiles(factory) -> _Profiles:
    probs = factory.word_lang_prob_map
    grams = list(probs)
    vectors = numpy.array([probs[g] for g in grams], dtype=numpy.float64)
    order = numpy.argsort(-vectors.sum(axis=1), kind="stable")
    vectors = vectors[order]
    codes = numpy.array([_code(grams[i]) for i in order.tolist()] + [-1], dtype=numpy.int64)
    slots = _slots(codes[:-1])
    _, home, count = numpy.unique(slots, return_index=True, return_counts=True)  # home: a slot's first row
    table = numpy.full(1 << _HASH_BITS, len(grams), dtype=numpy.int32)
    table[slots[home]] = home
    shared = numpy.zeros(1 << _HASH_BITS, dtype=bool)
    shared[slots[home[count > 1]]] = True
    spilled_rows = numpy.setdiff1d(numpy.arange(len(grams)), home)
    spilled_rows = spilled_rows[numpy.argsort(codes[spilled_rows])]
    return _Profiles(tuple(factory.langlist), vectors, codes, table, shared, codes[spilled_rows], spilled_rows)


def load_profiles() -> None:
    """Load langdetect's language profiles now (before forking workers, they then share them)."""
    _profiles()


def _points(text: str) -> numpy.ndarray:
    return numpy.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _prepare(text: str) -> numpy.ndarray:
    """Return the code points of the text as langdetect's Detector.append and cleaning_text leave it.

    Its runs of spaces are left: they give no n-gram, one space or many.
    """
    if "://" in text:                        # the regexes cannot match without: skip their scans
        text = Detector.URL_RE.sub(" ", text)
    if "@" in text:
        text = Detector.MAIL_RE.sub(" ", text)
    points = _points(text)
    beyond_latin = len(points) and points.max() >= 0x300   # Vietnamese marks, non-Latin letters
    if beyond_latin and _DMARK.search(text):
        points = _points(NGram.normalize_vi(text))
    points = points[:MAX_TEXT_CHARS]
    if beyond_latin:
        latin = (points >= ord("A")) & (points <= ord("z"))
        # Non-Latin: at or above U+0300. (cleaning_text means to leave out Latin Extended
        # Additional, but compares unicode_block's number with the block's name: never equal.)
        if numpy.count_nonzero(latin) * 2 < numpy.count_nonzero(points >= 0x300):
            points = points[~latin]
    return points


# Per code point: the code point NGram.normalize maps it to, plus _UPPER if that character is
# upper case; 0 while not yet asked (no character normalizes to NUL). Filled as characters come.
_CHARS = numpy.zeros(0x110000, dtype=numpy.int64)
_UPPER = 1 << 24
_SPACE = ord(" ")
_TWO_SPACES = numpy.array([_SPACE, _SPACE], dtype=numpy.uint32)


def _normalized(points: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Return the code points as NGram.normalize maps them, and which of those are upper case."""
    known = _CHARS.take(points)
    if not known.all():
        for point in numpy.unique(points[known == 0]).tolist():
            ch = NGram.normalize(chr(point))
            _CHARS[point] = ord(ch) | (_UPPER if ch.isupper() else 0)
        known = _CHARS.take(points)
    return known & (_UPPER - 1), known >= _UPPER


def _gram_rows(points: numpy.ndarray, profiles: _Profiles) -> numpy.ndarray:
    """Return the profile rows of the n-grams langdetect's _extract_ngrams finds, in order.

    langdetect's buffer holds the last 1 to 3 characters since the last space (which it
    keeps); at each character it takes the buffer's 1-, 2- and 3-gram, if long enough, except
    a lone space and inside an all-capitals word. So, for a character c after p2 p1:
    a letter gives c, p1c and (if p1 is no space) p2p1c, unless c and p1 are capitals; a space
    after a letter gives p1c and p2p1c; a space after a space gives nothing. Two leading
    spaces stand for the buffer's start.
    """
    points, upper = _normalized(numpy.concatenate([_TWO_SPACES, points]))
    c, p1, p2 = points[2:], points[1:-1], points[:-2]
    letter, after_letter = c != _SPACE, p1 != _SPACE
    small = ~(upper[2:] & upper[1:-1])        # not inside an all-capitals word
    grams = numpy.empty((len(c), 3), dtype=numpy.int64)
    grams[:, 0] = c
    numpy.bitwise_or(p1 << 21, c, out=grams[:, 1])
    numpy.bitwise_or(p2 << 42, grams[:, 1], out=grams[:, 2])
    taken = numpy.empty((len(c), 3), dtype=bool)
    numpy.logical_and(letter, small, out=taken[:, 0])
    taken[:, 1] = numpy.where(letter, small, after_letter)
    numpy.logical_and(after_letter, small, out=taken[:, 2])
    grams = grams[taken]
    slots = _slots(grams)
    rows = profiles.table.take(slots)
    found = profiles.codes.take(rows) == grams
    spill = numpy.flatnonzero(~found)
    spill = spill[profiles.shared.take(slots.take(spill))]
    if len(spill):
        at = numpy.minimum(numpy.searchsorted(profiles.spilled, grams.take(spill)), len(profiles.spilled) - 1)
        hit = profiles.spilled.take(at) == grams.take(spill)
        rows[spill[hit]] = profiles.spilled_rows.take(at[hit])
        found[spill[hit]] = True
    return rows[found]


_WORDS: list[numpy.ndarray] = [numpy.zeros(0, dtype=numpy.uint32)]


def _words(count: int) -> numpy.ndarray:
    """Return at least the first `count` 32-bit outputs of random.Random(SEED), in order."""
    words = _WORDS[0]
    if len(words) < count:
        count = max(count, 2 * len(words), 1 << 13)
        bits = random.Random(SEED).getrandbits(32 * count)  # output i is bits 32i to 32i+31
        words = numpy.frombuffer(bits.to_bytes(4 * count, "little"), dtype="<u4").astype(numpy.uint32)
        _WORDS[0] = words
    return words


class _Replay:
    """langdetect's random.Random(SEED) drawing a sample's n-grams, replayed from its 32-bit outputs.

    random() is CPython's (53 bits from two outputs) and gauss() is random.Random's own code
    run on this object. A choice among n takes the top n.bit_length() bits of the next
    output until they are below n (Random._randbelow), so the draws are known before the
    walk needs them: `rows` gives a trial's in bulk, `advance` consumes those it used.
    """

    def __init__(self, grams: numpy.ndarray):
        self.grams = grams                  # the sample's n-grams, as profile rows
        self.shift = 32 - len(grams).bit_length()
        self.gauss_next = None
        self.position = 0                   # the next output to read
        self.first = 0                      # the number of draws made before the trial's
        self._scan(1 << 11)

    def _scan(self, count: int) -> None:
        """Find the draws among the first `count` outputs."""
        self.scanned = count
        self.words = memoryview(_words(count))
        values = self.words.obj[:count] >> self.shift
        at = numpy.flatnonzero(values < len(self.grams))
        self.at = memoryview(at)            # the outputs that make a draw,
        self.drawn = self.grams.take(values.take(at))     # and the profile row each draws

    def _reach(self, draws: int) -> None:
        while draws > len(self.at):
            self._scan(2 * self.scanned)

    def random(self) -> float:
        if self.position + 2 > len(self.words):
            self.words = memoryview(_words(self.position + 2))
        a, b = self.words[self.position], self.words[self.position + 1]
        self.position += 2
        return ((a >> 5) * 67108864.0 + (b >> 6)) * (1.0 / 9007199254740992.0)

    def gauss(self) -> float:
        """Return the next random.gauss(0, 1); the trial's draws come after it."""
        value = random.Random.gauss(self, 0.0, 1.0)
        self._reach(self.first + 1)
        while self.at[self.first] < self.position:  # outputs random() used are no draws
            self.first += 1
            self._reach(self.first + 1)
        return value

    def rows(self, lo: int, hi: int) -> numpy.ndarray:
        """Return the profile rows of the trial's draws lo to hi-1."""
        self._reach(self.first + hi)
        return self.drawn[self.first + lo:self.first + hi]

    def advance(self, used: int) -> None:
        """Consume the outputs of the trial's first `used` draws."""
        self._reach(self.first + used)
        self.first += used
        self.position = self.at[self.first - 1] + 1


# langdetect checks a trial after its draw i for i = 0, 5, 10, ...: block k is the draws
# multiplied in before check k, the first draw alone, then five at a time. Blocks are made
# ahead of the walk in chunks; most trials end within the first (median: 41 draws).
# A pattern lists, per block of a chunk, the draws (counted from the chunk's first) whose
# rows it takes: one for row 0 (any: the probabilities overwrite it), then its five draws;
# block 0's one draw is followed by four rows that become 1.0 (x * 1.0 is x, exactly).
_FIRST_CHUNK_BLOCKS, _CHUNK_BLOCKS = 11, 10
_PATTERN = numpy.hstack([5 * numpy.arange(_CHUNK_BLOCKS)[:, None], numpy.arange(5 * _CHUNK_BLOCKS).reshape(-1, 5)])
_FIRST_PATTERN = numpy.vstack([numpy.zeros((1, 6), dtype=numpy.intp), 1 + _PATTERN[:_FIRST_CHUNK_BLOCKS - 1]])
_LEAD_MIN = 0.01


def _chunk(replay: _Replay, vectors: numpy.ndarray, weight: float, first: int) -> numpy.ndarray:
    """Return a trial's blocks from block `first` on, one 6-row matrix each.

    Row 0 is left for the probabilities before the block; rows 1-5 are the factors
    (weight + an n-gram's vector) of its draws.
    """
    if first == 0:
        blocks = vectors.take(replay.rows(0, 1 + 5 * (_FIRST_CHUNK_BLOCKS - 1)).take(_FIRST_PATTERN), axis=0)
        blocks += weight
        blocks[0, 2:] = 1.0
    else:
        blocks = vectors.take(replay.rows(5 * first - 4, 5 * (first + _CHUNK_BLOCKS) - 4).take(_PATTERN), axis=0)
        blocks += weight
    return blocks


def _trial(replay: _Replay, vectors: numpy.ndarray, weight: float, uniform: numpy.ndarray,
           out: numpy.ndarray, lead: int) -> int:
    """Write one trial's probabilities to `out`: langdetect's random walk from uniform ones.

    `lead` is a guess at the language that will lead (the last trial's); return the leader.
    """
    prob, norm = uniform, 1.0                 # (x / 1.0 is x, exactly)
    first = 0
    while True:
        blocks = _chunk(replay, vectors, weight, first)
        for k, block in enumerate(blocks, first):
            numpy.divide(prob, norm, out=block[0])
            # A sequential product along the rows: the factors multiplied in one by one.
            prob = numpy.multiply.reduce(block, axis=0)
            values = prob.tolist()
            norm = sum(values)                    # Python's sum(), as langdetect's _normalize_prob
            # langdetect compares max(p / norm) with CONV_THRESHOLD; that is max(p) / norm
            # (rounding a division keeps the order). While the guessed leader keeps LEAD_MIN
            # of the sum, the others hold at most 1 - LEAD_MIN of it (and rounding, ~1e-14):
            # less than CONV_THRESHOLD, so the leader's share decides as the maximum's would.
            if values[lead] < _LEAD_MIN * norm:
                lead = int(prob.argmax())
            if values[lead] / norm > Detector.CONV_THRESHOLD or 5 * k >= Detector.ITERATION_LIMIT:
                replay.advance(5 * k + 1)
                numpy.divide(prob, norm, out=out)
                return lead
        first += len(blocks)


def get_probabilities(text: str) -> list[Language]:
    """Return langdetect's get_probabilities() for the text (langdetect with seed SEED).

    The same random draws and the same float operations in the same order as langdetect's
    loop, done on numpy vectors of all languages at once.
    """
    profiles = _profiles()
    grams = _gram_rows(_prepare(text), profiles)
    if not len(grams):
        return []
    n_lang = len(profiles.langs)
    uniform = numpy.full(n_lang, 1.0 / n_lang)
    trials = numpy.empty((N_TRIAL, n_lang))
    replay = _Replay(grams)
    lead = 0
    for trial in trials:
        alpha = Detector.ALPHA_DEFAULT + replay.gauss() * Detector.ALPHA_WIDTH
        lead = _trial(replay, profiles.vectors, alpha / Detector.BASE_FREQ, uniform, trial, lead)
    # langdetect adds each trial's probabilities / n_trial to a total from 0 (0 + x is x), in turn.
    total = numpy.add.accumulate(trials / N_TRIAL, axis=0)[-1].tolist()
    found = [Language(lang, p) for lang, p in zip(profiles.langs, total) if p > Detector.PROB_THRESHOLD]
    found.sort(reverse=True)
    return found

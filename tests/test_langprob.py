"""langprob gives langdetect's own answers: the Detector seeded with SEED is the reference."""
from __future__ import annotations

import random
import re
import sys

import numpy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langdetect import detector_factory
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.ngram import NGram

from cleaner import langprob
from cleaner.language import sample_prose
from cleaner.model import Line
from cleaner.segment import split_lines

from conftest import SEEDS

# Words and marks that exercise every branch of langdetect's text handling: scripts, all-capitals
# words, Vietnamese combining marks, Romanian comma-below letters, Farsi yeh, kana, hangul and
# CJK (normalised to one character each), URLs and e-mail addresses, runs of spaces.
PIECES = [
    "Die", "Bundesregierung", "hat", "am", "Mittwoch", "ein", "neues", "Gesetz", "beschlossen.",
    "The", "minister", "declined", "to", "comment", "on", "the", "visit", "Le", "gouvernement", "a", "été",
    "très", "clair", "ça", "El", "año", "pasado", "Ñandú", "Şehir", "İstanbul", "ığdır", "ș", "ț", "Științe",
    "Москва", "ПРАВИТЕЛЬСТВО", "объявило", "Αθήνα", "ΚΥΒΕΡΝΗΣΗ", "κυβέρνηση", "مرحبا", "بکم", "ی", "ي",
    "北京市政府", "東京都", "ひらがな", "カタカナ", "한국어", "ㄅㄆ", "Tiếng", "Vie\u0302\u0301t", "a\u0309", "NASA",
    "USA", "ABCdef", "aBC", "X", "e", "ÆØÅ", "æøå", "ß", "ẞ", "…", "—", "«»", "123", "4.5", "(see)", "x@y.org",
    "mail: jo.doe@example.com,", "http://example.org/a?b=c", "https://x.y", "  ", "\n", "\t", "'", "’", "ǅ",
    "ﬁ", "Ⅻ", "𝐀𝐁", "😀", "\u0301", "\u00a0",
]
TEXTS = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=60).flatmap(
    lambda parts: st.sampled_from([" ", "", "  ", "\n"]).map(lambda sep: sep.join(parts)))
SENTENCES = [
    "Die Bundesregierung hat am Mittwoch ein neues Gesetz beschlossen, das die Mieten begrenzen soll.",
    "Le gouvernement a présenté mercredi un projet de loi pour limiter la hausse des loyers.",
    "El Gobierno aprobó el miércoles una ley para limitar la subida de los alquileres.",
    "Правительство в среду одобрило закон, ограничивающий рост арендной платы.",
    "Η κυβέρνηση ενέκρινε την Τετάρτη νόμο για τον περιορισμό των ενοικίων.",
    "政府は水曜日、家賃の上昇を抑える法案を承認した。",
    "政府周三批准了一项限制房租上涨的法律。",
    "정부는 수요일 임대료 상승을 제한하는 법안을 승인했다.",
    "وافقت الحكومة يوم الأربعاء على قانون للحد من ارتفاع الإيجارات.",
    "Chính phủ hôm thứ Tư đã thông qua luật hạn chế tăng tiền thuê nhà.",
    "Hükümet çarşamba günü kira artışlarını sınırlayan bir yasayı onayladı.",
    "Rząd zatwierdził w środę ustawę ograniczającą wzrost czynszów.",
    "THE GOVERNMENT APPROVED ON WEDNESDAY A LAW TO LIMIT RENT INCREASES.",
]


def langdetect_probabilities(text: str) -> list[tuple[str, float]]:
    """Return langdetect's own Detector's answer, seeded as langprob is."""
    langprob.load_profiles()
    detector = detector_factory._factory.create()
    detector.seed = langprob.SEED                # what DetectorFactory.seed = SEED sets
    detector.append(text)
    try:
        return [(l.lang, l.prob) for l in detector.get_probabilities()]
    except LangDetectException:                  # no n-gram: langprob returns []
        return []


def ours(text: str) -> list[tuple[str, float]]:
    return [(l.lang, l.prob) for l in langprob.get_probabilities(text)]


def gram_strings(rows: numpy.ndarray) -> list[str]:
    """Return the n-grams of profile rows, decoded from their codes."""
    codes = langprob._profiles().codes
    out = []
    for code in codes.take(rows).tolist():
        chars = []
        while code:
            chars.append(chr(code & 0x1FFFFF))
            code >>= 21
        out.append("".join(reversed(chars)))
    return out


@pytest.mark.parametrize("text", SENTENCES)
def test_a_sentence_in_any_script_gets_langdetects_probabilities(text):
    assert ours(text) == langdetect_probabilities(text)


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_the_seed_pages_get_langdetects_probabilities(path):
    lines = split_lines(path.read_text(encoding="utf-8"))
    for max_chars in (300, 1200, 5000):
        sample = sample_prose(lines, max_chars, 40)
        assert ours(sample) == langdetect_probabilities(sample)


def test_mixed_script_text_gets_langdetects_probabilities():
    text = " ".join(SENTENCES) + " " + " ".join(PIECES)
    assert ours(text) == langdetect_probabilities(text)
    assert ours(text * 20) == langdetect_probabilities(text * 20)   # past langdetect's 10,000 characters


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_generated_text_gets_langdetects_probabilities(text):
    assert ours(text) == langdetect_probabilities(text)


def cleaned_detector(text: str):
    """Return langdetect's Detector holding text, cleaned as detect() cleans it."""
    langprob.load_profiles()
    detector = detector_factory._factory.create()
    detector.append(text)
    detector.cleaning_text()
    return detector


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_the_ngrams_are_langdetects_in_order(text):
    detector = cleaned_detector(text)
    rows = langprob._gram_rows(langprob._prepare(text), langprob._profiles())
    assert gram_strings(rows) == detector._extract_ngrams()


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_the_prepared_text_is_langdetects_but_for_runs_of_spaces(text):
    detector = cleaned_detector(text)
    prepared = "".join(map(chr, langprob._prepare(text).tolist()))
    assert re.sub(" +", " ", prepared) == re.sub(" +", " ", detector.text)


def test_every_code_point_is_normalised_as_langdetect_does():
    points = numpy.arange(sys.maxunicode + 1, dtype=numpy.uint32)
    normalized, upper = langprob._normalized(points)
    expected = [NGram.normalize(chr(p)) for p in range(sys.maxunicode + 1)]
    assert normalized.tolist() == [ord(ch) for ch in expected]
    assert upper.tolist() == [ch.isupper() for ch in expected]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 64, 100, 1000, 4097, 70000])
def test_the_replayed_draws_are_random_randoms(n):
    # langdetect: per trial one gauss(), then choice() until the trial ends; here trials of
    # various lengths, long enough to make the replay read past its first scan.
    replay, reference = langprob._Replay(numpy.arange(n)), random.Random(langprob.SEED)
    for used in (1, 6, 41, 3, 1001, 16, 2500):
        assert replay.gauss() == reference.gauss(0.0, 1.0)
        drawn = replay.rows(0, used).tolist()
        assert drawn == [reference.choice(range(n)) for _ in range(used)]
        replay.advance(used)
    assert replay.gauss() == reference.gauss(0.0, 1.0)


def reference_sample(lines, max_chars, min_chars):
    """The sampling as first written: longest lines first, then back in page order."""
    ranked = sorted((line for line in lines if len(line.text) >= min_chars), key=lambda l: (-len(l.text), l.number))
    chosen, total = [], 0
    for line in ranked:
        if total >= max_chars:
            break
        chosen.append(line)
        total += len(line.text)
    return "\n".join(line.text for line in sorted(chosen, key=lambda l: l.number))[:max_chars]


@given(st.lists(st.text(alphabet="ab ", max_size=60), max_size=40), st.integers(0, 300), st.integers(0, 50))
def test_the_sample_is_the_longest_lines_in_page_order(texts, max_chars, min_chars):
    lines = [Line(i + 1, t) for i, t in enumerate(texts)]
    assert sample_prose(lines, max_chars, min_chars) == reference_sample(lines, max_chars, min_chars)

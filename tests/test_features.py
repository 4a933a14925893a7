"""The page-at-once features are the per-line definition (tests/reference_features.py), field for field."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy
import pytest
import regex
from hypothesis import given, settings, strategies as st

from cleaner.features import char_classes, measure_lines, _CLASS_METHODS, _CLASS_PATTERNS, _RE_WORD_DIFFERS
from cleaner.model import Line
from cleaner.normalize import normalize_text
from cleaner.ruleset import load_ruleset
from cleaner.segment import split_lines

import reference_features as reference

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
RULESETS = {code: load_ruleset(code) for code in ("en", "de", "ar", "ja", "th", "zh", "hi")}


def assert_same(texts: list[str], code: str = "en") -> None:
    rules = RULESETS[code]
    fast = measure_lines([Line(i + 1, t) for i, t in enumerate(texts)], rules.stopwords, rules.settings)
    slow = reference.measure_lines(texts, rules.stopwords, rules.settings)
    for text, a, b in zip(texts, fast, slow):
        assert a == b, (text, {f: (getattr(a, f), getattr(b, f)) for f in a._fields if getattr(a, f) != getattr(b, f)})


def test_every_class_bit_is_its_definition_on_every_code_point():
    table = char_classes()
    every = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x110000)))
    points = numpy.array([*range(0xD800), *range(0xE000, 0x110000)])
    for bit, pattern in _CLASS_PATTERNS:
        expected = numpy.zeros(0x110000, dtype=bool)
        expected[[ord(ch) for ch in regex.findall(pattern, every)]] = True
        assert numpy.array_equal((table[points] & bit) != 0, expected[points]), pattern
    for bit, method in _CLASS_METHODS:
        expected = numpy.fromiter(map(method, every), dtype=bool, count=len(every))
        assert numpy.array_equal((table[points] & bit) != 0, expected), bit
    differs = [ch for ch in every if bool(re.match(r"\w", ch)) != bool(regex.match(r"\w", ch))]
    expected = numpy.zeros(0x110000, dtype=bool)
    expected[[ord(ch) for ch in differs]] = True
    assert numpy.array_equal((table[points] & _RE_WORD_DIFFERS) != 0, expected[points])


def test_each_code_point_in_a_few_settings():
    # Every code point of the Basic Multilingual Plane (no surrogates, no line break) starting,
    # inside and ending a line: class counts, tokens, first and last characters.
    points = [cp for cp in range(0x10000) if not 0xD800 <= cp < 0xE000 and cp != 10]
    for k in range(0, len(points), 4096):
        assert_same([f"{ch}ab{ch}Cd. 1{ch}" for ch in map(chr, points[k:k + 4096])])


LETTERS = "aZéÉßİıǅ中文。タイ ไทย ข अ िह ١٢٣ 12 4:47 2019 ago \u3000\u00a0\x1c\t.!?…:：|»›/@www.://—-•*1)\"”’ \u0301Ⅷⓐ𝐀😀"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=LETTERS, max_size=40), min_size=1, max_size=12), st.sampled_from(sorted(RULESETS)))
def test_generated_pages(texts, code):
    assert_same([t.replace("\n", " ") for t in texts], code)


def test_stripped_edges_and_blank_pages():
    assert_same(["", "", ""])
    assert_same(["  AbcDef", "AbcDef ", "\x1c AbcDef", "Abc Def", ""])
    assert_same(["1) item", "• item", " 2. item", "12a: x", "–x"])


@pytest.mark.skipif(not (SHARED / "devset").is_dir(), reason="the devset (../shared/devset) is not beside this checkout")
def test_every_devset_page():
    import cleaner
    c = cleaner.Cleaner()
    for meta in sorted((SHARED / "devset").glob("*/meta.jsonl")):
        for row in map(json.loads, meta.read_text().splitlines()):
            lines = split_lines(normalize_text((meta.parent / f"{row['id']}.txt").read_text(encoding="utf-8")).text)
            rules = c.ruleset(c.detect(lines))
            fast = measure_lines(lines, rules.stopwords, rules.settings)
            assert fast == reference.measure_lines([line.text for line in lines], rules.stopwords, rules.settings), row["id"]


def test_the_class_table_is_kept_on_disk_and_a_damaged_copy_is_rebuilt(tmp_path, monkeypatch):
    from cleaner import features

    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    built = char_classes().copy()
    monkeypatch.setattr(features, "_TABLE", [])
    assert numpy.array_equal(features.char_classes(), built)        # built and written
    (kept,) = tmp_path.glob("classes-*.npy")
    kept.write_bytes(b"not a table")
    monkeypatch.setattr(features, "_TABLE", [])
    assert numpy.array_equal(features.char_classes(), built)        # rebuilt over the damaged file
    monkeypatch.setattr(features, "_TABLE", [])
    assert numpy.array_equal(features.char_classes(), built)        # and read back


def test_inflected_forms_share_a_topic_word():
    # A standfirst that names the article's subject in another case ("Gesetzes", "Gesetz")
    # shares its words with the article when topic words are compared by their first letters.
    rules = RULESETS["de"]
    article = ("Der Bundestag berät das neue Gesetz über die Selbstbestimmung der Bürger in dieser Woche "
               "und stimmt am Freitag ab.")
    standfirst = "Entwurf des Gesetzes: Bürgerrechte gestärkt"
    texts = [standfirst, article, article.replace("berät", "diskutiert")]
    lines = [Line(i + 1, t) for i, t in enumerate(texts)]
    whole = measure_lines(lines, rules.stopwords, {**rules.settings, "features.topic_prefix_chars": 0})
    prefix = measure_lines(lines, rules.stopwords, rules.settings)
    assert rules.settings["features.topic_prefix_chars"] == 4
    assert whole[0].topic_overlap == 0.0
    assert prefix[0].topic_overlap == 0.5      # Gesetzes (Gesetz), Bürgerrechte (Bürger); not Entwurf, gestärkt


def test_a_language_file_sets_its_own_topic_prefix():
    assert RULESETS["ar"].settings["features.topic_prefix_chars"] == 6


def test_characters_of_unspaced_scripts_are_topic_words_in_pairs():
    # A line shares the article's topic by its two-character words, not by single characters.
    rules = RULESETS["zh"]
    article = "政府宣布新的经济计划，预计明年经济增长将加快，政府还将增加对农村地区的投资。"
    echo = "经济计划今年公布"
    scrambled = "划计济经"                                 # the same characters, no pair of the article
    page = [article, article.replace("明年", "后年"), echo, scrambled]
    features = measure_lines([Line(i + 1, t) for i, t in enumerate(page)], rules.stopwords, rules.settings)
    assert round(features[2].topic_overlap, 2) == 0.43    # 经济, 济计, 计划 of its 7 pairs
    assert set(scrambled) <= set(article) and features[3].topic_overlap == 0.0

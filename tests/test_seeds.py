"""The seed pages against their hand labels (seeds/NAME.labels.tsv), the project's golden files."""
from __future__ import annotations

import tomllib

import pytest

from cleaner.model import CONTENT_LABELS, Label

from conftest import SEEDS

SEED_NAMES = sorted(p.stem for p in SEEDS.glob("*.txt"))
MISSES = {(m["seed"], m["line"]): m for m in tomllib.loads((SEEDS / "known_misses.toml").read_text())["miss"]}


def gold_labels(name: str) -> list[tuple[int, str, str]]:
    rows = (SEEDS / f"{name}.labels.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [(int(r.split("\t")[0]), r.split("\t")[1], r.split("\t", 4)[4]) for r in rows]


@pytest.fixture(scope="module")
def results(default_cleaner):
    return {name: default_cleaner.clean((SEEDS / f"{name}.txt").read_text(encoding="utf-8")) for name in SEED_NAMES}


@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_seed_line_has_exactly_one_label(results, name):
    assert [line.number for line in results[name].lines] == [n for n, _, _ in gold_labels(name)]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_lines_are_kept_or_dropped_as_a_reader_would(results, name):
    wrong = [(n, gold, line.label.value, text[:50])
             for (n, gold, text), line in zip(gold_labels(name), results[name].lines)
             if (Label(gold) in CONTENT_LABELS) != line.kept]
    assert wrong == []


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_labels_match_the_hand_labels(results, name):
    wrong = [(n, gold, line.label.value, text[:50])
             for (n, gold, text), line in zip(gold_labels(name), results[name].lines)
             if gold != line.label.value and (name, n) not in MISSES]
    assert wrong == []


def test_known_misses_still_miss(results):
    fixed = [key for key, miss in MISSES.items() if results[key[0]].lines[key[1] - 1].label.value == miss["expect"]]
    assert fixed == [], "these known misses are fixed: remove them from seeds/known_misses.toml"


def test_arabic_seed_keeps_the_headline_and_six_paragraphs(results):
    result = results["003_43607c7ccd4a2f17"]
    kept = [line for line in result.lines if line.kept]
    assert result.language == "ar"
    assert [line.label for line in kept] == [Label.TITLE] + [Label.BODY] * 6
    assert kept[0].text.startswith("وزير الدفاع الإسرائيلي")


def test_every_seed_is_detected_in_its_language(results):
    assert [results[name].language for name in SEED_NAMES] == ["tr", "de", "en", "ar", "en"]

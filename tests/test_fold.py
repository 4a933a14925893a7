"""fold: the ASCII shortcuts give the keys the general path gives."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from cleaner import fold

ascii_text = st.text(st.characters(max_codepoint=127), max_size=40)
PROPERTY = settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))


def edges_stripped_by_regex(text: str) -> str:
    start, end = fold._EDGE_START.match(text), fold._EDGE_END.search(text)
    return text[start.end() if start else 0:end.start() if end else len(text)]


@PROPERTY
@given(ascii_text)
def test_an_ascii_key_loses_the_edges_the_regexes_find(text):
    collapsed = " ".join(text.lower().replace("`", "'").split())
    assert fold._fold_key(text) == edges_stripped_by_regex(collapsed)


def test_every_ascii_edge_character_is_stripped_and_no_other():
    for code in range(128):
        ch = chr(code)
        assert fold._fold_key(f"{ch}a{ch}") == edges_stripped_by_regex(" ".join(f"{ch}a{ch}".lower().split()))


@PROPERTY
@given(ascii_text)
def test_an_ascii_word_folds_as_the_general_path_folds_it(word):
    general = fold._DIACRITICS.sub("", word.translate(fold._ARABIC).casefold().translate(fold._ARABIC))
    assert fold.fold_word(word) == general


def test_a_long_line_is_remembered_within_a_budget_of_characters(monkeypatch):
    fold._clear()
    monkeypatch.setattr(fold, "CACHE_MAX_LONG_CHARS", 2000)
    long_line = "Ein längerer Absatz, der über die Grenze hinaus geht. " * 10
    assert fold.fold_key(long_line) == fold._fold_key(long_line) and long_line in fold._LONG_KEYS
    others = [f"{k} {long_line}" for k in range(5)]
    for text in others:
        assert fold.fold_key(text) == fold._fold_key(text)
    assert fold._long_chars == sum(map(len, fold._LONG_KEYS)) <= 2000
    assert len(long_line) > fold.CACHE_MAX_LINE_CHARS and long_line not in fold._LINE_KEYS
    fold._clear()
    assert not fold._LONG_KEYS and fold._long_chars == 0

"""prefilter: hyperscan only narrows the lines regex checks; the matcher's answers stay the same."""
from __future__ import annotations

import unicodedata

import hyperscan
import pytest
import regex
from hypothesis import HealthCheck, given, settings, strategies as st

from cleaner import prefilter
from cleaner.ruleset import available_languages, load_ruleset
from cleaner.shadow import shadow_pattern

ASCII = [chr(code) for code in range(128)]
LANGUAGES = [None] + available_languages()


def ascii_matches(expressions: list[bytes], texts: list[str]) -> list[set[int]]:
    """Return, per ASCII text, the expressions hyperscan (prefilter flags) matches in it."""
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=expressions, ids=list(range(len(expressions))),
                     flags=[prefilter._FLAGS | hyperscan.HS_FLAG_SINGLEMATCH] * len(expressions))
    out = []
    for text in texts:
        found: set[int] = set()
        database.scan(text.encode("ascii"), match_event_handler=lambda i, *_: found.add(i))
        out.append(found)
    return out


def rule_patterns() -> list[str]:
    return [p for lang in LANGUAGES for cat in load_ruleset(lang).categories for p in cat.patterns]


@pytest.mark.parametrize("escape", [r"\w", r"\W", r"\s", r"\S", r"\d", r"\D", "."])
def test_hyperscan_reads_a_class_escape_as_regex_does_on_every_ascii_character(escape):
    found = ascii_matches([escape.encode()], ASCII)
    assert [ch for ch, hits in zip(ASCII, found) if hits] == \
        [ch for ch in ASCII if regex.fullmatch(escape, ch, regex.IGNORECASE)]


@pytest.mark.parametrize("pattern", [r"a\b", r"a\B"])
def test_hyperscan_finds_word_boundaries_where_regex_does(pattern):
    texts = [f"a{ch}" for ch in ASCII]
    found = ascii_matches([pattern.encode()], texts)
    assert [t for t, hits in zip(texts, found) if hits] == [t for t in texts if regex.search(pattern, t, regex.IGNORECASE)]


def test_hyperscan_folds_ascii_case_as_regex_does():
    for ch in ASCII:   # one database per character: hyperscan compiles 128 caseless literals at once slowly
        found = ascii_matches([f"\\x{ord(ch):02x}".encode()], ASCII)
        assert [text for text, hits in zip(ASCII, found) if hits] == \
            [text for text in ASCII if regex.fullmatch(regex.escape(ch), text, regex.IGNORECASE)]


def test_every_unicode_class_of_the_rule_files_is_spelled_out_as_regex_reads_it_on_ascii():
    classes = sorted({m for p in rule_patterns() for m in regex.findall(r"\\[pP]\{[^}]*\}", p)})
    assert classes
    for cls in classes:
        for scoped in (cls, f"(?-i:{cls})"):   # rule patterns are caseless, some classes scoped case-sensitive
            spelled = shadow_pattern(scoped)
            want = [ch for ch in ASCII if regex.fullmatch(scoped, ch, regex.IGNORECASE)]
            assert [ch for ch, hits in zip(ASCII, ascii_matches([spelled], ASCII)) if hits] == want, scoped


def test_patterns_the_engines_read_differently_are_not_prefiltered():
    for pattern in [r"a{,3}b", r"(a)\1", r"(?m)^share", r"\Ashare", r"[[:alpha:]]+", "\\u20"]:
        assert shadow_pattern(pattern) is None, pattern


def test_a_non_ascii_letter_stays_one_character_for_the_quantifier_after_it():
    assert shadow_pattern("tr(?:ö|oe)st") == rb"tr(?:[\x80]|oe)[\x53\x73\x80]t"   # "ſ" folds to "s"
    assert ascii_matches([shadow_pattern("^xö?y$")], ["xy", "xoy"]) == [{0}, set()]


def test_a_letter_regex_folds_to_ascii_keeps_its_ascii_match():
    for pattern, text in [("ſhare", "share"), ("yan[ıi]t", "yanIt"), ("\\u017fhare", "SHARE"), ("[\\p{Han}x]", "x")]:
        assert regex.search(pattern, text, regex.IGNORECASE)
        assert ascii_matches([shadow_pattern(pattern)], [text]) == [{0}], pattern


def test_a_class_of_no_ascii_character_matches_no_ascii_text():
    assert ascii_matches([shadow_pattern(r"a\p{Han}"), shadow_pattern(r"a[^\p{Han}]")],
                         ["a", "ab"]) == [set(), {1}]


def test_every_category_of_the_rule_files_with_patterns_is_prefiltered():
    for lang in LANGUAGES:
        ruleset = load_ruleset(lang)
        ruleset.matcher.match("Share", 1, False)
        with_patterns = {i for i, cat in enumerate(ruleset.categories) if cat.patterns}
        assert ruleset.matcher.prefilter.categories == with_patterns, lang


def variants(line: str) -> list[str]:
    """Return a line as pages also write it: upper-case, its accents dropped, in a menu, dated."""
    plain = unicodedata.normalize("NFKD", line).encode("ascii", "ignore").decode()
    return [line, line.upper(), plain, plain.lower(), f"• {plain} |", f"{plain}: 12.03.2024, 14:05", f"({plain})"]


def both_matchers(monkeypatch, lang):
    monkeypatch.setenv("CLEANER_NO_HYPERSCAN", "1")
    plain = load_ruleset(lang).matcher
    plain.match("", 0, False)   # built now, without the prefilter
    monkeypatch.delenv("CLEANER_NO_HYPERSCAN")
    fast = load_ruleset(lang).matcher
    fast.match("", 0, False)
    assert plain.prefilter is None and fast.prefilter is not None
    return plain, fast


def agree(plain, fast, lines: list[str]) -> None:
    """Assert both matchers answer the same (word counts and sentence ends, as answers are
    remembered by text, are functions of the text, as features are)."""
    words = [len(line.split()) for line in lines]
    sentences = [line.endswith(".") for line in lines]
    assert fast.match_page(lines, words, sentences) == plain.match_page(lines, words, sentences)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_prefilter_changes_no_answer_on_the_rule_examples(monkeypatch, lang):
    plain, fast = both_matchers(monkeypatch, lang)
    examples = [e for cat in plain.categories for e in cat.examples_match + cat.examples_no_match]
    agree(plain, fast, [v for e in examples for v in variants(e)])


def example_words(lang: str) -> list[str]:
    """Return the words of a language's rule examples, as written and upper-cased."""
    words = {w for cat in load_ruleset(lang).categories for e in cat.examples_match for w in regex.findall(r"\S+", e)}
    return sorted(words | {w.upper() for w in words})


def lines_of(words: list[str]):
    return st.lists(st.one_of(st.sampled_from(words), st.sampled_from(["|", "·", "-", ":", "(c)", "©", "2024",
                                                                       "12:30", "3.4.2021", "by", "Photo"]),
                              st.sampled_from(["\u212a", "ſ", "İ", "ı", "ü", "’", "\u00a0", "٣", "ẞ", "Ǆ", "ς", "Σ"]),
                              st.text(st.characters(max_codepoint=127), max_size=6), st.text(max_size=4)),
                    max_size=8).map(" ".join).map(lambda text: text.replace("\n", " "))   # a line holds no "\n"


@pytest.mark.parametrize("lang", ["en", "de", "fr", "ru", "el", "tr", "ja", "ar"])
def test_the_prefilter_changes_no_answer_on_generated_lines(monkeypatch, lang):
    plain, fast = both_matchers(monkeypatch, lang)
    words = sorted(set(example_words(lang) + example_words("en")))

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(lines_of(words), min_size=1, max_size=12))
    def check(lines):
        agree(plain, fast, lines)

    check()


def test_the_shadow_of_a_line_matches_wherever_regex_matches_the_line():
    for pattern, text in [(r"^\w+ \d+$", "Über ٣"), (r"\bkm\b", "5 \u212am."), (r"^\s*x$", "\u00a0x"),
                          (r"^(?-i:\p{Lu})\p{L}+$", "Émile"), (r"ş\w", "şu")]:
        assert regex.search(pattern, text, regex.IGNORECASE)
        shadow = regex.sub(r"[^\x00-\x7f]", "\x80", text).encode("latin-1")
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(expressions=[shadow_pattern(pattern)], flags=[prefilter._FLAGS])
        found = []
        database.scan(shadow, match_event_handler=lambda *_: found.append(1))
        assert found, pattern


def test_a_line_a_catastrophic_pattern_cannot_match_never_reaches_regex(tmp_path):
    rules = tmp_path / "slow.toml"
    rules.write_text('[settings.rules]\npattern_timeout_seconds = 0.2\n\n[category.slow]\nlabel = "promo"\n'
                     'description = "Nested repeats."\nweight = -5.0\npatterns = [\'(a+)+$\']\n')
    matcher = load_ruleset("en", [rules]).matcher
    assert matcher.match("a" * 990 + "!", 1, False) == matcher.match("a" * 990 + "é", 1, False) == ()


def test_a_compiled_database_is_kept_on_disk_and_loaded_by_the_next_process(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    patterns = [(0, [r"^\W*share\W*$"]), (3, ["köln"])]
    built = prefilter.Prefilter(patterns)
    kept = list(tmp_path.glob("*.hsdb"))
    assert len(kept) == 1
    monkeypatch.setattr(prefilter, "_build", lambda patterns: pytest.fail("compiled again"))
    loaded = prefilter.Prefilter(patterns)
    texts = ["Share!", "x", "KÖLN", "Köln und Bonn"]
    assert loaded.candidates(texts) == built.candidates(texts) == {0: {0}, 3: {2, 3}}
    assert loaded.alphabet.named == built.alphabet.named and list(tmp_path.glob("*")) == kept


def test_the_phrase_screen_finds_a_start_phrase_only_at_a_line_start_and_a_contained_one_anywhere():
    screen = prefilter.PhraseScreen(["share", "über"], ["read more", "mehr lesen"])
    keys = ["ççç read more", "share this", "über uns", "xshare", "weiter: mehr lesen", "", "read mor"]
    assert screen.lines(keys) == ({1, 2}, {0, 4})

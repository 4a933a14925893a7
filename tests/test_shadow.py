"""shadow: a line's bytes and a pattern's rewrite, such that hyperscan misses no line regex matches."""
from __future__ import annotations

import hyperscan
import numpy
import pytest
import regex
from hypothesis import HealthCheck, given, settings, strategies as st

from cleaner import prefilter
from cleaner.shadow import OTHER, Alphabet, line_end_pattern, shadow_pattern

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
# Characters whose case folding regex treats specially: Greek sigmas, Turkish i, Kelvin, long s, ß.
TRICKY = ["σ", "ς", "Σ", "ı", "İ", "ſ", "\u212a", "ß", "ẞ", "ǆ", "ǅ", "ö", "д", "©", "ー"]


def every_character() -> str:
    return numpy.arange(128, 0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")


def lines_matched(expression: bytes, alphabet: Alphabet, lines: list[str]) -> set[int]:
    """Return the lines whose ends hyperscan reports, scanning the lines joined as the prefilter does."""
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=[expression], ids=[0], flags=[prefilter._FLAGS])
    ends = list(numpy.cumsum([len(line) + 1 for line in lines]) - 1)
    found: set[int] = set()

    def on_match(pattern, start, end, flags, context):
        assert end in ends, "every report is at the end of a line"
        found.add(ends.index(end))

    database.scan(alphabet.shadow("\n".join(lines)), match_event_handler=on_match)
    return found


def test_the_alphabet_names_every_character_regex_matches_with_a_named_one():
    alphabet = Alphabet.of(TRICKY)
    every = every_character()
    for ch in TRICKY:
        assert set(regex.findall(regex.escape(ch), every, regex.IGNORECASE)) <= set(alphabet.named), ch
    assert alphabet.named["д"] == alphabet.named["Д"]   # case variants share a byte


def test_more_named_characters_than_bytes_share_bytes():
    alphabet = Alphabet.of(["".join(map(chr, range(0x4E00, 0x4E00 + 300)))])   # 300 Han characters, no case
    assert len(alphabet.named) == 300 and set(alphabet.named.values()) == set(range(0x81, 0x100))


@PROPERTY
@given(st.text(st.sampled_from(TRICKY + ["a", "K", "s", " ", "\u00e9", "\ud800", "😀"]), max_size=30))
def test_the_shadow_of_a_text_is_each_character_s_byte(text):
    alphabet = Alphabet.of(TRICKY)
    want = bytes(ord(ch) if ch.isascii() else alphabet.named.get(ch, OTHER) for ch in text)
    assert alphabet.shadow(text) == want


def test_a_class_of_named_characters_matches_only_their_bytes():
    alphabet = Alphabet.of(["[©℗]", "ö"])
    assert b"\\x80" not in shadow_pattern("[©℗]", alphabet)
    assert b"\\x80" not in shadow_pattern("ö", alphabet)
    assert b"\\x80" in shadow_pattern("[©℗k]", alphabet)        # the Kelvin sign is "k" too, and not named
    assert b"\\x80" in shadow_pattern("[^©]", alphabet)
    assert b"\\x80" in shadow_pattern("[а-я]", Alphabet.of(["[а-я]"]))   # a range is a class
    assert b"\\x80" in shadow_pattern("\\w", alphabet)


@pytest.mark.parametrize("pattern, line", [
    ("[©℗]", "Alle Rechte ℗ 2024"), ("köln", "KÖLN"), ("ΣΟΦΙΑ", "σοφίας σοφια"), ("\\u212a", "k"),
    ("yan[ıi]t", "YANIT"), ("^\\W*(?:コメント)\\W*$", "「コメント」"), ("^(?-i:Ö)\\w+$", "Öl"),
    ("^\\w+ \\d+$", "Über ٣"), ("ş\\w", "şu"), ("[^\\s#＃]{2}", "＃タグ"),
])
def test_the_shadow_pattern_matches_the_shadow_wherever_regex_matches_the_line(pattern, line):
    assert regex.search(pattern, line, regex.IGNORECASE)
    alphabet = Alphabet.of([pattern])
    assert lines_matched(line_end_pattern(shadow_pattern(pattern, alphabet)), alphabet, [line]) == {0}


def test_a_line_without_the_named_characters_is_not_a_candidate():
    pattern = "^\\W*(?:コメント|返信)\\W*$"
    alphabet = Alphabet.of([pattern])
    assert lines_matched(line_end_pattern(shadow_pattern(pattern, alphabet)), alphabet,
                         ["ニュース", "返信", "「コメント」", "記事の一覧"]) == {1, 2}


LINES = ["share", "Share this", "x share", "", "a", "ab:", "ab", "b:", "foo bar", "bar", "c c", "(c) 2024", "c"]


@pytest.mark.parametrize("pattern", [
    "share", "^share$", "^share", "share$", "a$|b:", "(?:a|b)$", "^(?:ab|b)(?::|$)", "(?:a$|b)",
    "(?:foo|bar$)\\s*", "^(?:x\\s+)?share\\W*$", "c$|^c", "\\(c\\)\\s*\\d{4}", "(a$)?b", "b(?:$)",
])
def test_the_rewrite_to_the_line_end_reports_every_line_the_pattern_matches(pattern):
    want = {k for k, line in enumerate(LINES) if regex.search(pattern, line, regex.IGNORECASE)}
    found = lines_matched(line_end_pattern(shadow_pattern(pattern)), Alphabet(), LINES)
    assert want <= found


def test_a_dollar_at_the_end_of_each_branch_stays_where_it_is():
    assert line_end_pattern(b"a$|b") == b"a$|b[^\\n]*$"
    assert line_end_pattern(b"^x(?::|$)") == b"^x(?::[^\\n]*|)$"
    assert line_end_pattern(b"(?:a$|b)c") == b"(?:a|b)c[^\\n]*$"   # (a "$" inside: dropped, a superset)

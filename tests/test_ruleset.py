"""Rule files: validation names the file, key and line; user files extend and disable by id."""
from __future__ import annotations

import pickle

import pytest

from cleaner.model import Label
from cleaner.ruleset import RuleError, available_languages, load_ruleset

DAY_ONE = ["en", "de", "tr", "ar"]


def write(tmp_path, text, name="site.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_day_one_languages_have_rule_files():
    assert set(DAY_ONE) <= set(available_languages())


@pytest.mark.parametrize("code", available_languages())
def test_every_shipped_language_file_loads(code):
    ruleset = load_ruleset(code)
    assert ruleset.language == code and ruleset.stopwords


def test_an_unknown_key_names_the_file_the_key_and_the_line(tmp_path):
    path = write(tmp_path, '[category.x]\nlabel = "promo"\ndescription = "d"\nweight = -1.0\nphrasez = ["a"]\n')
    with pytest.raises(RuleError, match=r"site\.toml:5: category\.x\.phrasez: unknown key"):
        load_ruleset("en", [path])


def test_a_wrong_type_is_an_error(tmp_path):
    path = write(tmp_path, '[category.x]\nlabel = "promo"\ndescription = "d"\nweight = "heavy"\nphrases = ["a"]\n')
    with pytest.raises(RuleError, match=r"site\.toml:4: category\.x\.weight: expected"):
        load_ruleset("en", [path])


def test_a_bad_pattern_is_an_error(tmp_path):
    path = write(tmp_path, '[category.x]\nlabel = "promo"\ndescription = "d"\nweight = -1.0\npatterns = [\'(unclosed\']\n')
    with pytest.raises(RuleError, match=r"site\.toml:5: category\.x\.patterns: bad pattern"):
        load_ruleset("en", [path])


def test_malformed_toml_names_the_file_and_line(tmp_path):
    path = write(tmp_path, '[category.x\nlabel = "promo"\n')
    with pytest.raises(RuleError, match=r"site\.toml:1: malformed TOML"):
        load_ruleset("en", [path])


def test_an_unknown_label_is_an_error(tmp_path):
    path = write(tmp_path, '[category.x]\nlabel = "junk"\ndescription = "d"\nweight = -1.0\nphrases = ["a"]\n')
    with pytest.raises(RuleError, match="unknown label 'junk'"):
        load_ruleset("en", [path])


def test_a_user_file_disables_a_category_by_id(tmp_path):
    path = write(tmp_path, 'disable = ["en.share"]\n')
    assert "en.share" not in {c.id for c in load_ruleset("en", [path]).categories}


def test_a_user_file_extends_a_category_by_id(tmp_path):
    path = write(tmp_path, '[extend."en.comments"]\nphrases = ["leave your thoughts"]\n')
    ruleset = load_ruleset("en", [path])
    assert "leave your thoughts" in ruleset.category("en.comments").phrases


def test_a_user_file_adds_a_category_named_after_the_file(tmp_path):
    path = write(tmp_path, '[category.paywall]\nlabel = "promo"\ndescription = "d"\nweight = -5.0\nmatch = "contains"\nphrases = ["keep reading"]\n')
    assert load_ruleset("en", [path]).category("site.paywall").weight == -5.0


def test_settings_of_unknown_names_cannot_be_overridden(tmp_path):
    path = write(tmp_path, '[settings.score]\nbais = 1.0\n')
    with pytest.raises(RuleError, match="unknown setting"):
        load_ruleset("en", [path])


def test_a_language_without_a_file_gets_a_stop_list_from_jusText():
    ruleset = load_ruleset("gl")   # Galician: no rule file (yet), a jusText list
    assert ruleset.language is None and "ao" in ruleset.stopwords


def test_a_ruleset_survives_pickling():
    ruleset = load_ruleset("de")
    again = pickle.loads(pickle.dumps(ruleset))
    assert [c.id for c in again.categories] == [c.id for c in ruleset.categories]


def _lines_for_matching():
    from pathlib import Path
    seeds = Path(__file__).parent.parent / "seeds"
    lines = [line.strip() for page in sorted(seeds.glob("*.txt")) for line in page.read_text(encoding="utf-8").splitlines()]
    examples = [ex for code in available_languages() for cat in load_ruleset(code).categories
                for ex in cat.examples_match + cat.examples_no_match]
    # Lines whose matches could run across a line break when joined: punctuation and spaces at the edges.
    edges = ["© 2024", "-- Photo: AP --", "(c)", "...", "By Jane Doe", "12", "Share", "", "foto: dpa", "(Foto: AP)"]
    return lines + examples + edges


@pytest.mark.parametrize("code", ["en", "de", "tr", "ar", "fr", "ja"])
def test_a_page_matched_at_once_gets_the_answers_of_its_lines_one_by_one(code):
    # match_page scans each category's patterns over the page's lines joined by "\n"; that must
    # give, line for line, what matching each line alone gives (match() of one line searches it
    # by itself: a one-line page is never joined).
    from cleaner.caches import clear_caches
    from cleaner.features import measure_lines
    from cleaner.model import Line
    ruleset = load_ruleset(code)
    texts = _lines_for_matching()
    features = measure_lines([Line(i + 1, t) for i, t in enumerate(texts)], ruleset.stopwords, ruleset.settings)
    words, sentences = [f.words for f in features], [f.terminal_punct for f in features]
    clear_caches()
    together = ruleset.matcher.match_page(texts, words, sentences)
    clear_caches()
    alone = [ruleset.matcher.match(t, n, b) if t else () for t, n, b in zip(texts, words, sentences)]
    assert together == alone
    assert sum(map(bool, together)) > 100   # the check means something: many lines match


def test_patterns_that_read_beyond_their_match_are_matched_line_by_line():
    from cleaner.ruleset import _reads_only_its_match
    assert _reads_only_its_match(r"^\W*(?:photo|image)s?\s*:")
    assert _reads_only_its_match(r"^\W*by\s+(?-i:\p{Lu})\p{L}+\W*$")
    assert _reads_only_its_match(r"\(?\s*reuters\)?$")
    assert not _reads_only_its_match(r"(?<!\w)foto")
    assert not _reads_only_its_match(r"foto(?!\w)")
    assert not _reads_only_its_match(r"\Afoto")
    assert not _reads_only_its_match(r"(?i)foto")


def test_a_base_file_without_its_settings_is_an_error_naming_the_table(tmp_path):
    from cleaner.ruleset import rules_dir
    text = (rules_dir() / "base.toml").read_text(encoding="utf-8")
    broken = tmp_path / "base.toml"
    broken.write_text(text[:text.index("[settings.smooth]")], encoding="utf-8")  # cut short, as a torn write would
    with pytest.raises(RuleError, match=r"base\.toml.*settings\.smooth"):
        load_ruleset("en", base_file=broken)


@pytest.mark.parametrize("code", available_languages())
def test_every_languages_comment_prompts_open_the_comments_section(code):
    # "3 Kommentare" ends the article as "3 comments" does: a comment thread after it is comments.
    comments = [c for c in load_ruleset(code).categories if c.id == f"{code}.comments"]
    assert comments and comments[0].section is Label.COMMENTS

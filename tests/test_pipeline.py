"""The Cleaner end to end: labels, sections, determinism, the public API."""
from __future__ import annotations

import pickle

import cleaner
from cleaner.model import Label

ARTICLE = """Home
News
Sport
Government unveils plan to cut energy bills for millions of households
By Jane Smith
The government has announced a plan that it says will cut the energy bills of millions of households by up to a fifth over the next two years.
Ministers said the scheme would be paid for by a windfall tax on the profits of energy companies, which have risen sharply since last year.
Critics said the plan did not go far enough and that the poorest families would still struggle to heat their homes this winter.
The opposition called for a full inquiry into how the prices had been allowed to rise so quickly, and for help to be targeted at those most in need.
Related articles
Energy firms report record profits as prices soar for the third quarter in a row…
Oil prices fall after producers agree to raise output next month, easing fears…
Share
Facebook Twitter
Copyright © 2024 Example News. All rights reserved.
"""


def test_the_article_is_kept_and_the_boilerplate_dropped(english_cleaner):
    text = english_cleaner.clean(ARTICLE).text
    assert text.startswith("Government unveils plan")
    assert "The opposition called for a full inquiry" in text
    for junk in ("Home", "By Jane Smith", "Related articles", "Energy firms report", "Facebook", "Copyright"):
        assert junk not in text


def test_teasers_after_a_related_header_are_teasers(english_cleaner):
    labels = {line.text[:12]: line.label for line in english_cleaner.clean(ARTICLE).lines}
    assert labels["Related arti"] == Label.TEASER
    assert labels["Energy firms"] == Label.TEASER and labels["Oil prices f"] == Label.TEASER


def test_every_line_carries_the_reasons_of_its_label(english_cleaner):
    lines = english_cleaner.clean(ARTICLE).lines
    assert all(line.reasons for line in lines)
    assert "base.copyright" in lines[-1].reasons


def test_the_same_input_gives_the_same_output(english_cleaner):
    a, b = english_cleaner.clean(ARTICLE), cleaner.Cleaner(language="en").clean(ARTICLE)
    assert a == b


def test_keep_chooses_the_labels_of_the_clean_text():
    text = cleaner.Cleaner(language="en", keep=["teaser"]).clean(ARTICLE).text
    assert text.splitlines()[0] == "Related articles"


def test_module_level_clean_detects_the_language():
    assert cleaner.clean(ARTICLE).language == "en"


def test_an_empty_page_gives_an_empty_result(english_cleaner):
    result = english_cleaner.clean("")
    assert (result.text, result.lines) == ("", ())


def test_a_cleaner_survives_pickling(english_cleaner):
    again = pickle.loads(pickle.dumps(english_cleaner))
    assert again.clean(ARTICLE) == english_cleaner.clean(ARTICLE)


def test_remembered_lines_never_change_an_answer():
    # Stages remember what they computed per line text (menus repeat across pages); a page
    # cleaned cold, warm, after other pages and after clear_caches() gets the same result.
    from pathlib import Path
    pages = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent.parent / "seeds").glob("*.txt"))]
    c = cleaner.Cleaner()
    cleaner.clear_caches()
    cold = [c.clean(page) for page in pages]
    warm = [c.clean(page) for page in reversed(pages)][::-1]
    cleaner.clear_caches()
    again = [cleaner.Cleaner().clean(page) for page in pages]
    assert cold == warm == again

"""Every category's examples run as tests: `match` lines must hit it, `no_match` lines must not."""
from __future__ import annotations

import pytest

from cleaner.features import measure_lines
from cleaner.model import Line
from cleaner.rules import match_line
from cleaner.ruleset import available_languages, load_ruleset

CASES = []
for code in [None, *available_languages()]:
    ruleset = load_ruleset(code)
    for cat in ruleset.categories:
        if code is not None and not cat.id.startswith(f"{code}."):
            continue
        if getattr(cat, "is_html", False):
            continue  # HTML categories' examples are HTML snippets: tests/test_html.py runs them
        CASES += [pytest.param(code, cat.id, ex, True, id=f"{cat.id}+{ex[:30]}") for ex in cat.examples_match]
        CASES += [pytest.param(code, cat.id, ex, False, id=f"{cat.id}-{ex[:30]}") for ex in cat.examples_no_match]


@pytest.mark.parametrize("code, rule_id, example, should_match", CASES)
def test_category_example(code, rule_id, example, should_match):
    ruleset = load_ruleset(code)
    features = measure_lines([Line(1, example)], ruleset.stopwords, ruleset.settings)[0]
    hit_ids = {hit.rule_id for hit in match_line(ruleset, example, features)}
    assert (rule_id in hit_ids) == should_match, f"{rule_id} on {example!r}: hits {sorted(hit_ids)}"


@pytest.mark.parametrize("code", available_languages())
def test_every_category_has_examples(code):
    ruleset = load_ruleset(code)
    for cat in ruleset.categories:
        if cat.id.startswith(f"{code}."):
            assert cat.examples_match, f"{cat.id} has no examples.match"
            assert cat.examples_no_match, f"{cat.id} has no examples.no_match"

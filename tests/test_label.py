"""One behaviour per test for the label stage's revisions (cleaner/label.py)."""
from __future__ import annotations

from cleaner.label import _continue_lists
from cleaner.model import Label, Line, RuleHit


def lines(*texts):
    return [Line(i + 1, t) for i, t in enumerate(texts)]


def test_numbered_items_continuing_a_content_list_are_content():
    ls = lines("1) Lego set", "http://x.example/1", "2) Race track", "http://x.example/2", "3) Camera")
    content = [True, False, True, False, False]
    added = _continue_lists(content, ls, [()] * 5, range(5), 3)
    assert added == {4} and content == [True, False, True, False, True]


def test_a_numbered_list_that_starts_outside_the_article_stays_out():
    ls = lines("1. Most read story", "2. Another story", "3. A third story")
    content = [False, False, False]
    assert _continue_lists(content, ls, [()] * 3, range(3), 3) == set()


def test_a_list_item_with_a_rule_hit_or_a_wrong_number_is_not_taken():
    hit = (RuleHit("en.share", Label.SHARE, -4.0),)
    ls = lines("1) First", "2) Share this", "1) First again", "5) Skipped numbers")
    content = [True, False, True, False]
    assert _continue_lists(content, ls, [(), hit, (), ()], range(4), 3) == set()

"""One behaviour per test for the label stage's revisions (cleaner/label.py)."""
from __future__ import annotations

import numpy

import cleaner
from cleaner.label import (_continue_lists, _continue_parallel_lists, _drop_second_copies, _keep_post_credits,
                           _keep_separators)
from cleaner.model import Label, Line, RuleHit


def lines(*texts):
    return [Line(i + 1, t) for i, t in enumerate(texts)]


def texts(ls):
    return [line.text for line in ls]


def test_numbered_items_continuing_a_content_list_are_content():
    ls = lines("1) Lego set", "http://x.example/1", "2) Race track", "http://x.example/2", "3) Camera")
    content = [True, False, True, False, False]
    added = _continue_lists(content, texts(ls), [()] * 5, range(5), 3)
    assert added == {4} and content == [True, False, True, False, True]


def test_a_numbered_list_that_starts_outside_the_article_stays_out():
    ls = lines("1. Most read story", "2. Another story", "3. A third story")
    content = [False, False, False]
    assert _continue_lists(content, texts(ls), [()] * 3, range(3), 3) == set()


def test_a_list_item_with_a_rule_hit_or_a_wrong_number_is_not_taken():
    hit = (RuleHit("en.share", Label.SHARE, -4.0),)
    ls = lines("1) First", "2) Share this", "1) First again", "5) Skipped numbers")
    content = [True, False, True, False]
    assert _continue_lists(content, texts(ls), [(), hit, (), ()], range(4), 3) == set()


TOUR = ("June 9 – Tampa, FL @ Arena", "June 10 – Nashville, TN @ Bridgestone Arena",
        "June 14 – Atlanta, GA @ Amphitheatre", "June 17 – Raleigh, NC @ Music Park",
        "June 19 – Camden, NJ @ Pavilion")


def parallel(ls, content, hits=None, min_items=4):
    n = len(ls)
    return _continue_parallel_lists(content, texts(ls), hits or [()] * n, list(range(n)), min_items, 4)


def test_a_list_of_lines_that_begin_alike_right_after_content_is_content():
    ls = lines("The band announced the tour on Monday.", "Tour Dates", *TOUR, "More music news")
    content = [True, True] + [False] * 6
    assert parallel(ls, content) == {2, 3, 4, 5, 6} and content[-1] is False


def test_a_parallel_list_needs_content_before_it_enough_items_and_no_rule_hits():
    ls = lines("Menu", *TOUR)
    assert parallel(ls, [False] * 6) == set()                                   # after a dropped line
    assert parallel(lines("Tour Dates", *TOUR[:3]), [True, False, False, False]) == set()   # three items
    hit = (RuleHit("en.dates", Label.META, -3.0),)
    ls = lines("Tour Dates", *TOUR)
    assert parallel(ls, [True] + [False] * 5, [(), (), (), hit, (), ()]) == set()   # a hit breaks the run


def test_a_parallel_list_whose_first_items_are_content_goes_on():
    ls = lines("Tour Dates", *TOUR)
    content = [True, True, True, False, False, False]      # two items kept, three to go: five in all
    assert parallel(ls, content) == {3, 4, 5}


def test_lines_of_words_alone_make_no_parallel_list():
    ls = lines("Tour Dates", "Read the full story here", "Watch the video of the show", "Listen to the new single now",
               "See the photos from the night", "Buy the tickets while they last")
    assert parallel(ls, [True] + [False] * 5) == set()


def test_the_article_resumes_after_an_inline_read_also_box():
    from cleaner.label import _resume_after_inline_box
    from cleaner.ruleset import load_ruleset
    from cleaner.model import LineFeatures
    from cleaner.smooth import Context

    def f(words, terminal=True, topic=0.5):
        return LineFeatures(chars=words * 6, words=words, stopword_density=0.4, terminal_punct=terminal,
                            ellipsis_end=False, digit_share=0.0, upper_share=0.0, title_share=0.1,
                            separators=0, has_url=False, glued=False, position=0.5, repeats=0,
                            topic_overlap=topic, cased=True, colon_end=False, relative_length=1.0,
                            starts_lower=False, joins=0, enumerated=False)
    header = (RuleHit("it.related", Label.TEASER, -4.0, Label.TEASER),)
    feats = [f(40), f(2, False), f(12, False), f(45), f(40, topic=0.1)]
    hits = [(), header, (), (), ()]
    raw = [0.9, 0.0, 0.4, 0.85, 0.9]
    ctx = [Context(2.0, None, True, ())] + [Context(-1.0, Label.TEASER, False, ())] * 4
    content = [True, False, False, False, False]
    settings = load_ruleset(None).settings
    teaser = [pos for pos, c in enumerate(ctx) if c.section is Label.TEASER]
    resumed = _resume_after_inline_box(content, feats, hits, raw, teaser, range(5), lambda k: settings[f"label.{k}"])
    assert resumed == {3}   # the off-topic paragraph after it stays a teaser


def test_the_biography_under_an_author_box_header_is_not_content():
    from cleaner.label import _drop_author_bios
    box = (RuleHit("pt.author_box", Label.META, -3.0, Label.META),)
    share = (RuleHit("base.social_names", Label.SHARE, -4.0),)
    hits = [(), box, (), share, ()]
    content = [True, False, True, False, True]
    assert _drop_author_bios(content, hits, range(5), 2) == {2}
    assert content == [True, False, False, False, True]   # the box ends at the share links


def test_the_line_above_a_quote_attribution_is_a_pull_quote_unless_it_is_a_heading_or_a_paragraph():
    from cleaner.label import _drop_captions_above
    said = (RuleHit("base.quote_attribution", Label.META, -3.0, None, True),)
    byline = (RuleHit("en.byline", Label.META, -3.0),)
    hits = [(), (), said, (), said, (), byline, (), said]
    words = numpy.array([30, 12, 4, 3, 4, 25, 3, 90, 4])
    content = [True, True, True, True, False, True, True, True, False]
    assert _drop_captions_above(content, hits, words, range(9), 4, 40) == {1}
    assert content == [True, False, False, True, False, True, True, True, False]   # the speaker goes with
    # the quote; a 3-word heading and a 90-word paragraph stay, and a byline takes nothing


def test_a_pull_quote_and_its_speaker_leave_the_clean_text():
    quote = "We will not accept that the government looks away from the people in the street today."
    page = "\n".join([
        "The unions marched through the capital on Saturday, and thousands of people joined them on the bridge.",
        quote,
        "Jane Doe, Union President",
        "The march ended in front of the parliament building, where the leaders of both unions spoke.",
    ])
    result = cleaner.clean(page, language="en")
    by_text = {line.text: line for line in result.lines}
    assert by_text[quote].label is Label.CAPTION and "context.above_credit" in by_text[quote].reasons
    assert by_text["Jane Doe, Union President"].label is Label.META
    assert quote not in result.text and "The march ended" in result.text


def find_title_over_chrome(hits, words, topic, content, vocabulary=None):
    """Run _find_title_over_chrome with English settings on a page whose first line alone is
    headline-shaped; vocabulary: each line's content words (default: the headline's words are the
    first paragraphs' words)."""
    from cleaner.label import _find_title_over_chrome
    from cleaner.ruleset import load_ruleset

    settings = load_ruleset("en").settings
    n = len(hits)
    headline = numpy.array([True] + [False] * (n - 1))
    first = content.index(True)
    assert settings["label.title_lookback_lines"] < first    # out of the plain title search's reach
    vocabulary = vocabulary or {0: {1, 2, 3}, **{i: {1, 2, 3, 4} for i in range(first, n)}}
    return _find_title_over_chrome(content, headline, lambda i: vocabulary.get(i, set()), numpy.array(topic), hits,
                                   numpy.array(words), list(range(n)), first, lambda name: settings["label." + name])


CHROME = 17     # share-bar lines between the byline and the article: more than title_lookback_lines


def test_a_headline_and_standfirst_above_a_byline_and_share_bar_are_found():
    meta, share = RuleHit("en.byline", Label.META, -3.0), RuleHit("en.share", Label.SHARE, -4.0)
    # 0 headline, 1 standfirst, 2-3 byline and date, then a share bar, then the first paragraphs.
    hits = [(), (), (meta,), (meta,), *[(share,)] * CHROME, (), (), ()]
    content = [False] * (4 + CHROME) + [True] * 3
    found = find_title_over_chrome(hits, [9, 18, 3, 3, *[1] * CHROME, 40, 35, 30],
                                   [1.0, 0.8, *[0.0] * (2 + CHROME), 0.7, 0.7, 0.7], content)
    assert found == (0, {1}) and content[0] and content[1]


def test_a_far_headline_without_a_standfirst_is_not_taken():
    share = RuleHit("en.share", Label.SHARE, -4.0)
    content = [False] * (1 + CHROME) + [True] * 2
    found = find_title_over_chrome([(), *[(share,)] * CHROME, (), ()], [9, *[1] * CHROME, 40, 35],
                                   [1.0, *[0.0] * CHROME, 0.7, 0.7], content)
    assert found == (None, set()) and content == [False] * (1 + CHROME) + [True] * 2


def lines_of(*page: str):
    """Clean a page of these lines with the English rules; return its labelled lines."""
    return cleaner.Cleaner(language="en").clean("\n".join(page)).lines


def title_of(*page: str) -> str | None:
    return next((line.text for line in lines_of(*page) if line.label is Label.TITLE), None)


ARTICLE = (
    "Health officials in the northern province confirmed a case of bubonic plague on Tuesday, the second this year.",
    "The patient, a hunter who had eaten wild rabbit meat, is being treated in isolation at the provincial hospital.",
    "Officials said the risk of an outbreak was low but asked residents to avoid contact with wild animals.",
    "The plague case is the first in the province since 2019, when two herders fell ill after eating marmot meat.",
)


def test_the_headline_is_the_title_not_the_section_name_above_it():
    # "Health News" shares both of its words with the article; the headline shares more.
    assert title_of("Menu", "Health News", "Hunter catches bubonic plague after eating wild rabbit meat",
                    "By Jane Doe", *ARTICLE) == "Hunter catches bubonic plague after eating wild rabbit meat"


def test_the_headline_is_the_title_not_its_longer_standfirst():
    assert title_of("Plague case confirmed in northern province",
                    "A hunter who ate wild rabbit meat is being treated in isolation", "By Jane Doe", *ARTICLE) \
        == "Plague case confirmed in northern province"


def test_a_headline_wins_over_a_breadcrumb_line_that_repeats_it():
    assert title_of("News Health Plague case confirmed in northern province - Latest news and updates",
                    "Plague case confirmed in northern province", "By Jane Doe", *ARTICLE) \
        == "Plague case confirmed in northern province"


def test_a_page_whose_only_candidate_shares_no_words_with_the_article_has_no_title():
    assert title_of("Sharing is caring!", *ARTICLE) is None


def test_a_paragraph_the_page_has_twice_is_kept_once():
    caption = "The minister speaks at a press conference in Berlin on Tuesday, with her deputy beside her."
    question = "What inspired you to start cooking for others at all?"
    page = [caption, "Body one.", caption, question, "Answer.", question, question, "Short twice", "Short twice"]
    repeats = numpy.array([1, 0, 1, 2, 0, 2, 2, 1, 1])
    words = numpy.array([len(t.split()) for t in page])
    content = [True] * len(page)
    dropped = _drop_second_copies(content, page, repeats, words, 6)
    # The caption's second copy goes; a question asked three times and a short line stay.
    assert dropped == {2} and content == [True, True, False] + [True] * 6


def test_a_second_copy_is_dropped_only_when_the_first_is_kept():
    lead = "The city council voted on Monday to close the old bridge to all cars from next spring."
    content = [False, True, True]
    assert _drop_second_copies(content, [lead, "Body.", lead], numpy.array([1, 0, 1]), numpy.array([17, 1, 17]), 6) == set()
    assert content == [False, True, True]


def test_a_line_kept_by_a_revision_may_repeat():
    credit = "— Example Senate (@examplesenate) October 9, 2018"
    content = [True, True, True]
    assert _drop_second_copies(content, [credit, "Body.", credit], numpy.array([1, 0, 1]), numpy.array([7, 1, 7]), 6,
                               keep={2}) == set()
    assert content == [True, True, True]


def test_the_dropped_copy_is_labelled_with_its_reason():
    para = ("The council approved the new budget on Monday after a long debate about schools, roads "
            "and the city's parks, which will get more money next year.")
    text = "\n".join(["City budget passed", para, "Officials said the vote was close and the mayor welcomed the result "
                      "after months of talks with every party in the council chamber.", para])
    result = cleaner.Cleaner(language="en").clean(text)
    second = result.lines[3]
    assert result.lines[1].label is Label.BODY
    assert second.label is Label.OTHER and second.reasons[0] == "context.second_copy"
    assert result.text.count("approved the new budget") == 1


def test_a_headline_that_asks_a_question_is_the_title():
    body = ("Prosecutors rarely treat football violence as a crime, and lawyers say a case would be hard "
            "to prove because players accept some risk of injury when they step onto the field.")
    more = ("Several players have sued over football violence in the past, but the courts have mostly "
            "treated it as a civil matter and not as a crime between the players and the clubs.")
    text = "\n".join(["Home", "Sport", "Is football violence a crime?", body, more])
    result = cleaner.Cleaner(language="en").clean(text)
    assert result.lines[2].label is Label.TITLE
    # A short line ending in a full stop is not taken as a headline.
    text = "\n".join(["Home", "Sport", "Football violence is a crime.", body, more])
    assert cleaner.Cleaner(language="en").clean(text).lines[2].label is not Label.TITLE


def labels_of(*page):
    return {line.text: line.label for line in lines_of(*page)}


def test_a_lone_heading_after_the_last_paragraph_heads_nothing_and_is_dropped():
    labels = labels_of("Plague case confirmed in northern province", *ARTICLE[:2], "What the officials said",
                       *ARTICLE[2:], "How to listen to the podcast")
    assert labels["What the officials said"] is Label.HEADING      # it heads two paragraphs
    assert labels["How to listen to the podcast"] is Label.OTHER


def test_a_run_of_headings_after_the_last_paragraph_is_a_list_and_stays():
    dates = ("July 2 -- Arena North, Springfield", "July 3 -- Harbour Center, Bayside",
             "July 9 -- Riverside Hall, Lakeview")
    lines = lines_of("Band announces summer tour", *ARTICLE, *dates)
    kept = [line.text for line in lines if line.label in (Label.HEADING, Label.BODY)]
    # The run ends the page kept: its last heading is not dropped as heading nothing. (Whether the
    # third date is kept is the score's call: three lines are too few for a parallel list.)
    assert dates[:2] == tuple(kept[-2:]) or dates[1:] == tuple(kept[-2:])
    assert not any("context.heads_nothing" in line.reasons for line in lines)


def test_a_two_word_name_over_the_article_is_not_its_title():
    # "Plague Case" shares both its words with the article, but a title has three words or more.
    assert title_of("Menu", "Plague Case", *ARTICLE) is None
    assert title_of("Menu", "Plague case confirmed", *ARTICLE) == "Plague case confirmed"



def test_a_separator_between_the_articles_sections_is_kept():
    texts = ["___", "Headline", "Para one.", "___", "WHAT HAPPENS NEXT?", "Para two.", "___", "Share", "* * *"]
    content = [False, True, True, False, False, True, False, False, False]
    hits = [()] * len(texts)
    kept = _keep_separators(content, texts, hits, list(range(len(texts))), 2)
    # Between two paragraphs, a section's heading after it: kept. Above the masthead (no content
    # before it) and after the last paragraph (no content after it): dropped.
    assert kept == {3} and content[3] and not content[0] and not content[6]


def test_a_separator_is_a_line_of_marks_only_and_no_rule_hits_it():
    texts = ["Para one.", "--- more ---", "Para two.", "* * *", "Para three."]
    content = [True, False, True, False, True]
    assert _keep_separators(content, texts, [()] * 5, list(range(5)), 2) == {3}
    content = [True, False, True, False, True]
    assert _keep_separators(content, texts, [(), (), (), ("a hit",), ()], list(range(5)), 2) == set()


def test_a_subheading_between_paragraphs_after_an_inline_related_box_is_kept():
    page = ("Hunter catches bubonic plague after eating wild rabbit meat", *ARTICLE, "Read also",
            "Farmers in the south count the cost of a dry summer", "Ferry strike enters its third week",
            "Health officials said the hunter had eaten the wild rabbit meat at his home in the province, and "
            "that the patient is being treated in isolation.",
            "Where the plague comes from",
            "Officials said bubonic plague is carried by fleas on wild animals, and the hunter may have caught it "
            "from the rabbit meat he had eaten at home.",
            "Health officials in the province said the patient was expected to recover, and asked residents to "
            "report any contact with wild animals.")
    labels = {line.text: line for line in lines_of(*page)}
    # The box's teasers stay out; the subheading between two of the article's paragraphs, under
    # the box's teaser section, is kept (context.between_body).
    assert labels["Ferry strike enters its third week"].label is Label.TEASER
    heading = labels["Where the plague comes from"]
    assert heading.label is Label.HEADING and "context.between_body" in heading.reasons


def test_an_embedded_posts_credit_goes_with_the_post_above_it():
    texts = ["Para one.", "Yes, the plan is real and it cost half a million dollars.",
             "— Jane Doe (@janedoe) November 18, 2019", "Para two.", "Share", "— Example News (@example) May 2, 2024"]
    content = [True, True, False, True, False, False]
    # Under the post the article quotes: kept. Under a line that is not content: not.
    assert _keep_post_credits(content, texts, list(range(len(texts)))) == {2} and content[2] and not content[5]


def test_an_embedded_posts_credit_is_labelled_with_its_reason():
    lines = lines_of("Governor defends anti-drug slogan after online mockery", *ARTICLE,
                     "Officials said the plague case was not linked to the earlier outbreak, as critics had claimed online.",
                     "— Jane Doe (@janedoe) November 18, 2019")
    credit = next(line for line in lines if line.text.startswith("— Jane Doe"))
    assert credit.label is Label.BODY and credit.reasons[0] == "context.post_credit"


def test_a_line_shown_twice_in_a_row_is_neither_copy_kept():
    caption = "The minister speaks to reporters outside the parliament building on Friday morning."
    lines = lines_of("Hunter catches bubonic plague after eating wild rabbit meat", *ARTICLE[:2], caption, caption,
                     *ARTICLE[2:])
    doubled = [line for line in lines if line.text == caption]
    assert [line.label for line in doubled] == [Label.OTHER, Label.OTHER]
    assert all(line.reasons[0] == "context.shown_twice" for line in doubled)


def test_a_title_over_a_copy_of_itself_stays_the_title():
    headline = "Hunter catches bubonic plague after eating wild rabbit meat"
    lines = lines_of("Menu", headline, headline, *ARTICLE)
    assert [line.label for line in lines if line.text == headline][0] is Label.TITLE


def test_two_posts_of_one_account_keep_their_identical_credits():
    credit = "— Example Senate (@examplesenate) October 9, 2018"
    lines = lines_of("Senate passes the harbour bill after a long night of debate", *ARTICLE[:2],
                     "The Senate has passed the harbour bill in its third reading this evening.", credit,
                     *ARTICLE[2:3], "The bill now goes to the President for assent, the clerk said tonight.", credit,
                     *ARTICLE[3:])
    credits = [line for line in lines if line.text == credit]
    assert [line.reasons[0] for line in credits] == ["context.post_credit"] * 2

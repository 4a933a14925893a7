"""One behaviour per test for the small stages: normalise, segment, language, features, write."""
from __future__ import annotations

import sys

import numpy

from cleaner import normalize
from cleaner.features import measure_lines, tokenize
from cleaner.language import detect_language
from cleaner.model import Label, Line, LineResult
from cleaner.normalize import normalize_text
from cleaner.ruleset import load_ruleset
from cleaner.segment import split_lines
from cleaner.write import render_labels_tsv, render_text, restore_line_ends

EN = load_ruleset("en")


def feats(*texts, ruleset=EN):
    return measure_lines([Line(i + 1, t) for i, t in enumerate(texts)], ruleset.stopwords, ruleset.settings)


def test_normalisation_never_changes_the_number_of_lines():
    text = "a\r\nb\rc\n\n\u00a0\nd"
    assert normalize_text(text).text.count("\n") == 5


def test_crlf_and_bom_are_remembered_for_writing_back():
    norm = normalize_text("\ufeffone\r\ntwo\r\n")
    assert (norm.newline, norm.bom, norm.text) == ("\r\n", True, "one\ntwo\n")
    assert restore_line_ends("one\ntwo\n", norm.newline, norm.bom) == "\ufeffone\r\ntwo\r\n"


def test_mojibake_and_leftover_entities_are_repaired():
    assert normalize_text("CafÃ© &amp; bar").text == "Café & bar"


def test_zero_width_characters_and_odd_spaces_are_cleaned():
    assert normalize_text("a\u200bb\u00a0c").text == "ab c"


def test_repair_skips_only_lines_it_could_not_change():
    # repair_line's shortcuts: a suspect is "&" or not ASCII; a repaired character is never printable.
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert all(not c.isascii() for c in normalize._SUSPECT.findall(every))
    for pattern in (normalize._ZERO_WIDTH, normalize._ODD_SPACE, normalize._CONTROL):
        assert pattern.findall(every) and not any(c.isprintable() for c in pattern.findall(every))


def test_a_final_newline_does_not_make_an_extra_line():
    assert [l.number for l in split_lines("a\n\nb\n")] == [1, 2, 3]


def test_language_is_detected_from_prose_and_is_repeatable():
    lines = split_lines("Menu\nDie Bundesregierung hat am Mittwoch ein neues Gesetz beschlossen, das die Mieten begrenzen soll.\n")
    codes = {detect_language(lines, max_chars=2000, min_chars=40, min_probability=0.7) for _ in range(5)}
    assert codes == {"de"}


def test_too_little_prose_gives_no_language():
    assert detect_language(split_lines("Home\nNews\n"), max_chars=2000, min_chars=40, min_probability=0.7) is None


def test_chinese_is_tokenised_per_character():
    assert tokenize("北京市政府") == ["北", "京", "市", "政", "府"]


def test_sentence_punctuation_of_every_script_counts():
    ends = [f.terminal_punct for f in feats("Hello there.", "مرحبا بكم؟", "你好。", "नमस्ते।", "Menu item")]
    assert ends == [True, True, True, True, False]


def test_a_writers_sign_off_after_the_last_sentence_still_ends_it():
    ends = [f.terminal_punct for f in feats("Der Autor ist 2017 verstorben. (nz)", "Sie kam spät an. (dpa/red)",
                                             "Ein Schiff verlässt den Hafen. (AP)", "Menu (nz)")]
    assert ends == [True, True, False, False]


def test_stopword_density_uses_the_languages_stop_list():
    prose, menu = feats("It was the best of times and the worst of times.", "Sports Weather Markets")
    assert prose.stopword_density > 0.4 and menu.stopword_density == 0.0


def test_case_features_are_off_for_scripts_without_case():
    (arabic,) = feats("وزير الدفاع الإسرائيلي يزور أذربيجان")
    assert (arabic.cased, arabic.upper_share, arabic.title_share) == (False, 0.0, 0.0)


def test_glued_inline_words_are_noticed():
    assert [f.glued for f in feats("AzerbaijanIsrael", "McDonald's new menu")] == [True, False]


def test_repeated_lines_are_counted():
    assert [f.repeats for f in feats("Read more", "Body text here.", "Read more")] == [1, 0, 1]


def test_clean_text_keeps_paragraphs_apart_by_one_blank_line():
    lines = [LineResult(1, "A", Label.TITLE, 1.0), LineResult(2, "menu", Label.NAVIGATION, 0.0),
             LineResult(3, "B", Label.BODY, 1.0)]
    assert render_text(lines, {Label.TITLE, Label.BODY}) == "A\n\nB"


def test_labels_tsv_has_a_header_and_one_row_per_line():
    rows = render_labels_tsv([LineResult(1, "a\tb", Label.BODY, 0.9, 0.8, ("score.content",))]).splitlines()
    assert rows == ["line\tlabel\tscore\treasons\ttext", "1\tbody\t0.9000\tscore.content\ta b"]


def test_the_unspaced_script_prefilter_covers_every_character_of_those_scripts():
    # features.py tokenises a line the fast way when no character falls in UNSPACED_BLOCKS;
    # that is only right if every Han, kana, Thai, Lao, Khmer and Myanmar character is inside.
    import regex
    from cleaner.features import UNSPACED, UNSPACED_BLOCKS
    script = regex.compile(rf"[{UNSPACED}]")
    every = "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)
    outside = [hex(ord(ch)) for ch in script.findall(every)
               if not any(a <= ord(ch) <= b for a, b in UNSPACED_BLOCKS)]
    assert outside == []


def test_ascii_and_unicode_lines_are_measured_alike():
    ascii_line, unicode_line = feats("Call 0800 123 456 NOW, it is FREE", "Call 0800 123 456 NOW, it is FREE\u00e9")
    assert (ascii_line.digit_share, ascii_line.upper_share) == (10 / 26, 8 / 15)
    assert (unicode_line.digit_share, unicode_line.upper_share) == (10 / 27, 8 / 16)


def test_serbian_cyrillic_is_told_by_its_own_letters():
    from cleaner import Cleaner
    text = ("Влада Србије је у четвртак усвојила нови закон о заштити животне средине, "
            "који ће ступити на снагу почетком следеће године.\n"
            "Министарка је рекла да ће грађани моћи да прате ђубриште и ћошкове града преко апликације.\n")
    assert Cleaner().clean(text).language == "sr"


def test_thai_stop_words_of_several_characters_count():
    from cleaner.ruleset import load_ruleset
    prose, menu = feats("รัฐบาลได้ประกาศมาตรการใหม่เพื่อช่วยเหลือเกษตรกรที่ได้รับผลกระทบจากภัยแล้งในภาคอีสาน",
                        "หน้าแรก ข่าว กีฬา บันเทิง", ruleset=load_ruleset("th"))
    assert prose.stopword_density > 0.2 and menu.stopword_density == 0.0


def test_scores_follow_a_plain_settings_dict_that_changes_between_calls():
    # The tuner probes the context stage one weight at a time by changing one dict; a cache keyed
    # on the dict's identity once made every probe return the first probe's logits.
    from cleaner.smooth import CONTEXT_NAMES, smooth_scores
    rules = load_ruleset("en")
    lines = split_lines(normalize_text("Menu\nHome\n" + "The council met on Tuesday and agreed the plan. " * 3
                                       + "\nShare this article\n").text)
    features = measure_lines(lines, rules.stopwords, rules.settings)
    raw = [0.0, -2.0, 3.0, -1.0]
    probe = dict(rules.settings)
    seen = []
    for name in ("raw", "in_region"):
        for other in CONTEXT_NAMES:
            probe[f"smooth.weights.{other}"] = 1.0 if other == name else 0.0
        seen.append([c.logit for c in smooth_scores(raw, features, [()] * len(lines), probe)])
    assert seen[0] != seen[1]
    assert seen[0] == [v - 0.0 + probe["smooth.bias"] for v in raw]


def test_lines_past_the_region_say_whether_a_boundary_line_lies_between():
    # A list right after the article's paragraphs may be the article going on; a line past a
    # share bar is outside it. The reasons say which.
    from cleaner.model import RuleHit
    from cleaner.smooth import smooth_scores
    rules = load_ruleset("en")
    texts = ["Home", *["The council met on Tuesday and agreed the plan for the new bridge. " * 3] * 3,
             "Two eggs", "One cup of rice", "Share this article", "Another story"]
    lines = split_lines(normalize_text("\n".join(texts)).text)
    features = measure_lines(lines, rules.stopwords, rules.settings)
    raw = [-3.0, 4.0, 4.0, 4.0, -2.0, -2.0, -4.0, -2.0]
    share = (RuleHit("en.share", Label.SHARE, -4.0),)
    hits = [(), (), (), (), (), (), share, ()]
    reasons = [c.reasons for c in smooth_scores(raw, features, hits, rules.settings)]
    assert all("context.outside_article" not in r and "context.unbroken_from_article" not in r for r in reasons[1:4])
    assert all("context.unbroken_from_article" in r for r in reasons[4:6])
    assert all("context.outside_article" in r for r in reasons[6:])
    assert "context.unbroken_from_article" in reasons[0]   # no boundary line between the menu and the article


def test_a_caption_between_paragraphs_does_not_cut_the_article_region():
    # A slideshow story: paragraph, photo caption, paragraph. Scored low, the caption would split
    # the region and leave the second paragraph outside it; as a caption it counts as neutral.
    from cleaner.model import RuleHit
    from cleaner.smooth import smooth_scores
    rules = load_ruleset("en")
    texts = ["The council met on Tuesday and agreed the plan for the new bridge. " * 3,
             "Jane Doe attends the opening of the bridge in London, England.",
             "The bridge will open in the spring, the council said, after two years of work."]
    lines = split_lines(normalize_text("\n".join(texts)).text)
    features = measure_lines(lines, rules.stopwords, rules.settings)
    raw = [4.0, -5.0, 1.0]
    caption = (RuleHit("en.caption_scene", Label.CAPTION, -3.0),)
    as_caption = smooth_scores(raw, features, [(), caption, ()], rules.settings)
    assert as_caption[2].in_region and "context.outside_article" not in as_caption[2].reasons
    unlabelled = smooth_scores(raw, features, [(), (), ()], rules.settings)
    assert not unlabelled[2].in_region


def test_a_comment_thread_above_the_region_opens_the_comments_section():
    # The region search may take a thread of long comments for the article. A comments header
    # above the region opens its section when more comment lines lie between it and the region;
    # a lone "12 comments" link by the byline, with the article right after it, does not.
    from cleaner.smooth import SECTIONS, find_sections
    settings = load_ruleset("en").settings
    values = numpy.array([3.0] * 4 + [-4.0, -4.0, -4.0] + [3.0] * 4)
    chars = numpy.full(11, 200.0)
    topic = numpy.zeros(11)
    thread = {4: Label.COMMENTS, 5: Label.COMMENTS, 6: Label.COMMENTS}
    section, _ = find_sections(thread, values, chars, topic, 7, settings)
    assert [SECTIONS[k] if k >= 0 else None for k in section[7:]] == [Label.COMMENTS] * 4
    # Only a comments header: a "Related" header above those comment lines stays shut.
    related = {3: Label.TEASER, 5: Label.COMMENTS, 6: Label.COMMENTS, 7: Label.COMMENTS}
    values12 = numpy.array([3.0] * 3 + [-4.0] * 5 + [3.0] * 4)
    section, _ = find_sections(related, values12, numpy.full(12, 200.0), numpy.zeros(12), 8, settings)
    assert section[4] == -1 and SECTIONS[section[8]] is Label.COMMENTS
    link = {4: Label.COMMENTS, 9: Label.COMMENTS, 10: Label.COMMENTS}
    section, _ = find_sections(link, values, chars, topic, 7, settings)
    assert (section[5:9] == -1).all()
    # A "most commented" box: its counts, then other stories, then the article.
    gap = settings["smooth.thread_max_gap_lines"] + 1
    values = numpy.array([3.0] * 4 + [-4.0] * (3 + gap) + [3.0] * 4)
    n = len(values)
    section, _ = find_sections(thread, values, numpy.full(n, 200.0), numpy.zeros(n), 7 + gap, settings)
    assert (section == -1).all()

"""Data tables written one cell per line: found by tables.py, kept when they are the article's."""
from __future__ import annotations

import numpy
import pytest

import cleaner
from cleaner.tables import table_cells

TEAMS = ["Rovers", "United", "City", "Athletic", "Wanderers", "Town", "Albion", "Rangers"]
PARAGRAPHS = [
    "The club confirmed on Monday that its coach will stay for another season after weeks of talks with the board.",
    "Supporters had feared a move abroad, but the coach said he wanted to finish the work he started years ago.",
    "The team sits fourth in the league and plays its next match at home on Saturday against a side from the north.",
    "Officials said the new contract includes a clause that lets both sides end the deal early if results fall short.",
]
MENU = ["Home", "News", "Sport", "Football", "Tennis", "Weather", "Contact us", "Latest", "Video", "Podcasts"]


def standings(rows: int = len(TEAMS)) -> list[str]:
    cells = ["Pos", "Team", "Played", "Points"]
    for k, team in enumerate(TEAMS[:rows]):
        cells += [str(k + 1), team, "14", str(30 - 2 * k)]
    return cells


def cells_of(lines: list[str]) -> list[bool]:
    lengths = numpy.array([len(line.strip()) for line in lines])
    digits = numpy.array([sum(c.isdigit() for c in line) for line in lines])
    words = numpy.array([len(line.split()) for line in lines])
    return table_cells(lines, lengths, digits, words, min_rows=3, max_columns=12, min_number_columns=2,
                       header_rows=2, header_max_words=3).tolist()


def test_a_table_written_one_cell_per_line_is_found_with_its_header():
    lines = [PARAGRAPHS[0], *standings(), PARAGRAPHS[1]]
    assert cells_of(lines) == [False] + [True] * len(standings()) + [False]


def test_a_stats_table_whose_last_column_is_a_sentence_is_found():
    rows = []
    for name, plays, share, note in (("Jane Doe", "63", "85%", "1 tackle (1 combined). 1 sack."),
                                     ("John Roe", "57", "77%", "No stats registered."),
                                     ("Ann Poe", "49", "66%", "2 tackles, 1 assist (3 combined).")):
        rows += ["DL", name, plays, share, note]
    lines = [PARAGRAPHS[0], "Pos", "Player", "Plays", "%", "Stats", *rows, PARAGRAPHS[1]]
    assert cells_of(lines) == [False] + [True] * (5 + len(rows)) + [False]


@pytest.mark.parametrize("lines", [
    MENU * 3,                                                                     # a menu: no numbers
    [x for k, t in enumerate(PARAGRAPHS * 2) for x in (str(k + 1), t)],          # "most read": one number a row
    [x for t in PARAGRAPHS * 2 for x in (t, "22/10/2025 05:10")],                # headlines with their dates
    [str(year) for year in range(2024, 2000, -1)],                               # a list of years: no text column
    [PARAGRAPHS[0], "1", "Rovers", "14", "30", "2", "United", "14", PARAGRAPHS[1]],  # two rows: too few
], ids=["menu", "numbered-headlines", "dated-headlines", "years", "two-rows"])
def test_menus_numbered_lists_dated_headlines_and_short_runs_are_not_tables(lines):
    assert not any(cells_of(lines))


def test_a_table_between_the_article_paragraphs_is_kept_as_body():
    page = ["Coach stays for another season", *PARAGRAPHS[:2], *standings(), *PARAGRAPHS[2:], "Share", *MENU]
    result = cleaner.Cleaner(language="en").clean("\n".join(page))
    table = [line for line in result.lines if line.text in standings()]
    assert table and all(line.label is cleaner.Label.BODY and line.reasons[0] == "context.table" for line in table)
    assert "\nRovers\n14\n30\n" in result.text.replace("\n\n", "\n")
    assert PARAGRAPHS[3] in result.text and "Podcasts" not in result.text


def test_a_table_in_the_sidebar_past_a_menu_is_not_kept():
    page = ["Coach stays for another season", *PARAGRAPHS, "Share", *MENU, "League table", *standings(), *MENU]
    result = cleaner.Cleaner(language="en").clean("\n".join(page))
    assert all(PARAGRAPHS[k] in result.text for k in range(4))
    assert not any(line.reasons[0] == "context.table" for line in result.lines)
    assert "Rovers" not in result.text

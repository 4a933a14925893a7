"""Data tables in a page's text: the cells of a table that a scraper wrote one per line.

In: a page's lines. Out: per line, whether it is a cell of a data table. A table comes out of
a scraper as a run of lines whose shapes repeat with the table's width: "1 / Kyle Busch / 5040
/ 5 / 17" for every row of a standings table, "DL / Jane Doe / 63 / 85% / 1 tackle." for every
player of a stats table. A line's shape is whether it is a bare number; a run is a table when
its shapes repeat with a period of 3 to max_columns lines (the smallest period that fits) for
at least min_rows rows, and a row holds at least min_number_columns bare numbers. Menus (no
numbers), numbered lists of other stories ("1 / headline / 2 / headline": one number a row)
and lists of headlines with their dates (a date is not a bare number) are not tables.
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy

# A bare number: "5040", "85%", "1.5", "-3", "2,339"; a dash stands for an empty numeric cell.
_NUMBER = re.compile(r"[-+−]?\d+(?:[.,]\d+)*\s?[%％]?|[-–—]")
_MAX_NUMBER_CHARS = 16
# A text line at a table's edge is a cell unless it is longer than twice the cell a row away
# plus this many characters.
_CELL_SLACK_CHARS = 20


def table_cells(texts: Sequence[str], lengths: numpy.ndarray, digits: numpy.ndarray, words: numpy.ndarray,
                min_rows: int, max_columns: int, min_number_columns: int, header_rows: int,
                header_max_words: int) -> numpy.ndarray:
    """Return, per line, whether it is a cell of a data table (blank lines are never cells).

    lengths, digits, words: per line, its characters without surrounding whitespace, its digits
    and its words. The short lines right above a table, as many as header_rows rows hold, are
    its header ("Pos / Player / Plays / %"; a page may write it twice, as a sticky copy).
    """
    n = len(texts)
    cells = numpy.zeros(n, dtype=bool)
    candidates = numpy.flatnonzero((lengths > 0) & (lengths <= _MAX_NUMBER_CHARS) & ((digits > 0) | (lengths == 1)))
    numeric = [i for i in candidates.tolist() if _NUMBER.fullmatch(texts[i].strip())]
    if len(numeric) < min_rows * min_number_columns:   # most pages: too few numbers for a table
        return cells
    rows = numpy.flatnonzero(lengths)       # the non-blank lines; from here on, positions among them
    shape = numpy.zeros(n, dtype=numpy.int8)
    shape[numeric] = 1
    shape, size, short = shape[rows], lengths[rows], words[rows] <= header_max_words   # shape: 1 a bare number
    m = len(shape)
    covered = numpy.zeros(m, dtype=bool)
    for period in range(3, max_columns + 1):
        if m < period * min_rows:
            break
        same = shape[:-period] == shape[period:]   # same[j]: line j has the shape of line j + period
        for start, stop in runs(same, period * (min_rows - 1)):
            row = shape[start:start + period].tolist()
            if not (min_number_columns <= sum(row) < period and _smallest_period(row) == period):
                continue
            start, length = _trim(start, stop - start + period, period, shape, size)
            if length < period * min_rows:
                continue
            covered[start:start + length] = True
            header = start - 1
            while header >= max(0, start - header_rows * period) and not covered[header] \
                    and shape[header] == 0 and short[header]:
                covered[header] = True
                header -= 1
    cells[rows[covered]] = True
    return cells


def _trim(start: int, length: int, period: int, shape: numpy.ndarray, size: numpy.ndarray) -> tuple[int, int]:
    """Return the run without the text lines at its ends that are far longer than the cell a row
    away: a paragraph right before or after a table whose outer column is text ("DL" the column,
    "There is a lot to sort through here. ..." the paragraph) shapes like a cell of it."""
    numbers = numpy.flatnonzero(shape[start:start + length]) + start
    first, last = int(numbers[0]), int(numbers[-1])
    stop = start + length
    for j in range(max(last + 1, start + period), stop):
        if size[j] > 2 * size[j - period] + _CELL_SLACK_CHARS:
            stop = j
            break
    for j in range(min(first, stop - period) - 1, start - 1, -1):
        if size[j] > 2 * size[j + period] + _CELL_SLACK_CHARS:
            start = j + 1
            break
    return start, stop - start


def runs(flags: numpy.ndarray, min_length: int = 1) -> list[tuple[int, int]]:
    """Return the [start, stop) of every run of True in flags at least min_length long."""
    edges = numpy.flatnonzero(numpy.diff(numpy.concatenate(([0], flags.astype(numpy.int8), [0]))))
    starts, stops = edges[::2], edges[1::2]
    long = stops - starts >= min_length
    return list(zip(starts[long].tolist(), stops[long].tolist()))


def _smallest_period(row: list[int]) -> int:
    """Return the smallest p such that row is a repetition of its first p shapes."""
    k = len(row)
    return next(p for p in range(1, k + 1) if k % p == 0 and row == row[:p] * (k // p))

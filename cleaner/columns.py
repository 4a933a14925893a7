"""A page's LineFeatures as numpy rows, one per field: what the score, smooth and label stages read.

In: a page's LineFeatures. Out: a read-only float matrix (a row per field, flags as 0/1, a
column per line) and the same rows by field name. Converting a page's Python values to numpy
costs more than most of what the stages then do with them, and all three stages read the same
page: the last page's rows are remembered, so each page is converted once.
"""
from __future__ import annotations

from typing import Sequence, get_type_hints

import numpy

from .caches import register
from .model import LineFeatures

FIELD = {name: k for k, name in enumerate(LineFeatures._fields)}
"""The row of each LineFeatures field in a feature_table."""

# How each field's values are read: flags (0 or 1) as bool, counts as int64, shares as float64.
_READ_AS = [{bool: numpy.bool_, int: numpy.int64, float: numpy.float64}[kind]
            for kind in get_type_hints(LineFeatures).values()]

# The last page's features (a tuple, which cannot change), its table and its columns.
_last: tuple[Sequence[LineFeatures], numpy.ndarray, LineFeatures] | None = None


def _remember(features: Sequence[LineFeatures]) -> tuple[numpy.ndarray, LineFeatures]:
    """Return the table and columns of a page's features, made once for the last page seen."""
    global _last
    last = _last
    if last is not None and last[0] is features:
        return last[1], last[2]
    n = len(features)
    if n:   # field by field, each read in its own type (cheaper than reading every value as a float)
        table = numpy.array([numpy.fromiter(values, dtype, n) for values, dtype in zip(zip(*features), _READ_AS)],
                            dtype=numpy.float64)
    else:
        table = numpy.zeros((len(LineFeatures._fields), 0))
    table.flags.writeable = False
    columns = LineFeatures._make(table)
    if type(features) is tuple:
        _last = (features, table, columns)
    return table, columns


def feature_table(features: Sequence[LineFeatures]) -> numpy.ndarray:
    """Return a page's features as one read-only float matrix: a row per field (flags as 0/1), a column per line."""
    return _remember(features)[0]


def feature_columns(features: Sequence[LineFeatures]) -> LineFeatures:
    """Return a page's features by field: a LineFeatures whose every field is that field's row of floats."""
    return _remember(features)[1]


@register
def forget_tables() -> None:
    """Forget the last page's table."""
    global _last
    _last = None

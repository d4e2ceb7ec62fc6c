"""Spans of an article's text, asked about in logarithmic time.

Reading an article asks again and again whether a place or a stretch of its text falls in
one of many spans: a block in the reference list, an identifier inside a link, a sentence
over a reviewed claim. A reference list of thousands of entries makes thousands of
spans, and testing each one against each of thousands of places took minutes; the spans
are merged and sorted once here, and each question is a binary search.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence


class Spans:
    """``(start, end)`` character spans, ``start`` included and ``end`` not.

    Empty spans hold nothing and are dropped; overlapping ones are merged.

    >>> spans = Spans([(10, 20), (0, 5), (15, 30)])
    >>> spans.covers(4), spans.covers(5), spans.covers(29)
    (True, False, True)
    >>> spans.overlaps(5, 10), spans.overlaps(5, 11)
    (False, True)
    """

    def __init__(self, spans: Iterable[tuple[int, int]]):
        merged: list[list[int]] = []
        for start, end in sorted(s for s in spans if s[0] < s[1]):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def covers(self, position: int) -> bool:
        """Whether a span holds ``position``."""
        i = bisect_right(self._starts, position) - 1
        return i >= 0 and position < self._ends[i]

    def overlaps(self, start: int, end: int) -> bool:
        """Whether a span shares a character with ``start:end``."""
        i = bisect_left(self._starts, end) - 1  # the last span that starts before ``end``
        return i >= 0 and start < self._ends[i]


def starting_within(starts: Sequence[int], start: int, end: int) -> slice:
    """The items, by position in ``starts`` (sorted), that start in ``start:end``.

    >>> starting_within([1, 4, 4, 9], 4, 9)
    slice(1, 3, None)
    """
    return slice(bisect_left(starts, start), bisect_left(starts, end))

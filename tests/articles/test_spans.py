"""Spans answer as testing every span one by one would, in logarithmic time."""

import random

import pytest

from litkit.articles.spans import Spans, starting_within


def _random_spans(rng: random.Random, n: int) -> list[tuple[int, int]]:
    spans = []
    for _ in range(n):
        start = rng.randrange(0, 200)
        spans.append((start, start + rng.randrange(0, 15)))  # some empty, some overlapping
    return spans


@pytest.mark.parametrize("seed", range(20))
def test_spans_answer_as_a_scan_of_every_span_does(seed):
    rng = random.Random(seed)
    raw = _random_spans(rng, rng.randrange(0, 40))
    spans = Spans(raw)
    # An empty span holds nothing, so Spans drops it. (The scans it replaced counted an
    # empty span strictly inside a stretch as an overlap; none of their spans was empty.)
    raw = [(a, b) for a, b in raw if a < b]
    for position in range(-2, 220):
        assert spans.covers(position) == any(a <= position < b for a, b in raw)
    for start in range(-2, 220, 3):
        for end in range(start + 1, start + 20):
            assert spans.overlaps(start, end) == any(start < b and a < end for a, b in raw)


def test_no_spans_hold_nothing():
    assert not Spans([]).covers(0) and not Spans([]).overlaps(0, 10)


@pytest.mark.parametrize("seed", range(10))
def test_starting_within_picks_what_a_scan_picks(seed):
    rng = random.Random(seed)
    starts = sorted(rng.randrange(0, 100) for _ in range(rng.randrange(0, 30)))
    for start in range(0, 100, 7):
        for end in range(start, 110, 5):
            picked = starts[starting_within(starts, start, end)]
            assert picked == [s for s in starts if start <= s < end]

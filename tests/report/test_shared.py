"""The words and the column check that the views (pages, notebooks) and the plots share."""

import pandas as pd
import pytest

from litkit.report.shared import require_columns, words
from litkit.vocabulary import CERTAINTIES, DESIGNS, DIRECTIONS, VERDICTS


def test_words_write_every_charted_vocabulary_value_as_a_clinician_reads_it():
    assert [words(d) for d in DESIGNS] == [
        "systematic review",
        "RCT",
        "controlled trial",
        "cohort",
        "case-control",
        "cross-sectional",
        "case series",
        "case report",
        "guideline",
        "narrative review",
        "protocol",
        "commentary",
        "unclassified",
    ]
    assert [words(v) for v in VERDICTS] == [
        "contradicted",
        "overstated",
        "under-cited",
        "uncited",
        "understated",
        "supported",
        "not graded",
    ]
    assert [words(c) for c in CERTAINTIES] == ["high", "moderate", "low", "very low", "none"]
    assert [words(d) for d in DIRECTIONS] == ["favours", "mixed", "no benefit", "harm"]


@pytest.mark.parametrize("value", [None, pd.NA, float("nan"), "", "  "])
def test_words_of_a_missing_value_are_empty(value):
    assert words(value) == ""


def test_a_missing_column_is_named_and_the_view_to_use_only_when_given():
    table = pd.DataFrame({"a": [1]})
    with pytest.raises(ValueError, match=r"^table is missing column\(s\): b, c$"):
        require_columns(table, ("a", "b", "c"))
    with pytest.raises(ValueError, match=r"missing column\(s\): b; shape it with .*views\.rows$"):
        require_columns(table, ("b",), shaped_by="rows")
    require_columns(table, ("a",))

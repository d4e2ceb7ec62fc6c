"""Works' short labels: "Author Year" per DOI, told apart with a, b, c where two coincide."""

import pandas as pd

from litkit.analysis.works import with_suffixes, work_labels
from rows import appraisal, grade


def _works(dois, authors, years) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doi": pd.array(dois, dtype="string"),
            "first_author": pd.array(authors, dtype="string"),
            "year": pd.array(years, dtype="Int64"),
        }
    )


def test_each_doi_is_labelled_by_its_first_author_and_year():
    works = _works(["10.1/a", "10.1/b", pd.NA], ["Bell", "Cohen", "Dunn"], [2018, 2020, 2021])
    assert work_labels(works) == {"10.1/a": "Bell 2018", "10.1/b": "Cohen 2020"}


def test_a_work_without_a_year_is_labelled_by_its_author_alone():
    assert work_labels(_works(["10.1/a"], ["Bell"], [pd.NA])) == {"10.1/a": "Bell"}


def test_a_work_without_a_first_author_is_named_by_its_doi_in_the_grading():
    labels = work_labels(_works(["10.1/a"], [pd.NA], [pd.NA]))
    assert labels == {}
    # Not "<NA> <NA>": the grading names a work it has no label for by its DOI.
    assert grade(appraisal(doi="10.1/a"), work_labels=labels).loc[0, "work"] == "10.1/a"


def test_labels_two_works_share_get_a_b_c_in_order_and_others_none():
    labels = ["Smith 2020", "Bell 2018", "Smith 2020", "Smith 2020"]
    assert with_suffixes(labels) == ["Smith 2020a", "Bell 2018", "Smith 2020b", "Smith 2020c"]
    assert with_suffixes([]) == []

"""DOI extraction and normalisation."""

import pytest

from litkit.doi import extract_dois, is_doi, normalize_doi


@pytest.mark.parametrize("text, expected", [
    ("https://doi.org/10.1097/pr9.0000000000000674", "10.1097/pr9.0000000000000674"),
    ("http://dx.doi.org/10.1111/BCP.12094", "10.1111/bcp.12094"),
    ("https://www.doi.org/10.1111/bcp.12094", "10.1111/bcp.12094"),
    ("doi:10.4037/ccn2020419", "10.4037/ccn2020419"),
    ("DOI: 10.4037/CCN2020419", "10.4037/ccn2020419"),
    ("info:doi/10.1000/182", "10.1000/182"),
    ("urn:doi:10.1000/182", "10.1000/182"),
    ("https://onlinelibrary.wiley.com/doi/full/10.1111/bcp.12094", "10.1111/bcp.12094"),
    ("https://journals.sagepub.com/doi/abs/10.1177/0300060520903653", "10.1177/0300060520903653"),
    ("https://www.frontiersin.org/articles/10.3389/fphar.2020.599721/full", "10.3389/fphar.2020.599721"),
    ("https://doi.org/10.1016%2FS0140-6736%2820%2930183-5", "10.1016/s0140-6736(20)30183-5"),
    ("10.1016/S0140-6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),
    ("(see 10.1016/s0140-6736(20)30183-5)", "10.1016/s0140-6736(20)30183-5"),
    ("(doi:10.1000/abc)", "10.1000/abc"),
    ("[10.1000/abc]", "10.1000/abc"),
    ("10.1000/abc.", "10.1000/abc"),
    ("10.1000/abc,", "10.1000/abc"),
    ("10.1000/abc;", "10.1000/abc"),
    ("“10.1000/abc”", "10.1000/abc"),
    ("'10.1000/abc'", "10.1000/abc"),
    ("https://doi.org/10.1000/abc?utm_source=x&y=1", "10.1000/abc"),
    ("https://doi.org/10.1000/abc#section-2", "10.1000/abc"),
    ("&lt;https://doi.org/10.1000/abc&gt;", "10.1000/abc"),
    ("https://doi.org/10.1000/a&amp;b", "10.1000/a&b"),
    ("10.1000.10/abc", "10.1000.10/abc"),
    ("10.1002/(sici)1097-0258(19980815/30)17:15/16<1661::aid-sim968>3.0.co;2-2",
     "10.1002/(sici)1097-0258(19980815/30)17:15/16"),  # angle brackets end a DOI in text
])
def test_forms_of_a_doi_normalise_to_one(text, expected):
    assert extract_dois(text) == [expected]


@pytest.mark.parametrize("text", [
    "10.12/3",                      # registrant code too short
    "john@10.1000.com",             # an e-mail address
    "ISBN 978-0-12-345678-9",
    "ISBN 0-19-852663-6",
    "PMID: 31234567",
    "PMCID: PMC7654321",
    "10.1000/",                     # a prefix without a suffix
    "version 110.1000/abc",         # not at a boundary
    "see https://example.org/10.1000.html",
])
def test_things_that_only_look_like_dois_are_not_dois(text):
    assert extract_dois(text) == []


def test_html_finds_each_doi_once_in_order_of_first_appearance():
    html = """<p>First <a href="https://doi.org/10.1000/B">10.1000/b</a>,
    then <a href='https://dx.doi.org/10.1000/a'>doi:10.1000/A</a>.</p>"""
    assert extract_dois(html) == ["10.1000/b", "10.1000/a"]


def test_markdown_links_and_autolinks():
    md = ("A [review](https://doi.org/10.1000/xyz_1) and <https://doi.org/10.1000/abc>, "
          "escaped 10.1000/under\\_score and *10.1000/emph*.")
    assert extract_dois(md) == ["10.1000/xyz_1", "10.1000/abc", "10.1000/under_score", "10.1000/emph"]


def test_unbalanced_closing_bracket_is_stripped_but_balanced_kept():
    assert extract_dois("(10.1000/abc(1))") == ["10.1000/abc(1)"]
    assert extract_dois("10.1000/abc)") == ["10.1000/abc"]


def test_the_first_article_yields_its_seven_dois(project_root):
    text = (project_root / "data/raw/articles/A-azdrug-health-guide.txt").read_text()
    assert len(extract_dois(text)) == 7


def test_normalize_doi_rejects_text_with_no_doi_naming_it():
    with pytest.raises(ValueError, match="not a DOI: 'PMID 123'"):
        normalize_doi("PMID 123")


def test_normalize_doi_rejects_two_dois():
    with pytest.raises(ValueError, match="2 DOIs"):
        normalize_doi("10.1000/a 10.1000/b")


def test_is_doi():
    assert is_doi("10.1000/xyz")
    assert not is_doi("10.12/3")

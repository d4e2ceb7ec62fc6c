"""DOI extraction and normalisation."""

import gzip
import json
from pathlib import Path

import pytest

from litkit.doi import extract_dois, is_doi, iter_dois, normalize_doi
from litkit.textfile import iter_text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("https://doi.org/10.1097/pr9.0000000000000674", "10.1097/pr9.0000000000000674"),
        ("http://dx.doi.org/10.1111/BCP.12094", "10.1111/bcp.12094"),
        ("https://www.doi.org/10.1111/bcp.12094", "10.1111/bcp.12094"),
        ("doi:10.4037/ccn2020419", "10.4037/ccn2020419"),
        ("DOI: 10.4037/CCN2020419", "10.4037/ccn2020419"),
        ("info:doi/10.1000/182", "10.1000/182"),
        ("urn:doi:10.1000/182", "10.1000/182"),
        ("https://onlinelibrary.wiley.com/doi/full/10.1111/bcp.12094", "10.1111/bcp.12094"),
        (
            "https://journals.sagepub.com/doi/abs/10.1177/0300060520903653",
            "10.1177/0300060520903653",
        ),
        (
            "https://www.frontiersin.org/articles/10.3389/fphar.2020.599721/full",
            "10.3389/fphar.2020.599721",
        ),
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
        ("<https://doi.org/10.1000/abc>", "10.1000/abc"),  # a Markdown autolink
        ("10.1000/abc<br>", "10.1000/abc"),  # an HTML tag
    ],
)
def test_forms_of_a_doi_normalise_to_one(text, expected):
    assert extract_dois(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "10.12/3",  # registrant code too short
        "john@10.1000.com",  # an e-mail address
        "ISBN 978-0-12-345678-9",
        "ISBN 0-19-852663-6",
        "PMID: 31234567",
        "PMCID: PMC7654321",
        "10.1000/",  # a prefix without a suffix
        "version 110.1000/abc",  # not at a boundary
        "see https://example.org/10.1000.html",
    ],
)
def test_things_that_only_look_like_dois_are_not_dois(text):
    assert extract_dois(text) == []


def test_html_finds_each_doi_once_in_order_of_first_appearance():
    html = """<p>First <a href="https://doi.org/10.1000/B">10.1000/b</a>,
    then <a href='https://dx.doi.org/10.1000/a'>doi:10.1000/A</a>.</p>"""
    assert extract_dois(html) == ["10.1000/b", "10.1000/a"]


def test_markdown_links_and_autolinks():
    md = (
        "A [review](https://doi.org/10.1000/xyz_1) and <https://doi.org/10.1000/abc>, "
        "escaped 10.1000/under\\_score and *10.1000/emph*."
    )
    assert extract_dois(md) == [
        "10.1000/xyz_1",
        "10.1000/abc",
        "10.1000/under_score",
        "10.1000/emph",
    ]


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


# --- SICI DOIs, line breaks and glued words (text converted from PDF) -----------------------

SICI = "10.1002/(SICI)1097-4636(199706)35:4<427::AID-JBM2>3.0.CO;2-M"


@pytest.mark.parametrize(
    "text",
    [
        SICI,
        f"see {SICI}.",
        f"https://doi.org/{SICI.replace('<', '%3C').replace('>', '%3E')}",
        f"<a href='https://doi.org/{SICI.replace('<', '&lt;').replace('>', '&gt;')}'>x</a>",
    ],
)
def test_a_sici_doi_keeps_its_angle_brackets(text):
    assert extract_dois(text) == [SICI.lower()]


def test_a_second_sici_form_is_one_doi():
    doi = "10.1002/(sici)1097-0258(19980815/30)17:15/16<1661::aid-sim968>3.0.co;2-2"
    assert extract_dois(f"({doi})") == [doi]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10.1016/j.biopsych.\n2012.05.017", "10.1016/j.biopsych.2012.05.017"),
        ("10.1016/j.biopsych. \r\n   2012.05.017.", "10.1016/j.biopsych.2012.05.017"),
        ("10.1097/j.pain.\n0000000000002403", "10.1097/j.pain.0000000000002403"),
        ("10.1016/S0140-\n6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),
        ("10.1016/S0140\n-6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),
        ("10.1016/j\n.biopsych.2012.05.017", "10.1016/j.biopsych.2012.05.017"),
        ("https://doi.org/10.1016/\nj.biopsych.2012.05.017", "10.1016/j.biopsych.2012.05.017"),
        ("10.1016/\nS0140-\n6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),  # two breaks
    ],
)
def test_a_doi_broken_at_a_line_end_is_joined(text, expected):
    assert extract_dois(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "10.1000/abc.\nThe next sentence.",
        "10.1000/abc.\nthe next sentence.",
        "10.1000/abc\n2403 patients were seen.",
        "10.1000/abc.\n2. Smith J. A later reference.",
        "10.1000/abc.\n2019 was the year.",
        "10.1000/abc.\n\n2012.05.017",  # a blank line: a new paragraph, never a break
        "10.1000/abc.\n- a list item",
    ],
)
def test_an_ambiguous_line_end_is_the_end_of_the_doi(text):
    assert extract_dois(text) == ["10.1000/abc"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10.1097/j.pain.0000000000002403Received", "10.1097/j.pain.0000000000002403"),
        ("10.1097/j.pain.0000000000002403Received: 1 May 2021", "10.1097/j.pain.0000000000002403"),
        ("10.1097/j.pain.0000000000002403RECEIVED", "10.1097/j.pain.0000000000002403"),
        ("10.1186/s13063-019-3248-xPublished online", "10.1186/s13063-019-3248-x"),
        ("10.1000/123Keywords: pain", "10.1000/123"),
    ],
)
def test_a_heading_a_converter_glued_on_is_dropped(text, expected):
    assert extract_dois(text) == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10.1000/ABCReceived", "10.1000/abcreceived"),  # after a capital: cannot tell
        ("10.1000/123Foo", "10.1000/123foo"),  # not a heading
        ("10.1000/123received", "10.1000/123received"),  # not capitalised
    ],
)
def test_other_glued_text_is_kept(text, expected):
    assert extract_dois(text) == [expected]


# --- linear time and chunks ---------------------------------------------------------------


def test_a_megabyte_of_closing_brackets_after_a_doi_is_stripped(capsys):
    # Stripping recounted the brackets for each one: a quadratic loop that took minutes.
    assert extract_dois("10.1000/abc" + ")" * 1_000_000) == ["10.1000/abc"]
    assert extract_dois("(10.1000/abc(1)" + "))" * 500_000) == ["10.1000/abc(1)"]


@pytest.mark.parametrize(
    "text",
    [
        "10.1000/<" + ":" * 100_000,  # an angle bracket that never closes
        "10.1234" + ".1" * 100_000,  # sub-codes that never reach a slash
        "10.1000/" + "-\n" * 50_000,  # hyphens at line ends, joined again and again
    ],
)
def test_no_input_makes_the_pattern_backtrack(text):
    assert len(extract_dois(text)) <= 1


SAMPLE = (
    "Intro https://doi.org/10.1097/PR9.0000000000000674. A&amp;B "
    "<a href='https://doi.org/10.1000/a&amp;b'>x</a> broken 10.1016/j.biopsych.\r\n"
    "  2012.05.017 and 10.1016/S0140-\n6736(20)30183-5), " + SICI + " doi:10.4037/ccn2020419"
    "Received\nhttps://onlinelibrary.wiley.com/doi/full/10.1111/bcp.12094 end"
)


def test_a_doi_split_across_two_pieces_is_found_wherever_the_split_falls():
    expected = list(iter_dois([SAMPLE]))
    assert len(expected) == 7
    for cut in range(len(SAMPLE) + 1):
        assert list(iter_dois([SAMPLE[:cut], SAMPLE[cut:]])) == expected, cut


def test_text_given_one_character_at_a_time_gives_the_same_dois():
    assert list(iter_dois(SAMPLE)) == list(iter_dois([SAMPLE]))


def test_pieces_without_white_space_wait_for_the_rest_of_the_word():
    assert list(iter_dois(["10.", "1000", "/abc", "def"])) == ["10.1000/abcdef"]


@pytest.mark.parametrize("chunk_bytes", [1, 2, 3, 7, 64, 1 << 20])
def test_a_file_read_in_chunks_gives_the_dois_of_the_whole_text(tmp_path, chunk_bytes):
    path = tmp_path / "a.html"
    path.write_text("café — " + SAMPLE + " €", encoding="utf-8")
    assert list(iter_dois(iter_text(path, chunk_bytes=chunk_bytes))) == list(iter_dois([SAMPLE]))


def _scanned(value: str) -> list[str]:
    """What the general path finds in ``value``: the whole scan, no shortcut."""
    return extract_dois(value.strip())


def _recorded_dois() -> list[str]:
    with gzip.open(Path(__file__).parent / "data/crossref/works.jsonl.gz", "rt") as lines:
        return [json.loads(line)["DOI"] for line in lines]


@pytest.mark.parametrize(
    "suffixes",
    [
        "",
        ".",
        ").",
        "]",
        ",",
        ";",
        "Abstract",
        "KEYWORDS",
        "abstract",
        "'",
        "”",
        "(",
        ")",
        "/full",
        "::",
        "<",
        "#x",
        "?x",
    ],
)
def test_a_bare_doi_normalises_as_the_whole_scan_finds_it(suffixes):
    # The shortcut for values that are a DOI already must agree with the scan on every
    # recorded DOI, written as it is, in capitals and with what text may leave at its end.
    for doi in _recorded_dois():
        for value in (doi + suffixes, doi.upper() + suffixes, f" {doi}{suffixes} "):
            found = _scanned(value)
            if len(found) == 1:
                assert normalize_doi(value) == found[0], value
            else:
                with pytest.raises(ValueError):
                    normalize_doi(value)

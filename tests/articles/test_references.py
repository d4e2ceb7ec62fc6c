"""Reference lists: entries found, printed fields parsed per style, markers tied to entries."""

import pytest

from litkit.articles.extract import from_markdown, from_text
from litkit.articles.references import inline_markers, parse_reference, reference_list


@pytest.mark.parametrize(
    "entry, style, expected",
    [
        (
            "Niesters, Marieke, et al. \u201cKetamine for Chronic Pain: Risks and Benefits.\u201d British "
            "Journal of Clinical Pharmacology, vol. 77, no. 2, Jan. 2014, pp. 357\u201367, "
            "https://doi.org/10.1111/bcp.12094. Accessed 30 Apr. 2023.",
            "mla",
            {
                "authors": "Niesters, Marieke; et al.",
                "title": "Ketamine for Chronic Pain: Risks and Benefits",
                "journal": "British Journal of Clinical Pharmacology",
                "volume": "77",
                "issue": "2",
                "pages": "357\u201367",
                "year": "2014",
                "month": "Jan",
            },
        ),
        (
            "Smith, J. A., Doe, B., & Roe, C. (2020). Vitamin D and colds: A trial. Journal of Things, "
            "12(3), 45\u201367. https://doi.org/10.1000/x",
            "apa",
            {
                "authors": "Smith, J. A.; Doe, B.; Roe, C.",
                "title": "Vitamin D and colds: A trial",
                "journal": "Journal of Things",
                "volume": "12",
                "issue": "3",
                "pages": "45\u201367",
                "year": "2020",
                "month": "",
            },
        ),
        (
            "Smith, J. and Doe, B. (2019) 'Vitamin D and colds', Journal of Things, 12(3), pp. 45-67.",
            "harvard",
            {
                "authors": "Smith, J.; Doe, B.",
                "title": "Vitamin D and colds",
                "journal": "Journal of Things",
                "volume": "12",
                "issue": "3",
                "pages": "45-67",
                "year": "2019",
                "month": "",
            },
        ),
        (
            "Martineau AR, Jolliffe DA, Hooper RL, et al. Vitamin D supplementation to prevent acute "
            "respiratory tract infections. BMJ. 2017 Feb 15;356:i6583. doi:10.1136/bmj.i6583",
            "vancouver",
            {
                "authors": "Martineau, AR; Jolliffe, DA; Hooper, RL; et al.",
                "title": "Vitamin D supplementation to prevent acute respiratory tract infections",
                "journal": "BMJ",
                "volume": "356",
                "issue": "",
                "pages": "i6583",
                "year": "2017",
                "month": "Feb",
            },
        ),
        (
            "Brown K, Tucker C. Ketamine for acute pain. Crit Care Nurse. 2020;40(5):e26-e32.",
            "vancouver",
            {
                "authors": "Brown, K; Tucker, C",
                "title": "Ketamine for acute pain",
                "journal": "Crit Care Nurse",
                "volume": "40",
                "issue": "5",
                "pages": "e26-e32",
                "year": "2020",
                "month": "",
            },
        ),
    ],
)
def test_each_style_gives_its_printed_fields(entry, style, expected):
    fields = parse_reference(entry)
    assert fields.pop("style") == style
    assert fields == expected


def test_an_entry_no_style_fits_is_unparsed_not_guessed():
    fields = parse_reference("World Health Organization website, read in spring")
    assert fields["style"] == "unparsed" and not any(v for k, v in fields.items() if k != "style")


def test_a_bulleted_list_of_citations_without_a_heading_is_a_reference_list():
    text = (
        "Intro with claims.\n\nSide effects:\n\n  \u2022 Nausea\n  \u2022 Dizziness\n\n"
        "  \u2022 Smith, J. (2020). One title. Journal A, 1(2), 3-4. https://doi.org/10.1000/a\n"
        "  \u2022 Doe, B. (2019). Two title. Journal B, 5, 6. PMID: 123456\n"
    )
    doc = from_text(text)
    refs = reference_list(doc)
    assert [r.number for r in refs] == [1, 2]
    assert [text[r.start : r.end] for r in refs] == [r.text for r in refs]
    assert refs[0].text.startswith("Smith, J. (2020)")
    assert [(f.type, f.identifier) for r in refs for f in r.identifiers] == [
        ("doi", "10.1000/a"),
        ("pmid", "123456"),
    ]


def test_a_list_of_symptoms_is_not_a_reference_list():
    doc = from_text("Effects:\n\n  \u2022 Nausea in 2020\n  \u2022 Dizziness\n")
    assert reference_list(doc) == []


def test_numbered_markers_and_superscripts_name_entries():
    doc = from_markdown(
        "Claim one [1]. Claim two [2, 3]. Claim three [1-3]. Claim four<sup>2</sup>. "
        "Not a ref [9].\n\n## References\n\n"
        "1. Smith J. One. J A. 2020;1:2.\n2. Doe B. Two. J B. 2019;3:4.\n3. Roe C. Three. J C. 2018;5:6.\n"
    )
    refs = reference_list(doc)
    assert [r.number for r in refs] == [1, 2, 3]
    markers = inline_markers(doc, refs)
    assert [(doc.text[m.start : m.end], m.numbers) for m in markers] == [
        ("[1]", (1,)),
        ("[2, 3]", (2, 3)),
        ("[1-3]", (1, 2, 3)),
        ("2", (2,)),
    ]


def test_author_year_markers_name_entries_by_first_author_and_year():
    doc = from_markdown(
        "It helps (Smith et al., 2020). It harms (Doe and Roe 2019; Smith 2020). "
        "Unknown (Nobody, 2001).\n\n# Sources\n\n"
        "- Smith, J., & Lee, K. (2020). One. Journal A, 1(2), 3-4.\n"
        "- Doe, B., & Roe, C. (2019). Two. Journal B, 5, 6.\n"
    )
    refs = reference_list(doc)
    markers = inline_markers(doc, refs)
    assert [(doc.text[m.start : m.end], m.numbers) for m in markers] == [
        ("(Smith et al., 2020)", (1,)),
        ("(Doe and Roe 2019; Smith 2020)", (2, 1)),
    ]

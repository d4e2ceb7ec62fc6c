"""Finding cited works' identifiers in links and running text, in their normal forms."""

import pytest

from litkit.articles.extract import from_markdown
from litkit.articles.identifiers import (
    identifiers_in_document,
    identifiers_in_text,
    identifiers_in_url,
    normalize,
    rules,
    unique,
    unwrap,
)
from litkit.cli import main
from litkit.vocabulary import IDENTIFIER_TYPES

# Links that name a scholarly work, and the work they name as type:identifier.
LINKED_WORKS = {
    "https://pubmed.ncbi.nlm.nih.gov/32927735/": "pmid:32927735",
    "https://pubmed.ncbi.nlm.nih.gov/32927735": "pmid:32927735",
    "https://www.ncbi.nlm.nih.gov/pubmed/32927735": "pmid:32927735",
    "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC3166406/": "pmcid:PMC3166406",
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC6181464/?term=x": "pmcid:PMC6181464",
    "https://europepmc.org/article/MED/32927735": "pmid:32927735",
    "https://europepmc.org/article/PMC/PMC3166406": "pmcid:PMC3166406",
    "https://www.ncbi.nlm.nih.gov/books/NBK470357/": "nbk:NBK470357",
    "https://arxiv.org/abs/2101.00001v2": "arxiv:2101.00001",
    "https://arxiv.org/pdf/hep-th/9901001v1.pdf": "arxiv:hep-th/9901001",
    "https://www.sciencedirect.com/science/article/pii/S0006322312005574": "pii:S0006322312005574",
    "https://www.sciencedirect.com/science/article/abs/pii/S0006322312005574?via%3Dihub": "pii:S0006322312005574",
    "https://linkinghub.elsevier.com/retrieve/pii/S0006-3223(12)00557-4": "pii:S0006322312005574",
    "https://www.thelancet.com/journals/lancet/article/PIIS0140-6736(20)30183-5/fulltext": "pii:S0140673620301835",
    "https://www.biologicalpsychiatryjournal.com/article/S0006-3223(12)00557-4/fulltext": "pii:S0006322312005574",
    "https://www.nature.com/articles/s41586-020-2012-7": "doi:10.1038/s41586-020-2012-7",
    "https://www.nature.com/articles/nature12373.pdf": "doi:10.1038/nature12373",
    "https://bmcmedicine.biomedcentral.com/articles/10.1186/s12916-020-01580-5": "doi:10.1186/s12916-020-01580-5",
    "https://www.bmj.com/content/356/bmj.i6583": "doi:10.1136/bmj.i6583",
    "https://pmj.bmj.com/content/early/2020/11/12/postgradmedj-2020-139065": "doi:10.1136/postgradmedj-2020-139065",
    "https://journals.plos.org/plosone/article/figure?id=10.1371/journal.pone.0239252.g002": "doi:10.1371/journal.pone.0239252",
    "https://doi.org/10.1371/journal.pone.0239252.g002": "doi:10.1371/journal.pone.0239252",
    "https://www.mdpi.com/2072-6643/12/11/3377": "doi:10.3390/nu12113377",
    "https://www.mdpi.com/2072-6643/12/4/988/htm": "doi:10.3390/nu12040988",
    "https://www.medrxiv.org/content/10.1101/2020.11.16.20232397v1": "doi:10.1101/2020.11.16.20232397",
    "https://www.medrxiv.org/content/10.1101/2020.09.08.20190975v3.full.pdf": "doi:10.1101/2020.09.08.20190975",
    "https://www.biorxiv.org/content/10.1101/123456v2": "doi:10.1101/123456",
    "https://febs.onlinelibrary.wiley.com/doi/full/10.1111/febs.15495": "doi:10.1111/febs.15495",
    "https://link.springer.com/article/10.1007/s00394-020-02372-4": "doi:10.1007/s00394-020-02372-4",
}


@pytest.mark.parametrize("url, expected", LINKED_WORKS.items())
def test_a_link_names_its_work(url, expected):
    assert [f"{f.type}:{f.identifier}" for f in identifiers_in_url(url)] == [expected]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.cebm.net/covid-19/effect-of-latitude-on-covid-19/",
        "https://twitter.com/jaralaus/status/1303666136261832707",
        "https://amzn.to/3cV85mL",
        "https://www.cdc.gov/coronavirus/2019-ncov/covid-data/index.html",
        "https://example.org/image.jpeg",
        "https://www.nature.com/",
        "https://www.nature.com/subjects/virology",
        "https://www.mdpi.com/journal/nutrients",
        # A PII look-alike whose ISSN check digit fails is not a PII.
        "https://www.sciencedirect.com/science/article/pii/S0006322412005574",
    ],
)
def test_a_link_to_no_scholarly_work_names_none(url):
    assert identifiers_in_url(url) == []


@pytest.mark.parametrize(
    "wrapped, inner",
    [
        (
            "https://sci-hub.st/https://pubmed.ncbi.nlm.nih.gov/32851419/",
            "https://pubmed.ncbi.nlm.nih.gov/32851419/",
        ),
        (
            "https://www.google.com/url?q=https%3A%2F%2Fdoi.org%2F10.1000%2Fx&sa=D",
            "https://doi.org/10.1000/x",
        ),
        (
            "https://web.archive.org/web/2021/https://www.bmj.com/content/356/bmj.i6583",
            "https://www.bmj.com/content/356/bmj.i6583",
        ),
        (
            "https://www-ncbi-nlm-nih-gov.ezproxy.lib.example.edu/pmc/articles/PMC3166406/",
            "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC3166406/",
        ),
        ("https://pubs-rsc--org.ezproxy.example.edu/x", "https://pubs.rsc-org/x"),
    ],
)
def test_proxy_and_mirror_wrappers_are_unwrapped(wrapped, inner):
    assert unwrap(wrapped) == inner


def test_a_wrapped_link_keeps_its_own_url_but_names_the_inner_work():
    [found] = identifiers_in_url("https://sci-hub.st/https://www.mdpi.com/2072-6643/12/11/3377")
    assert (found.type, found.identifier) == ("doi", "10.3390/nu12113377")
    assert found.url.startswith("https://sci-hub.st/")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PMID: 32927735.", [("pmid", "32927735")]),
        ("PMID 32927735", [("pmid", "32927735")]),
        ("PMCID: PMC3166406", [("pmcid", "PMC3166406")]),
        ("see NBK470357", [("nbk", "NBK470357")]),
        ("arXiv:2101.00001v3 [cs.CL]", [("arxiv", "2101.00001")]),
        ("ISBN 978-0-306-40615-7", [("isbn", "9780306406157")]),
        ("ISBN-10: 0-306-40615-2", [("isbn", "9780306406157")]),
        ("ISBN 978-0-306-40615-8", []),  # wrong check digit
        ("PII: S0006-3223(12)00557-4", [("pii", "S0006322312005574")]),
        ("doi:10.1101/2020.11.16.20232397v2", [("doi", "10.1101/2020.11.16.20232397")]),
        ("the pmc was high; 1234567", []),
    ],
)
def test_printed_identifiers_are_found(text, expected):
    assert [(f.type, f.identifier) for f in identifiers_in_text(text)] == expected


def test_printed_identifiers_have_their_place_in_the_text():
    text = "Smith (2020). PMID: 32927735."
    [found] = identifiers_in_text(text)
    assert text[found.start : found.end] == "PMID: 32927735" and found.url == ""


@pytest.mark.parametrize(
    "type_, value, expected",
    [
        ("doi", "HTTPS://DOI.ORG/10.1000/ABC", "10.1000/abc"),
        ("pmid", "0032927735", "32927735"),
        ("pmcid", "3166406", "PMC3166406"),
        ("pii", "s0006-3223(12)00557-4", "S0006322312005574"),
        ("arxiv", "arXiv:HEP-TH/9901001v2", "hep-th/9901001"),
        ("isbn", "978 0 306 40615 7", "9780306406157"),
        ("nbk", "nbk470357", "NBK470357"),
    ],
)
def test_normal_forms(type_, value, expected):
    assert normalize(type_, value) == expected


@pytest.mark.parametrize(
    "type_, value",
    [
        ("pmid", "0"),
        ("pmid", "12a"),
        ("pmcid", "PMCX"),
        ("pii", "S123"),
        ("isbn", "123"),
        ("doi", "10.12/3"),
        ("url", "x"),
    ],
)
def test_not_an_identifier_is_a_value_error(type_, value):
    with pytest.raises(ValueError):
        normalize(type_, value)


def test_every_rule_names_its_type_and_its_source():
    assert rules()
    for rule in rules():
        assert rule.type in IDENTIFIER_TYPES
        assert rule.where in ("url", "text", "doi")
        assert rule.source.strip(), rule.rule
        assert (rule.host is not None) == (rule.where == "url"), rule.rule


def test_unique_keeps_first_place_and_takes_a_later_links_url():
    doc = from_markdown(
        "doi:10.1000/x first, then [a link](https://doi.org/10.1000/X), "
        "then [PubMed](https://pubmed.ncbi.nlm.nih.gov/1/) and PMID: 1."
    )
    found = unique(identifiers_in_document(doc.text, doc.links))
    assert [(f.type, f.identifier, f.url) for f in found] == [
        ("doi", "10.1000/x", "https://doi.org/10.1000/X"),
        ("pmid", "1", "https://pubmed.ncbi.nlm.nih.gov/1/"),
    ]


def test_cites_prints_csv_of_each_work_once_in_order(tmp_path, capsys):
    md = tmp_path / "a.md"
    md.write_text(
        "---\ntitle: T\n---\n[A](https://pubmed.ncbi.nlm.nih.gov/32927735/) and "
        "[a blog](https://example.org/post) and [B](https://www.nature.com/articles/nm1234).\n"
    )
    txt = tmp_path / "b.txt"
    txt.write_text("PMID: 32927735. Also doi:10.1000/ABC and https://arxiv.org/abs/2101.00001.\n")
    html = tmp_path / "c.html"
    html.write_text(
        "<html><body><article><h1>T</h1><p>A long enough paragraph of text about "
        "a <a href='https://www.ncbi.nlm.nih.gov/pmc/articles/PMC3166406/'>study</a> "
        "that the page cites, with more words so that it counts as main text.</p>"
        "</article></body></html>"
    )
    assert main(["cites", str(md), str(txt), str(html)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "type,identifier,url",
        "pmid,32927735,https://pubmed.ncbi.nlm.nih.gov/32927735/",
        "doi,10.1038/nm1234,https://www.nature.com/articles/nm1234",
        "doi,10.1000/abc,",
        "arxiv,2101.00001,https://arxiv.org/abs/2101.00001",
        "pmcid,PMC3166406,https://www.ncbi.nlm.nih.gov/pmc/articles/PMC3166406/",
    ]


def test_cites_on_a_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main(["cites", str(tmp_path / "nope.md")]) == 2
    assert "nope.md" in capsys.readouterr().err

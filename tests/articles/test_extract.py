"""An article's text, links, headings and blocks from Markdown, HTML and plain text."""

from pathlib import Path

import pytest

from litkit.articles.extract import from_html, from_markdown, from_text, kind_of, read_document
from litkit.errors import UsageError

ESSAY = (
    Path(__file__).resolve().parents[2]
    / "examples/vitamin-d-covid/sources/vitamin-d-covid-essay.md"
)


def test_markdown_front_matter_is_metadata_not_text():
    doc = from_markdown(
        '---\ntitle: "A: title"\noriginal-url: https://example.org/p\n---\nBody text.\n'
    )
    assert doc.text == "Body text."
    assert doc.metadata == {"title": "A: title", "url": "https://example.org/p"}


def test_markdown_links_keep_anchor_text_and_its_place():
    doc = from_markdown(
        'Some _emphasis_ and a [**bold** link](https://x.org/a "t") here.\n\n'
        "![an image](https://x.org/i.png) and <https://x.org/auto>.\n"
    )
    assert doc.text == "Some emphasis and a bold link here.\n\n and https://x.org/auto."
    assert [(link.url, link.text) for link in doc.links] == [
        ("https://x.org/a", "bold link"),
        ("https://x.org/auto", "https://x.org/auto"),
    ]
    for link in doc.links:
        assert doc.text[link.start : link.end] == link.text


def test_markdown_headings_paragraphs_and_lists_are_blocks():
    doc = from_markdown(
        "# One\n\nFirst para\ncontinued.\n\n## Two\n\n- a\n- b\n\n"
        "1. first ref\n2. second ref\n\nAfter.\n"
    )
    assert doc.text == (
        "One\n\nFirst para continued.\n\nTwo\n\n  \u2022 a\n  \u2022 b\n\n"
        "  1. first ref\n  2. second ref\n\nAfter."
    )
    kinds = [(b.kind, doc.block_text(b), b.level, b.number) for b in doc.blocks]
    assert kinds == [
        ("heading", "One", 1, None),
        ("paragraph", "First para continued.", 0, None),
        ("heading", "Two", 2, None),
        ("item", "a", 0, None),
        ("item", "b", 0, None),
        ("item", "first ref", 0, 1),
        ("item", "second ref", 0, 2),
        ("paragraph", "After.", 0, None),
    ]


def test_markdown_superscripts_are_markers():
    doc = from_markdown("Stones<sup>2,3</sup> happen.\n")
    assert doc.text == "Stones2,3 happen."
    assert [doc.text[a:b] for a, b in doc.markers] == ["2,3"]


def test_bare_urls_in_markdown_text_are_links():
    doc = from_markdown("See https://doi.org/10.1000/x.\n")
    assert [(link.url, link.text) for link in doc.links] == [("https://doi.org/10.1000/x",) * 2]


def test_plain_text_is_kept_exactly():
    text = (
        "Title Line\n\nA paragraph. With https://doi.org/10.1000/x, a URL.\n\n"
        "  \u2022 Smith J. One. 2020.\n  \u2022 Doe A. Two. 2021.\n"
    )
    doc = from_text(text)
    assert doc.text == text
    assert [(b.kind, doc.block_text(b)) for b in doc.blocks] == [
        ("heading", "Title Line"),
        ("paragraph", "A paragraph. With https://doi.org/10.1000/x, a URL."),
        ("item", "  \u2022 Smith J. One. 2020."),
        ("item", "  \u2022 Doe A. Two. 2021."),
    ]
    assert [link.url for link in doc.links] == ["https://doi.org/10.1000/x"]


def test_numbered_plain_text_items_keep_their_numbers():
    doc = from_text("[1] Smith J. One.\n[2] Doe A. Two.\n")
    assert [b.number for b in doc.blocks] == [1, 2]


def test_html_main_text_comes_without_navigation():
    html = (
        "<html><head><title>T | Site</title><meta property='og:site_name' content='Site'>"
        "</head><body><nav><a href='/'>Home</a></nav><article><h1>The title</h1>"
        "<p>A paragraph long enough to be the main text, citing a "
        "<a href='https://pubmed.ncbi.nlm.nih.gov/1/'>trial</a> for its claim.</p>"
        + "<p>Another paragraph of the article, which goes on for a while so that the "
        "extractor can tell the article from the page around it.</p>"
        * 3
        + "</article><footer>Copyright</footer></body></html>"
    )
    doc = from_html(html)
    assert "Home" not in doc.text and "Copyright" not in doc.text
    assert doc.text.startswith("The title\n\nA paragraph")
    assert [(link.url, link.text) for link in doc.links] == [
        ("https://pubmed.ncbi.nlm.nih.gov/1/", "trial")
    ]
    assert doc.metadata["publisher"] == "Site"


def test_html_without_main_text_is_a_usage_error():
    with pytest.raises(UsageError, match="no main text"):
        from_html("<html><body></body></html>")


def test_kind_of_uses_the_suffix_then_the_content(tmp_path):
    assert kind_of(Path("a.md"), "") == "markdown"
    assert kind_of(Path("a.HTM"), "") == "html"
    assert kind_of(Path("saved"), "<!DOCTYPE html><html>") == "html"
    assert kind_of(Path("saved"), "Just words.") == "text"


def test_the_shared_essay_reads_with_every_link_in_place():
    doc = read_document(ESSAY)
    assert doc.metadata["title"].startswith("COVID/Vitamin D")
    assert len(doc.links) == 30
    assert all(doc.text[link.start : link.end] == link.text for link in doc.links)
    assert "](" not in doc.text and "original-url" not in doc.text


def test_a_list_of_more_than_999_items_is_still_a_list_of_items():
    """Regression: items numbered 1000 and up once made the whole list one paragraph."""
    text = "".join(f"{i}. https://doi.org/10.1000/{i}\n" for i in range(1, 1203))
    blocks = from_text(text).blocks
    assert len(blocks) == 1202 and {b.kind for b in blocks} == {"item"}
    assert blocks[-1].number == 1202

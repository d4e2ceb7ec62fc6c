"""The committed report, opened in a real browser (headless Chromium) from the file system.

Every page must load with no console error, make no request that leaves ``file://``, show
every image, and link only to files and anchors that exist; each annotated article must
highlight exactly its claims. Skipped, with the reason, where Chromium or Playwright is not
installed (``apt-get install chromium``; ``pip install playwright``; never
``playwright install``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from litkit.config import Paths
from litkit.processed import read_processed

ROOT = Path(__file__).resolve().parents[2]
# The first case's report and each example project's, all rendered by `make report`.
PROJECTS = [ROOT, *sorted(p.parent for p in (ROOT / "examples").glob("*/litkit.toml"))]
CHROMIUM = next(
    (
        p
        for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
        if p and Path(p).is_file()
    ),
    None,
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = [
    p.relative_to(ROOT).as_posix()
    for root in PROJECTS
    for p in sorted((root / "reports").glob("*.html"))
]
ARTICLE_PAGES = [p for p in PAGES if Path(p).name.startswith("article-")]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
    )
    if CHROMIUM is None:
        pytest.skip("no Chromium found: install Debian's `chromium` package to run browser tests")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """One page opened from the file system, with what it logged and requested."""

    def __init__(self, browser, name: str, screenshot: Path):
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto((ROOT / name).as_uri(), wait_until="load")
        self.page.screenshot(path=str(screenshot), full_page=True)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file://", "data:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def close(self):
        self.page.close()


@pytest.fixture(scope="module")
def visit(browser, tmp_path_factory):
    """Open a page once per module (screenshot kept in the test's tmp folder) and reuse it."""
    opened: dict[str, Visit] = {}
    folder = tmp_path_factory.mktemp("screenshots")

    def open_page(name: str) -> Visit:
        if name not in opened:
            opened[name] = Visit(browser, name, folder / f"{name.replace('/', '_')}.png")
        return opened[name]

    yield open_page
    for page in opened.values():
        page.close()


@pytest.mark.parametrize("root", PROJECTS, ids=lambda p: p.name)
def test_each_report_has_its_pages(root):
    names = [Path(p).name for p in PAGES if (ROOT / p).parent == root / "reports"]
    assert "index.html" in names and "method.html" in names
    assert [n for n in names if n.startswith("article-")], "no annotated article"
    assert [n for n in names if re.match(r"\d\d-", n)], "no rendered notebook"


@pytest.mark.parametrize("name", PAGES)
def test_page_opens_offline_without_errors(visit, name):
    page = visit(name)
    assert page.errors == []
    assert page.outside == [], "requests leaving file://"


@pytest.mark.parametrize("name", PAGES)
def test_every_image_is_shown(visit, name):
    page = visit(name)
    broken = page.page.evaluate(
        "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.getAttribute('src').slice(0, 80))"
    )
    assert broken == []


def _anchors(path: Path) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", PAGES)
def test_every_internal_link_resolves(visit, name):
    page = visit(name)
    hrefs = page.page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    broken = []
    for href in hrefs:
        url = urlparse(href)
        if url.scheme != "file":
            continue
        target = Path(unquote(url.path))
        if not target.is_file():
            broken.append(href)
        elif url.fragment and url.fragment not in _anchors(target):
            broken.append(href)
    assert broken == []


@pytest.mark.parametrize("name", ARTICLE_PAGES)
def test_annotated_article_highlights_each_of_its_claims_once(visit, name):
    page = visit(name)
    article_id = Path(name).name.removeprefix("article-").removesuffix(".html")
    claims = read_processed("claims", paths=Paths((ROOT / name).parents[1]))
    expected = sorted(claims.loc[claims["article_id"] == article_id, "claim_id"])
    marked = page.page.evaluate(
        "Array.from(document.querySelectorAll('mark[data-claim]')).map(m => m.dataset.claim)"
    )
    assert sorted(marked) == expected
    notes = page.page.evaluate("document.querySelectorAll('.note').length")
    assert notes == len(expected)


def test_index_lists_the_claims_to_review_with_links_to_their_evidence(visit):
    page = visit("reports/index.html")
    rows = page.page.evaluate(
        "Array.from(document.querySelectorAll('table.claims tbody tr')).map(r => "
        "[r.dataset.claim, r.querySelector('.chip').textContent, "
        " Array.from(r.querySelectorAll('a[href^=\"https://doi.org/\"]')).length])"
    )
    claims = read_processed("claims", paths=Paths(ROOT))
    to_review = claims[
        claims["verdict"].isin(
            ("contradicted", "overstated", "under-cited", "uncited", "understated")
        )
    ]
    assert sorted(r[0] for r in rows) == sorted(to_review["claim_id"])
    cited = dict(zip(claims["claim_id"], claims["cited_dois"].fillna(""), strict=False))
    for claim_id, _, links in rows:
        assert links >= (1 if cited[claim_id] else 0), claim_id

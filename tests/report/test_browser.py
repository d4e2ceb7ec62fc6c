"""The report as `make report` renders it, opened in a real browser (headless Chromium) from
the file system.

Each project of the repository (the first case and every example) is copied with its inputs
and notebooks into a temporary folder and its report rendered there once per session, so the
tests see what the code makes now and never touch the working tree.

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

from litkit.cli import main
from litkit.config import Paths
from litkit.processed import read_processed
from litkit.raw import read_articles

ROOT = Path(__file__).resolve().parents[2]
# The first case and each example project: what a project folder holds besides reports/.
PROJECTS = [ROOT, *sorted(p.parent for p in (ROOT / "examples").glob("*/litkit.toml"))]
PROJECT_PARTS = ("litkit.toml", "data", "notebooks", "docs")


def _name(root: Path) -> str:
    return "first-case" if root == ROOT else root.name


def _expected_pages(root: Path) -> list[str]:
    """The pages a project's report must have: index, method, one per article and notebook."""
    articles = read_articles(Paths(root).articles)["article_id"]
    notebooks = [p.stem for p in Paths(root).notebook_files]
    names = ["index", "method", *(f"article-{a}" for a in articles), *notebooks]
    return [f"{_name(root)}/reports/{n}.html" for n in sorted(names)]


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
PAGES = [page for root in PROJECTS for page in _expected_pages(root)]
ARTICLE_PAGES = [p for p in PAGES if Path(p).name.startswith("article-")]


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> Path:
    """Every project copied to one temporary folder and its report rendered there."""
    base = tmp_path_factory.mktemp("rendered")
    for root in PROJECTS:
        for part in PROJECT_PARTS:
            source, target = root / part, base / _name(root) / part
            if not source.exists():
                continue
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
    roots = [str(base / _name(root)) for root in PROJECTS]
    assert main(["report", *(a for root in roots for a in ("--root", root))]) == 0
    return base


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

    def __init__(self, browser, page: Path, screenshot: Path):
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto(page.as_uri(), wait_until="load")
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
def visit(browser, rendered, tmp_path_factory):
    """Open a rendered page once per module (screenshot kept in a tmp folder) and reuse it."""
    opened: dict[str, Visit] = {}
    folder = tmp_path_factory.mktemp("screenshots")

    def open_page(name: str) -> Visit:
        if name not in opened:
            screenshot = folder / f"{name.replace('/', '_')}.png"
            opened[name] = Visit(browser, rendered / name, screenshot)
        return opened[name]

    yield open_page
    for page in opened.values():
        page.close()


@pytest.mark.parametrize("root", PROJECTS, ids=_name)
def test_each_report_has_its_pages(rendered, root):
    folder = rendered / _name(root) / "reports"
    made = sorted(f"{_name(root)}/reports/{p.name}" for p in folder.glob("*.html"))
    assert made == _expected_pages(root)


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
def test_annotated_article_highlights_each_of_its_claims_once(visit, rendered, name):
    page = visit(name)
    article_id = Path(name).name.removeprefix("article-").removesuffix(".html")
    claims = read_processed("claims", paths=Paths((rendered / name).parents[1]))
    expected = sorted(claims.loc[claims["article_id"] == article_id, "claim_id"])
    marked = page.page.evaluate(
        "Array.from(document.querySelectorAll('mark[data-claim]')).map(m => m.dataset.claim)"
    )
    assert sorted(marked) == expected
    notes = page.page.evaluate("document.querySelectorAll('.note').length")
    assert notes == len(expected)


def test_index_lists_the_claims_to_review_with_links_to_their_evidence(visit, rendered):
    page = visit(f"{_name(ROOT)}/reports/index.html")
    rows = page.page.evaluate(
        "Array.from(document.querySelectorAll('table.claims tbody tr')).map(r => "
        "[r.dataset.claim, r.querySelector('.chip').textContent, "
        " Array.from(r.querySelectorAll('a[href^=\"https://doi.org/\"]')).length])"
    )
    claims = read_processed("claims", paths=Paths(rendered / _name(ROOT)))
    to_review = claims[
        claims["verdict"].isin(
            ("contradicted", "overstated", "under-cited", "uncited", "understated")
        )
    ]
    assert sorted(r[0] for r in rows) == sorted(to_review["claim_id"])
    cited = dict(zip(claims["claim_id"], claims["cited_dois"].fillna(""), strict=False))
    for claim_id, _, links in rows:
        assert links >= (1 if cited[claim_id] else 0), claim_id

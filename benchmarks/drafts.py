"""How close `litkit add-article`'s draft claims come to claims a person curated.

For each article of the first case (A and B, whose reviewed claims in data/raw/claims.csv
carry their spans in the text), the drafts are made from the article's text with the
project's own vocabularies and litkit.toml, exactly as `litkit add-article` makes them, but
without writing anything. Printed per article and overall:

* recall by span: the share of curated claims whose span at least one draft overlaps;
* drafts per curated claim;
* for the curated claims a draft overlaps (the draft overlapping most), the share whose
  indication agrees, and the share whose asserted strength agrees;
* the same indication share counting only drafts that assigned one (not "unassigned").

Then, for the second example's article (examples/vitamin-d-covid), the identifiers it
cites by type and how many draft claims it gets.

    .venv/bin/python benchmarks/drafts.py [--root DIR] [--example DIR]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import pandas as pd

from litkit.articles.drafts import draft_claims
from litkit.articles.extract import from_text, read_document
from litkit.articles.identifiers import identifiers_in_document, unique
from litkit.articles.references import inline_markers, reference_list
from litkit.config import Paths
from litkit.project import read_project
from litkit.raw import read_articles, read_indications, read_outcomes
from litkit.vocabulary import REVIEWED, UNASSIGNED

ROOT = Path(__file__).resolve().parents[1]


def drafts_for(paths: Paths, article) -> pd.DataFrame:
    """The drafts `add-article` would make for an article already in the project."""
    document = from_text((paths.raw / article.text_file).read_text(encoding="utf-8"))
    references = reference_list(document)
    return draft_claims(
        document,
        article_id=article.article_id,
        title=article.title,
        names=read_project(paths).names,
        indications=read_indications(paths.indications),
        outcomes=read_outcomes(paths.outcomes),
        references=references,
        markers=inline_markers(document, references),
    )


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def compare(curated: pd.DataFrame, drafts: pd.DataFrame) -> dict[str, float]:
    """The figures for one set of curated claims and the drafts of the same text."""
    spans = [(int(d.start), int(d.end), d) for d in drafts.itertuples()]
    found = indication = assigned = assigned_same = asserted = 0
    for claim in curated.itertuples():
        span = (int(claim.start), int(claim.end))
        best = max(spans, key=lambda s: overlap(span, s[:2]), default=None)
        if best is None or overlap(span, best[:2]) == 0:
            continue
        draft = best[2]
        found += 1
        indication += draft.indication == claim.indication
        asserted += draft.asserted == claim.asserted
        if draft.indication != UNASSIGNED:
            assigned += 1
            assigned_same += draft.indication == claim.indication
    n = len(curated)
    return {
        "curated": n,
        "drafts": len(drafts),
        "recall_by_span": found / n if n else 0.0,
        "drafts_per_curated": len(drafts) / n if n else 0.0,
        "indication_agrees": indication / found if found else 0.0,
        "indication_agrees_when_assigned": assigned_same / assigned if assigned else 0.0,
        "assigned": assigned,
        "found": found,
        "asserted_agrees": asserted / found if found else 0.0,
    }


def first_case(root: Path) -> None:
    paths = Paths(root)
    claims = pd.read_csv(paths.claims, dtype="string", keep_default_na=False)
    reviewed = claims[claims["status"] == REVIEWED]
    rows, all_curated, all_drafts = [], [], []
    for article in read_articles(paths.articles).itertuples():
        curated = reviewed[reviewed["article_id"] == article.article_id]
        drafts = drafts_for(paths, article)
        rows.append({"article": article.article_id, **compare(curated, drafts)})
        all_curated.append(curated)
        all_drafts.append(drafts)
    total = {"article": "all", **_pooled(rows)}
    table = pd.DataFrame([*rows, total]).set_index("article")
    print("Draft claims against curated claims (first case)\n")
    print(table.to_string(float_format=lambda v: f"{v:.2f}"))


def _pooled(rows: list[dict]) -> dict[str, float]:
    curated = sum(r["curated"] for r in rows)
    drafts = sum(r["drafts"] for r in rows)
    found = sum(r["found"] for r in rows)
    assigned = sum(r["assigned"] for r in rows)
    return {
        "curated": curated,
        "drafts": drafts,
        "recall_by_span": found / curated,
        "drafts_per_curated": drafts / curated,
        "indication_agrees": sum(r["indication_agrees"] * r["found"] for r in rows) / found,
        "indication_agrees_when_assigned": sum(
            r["indication_agrees_when_assigned"] * r["assigned"] for r in rows
        )
        / assigned
        if assigned
        else 0.0,
        "assigned": assigned,
        "found": found,
        "asserted_agrees": sum(r["asserted_agrees"] * r["found"] for r in rows) / found,
    }


def example(folder: Path) -> None:
    paths = Paths(folder)
    source = next((folder / "sources").glob("*.md"))
    document = read_document(source)
    found = unique(identifiers_in_document(document.text, document.links))
    counts = Counter(f.type for f in found)
    claims = pd.read_csv(paths.claims, dtype="string", keep_default_na=False)
    print(
        f"\nSecond article ({source.name}): {len(found)} cited works by identifier "
        f"({', '.join(f'{t} {n}' for t, n in counts.most_common())}); "
        f"{(claims['status'] == 'draft').sum()} draft claims"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the first case's project")
    parser.add_argument("--example", type=Path, default=ROOT / "examples" / "vitamin-d-covid")
    args = parser.parse_args()
    first_case(args.root)
    example(args.example)


if __name__ == "__main__":
    main()

"""The tables the pipeline writes (``data/processed``): names, columns and types, declared once.

Every processed table has one entry in :data:`TABLES`: its columns in order, each with its
pandas type (``string``, ``Int64`` or ``boolean``). Transforms shape their result with
:func:`conform`; :func:`write_processed` and :func:`read_processed` write and read a table
with exactly those columns and types, so what a notebook reads is what the pipeline wrote,
with no guessing of types.

>>> frame = pd.DataFrame({"indication_id": ["x"], "label": ["X"], "synonyms": [None],
...                       "description": [None]})
>>> conform(frame, "indications").columns.tolist()
['indication_id', 'label', 'synonyms', 'description']
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from litkit.config import Paths
from litkit.errors import LitkitError
from litkit.files import atomic_write

S, I, B = "string", "Int64", "boolean"


def _spec(*columns: str, types: Mapping[str, str] | None = None) -> dict[str, str]:
    """Columns in order, each ``string`` unless ``types`` says otherwise."""
    types = types or {}
    return {c: types.get(c, S) for c in columns}


# One Crossref record as a row (crossref.records.to_frame); the works table extends it.
RECORD = _spec(
    "doi",
    "title",
    "container_title",
    "publisher",
    "type",
    "year",
    "volume",
    "issue",
    "page",
    "authors",
    "first_author",
    "n_authors",
    "abstract",
    "references_count",
    "cited_by_count",
    "license_url",
    "updated_by",
    "source",
    types={"year": I, "n_authors": I, "references_count": I, "cited_by_count": I},
)

AUDIT_CHECKS = (
    "title",
    "first_author",
    "journal",
    "year",
    "volume",
    "issue",
    "pages",
    "doi",
    "ahead_of_print",
    "notices",
)

TABLES: dict[str, dict[str, str]] = {
    "articles": _spec(
        "article_id",
        "title",
        "publisher",
        "source_kind",
        "lists_references",
        "medically_reviewed",
        "text_file",
    ),
    "indications": _spec("indication_id", "label", "synonyms", "description"),
    "outcomes": _spec("outcome_id", "label", "kind", "synonyms", "description"),
    "works": _spec(
        "role",
        "article_id",
        "ref_no",
        "crossref_status",
        "fetched_at",
        *RECORD,
        types={**RECORD, "ref_no": I},
    ),
    "citation_audit": _spec(
        "role",
        "article_id",
        "ref_no",
        "doi",
        "verdict",
        "reasons",
        *(f"{c}_check" for c in AUDIT_CHECKS),
        "retracted",
        "concern",
        "notice_dois",
        types={"ref_no": I, "retracted": B, "concern": B},
    ),
    "designs": _spec(
        "doi",
        "title",
        "year",
        "classifier_design",
        "classifier_rule",
        "curated_design",
        "final_design",
        "design_source",
        "evidence_level",
        "agrees",
        types={"year": I, "agrees": B},
    ),
    "evidence_by_work": _spec(
        "doi",
        "work",
        "role",
        "indication",
        "outcome",
        "comparator",
        "design",
        "year",
        "own_grade",
        "n_studies",
        "n_participants",
        "effect",
        "start",
        "downgrades",
        "certainty",
        "counted",
        "not_counted_because",
        "direction",
        "independent_of",
        "risk_of_bias",
        "verified",
        "reasons",
        types={
            "year": I,
            "own_grade": B,
            "n_studies": I,
            "n_participants": I,
            "downgrades": I,
            "counted": B,
        },
    ),
    "evidence_by_outcome": _spec(
        "indication",
        "indication_label",
        "outcome",
        "outcome_label",
        "outcome_kind",
        "asserted",
        "claims",
        "n_claims",
        "cited_certainty",
        "cited_direction",
        "cited_dois",
        "cited_n_works",
        "best_certainty",
        "best_direction",
        "best_dois",
        "best_work",
        "best_design",
        "best_effect",
        "reasons",
        types={"n_claims": I, "cited_n_works": I},
    ),
    "evidence_gap_map": _spec(
        "indication", "label", "design", "n_works", "direction", types={"n_works": I}
    ),
    "claims": _spec(
        "claim_id",
        "article_id",
        "section",
        "claim",
        "indication",
        "outcome",
        "outcome_kind",
        "comparator",
        "topic",
        "asserted",
        "direction",
        "cited_dois",
        "link",
        "start",
        "end",
        "status",
        "cited_certainty",
        "cited_direction",
        "best_certainty",
        "best_direction",
        "best_work",
        "best_dois",
        "verdict",
        "verdict_reason",
        "overstated_by",
        "evidence_reasons",
        "citation_flags",
        types={"start": I, "end": I, "overstated_by": I},
    ),
}

# Tables written by the pipeline, in the order of the argument.
TABLE_NAMES = tuple(TABLES)


def columns(name: str) -> list[str]:
    """The columns of table ``name``, in order."""
    return list(TABLES[name])


def conform(frame: pd.DataFrame, name: str | Mapping[str, str]) -> pd.DataFrame:
    """``frame`` with exactly the columns of a table (by name, or a spec), in order, typed.

    Raises:
        KeyError: naming the columns ``frame`` lacks.
    """
    spec = TABLES[name] if isinstance(name, str) else name
    missing = [c for c in spec if c not in frame.columns]
    if missing:
        raise KeyError(
            f"{name if isinstance(name, str) else 'table'} lacks column(s): {', '.join(missing)}"
        )
    return frame[list(spec)].astype(dict(spec))


def write_processed(frame: pd.DataFrame, name: str, *, paths: Paths) -> Path:
    """Write table ``name`` atomically, conformed to its declared columns and types."""
    table = conform(frame, name)
    path = paths.table(name)
    atomic_write(path, lambda out: table.to_csv(out, index=False, lineterminator="\n"))
    return path


def read_processed(name: str, *, paths: Paths | None = None) -> pd.DataFrame:
    """A processed table by name (e.g. ``"claims"``), with its declared types.

    Raises:
        LitkitError: saying to run ``litkit build`` when the table is not there yet, or
            naming the file when its columns are not the declared ones.
    """
    if name not in TABLES:
        raise LitkitError(f"no processed table {name!r}; the tables are: {', '.join(TABLES)}")
    path = (paths or Paths()).table(name)
    if not path.is_file():
        raise LitkitError(f"{path}: not built yet; run `litkit build`")
    spec = TABLES[name]
    table = pd.read_csv(path, dtype=dict(spec), keep_default_na=False, na_values=[""])
    if list(table.columns) != list(spec):
        raise LitkitError(f"{path}: columns are not those of {name!r}; run `litkit build` again")
    return table


def read_all(*, paths: Paths | None = None) -> dict[str, pd.DataFrame]:
    """Every processed table, by name."""
    return {name: read_processed(name, paths=paths) for name in TABLE_NAMES}

"""The indications litkit grades evidence for: a curated, extendable vocabulary.

``data/raw/indications.csv`` lists each indication's id, label and synonyms. Claims and
appraisals name indications by id; a claim about no single indication uses ``general``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from litkit.schema import Column, Table, read_table

GENERAL = "general"


def _slug(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value):
        raise ValueError(f"{value!r} is not an id (lower-case words joined by hyphens)")
    if value == GENERAL:
        raise ValueError(f"{GENERAL!r} is reserved for claims about no single indication")
    return value


INDICATIONS = Table("indications", (
    Column("indication_id", unique=True, check=_slug),
    Column("label", unique=True),
    Column("synonyms", required=False, many=True),
    Column("description", required=False),
))


def read_indications(path: str | Path) -> pd.DataFrame:
    """The indications vocabulary, checked."""
    return read_table(path, INDICATIONS)


def labels(indications: pd.DataFrame) -> dict[str, str]:
    """Indication id → label, with ``general`` labelled too."""
    return dict(zip(indications["indication_id"], indications["label"])) | {
        GENERAL: "General (no single indication)"}

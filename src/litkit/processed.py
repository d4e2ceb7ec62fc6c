"""Reading the tables the pipeline wrote (``data/processed``), with their types restored.

Notebooks and the report read tables only through here, so they never hold a path.
"""

from __future__ import annotations

import pandas as pd

from litkit.paths import Paths

TABLE_NAMES = (
    "works", "citation_audit", "designs", "evidence_by_work", "evidence_by_indication", "evidence_gap_map", "claims",
)


def read_processed(name: str, *, paths: Paths | None = None) -> pd.DataFrame:
    """A processed table by name (e.g. ``"claims"``), with nullable ints and strings.

    Raises:
        FileNotFoundError: saying to run ``litkit build`` when the table is not there yet.
    """
    path = (paths or Paths()).table(name)
    if not path.is_file():
        raise FileNotFoundError(f"{name}.csv is not built yet: run `litkit build`")
    table = pd.read_csv(path, keep_default_na=False, na_values=[""]).convert_dtypes()
    # A column with no value at all (e.g. no citation flagged) is text, not a number.
    empty = [c for c in table if table[c].isna().all()]
    return table.astype({c: "string" for c in empty})


def read_all(*, paths: Paths | None = None) -> dict[str, pd.DataFrame]:
    """Every processed table, by name."""
    return {name: read_processed(name, paths=paths) for name in TABLE_NAMES}

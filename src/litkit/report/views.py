"""Small, pure summaries of the processed tables, shaped for reading in a notebook.

Each takes DataFrames and returns a DataFrame: the notebooks only call these and show the
result, so what a reviewer sees is tested code, not notebook logic.
"""

from __future__ import annotations

import pandas as pd

from litkit.vocabulary import AUDIT_VERDICTS, CERTAINTIES, GENERAL, GENERAL_LABEL, RANK, VERDICTS

FETCH_COMMAND = "LITKIT_MAILTO=you@example.org litkit fetch"


def setup_display() -> None:
    """Show tables whole in notebooks: claims and reasons are sentences, and pandas would
    otherwise cut every cell at 50 characters and every table at 60 rows."""
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", 200)
    pd.set_option("display.max_columns", 30)


def _one_reason_per_row(table: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
    """Each ``; ``-separated reason on a row of its own, under the row it explains."""
    steps = table[[*keep, "reasons"]].assign(reason=table["reasons"].fillna("").str.split("; "))
    return steps.drop(columns="reasons").explode("reason").reset_index(drop=True)


def crossref_status(works: pd.DataFrame) -> pd.DataFrame:
    """How many cited works have a Crossref record, and what to run for the rest."""
    counts = works["crossref_status"].value_counts()
    rows = [{"crossref_status": status, "works": int(counts.get(status, 0))}
            for status in ("fetched", "not fetched")]
    missing = int(counts.get("not fetched", 0))
    note = (f"run `{FETCH_COMMAND}` with network access, then `litkit build`" if missing
            else "every cited work has a Crossref record")
    return pd.DataFrame(rows).assign(next_step=["", note])


def cited_works(works: pd.DataFrame) -> pd.DataFrame:
    """The works table with the columns a reader needs first."""
    columns = ["article_id", "ref_no", "first_author", "year", "title", "container_title",
               "volume", "issue", "page", "doi", "crossref_status", "source"]
    return works[columns].sort_values(["article_id", "ref_no"]).reset_index(drop=True)


def claim_counts(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims per article by verdict (rows: article; columns: verdict, in order)."""
    table = pd.crosstab(claims["article_id"], claims["verdict"])
    table = table.reindex(columns=[c for c in VERDICTS if c in table.columns])
    return table.assign(total=table.sum(axis=1))


def claims_with(claims: pd.DataFrame, verdict: str) -> pd.DataFrame:
    """The claims with one verdict: what is asserted, what is cited, what the best evidence is."""
    picked = claims[claims["verdict"] == verdict]
    columns = ["claim_id", "indication", "outcome", "claim", "asserted", "cited_certainty",
               "best_certainty", "best_work", "verdict_reason"]
    return picked[columns].reset_index(drop=True)


def outcome_rows(evidence: pd.DataFrame) -> pd.DataFrame:
    """The evidence-by-outcome table shaped for its chart: one labelled row per pair.

    Only pairs the articles make a graded claim about, strongest best evidence first.
    """
    asserted = evidence[evidence["n_claims"].fillna(0) > 0]
    ranked = asserted.assign(_rank=asserted["best_certainty"].map(RANK))
    ranked = ranked.sort_values(["_rank", "indication_label", "outcome_label"],
                                ascending=[False, True, True])
    rows = ranked["indication_label"] + " · " + ranked["outcome_label"]
    return ranked.assign(row=rows)[["row", "asserted", "cited_certainty", "best_certainty"]] \
        .reset_index(drop=True)


def evidence_summary(evidence: pd.DataFrame) -> pd.DataFrame:
    """The headline table: by indication and outcome, asserted, cited and best, side by side."""
    columns = ["indication_label", "outcome_label", "asserted", "cited_certainty",
               "cited_direction", "best_certainty", "best_direction", "best_work", "n_claims"]
    ranked = evidence.assign(_rank=evidence["best_certainty"].map(RANK))
    return (ranked.sort_values(["_rank", "indication_label", "outcome_label"],
                               ascending=[False, True, True])[columns].reset_index(drop=True))


def evidence_reasons(evidence: pd.DataFrame) -> pd.DataFrame:
    """Each indication × outcome's certainties and the reasons for them, one reason per row."""
    return _one_reason_per_row(evidence, ["indication_label", "outcome_label",
                                          "cited_certainty", "best_certainty"])


# What evidence would move each certainty up: GRADE's levels read backwards.
NEXT_EVIDENCE = {
    "none": "any appraisable study; a systematic review of randomised trials would say most",
    "very-low": "a randomised trial or a systematic review of trials at low risk of bias, with enough participants (~400+)",
    "low": "well-conducted randomised trials with consistent results, or a high-quality systematic review of them",
    "moderate": "further large trials at low risk of bias, consistent with the existing ones",
    "high": "little: only new trials contradicting the existing ones would change it",
}


def what_would_change(evidence: pd.DataFrame) -> pd.DataFrame:
    """For each indication × outcome, the kind of evidence that would raise the best certainty."""
    return evidence[["indication_label", "outcome_label", "best_certainty"]].assign(
        would_change_it=evidence["best_certainty"].map(NEXT_EVIDENCE)).reset_index(drop=True)


def audit_summary(audit: pd.DataFrame) -> pd.DataFrame:
    """How many citations got each verdict, in the verdicts' order."""
    counts = audit["verdict"].value_counts()
    return pd.DataFrame({"verdict": list(AUDIT_VERDICTS),
                         "citations": [int(counts.get(v, 0)) for v in AUDIT_VERDICTS]})


def audit_details(audit: pd.DataFrame) -> pd.DataFrame:
    """Each citation's verdict and its reasons, one reason per row."""
    return _one_reason_per_row(audit, ["article_id", "ref_no", "doi", "verdict"])


def flagged(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows (claims or indications) resting on a retracted or concern-flagged work."""
    marked = table[table["citation_flags"].fillna("") != ""]
    return marked[[key, "citation_flags"]].reset_index(drop=True)


def indication_labels(indications: pd.DataFrame) -> dict[str, str]:
    """Indication id → label, with ``general`` labelled too."""
    return dict(zip(indications["indication_id"], indications["label"])) | {GENERAL: GENERAL_LABEL}

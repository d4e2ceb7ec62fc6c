"""Resolving cited works that have no DOI yet: PIIs, PMIDs, PMCIDs and printed references.

``litkit resolve`` looks up every citation without a DOI and writes what it learns to
``data/raw/resolved.csv`` (one row per work: type, identifier, DOI, method, score, when it
was checked, status and the reason in words), written by code like the Crossref cache and
never by hand:

* an Elsevier PII, through Crossref's ``alternative-id`` filter (publishers deposit their
  own ids there);
* a PMID or PMCID, through NCBI's PMC ID converter (:mod:`litkit.ncbi`);
* a printed reference without any identifier, through Crossref's ``query.bibliographic``:
  the best candidate is taken only when its score reaches ``min_score`` *and* its year
  (within one, for online-first works) and first author's family name match the printed
  ones, so a near miss is reported, never adopted.

Crossref is asked through the fetcher's :class:`~litkit.crossref.calls.Caller`: paced,
each request within a deadline, retried on the failures that pass (honouring a
``Retry-After`` up to a cap; a longer one fails at once and stops the run), and every
answer checked before it is read. Records Crossref returns on the way are cached like
fetched ones, and only when they are work records: an item that is not one is never cached,
and a work whose answer held one is ``failed`` rather than ``not-found`` unless another
item matched, so that a rerun asks again. Offline, nothing is looked up: each work stays
``unresolved`` and says so. A rerun keeps what was resolved or found missing before
(``refresh`` asks again) and retries what failed.

Key of a printed reference: ``<article_id>:<ref_no>`` (it has no identifier of its own).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz

from litkit.crossref.api import FILTER_ARGUMENT, CrossrefApi
from litkit.crossref.cache import CrossrefCache, utc_now
from litkit.crossref.calls import (
    RETRY_AFTER_CAP,
    Caller,
    RunStopped,
    Tally,
    from_habanero,
    pooled_connections,
    work_items,
)
from litkit.crossref.records import (
    first_author,
    first_family_name,
    plain_text,
    work_problem,
    year_of,
)
from litkit.errors import FetchError
from litkit.files import atomic_write
from litkit.ncbi import IdConverter
from litkit.polite import Retry, paced
from litkit.raw import RESOLVED

METHODS = {
    "pii": "crossref-alternative-id",
    "pmid": "ncbi-idconv",
    "pmcid": "ncbi-idconv",
    "reference": "crossref-bibliographic",
}
KEPT = ("resolved", "not-found")  # a rerun does not ask again about these
MIN_SCORE = 50.0
CANDIDATES = 5
AUTHOR_CLOSE = 85
OFFLINE = "offline: not looked up (run `litkit resolve` with network access)"


@dataclass(frozen=True)
class Wanted:
    """A cited work to resolve: its type and key, and for a printed reference what to ask."""

    type: str
    identifier: str
    query: str = ""
    year: str = ""
    first_author: str = ""


# --- what to resolve, and using what was resolved (pure) -------------------------------------------


def wanted(citations: pd.DataFrame) -> list[Wanted]:
    """The citations without a DOI that can be resolved, once each, in table order."""
    found: dict[tuple[str, str], Wanted] = {}
    for row in citations.fillna("").itertuples(index=False):
        if row.doi or row.type not in METHODS:
            continue
        if row.type == "reference":
            printed = (
                " ".join(
                    str(v)
                    for v in (row.authors, row.title, row.journal, row.year, row.volume, row.pages)
                    if v
                )
                or row.anchor_text
            )
            item = Wanted(
                "reference",
                f"{row.article_id}:{row.ref_no}",
                printed,
                row.year,
                first_family_name(row.authors) or "",
            )
        else:
            item = Wanted(row.type, row.identifier)
        found.setdefault((item.type, item.identifier), item)
    return list(found.values())


def fill_resolved_dois(citations: pd.DataFrame, resolved: pd.DataFrame) -> pd.DataFrame:
    """The citations with each empty ``doi`` filled from a resolved row, where there is one.

    >>> cites = pd.DataFrame({"article_id": ["A"], "ref_no": ["1"], "type": ["pmid"],
    ...                       "identifier": ["1"], "doi": [""]}, dtype="string")
    >>> found = pd.DataFrame({"type": ["pmid"], "identifier": ["1"], "doi": ["10.1/x"],
    ...                       "status": ["resolved"]}, dtype="string")
    >>> fill_resolved_dois(cites, found)["doi"].tolist()
    ['10.1/x']
    """
    done = resolved[resolved["status"] == "resolved"]
    dois = {(t, i): d for t, i, d in done[["type", "identifier", "doi"]].itertuples(index=False)}
    # Whole columns as lists: pandas boxes each value of a row apart, slowly.
    parts = citations[["type", "identifier", "article_id", "ref_no"]].fillna("")
    keys = [
        (t, f"{a}:{n}" if t == "reference" else i)
        for t, i, a, n in zip(*(parts[c].tolist() for c in parts), strict=True)
    ]
    filled = [
        d if isinstance(d, str) and d else dois.get(k, d)
        for d, k in zip(citations["doi"].tolist(), keys, strict=False)
    ]
    return citations.assign(doi=pd.Series(filled, index=citations.index, dtype="string"))


def write_resolved(path: Path, rows: Iterable[dict[str, str]]) -> Path:
    """Write ``resolved.csv`` atomically, sorted by type and identifier."""
    ordered = sorted(rows, key=lambda r: (r["type"], r["identifier"]))

    def dump(out):
        writer = csv.DictWriter(out, fieldnames=RESOLVED.names, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: r.get(c, "") for c in RESOLVED.names} for r in ordered)

    return atomic_write(path, dump)


def _fold(text: str | None) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).lower().strip()


def check_candidate(item: dict, want: Wanted, *, min_score: float) -> str:
    """Why a bibliographic candidate is not the printed work, or "" when it is.

    >>> record = {"score": 80, "issued": {"date-parts": [[2020]]}, "author": [{"family": "Müller"}]}
    >>> check_candidate(record, Wanted("reference", "A:1", "q", "2021", "Muller"), min_score=50)
    ''
    >>> check_candidate(record, Wanted("reference", "A:1", "q", "2017", "Muller"), min_score=50)
    'year 2020, printed 2017'
    """
    score = float(item.get("score") or 0)
    if score < min_score:
        return f"score {score:g} under {min_score:g}"
    year = year_of(item)
    if want.year and (year is None or abs(year - int(want.year)) > 1):
        return f"year {year}, printed {want.year}"
    first = first_author(item) or ""
    if want.first_author and fuzz.ratio(_fold(first), _fold(want.first_author)) < AUTHOR_CLOSE:
        return f"first author {first or 'none'}, printed {want.first_author}"
    return ""


# --- looking up -------------------------------------------------------------------------------------


def _works_in(items: list) -> tuple[list[dict], list[str]]:
    """The items of a list answer that are work records, and why each other one is not.

    A bibliographic candidate's ``score`` must be a number too, as it is compared.
    """
    works, bad = [], []
    for n, item in enumerate(items, 1):
        problem = work_problem(item)
        score = item.get("score") if problem is None else None
        if problem is None and score is not None and type(score) not in (int, float):
            problem = "'score' is not a number"
        if problem:
            bad.append(f"item {n} is not a work record ({problem})")
        else:
            works.append(item)
    return works, bad


class Resolver:
    """Looks up DOIs for cited works at Crossref and NCBI (see the module docstring).

    Args:
        cache: where Crossref records met on the way are kept (None: not kept).
        api: which Crossref and who asks (default: :meth:`CrossrefApi.configured`); the
            contact address goes to NCBI too.
        idconv_url: NCBI's converter (default ``$LITKIT_IDCONV_URL`` or NCBI's).
        min_score: the lowest bibliographic score taken.
        deadline: seconds the NCBI part may take.
        request_deadline: seconds one Crossref request may take in all, however the server
            trickles its answer.
        retry: tries per request, and the backoff between them (Crossref's and NCBI's); a
            Crossref ``Retry-After`` up to ``retry_after_cap`` replaces the backoff.
        retry_after_cap: the longest Retry-After waited for; a longer one fails at once and
            stops the run's Crossref requests.
    """

    def __init__(
        self,
        *,
        cache: CrossrefCache | None = None,
        api: CrossrefApi | None = None,
        idconv_url: str | None = None,
        min_score: float = MIN_SCORE,
        deadline: float = 120,
        request_deadline: float = 60,
        retry: Retry = Retry(),
        retry_after_cap: float = RETRY_AFTER_CAP,
    ):
        self.cache = cache
        self.api = api or CrossrefApi.configured()
        self.min_score = min_score
        self.request_deadline, self.retry = request_deadline, retry
        self.retry_after_cap = retry_after_cap
        self.crossref = self.api.client()
        self.limiters = {"list": paced(self.api.limits.list_per_second)}
        self.converter = IdConverter(
            base_url=idconv_url, email=self.api.mailto, deadline=deadline, retry=retry
        )

    def resolve(
        self,
        items: Iterable[Wanted],
        *,
        previous: pd.DataFrame | None = None,
        offline: bool = False,
        refresh: bool = False,
    ) -> list[dict[str, str]]:
        """One row per work: kept from ``previous``, looked up, or unresolved offline."""
        items = list(items)
        kept = (
            {}
            if previous is None
            else {
                (r.type, r.identifier): r._asdict()
                for r in previous.fillna("").itertuples(index=False)
            }
        )
        rows: dict[tuple[str, str], dict[str, str]] = dict(kept)
        todo = [
            w
            for w in items
            if refresh or kept.get((w.type, w.identifier), {}).get("status") not in KEPT
        ]
        if offline:
            for w in todo:
                rows[(w.type, w.identifier)] = self._row(w, "unresolved", reason=OFFLINE)
            return list(rows.values())
        for idtype in ("pmid", "pmcid"):
            rows |= self._by_converter([w for w in todo if w.type == idtype], idtype)
        at_crossref = [w for w in todo if w.type in ("pii", "reference")]
        if not at_crossref:
            return list(rows.values())
        call = Caller(
            Tally(self.api.host),
            self.limiters,
            retry=self.retry,
            deadline=self.request_deadline,
            retry_after_cap=self.retry_after_cap,
        )
        with pooled_connections():
            for w in at_crossref:
                if w.type == "pii":
                    rows[(w.type, w.identifier)] = self._by_alternative_id(w, call)
                else:
                    rows[(w.type, w.identifier)] = self._by_bibliographic(w, call)
        return list(rows.values())

    # -- each method

    def _row(
        self, want: Wanted, status: str, *, doi: str = "", score: str = "", reason: str = ""
    ) -> dict[str, str]:
        return {
            "type": want.type,
            "identifier": want.identifier,
            "doi": doi,
            "method": METHODS[want.type],
            "score": score,
            "checked_at": utc_now(),
            "status": status,
            "reason": reason,
        }

    def _by_converter(self, items: list[Wanted], idtype: str) -> dict[tuple[str, str], dict]:
        if not items:
            return {}
        try:
            found = self.converter.convert([w.identifier for w in items], idtype=idtype)
        except FetchError as exc:
            return {(w.type, w.identifier): self._row(w, "failed", reason=str(exc)) for w in items}
        rows = {}
        for w in items:
            conversion = found[w.identifier]
            if conversion.doi:
                rows[(w.type, w.identifier)] = self._row(
                    w, "resolved", doi=conversion.doi, reason="NCBI ID converter"
                )
            else:
                rows[(w.type, w.identifier)] = self._row(
                    w, "not-found", reason=f"NCBI ID converter: {conversion.error}"
                )
        return rows

    @staticmethod
    def _ask(call: Caller, request: Callable[[], object]) -> tuple[list, str | None]:
        """One Crossref list request through ``call``: its items (unchecked) and version."""
        return call("list", lambda: work_items(from_habanero(request)))  # type: ignore[return-value]

    def _failed(self, want: Wanted, call: Caller, exc: Exception) -> dict[str, str]:
        if isinstance(exc, RunStopped):
            reason = f"run stopped ({exc})"
        else:
            reason = call.failure(exc).reason
        return self._row(want, "failed", reason=f"Crossref: {reason}")

    def _keep(self, item: dict, version: str | None, via: str) -> str:
        """Cache a work record met on the way (when there is a cache); its DOI."""
        doi = item["DOI"].strip().lower()
        if self.cache is not None:
            self.cache.write(doi, item, message_version=version, api_url=self.api.base_url, via=via)
        return doi

    def _by_alternative_id(self, want: Wanted, call: Caller) -> dict[str, str]:
        try:
            items, version = self._ask(
                call,
                lambda: self.crossref.works(
                    **{FILTER_ARGUMENT: {"alternative_id": want.identifier}}, limit=2
                ),
            )
        except Exception as exc:  # noqa: BLE001 - sorted by Caller.failure, else re-raised
            return self._failed(want, call, exc)
        works, bad = _works_in(items)
        if bad:  # what it holds cannot be told: neither resolved nor kept as not found
            return self._row(want, "failed", reason=f"Crossref alternative-id: {bad[0]}")
        if len(works) != 1:
            what = "no work" if not works else f"{len(works)} works"
            return self._row(want, "not-found", reason=f"Crossref alternative-id: {what}")
        return self._row(
            want,
            "resolved",
            doi=self._keep(works[0], version, "alternative-id"),
            reason="Crossref alternative-id",
        )

    def _by_bibliographic(self, want: Wanted, call: Caller) -> dict[str, str]:
        if not (want.year or want.first_author):
            return self._row(
                want,
                "unresolved",
                reason="no year or first author printed to check a match against",
            )
        query = re.sub(r"\s+", " ", plain_text(want.query) or want.query)[:1000]
        try:
            items, version = self._ask(
                call, lambda: self.crossref.works(query_bibliographic=query, limit=CANDIDATES)
            )
        except Exception as exc:  # noqa: BLE001 - sorted by Caller.failure, else re-raised
            return self._failed(want, call, exc)
        if not items:
            return self._row(want, "not-found", reason="Crossref bibliographic: no candidate")
        works, bad = _works_in(items)
        why_not = []
        for item in works:
            problem = check_candidate(item, want, min_score=self.min_score)
            if not problem:
                return self._row(
                    want,
                    "resolved",
                    doi=self._keep(item, version, "bibliographic"),
                    score=f"{float(item.get('score') or 0):g}",
                    reason="Crossref bibliographic: score, year and first author match",
                )
            why_not.append(f"{item['DOI'].lower()}: {problem}")
        score = f"{float(works[0].get('score') or 0):g}" if works else ""
        if bad:  # the candidate that is not a work might have been the one: ask again later
            return self._row(
                want,
                "failed",
                score=score,
                reason="Crossref bibliographic: " + "; ".join([*why_not[:2], bad[0]]),
            )
        return self._row(
            want,
            "not-found",
            score=score,
            reason="Crossref bibliographic: no candidate matches (" + "; ".join(why_not[:2]) + ")",
        )

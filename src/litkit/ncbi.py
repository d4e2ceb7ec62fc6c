"""NCBI's PMC ID converter: PMIDs and PMCIDs to DOIs, paced, retried and within a deadline.

The converter answers for articles in PubMed Central: for each id, its PMID, PMCID and
DOI, or ``errmsg`` ("Identifier not found in PMC") when it has none. litkit asks for up to
200 ids of one type a request, at most 3 requests a second (NCBI's limit without an API
key), retries what passes (429, 5xx, timeouts, dropped connections) with exponential
backoff, and gives up when the whole run passes its deadline. It names itself (``tool``)
and its contact address (``email``) as NCBI asks.

    converter = IdConverter(email="me@example.org")
    converter.convert(["32927735"], idtype="pmid")["32927735"].doi
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx2

from litkit import __version__
from litkit.config import settings
from litkit.errors import FetchError
from litkit.polite import Retry, paced

BATCH = 200  # the converter takes at most 200 ids a request
ID_TYPES = ("pmid", "pmcid")


@dataclass(frozen=True)
class Conversion:
    """What the converter said of one id: its DOI (and other ids), or why there is none."""

    requested: str
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    error: str = ""


# What a request to the converter can fail with: an error status, no (whole) answer, or a
# body that is not JSON or has no 'records' (ValueError).
_FAILURES = (httpx2.HTTPStatusError, httpx2.TransportError, ValueError)


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, httpx2.HTTPStatusError):
        return exc.response.status_code == 429 or exc.response.status_code >= 500
    return isinstance(exc, _FAILURES)


def _failure(exc: BaseException) -> str:
    """A failed request in a few words: its HTTP status, the transport error, or the body's fault."""
    if isinstance(exc, httpx2.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, httpx2.TransportError):
        return type(exc).__name__
    return str(exc)


class IdConverter:
    """A client of the PMC ID converter.

    Args:
        base_url: the converter (default ``$LITKIT_IDCONV_URL`` or NCBI's).
        email: the contact address NCBI asks for (default ``$LITKIT_MAILTO``).
        per_second: requests a second (NCBI allows 3 without an API key).
        deadline: seconds the whole run may take before it gives up.
        retry: tries per request, and the backoff between them.
        timeout: seconds to wait for one answer.
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        email: str | None = None,
        per_second: float = 3,
        deadline: float = 120,
        retry: Retry = Retry(max_backoff=10),
        timeout: float = 20,
    ):
        env = settings()
        self.base_url = base_url or env.idconv_url
        self.email = email or env.mailto
        self.deadline, self.retry = deadline, retry
        self.limiter = paced(per_second)
        self.client = httpx2.Client(
            timeout=timeout, headers={"User-Agent": f"litkit/{__version__}"}
        )
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    def convert(self, ids: Sequence[str], *, idtype: str) -> dict[str, Conversion]:
        """What the converter says of each of ``ids`` (all of one type), by id as given.

        Raises:
            FetchError: when a request still fails after its tries, or the deadline passes.
        """
        if idtype not in ID_TYPES:
            raise ValueError(f"unknown id type {idtype!r}; expected one of: {', '.join(ID_TYPES)}")
        until = time.monotonic() + self.deadline
        found: dict[str, Conversion] = {}
        unique = list(dict.fromkeys(ids))
        for i in range(0, len(unique), BATCH):
            batch = unique[i : i + BATCH]
            records = self._request(batch, idtype, until)
            found |= self._read(batch, records)
        return found

    def _request(self, batch: list[str], idtype: str, until: float) -> list[dict]:
        params = {
            "ids": ",".join(batch),
            "idtype": idtype,
            "format": "json",
            "tool": "litkit",
            **({"email": self.email} if self.email else {}),
        }

        def attempt() -> list[dict]:
            if time.monotonic() > until:
                raise FetchError(
                    f"NCBI ID converter: gave up after the {self.deadline:g} s deadline"
                )
            self.limiter.try_acquire("idconv")
            self.requests += 1
            response = self.client.get(self.base_url, params=params)
            response.raise_for_status()
            body = response.json()  # a ValueError when the body is not JSON: tried again
            if not isinstance(body, dict) or not isinstance(body.get("records"), list):
                raise ValueError("an answer without 'records'")
            return body["records"]

        try:
            return self.retry.retrying(_transient)(attempt)
        except _FAILURES as exc:
            raise FetchError(
                f"NCBI ID converter: {_failure(exc)} after {self.retry.attempts} tries"
            ) from None

    @staticmethod
    def _read(batch: list[str], records: list[dict]) -> dict[str, Conversion]:
        """Each requested id's conversion; records are matched by ``requested-id``, else in order."""
        by_request = {
            str(r.get("requested-id", "")).upper(): r for r in records if r.get("requested-id")
        }
        found = {}
        for position, requested in enumerate(batch):
            record = by_request.get(requested.upper())
            if record is None and not by_request and position < len(records):
                record = records[position]
            if record is None:
                found[requested] = Conversion(requested, error="not in the converter's answer")
                continue
            error = record.get("errmsg", "") if record.get("status") == "error" else ""
            found[requested] = Conversion(
                requested,
                doi=str(record.get("doi") or "").lower(),
                pmid=str(record.get("pmid") or ""),
                pmcid=str(record.get("pmcid") or ""),
                error=error or ("" if record.get("doi") else "no DOI in PMC's record"),
            )
        return found

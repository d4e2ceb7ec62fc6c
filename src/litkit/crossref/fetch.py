"""Fetching Crossref work records through habanero: batched, paced, retried and cached.

This is the only module that talks to Crossref. It asks for many DOIs per request through
the ``doi`` filter of the ``/works`` route, then asks one by one only for the DOIs a batch did
not return, so that a real 404 is told apart from an omission. Requests are paced to the
pool's limits (single and list requests separately, with a cap on requests in flight),
retried with exponential backoff and jitter on the failures that pass (429, 5xx, timeouts,
dropped connections, bodies that are not JSON), and the run stops when errors persist, as
Crossref asks of its clients. Every record is written to the cache as soon as it arrives.

Typical use (the ``litkit fetch`` command does this)::

    fetcher = Fetcher(CrossrefCache("data/raw/crossref"), mailto="me@example.org")
    report = fetcher.fetch(["10.1111/bcp.12094"])
    print(report.summary())
"""

from __future__ import annotations

import email.utils
import inspect
import json
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx2
from habanero import Crossref, RequestError
from pyrate_limiter import InMemoryBucket, Limiter, Rate
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter
from tqdm import tqdm

from litkit import __version__
from litkit.config import settings
from litkit.crossref.cache import CrossrefCache
from litkit.doi import normalize_doi
from litkit.vocabulary import FETCHED_STATUSES

# A server's Retry-After is honoured in full up to this many seconds.
RETRY_AFTER_CAP = 120.0



@dataclass(frozen=True)
class Limits:
    """How hard litkit may press Crossref: requests per second by kind, and in flight."""

    single_per_second: float
    list_per_second: float
    concurrency: int

    @classmethod
    def for_pool(cls, mailto: str | None) -> Limits:
        """Crossref's published limits: the polite pool with a contact address, else public."""
        return POLITE_POOL if mailto else PUBLIC_POOL


POLITE_POOL = Limits(single_per_second=10, list_per_second=3, concurrency=3)
PUBLIC_POOL = Limits(single_per_second=5, list_per_second=1, concurrency=1)


@dataclass(frozen=True)
class Outcome:
    """What became of one requested DOI, with the reason in words when it is not cached.

    ``agency`` is the registration agency a DOI Crossref does not hold belongs to, when the
    DOI system knows it (e.g. DataCite).
    """

    doi: str
    status: str
    reason: str = ""
    agency: str | None = None


@dataclass
class FetchReport:
    """The result of a run: one outcome per requested DOI, and what it cost."""

    outcomes: list[Outcome]
    requests: int = 0
    throttled: int = 0
    errors: int = 0
    stopped: str | None = None

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def ok(self) -> bool:
        """Whether every requested DOI is in the cache now."""
        return all(o.status in FETCHED_STATUSES for o in self.outcomes)

    def problems(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status not in FETCHED_STATUSES]

    def summary(self) -> str:
        """One line: what was fetched, already cached, failed, and what it cost."""
        parts = [f"fetched {self.count('fetched')}", f"already cached {self.count('cached')}"]
        for status in ("not-cached", "not-found", "invalid", "failed"):
            if self.count(status):
                parts.append(f"{status} {self.count(status)}")
        line = ", ".join(parts) + f"; {self.requests} requests, {self.throttled} 429s"
        return line + (f"; stopped early: {self.stopped}" if self.stopped else "")


@dataclass(frozen=True)
class Failure:
    """A failed request, described: its HTTP status if any, and whether to try again."""

    reason: str
    status: int | None
    transient: bool


class RunStopped(Exception):
    """Raised for requests not sent because the run stopped on persistent errors."""


def describe_failure(exc: BaseException) -> Failure | None:
    """What a habanero/httpx2 exception means, or None for one litkit does not expect.

    habanero raises httpx2 errors as they are on ``/works/{doi}``, wraps transport errors in
    ``RuntimeError`` on ``/works?filter=…``, and raises ``RequestError`` for JSON error
    bodies and for answers that are not JSON at all (an HTML page with status 200).
    """
    if isinstance(exc, httpx2.HTTPStatusError):
        status = exc.response.status_code
        return Failure(f"HTTP {status}", status, status == 429 or status >= 500)
    if isinstance(exc, RequestError):
        status = int(exc.status_code)
        transient = status == 429 or status >= 500 or status == 200
        what = "a body that is not JSON" if status == 200 else f"HTTP {status}"
        return Failure(f"{what}: {str(exc.error)[:80]}", status, transient)
    if isinstance(exc, httpx2.TimeoutException):
        return Failure("timed out", None, True)
    if isinstance(exc, httpx2.TransportError):
        return Failure(f"connection failed ({type(exc).__name__})", None, True)
    if isinstance(exc, RuntimeError) and isinstance(exc.__cause__, httpx2.HTTPError):
        return describe_failure(exc.__cause__)
    if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
        return Failure("a body that is not valid JSON", None, True)
    return None


def _is_transient(exc: BaseException) -> bool:
    failure = describe_failure(exc)
    return failure is not None and failure.transient


def retry_after_seconds(exc: BaseException) -> float | None:
    """The server's Retry-After (seconds or an HTTP date), when the failure carries one."""
    if not isinstance(exc, httpx2.HTTPStatusError):
        return None
    value = exc.response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    when = email.utils.parsedate_to_datetime(value)
    return max(0.0, when.timestamp() - time.time()) if when else None


class _WaitRetryAfterOr:
    """Tenacity wait: the server's Retry-After when given (capped), else the fallback."""

    def __init__(self, fallback: Callable, cap: float):
        self.fallback, self.cap = fallback, cap

    def __call__(self, retry_state) -> float:
        exc = retry_state.outcome.exception()
        seconds = retry_after_seconds(exc) if exc else None
        return min(seconds, self.cap) if seconds is not None else self.fallback(retry_state)


# Requests leave the client evenly paced but can arrive bunched up (connection set-up and
# thread scheduling vary), so the client keeps this much headroom under the server's window.
PACING_HEADROOM = 0.1


def _limiter(per_second: float) -> Limiter:
    """A blocking limiter for ``per_second`` requests in any rolling window, with headroom."""
    count = max(1, int(per_second))
    window_ms = int(1000 * count / per_second * (1 + PACING_HEADROOM))
    return Limiter(InMemoryBucket([Rate(count, window_ms)]))


@dataclass
class _Tally:
    """Thread-safe counts of a run, and the decision to stop it."""

    max_error_rate: float
    min_requests: int
    requests: int = 0
    errors: int = 0
    throttled: int = 0
    stopped: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sent(self) -> None:
        with self.lock:
            self.requests += 1

    def failed(self, failure: Failure) -> None:
        with self.lock:
            self.errors += failure.transient
            self.throttled += failure.status == 429
            rate = self.errors / max(self.requests, 1)
            if self.requests >= self.min_requests and rate > self.max_error_rate:
                self.stopped = (
                    f"{self.errors} of {self.requests} requests failed "
                    f"({rate:.0%}, over the {self.max_error_rate:.0%} Crossref asks clients to stop at)"
                )


class Fetcher:
    """Fetches Crossref work records into a :class:`CrossrefCache`.

    Args:
        cache: where records are kept.
        base_url: the API; defaults to ``$LITKIT_CROSSREF_URL`` or Crossref's (see config).
        mailto: contact address for the polite pool; defaults to ``$LITKIT_MAILTO``.
        limits: request pacing; defaults to the pool's published limits.
        batch_size: DOIs per list request (about 50 keeps URLs short).
        max_attempts: tries per request before a DOI is given up as failed.
        timeout: seconds to wait for one answer.
        backoff: first backoff in seconds; it doubles (with jitter) up to ``max_backoff``.
        max_error_rate: share of failed requests at which the run stops.
        min_requests: requests to see before the error rate is judged.
    """

    def __init__(self, cache: CrossrefCache, *, base_url: str | None = None,
                 mailto: str | None = None, limits: Limits | None = None,
                 batch_size: int = 50, max_attempts: int = 6, timeout: float = 20,
                 backoff: float = 0.5, max_backoff: float = 30,
                 max_error_rate: float = 0.1, min_requests: int = 20):
        self.cache = cache
        env = settings()
        self.base_url = (base_url or env.crossref_url).rstrip("/")
        self.mailto = mailto or env.mailto
        self.limits = limits or Limits.for_pool(self.mailto)
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.backoff, self.max_backoff = backoff, max_backoff
        self.max_error_rate, self.min_requests = max_error_rate, min_requests
        self.client = Crossref(base_url=self.base_url, mailto=self.mailto,
                               ua_string=f"litkit/{__version__}", timeout=timeout)

    # -- the run ---------------------------------------------------------------------------

    def fetch(self, dois: Iterable[str], *, refresh: bool = False,
              offline: bool = False) -> FetchReport:
        """Make sure every DOI in ``dois`` is cached; report what became of each."""
        requested, outcomes = self._triage(dois, refresh=refresh, offline=offline)
        tally = _Tally(self.max_error_rate, self.min_requests)
        if requested:
            with tqdm(total=len(requested), unit="DOI", desc="Crossref", file=sys.stderr,
                      disable=not sys.stderr.isatty(), leave=False) as bar:
                outcomes.update(self._fetch_all(requested, tally, bar))
        self.cache.note_lookups(
            {o.doi: (o.agency, o.reason) for o in outcomes.values() if o.status == "not-found"},
            fetched={o.doi for o in outcomes.values() if o.status == "fetched"})
        order = list(outcomes)
        return FetchReport([outcomes[d] for d in order], tally.requests, tally.throttled,
                           tally.errors, tally.stopped)

    def _triage(self, dois: Iterable[str], *, refresh: bool, offline: bool):
        """Sort the request into invalid, already cached, unreachable offline, and to fetch."""
        outcomes: dict[str, Outcome] = {}
        requested: list[str] = []
        for raw in dois:
            try:
                doi = normalize_doi(raw)
            except ValueError as exc:
                outcomes.setdefault(raw, Outcome(raw, "invalid", str(exc)))
                continue
            if doi in outcomes:
                continue
            if self.cache.has(doi) and not refresh:
                outcomes[doi] = Outcome(doi, "cached")
            elif offline:
                outcomes[doi] = Outcome(doi, "not-cached",
                                        "offline: not in the cache yet (run `litkit fetch` online)")
            else:
                outcomes[doi] = Outcome(doi, "failed", "not attempted")  # placeholder, keeps order
                requested.append(doi)
        return requested, outcomes

    def _fetch_all(self, dois: list[str], tally: _Tally, bar: tqdm) -> dict[str, Outcome]:
        limiters = {"list": _limiter(self.limits.list_per_second),
                    "single": _limiter(self.limits.single_per_second)}
        call = self._caller(tally, limiters)
        # DOIs with a comma cannot go in a filter (commas separate its values).
        batchable = [d for d in dois if "," not in d]
        batches = [batchable[i:i + self.batch_size]
                   for i in range(0, len(batchable), self.batch_size)]
        outcomes: dict[str, Outcome] = {}
        with ThreadPoolExecutor(max_workers=self.limits.concurrency) as pool:
            for found in pool.map(lambda batch: self._fetch_batch(batch, call), batches):
                outcomes.update(found)
                bar.update(len(found))
            rest = [d for d in dois if d not in outcomes]
            for outcome in pool.map(lambda doi: self._fetch_one(doi, call), rest):
                outcomes[outcome.doi] = outcome
                bar.update(1)
        return outcomes

    # -- requests --------------------------------------------------------------------------

    def _caller(self, tally: _Tally, limiters: dict[str, Limiter]):
        """A function that sends one request of a kind: paced, counted and retried."""
        retrying = Retrying(
            retry=retry_if_exception(_is_transient),
            stop=stop_after_attempt(self.max_attempts),
            wait=_WaitRetryAfterOr(
                wait_exponential_jitter(multiplier=self.backoff, max=self.max_backoff,
                                        jitter=self.backoff),
                cap=RETRY_AFTER_CAP),
            reraise=True,
        )

        def attempt(kind: str, request: Callable[[], dict]) -> dict:
            if tally.stopped:
                raise RunStopped(tally.stopped)
            limiters[kind].try_acquire(kind)
            tally.sent()
            try:
                return request()
            except Exception as exc:
                failure = describe_failure(exc)
                if failure is None:
                    raise
                tally.failed(failure)
                raise

        # A copy per request: a Retrying object keeps per-call state.
        return lambda kind, request: retrying.copy()(attempt, kind, request)

    def _fetch_batch(self, batch: list[str], call) -> dict[str, Outcome]:
        """Fetch a batch through the DOI filter; cache what comes back."""
        request = lambda: self.client.works(**{_FILTER_ARGUMENT: {"doi": list(batch)}},  # noqa: E731
                                            limit=len(batch))
        try:
            answer = call("list", request)
        except RunStopped:
            return {}
        except Exception as exc:
            if describe_failure(exc) is None:
                raise
            return {}  # every DOI of the batch is asked for on its own instead
        wanted = set(batch)
        found: dict[str, Outcome] = {}
        for item in answer["message"].get("items", []):
            doi = str(item.get("DOI", "")).lower()
            if doi in wanted and doi not in found:
                self.cache.write(doi, item, message_version=answer.get("message-version"),
                                 api_url=self.base_url, via="list")
                found[doi] = Outcome(doi, "fetched")
        return found

    def _fetch_one(self, doi: str, call) -> Outcome:
        """Fetch one DOI through ``/works/{doi}``; a 404 is reported, never cached."""
        # Percent-encode the whole DOI: habanero puts it in the path as it is, and a `/..`,
        # `?` or `#` in a DOI would otherwise change the URL.
        request = lambda: self.client.works(ids=quote(doi, safe=""))  # noqa: E731
        try:
            answer = call("single", request)
        except RunStopped as exc:
            return Outcome(doi, "failed", f"not requested: run stopped ({exc})")
        except Exception as exc:
            failure = describe_failure(exc)
            if failure is None:
                raise
            if failure.status == 404:
                return self._not_found(doi, call)
            tries = f" after {self.max_attempts} tries" if failure.transient else ""
            return Outcome(doi, "failed", f"failed{tries}: {failure.reason}")
        self.cache.write(doi, answer["message"], message_version=answer.get("message-version"),
                         api_url=self.base_url, via="single")
        return Outcome(doi, "fetched")

    def _not_found(self, doi: str, call) -> Outcome:
        """A DOI Crossref has no record of: registered with another agency, or with none."""
        request = lambda: self.client.registration_agency(quote(doi, safe=""))  # noqa: E731
        try:
            agency = call("single", request)[0]
        except RunStopped:
            agency = None
        except Exception as exc:
            if describe_failure(exc) is None:
                raise
            agency = None  # the DOI system does not know it either (or did not answer)
        if agency and agency.lower() != "crossref":
            return Outcome(doi, "not-found", f"registered with {agency}, not Crossref", agency)
        return Outcome(doi, "not-found", "not found at Crossref (HTTP 404)")


# habanero's next release renames `filter` to `filters`; ask the installed one.
_FILTER_ARGUMENT = "filters" if "filters" in inspect.signature(Crossref.works).parameters else "filter"

"""Fetching Crossref work records through habanero: batched, paced, retried and cached.

This is the only module that talks to Crossref. It asks for many DOIs per request through
the ``doi`` filter of the ``/works`` route (as many as fit in a URL of about 4,000 bytes:
about 100 real DOIs), then asks one by one only for the DOIs a batch did not return, so
that a real 404 is told apart from an omission. Requests are paced to the pool's limits
(single and list requests separately, with a cap on requests in flight), each has a total
deadline, and the failures that pass (429, 5xx, timeouts, dropped connections, bodies that
are not JSON or not work records) are retried with exponential backoff and jitter. The run
stops when errors persist or the server asks to wait longer than the cap, as Crossref asks
of its clients, and fails at once with one line when the server cannot be reached at all.
Every record is checked and written to the cache as soon as it arrives; one fetch at a
time writes to a cache folder.

Typical use (the ``litkit fetch`` command does this)::

    fetcher = Fetcher(CrossrefCache("data/raw/crossref"), api=CrossrefApi.configured())
    report = fetcher.fetch(["10.1111/bcp.12094"])
    print(report.summary())
"""

from __future__ import annotations

import email.utils
import json
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

import habanero.request
import habanero.request_class
import httpx2
from habanero import RequestError
from pyrate_limiter import Limiter
from tqdm import tqdm

from litkit.collector import collector_paused
from litkit.config import MAILTO_VARIABLE
from litkit.crossref.api import FILTER_ARGUMENT, CrossrefApi, Limits
from litkit.crossref.cache import CrossrefCache
from litkit.crossref.records import work_problem, worse_record
from litkit.doi import normalize_doi
from litkit.errors import CacheError, FetchError
from litkit.polite import Retry, paced
from litkit.vocabulary import FETCHED_STATUSES

# A server's Retry-After is honoured in full up to this many seconds; a longer wait fails
# the request at once and stops the run (the server wants to be left alone for a while).
RETRY_AFTER_CAP = 120.0
# The longest list-request URL litkit sends. Servers and proxies commonly accept 8 KB;
# half of that leaves room for the headers and gives about 100 real DOIs per request.
MAX_URL_BYTES = 4000
# Crossref refuses `rows` above this.
MAX_ROWS = 1000


@dataclass(frozen=True)
class Outcome:
    """What became of one requested DOI, with the reason in words.

    A DOI that is not cached always has a reason; a cached one may have a note (a record
    registered under another DOI, a refresh that kept the cached record). ``agency`` is the
    registration agency a DOI Crossref does not hold belongs to, when the DOI system knows
    it (e.g. DataCite).
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
        """The DOIs not in the cache, each with its reason."""
        return [o for o in self.outcomes if o.status not in FETCHED_STATUSES]

    def notes(self) -> list[Outcome]:
        """The DOIs in the cache with something to say about them."""
        return [o for o in self.outcomes if o.status in FETCHED_STATUSES and o.reason]

    def summary(self) -> str:
        """One line: what was fetched, already cached, failed, and what it cost."""
        parts = [f"fetched {self.count('fetched')}", f"already cached {self.count('cached')}"]
        for status in ("not-cached", "not-found", "invalid", "failed"):
            if self.count(status):
                parts.append(f"{status} {self.count(status)}")
        line = ", ".join(parts) + f"; {self.requests} requests, {self.throttled} 429s"
        return line + (f"; stopped early: {self.stopped}" if self.stopped else "")


# -- what can go wrong with a request ------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """A failed request, described: its HTTP status if any, and what to do about it.

    ``transient`` failures are retried; ``stop`` ones end the run; ``unreachable`` ones
    (no connection at all) end it when no request has reached the server yet.
    """

    reason: str
    status: int | None
    transient: bool
    stop: bool = False
    unreachable: bool = False


class RunStopped(Exception):
    """Raised for requests not sent because the run stopped."""


class BadAnswer(Exception):
    """A 200 answer that is not what the route returns (no work record, no list of them)."""


class DeadlineExceeded(Exception):
    """A request that got no complete answer within its total deadline."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"no complete answer within {seconds:g} s")


def describe_failure(
    exc: BaseException, *, retry_after_cap: float = RETRY_AFTER_CAP
) -> Failure | None:
    """What a habanero/httpx2 exception means, or None for one litkit does not expect.

    habanero raises httpx2 errors as they are on ``/works/{doi}``, wraps transport errors in
    ``RuntimeError`` on ``/works?filter=…``, and raises ``RequestError`` for JSON error
    bodies and for answers that are not JSON at all (an HTML page with status 200).
    """
    if isinstance(exc, httpx2.HTTPStatusError):
        status = exc.response.status_code
        wait_for = retry_after_seconds(exc)
        if wait_for is not None and wait_for > retry_after_cap:
            return Failure(
                f"HTTP {status}: server asked to wait {wait_for:g} s, over the"
                f" {retry_after_cap:g} s cap",
                status,
                transient=False,
                stop=True,
            )
        return Failure(f"HTTP {status}", status, status == 429 or status >= 500)
    if isinstance(exc, RequestError):
        status = int(exc.status_code)
        transient = status == 429 or status >= 500 or status == 200
        what = "a body that is not JSON" if status == 200 else f"HTTP {status}"
        return Failure(f"{what}: {str(exc.error)[:80]}", status, transient)
    if isinstance(exc, BadAnswer):
        return Failure(str(exc), 200, True)
    if isinstance(exc, DeadlineExceeded):
        return Failure(f"timed out ({exc})", None, True)
    if isinstance(exc, (httpx2.ConnectError, httpx2.ConnectTimeout)):
        return Failure(f"cannot connect ({type(exc).__name__})", None, True, unreachable=True)
    if isinstance(exc, httpx2.TimeoutException):
        return Failure("timed out", None, True)
    if isinstance(exc, httpx2.TransportError):
        return Failure(f"connection failed ({type(exc).__name__})", None, True)
    if isinstance(exc, RuntimeError) and isinstance(exc.__cause__, httpx2.HTTPError):
        return describe_failure(exc.__cause__, retry_after_cap=retry_after_cap)
    if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
        return Failure("a body that is not valid JSON", None, True)
    return None


def retry_after_seconds(exc: BaseException) -> float | None:
    """The server's Retry-After (seconds or an HTTP date), when the failure carries one."""
    if not isinstance(exc, httpx2.HTTPStatusError):
        return None
    value = (exc.response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # neither seconds nor a date: the usual backoff applies
    return max(0.0, when.timestamp() - time.time())


class _WaitRetryAfterOr:
    """Tenacity wait: the server's Retry-After when given (capped), else the fallback."""

    def __init__(self, fallback: Callable, cap: float):
        self.fallback, self.cap = fallback, cap

    def __call__(self, retry_state) -> float:
        exc = retry_state.outcome.exception()
        seconds = retry_after_seconds(exc) if exc else None
        return min(seconds, self.cap) if seconds is not None else self.fallback(retry_state)


# -- what a good answer looks like ---------------------------------------------------------


def work_message(answer: object) -> tuple[dict, str | None]:
    """The work record of a ``/works/{doi}`` answer and the API's message version.

    Raises BadAnswer when the answer holds no work record.
    """
    message = answer.get("message") if isinstance(answer, dict) else None
    if message is None:
        raise BadAnswer("a 200 answer without a 'message'")
    problem = work_problem(message)
    if problem:
        raise BadAnswer(f"a 200 answer whose message is not a work record ({problem})")
    return message, _version(answer)


def work_items(answer: object) -> tuple[list, str | None]:
    """The items of a ``/works?filter=…`` answer and the API's message version.

    Raises BadAnswer when the answer holds no list of items.

    The items themselves are checked one by one by the caller: a bad one is skipped (its
    DOI is then asked for on its own), not a reason to throw the others away.
    """
    message = answer.get("message") if isinstance(answer, dict) else None
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(items, list):
        raise BadAnswer("a 200 answer without a list of works ('message.items')")
    return items, _version(answer)


def _version(answer: dict) -> str | None:
    version = answer.get("message-version")
    return version if isinstance(version, str) else None


def _habanero(call: Callable[[], object]) -> object:
    """Call habanero, turning its failures on malformed answers into BadAnswer.

    habanero indexes answers as it expects them (a ``Content-Type`` header, a list's
    ``message.total-results``, an agency's ``message.agency.label``), so a malformed answer
    surfaces as a KeyError, TypeError or AttributeError from inside habanero.
    """
    try:
        return call()
    except (KeyError, TypeError, AttributeError) as exc:
        raise BadAnswer(f"a malformed answer ({type(exc).__name__}: {exc})") from exc


# -- planning list requests ----------------------------------------------------------------


def plan_batches(
    dois: list[str],
    *,
    base_url: str,
    max_url_bytes: int = MAX_URL_BYTES,
    max_size: int | None = None,
) -> list[list[str]]:
    """Split ``dois`` into list requests whose URL stays within ``max_url_bytes``.

    The length is that of the URL habanero sends (``{base}/works?filter=doi%3A…&rows=N``,
    query-encoded), so long DOIs make smaller batches; ``max_size`` caps the DOIs per
    request too. DOIs with a comma cannot go in a filter (commas separate its values):
    they are left out, to be asked for one by one.

    >>> [len(b) for b in plan_batches([f"10.1000/{i:04}" for i in range(300)],
    ...                               base_url="https://api.crossref.org")]
    [171, 129]
    """
    head = len(f"{base_url.rstrip('/')}/works?filter=&rows={MAX_ROWS}")
    cap = min(max_size or MAX_ROWS, MAX_ROWS)
    batches: list[list[str]] = []
    batch: list[str] = []
    length = head
    for doi in dois:
        if "," in doi:
            continue
        cost = len(quote_plus(f"doi:{doi}")) + (len("%2C") if batch else 0)
        if batch and (length + cost > max_url_bytes or len(batch) >= cap):
            batches.append(batch)
            batch, length = [], head
            cost = len(quote_plus(f"doi:{doi}"))
        batch.append(doi)
        length += cost
    if batch:
        batches.append(batch)
    return batches


# -- pacing and counting -------------------------------------------------------------------


@dataclass
class _Tally:
    """Thread-safe counts of a run, and the decision to stop it."""

    max_error_rate: float
    min_requests: int
    connect_attempts: int
    host: str
    requests: int = 0
    errors: int = 0
    throttled: int = 0
    answered: int = 0
    connect_failures: int = 0
    unreachable: str | None = None
    stopped: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sent(self) -> None:
        with self.lock:
            self.requests += 1

    def got_answer(self) -> None:
        with self.lock:
            self.answered += 1

    def stop(self, reason: str) -> None:
        with self.lock:
            self.stopped = self.stopped or reason

    def failed(self, failure: Failure) -> None:
        with self.lock:
            self.errors += failure.transient
            self.throttled += failure.status == 429
            if failure.status is not None:
                self.answered += 1  # the server answered, if not as hoped
            if failure.stop:
                self.stopped = self.stopped or failure.reason
            if failure.unreachable and not self.answered:
                self.connect_failures += 1
                if self.connect_failures >= self.connect_attempts:
                    self.unreachable = (
                        f"cannot reach {self.host}: check the network, or use --offline"
                    )
                    self.stopped = self.stopped or self.unreachable
            rate = self.errors / max(self.requests, 1)
            if self.requests >= self.min_requests and rate > self.max_error_rate:
                self.stopped = self.stopped or (
                    f"{self.errors} of {self.requests} requests failed "
                    f"({rate:.0%}, over the {self.max_error_rate:.0%} Crossref asks clients to stop at)"
                )


def within_deadline(request: Callable[[], object], seconds: float) -> object:
    """Run ``request`` with a wall-clock budget of ``seconds``; DeadlineExceeded past it.

    httpx's timeouts bound each read, so a server that trickles its answer a byte at a
    time never trips them; habanero gives no handle on the connection, so the request runs
    in a daemon thread that is abandoned (and ends with its connection) when late.
    """
    box: dict[str, object] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["result"] = request()
        except BaseException as exc:  # handed to the caller's thread as it is
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="litkit-request", daemon=True).start()
    if not done.wait(seconds):
        raise DeadlineExceeded(seconds)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]


# -- one connection pool for habanero -------------------------------------------------------


class _PooledHttpx:
    """The ``httpx2`` module as habanero sees it during a run: ``get`` on one shared client.

    habanero 2.9 calls the module-level ``httpx2.get`` for every request, which builds a
    new client each time: a new TLS context (about 30 ms of CPU to load the CA bundle) and
    a new connection, handshake included. Within :func:`pooled_connections` its requests
    go through one ``httpx2.Client`` instead, which keeps connections alive and is safe to
    share between threads; everything else is the real module.
    """

    def __init__(self, client: httpx2.Client):
        self._client = client

    def get(self, url, **kwargs) -> httpx2.Response:
        return self._client.get(url, **kwargs)

    def __getattr__(self, name: str):
        return getattr(httpx2, name)


# The habanero modules that send litkit's requests (pinned: habanero>=2.9,<2.10).
_HABANERO_SENDERS = (habanero.request, habanero.request_class)
_POOL_LOCK = threading.Lock()
_pool_users = 0


@contextmanager
def pooled_connections():
    """Let habanero's requests share one client (and its connections) while this is open.

    Nested and concurrent uses (two fetchers in one process) share the same client; the
    last to leave closes it and gives habanero back the plain module, which also ends any
    request abandoned past its deadline.
    """
    global _pool_users
    with _POOL_LOCK:
        if _pool_users == 0:
            shared = _PooledHttpx(httpx2.Client())
            for module in _HABANERO_SENDERS:
                module.httpx2 = shared
        _pool_users += 1
    try:
        yield
    finally:
        with _POOL_LOCK:
            _pool_users -= 1
            if _pool_users == 0:
                shared = _HABANERO_SENDERS[0].httpx2
                for module in _HABANERO_SENDERS:
                    module.httpx2 = httpx2
                shared._client.close()


# -- the fetcher ---------------------------------------------------------------------------


class Fetcher:
    """Fetches Crossref work records into a :class:`CrossrefCache`.

    Args:
        cache: where records are kept.
        api: which Crossref and who asks (default: :meth:`CrossrefApi.configured`).
        limits: request pacing; defaults to the pool's published limits.
        batch_size: the most DOIs per list request; by default as many as fit in a URL of
            ``max_url_bytes`` (about 100 real DOIs).
        max_url_bytes: the longest list-request URL.
        retry: tries per request before a DOI is given up as failed, and the backoff between
            them (a server's Retry-After, up to ``retry_after_cap``, replaces the backoff).
        timeout: seconds to wait for each read of an answer (10 at most to connect).
        deadline: seconds one request may take in all, however the server trickles it.
        retry_after_cap: the longest Retry-After waited for; a longer one fails at once.
        max_error_rate: share of failed requests at which the run stops.
        min_requests: requests to see before the error rate is judged.
        connect_attempts: connection failures, before any answer, that mean no network.
        lock_timeout: seconds to wait for another fetch to finish with the cache folder.
        notify: where to say what the run is doing (progress, waits); silent if None.
    """

    def __init__(
        self,
        cache: CrossrefCache,
        *,
        api: CrossrefApi | None = None,
        limits: Limits | None = None,
        batch_size: int | None = None,
        max_url_bytes: int = MAX_URL_BYTES,
        retry: Retry = Retry(attempts=6),
        timeout: float = 20,
        deadline: float = 60,
        retry_after_cap: float = RETRY_AFTER_CAP,
        max_error_rate: float = 0.1,
        min_requests: int = 20,
        connect_attempts: int = 3,
        lock_timeout: float = 600,
        notify: Callable[[str], None] | None = None,
    ):
        self.cache = cache
        self.api = api or CrossrefApi.configured()
        self.limits = limits or self.api.limits
        self.batch_size, self.max_url_bytes = batch_size, max_url_bytes
        self.retry, self.deadline = retry, deadline
        self.retry_after_cap = retry_after_cap
        self.max_error_rate, self.min_requests = max_error_rate, min_requests
        self.connect_attempts, self.lock_timeout = connect_attempts, lock_timeout
        self.notify = notify
        self.client = self.api.client(timeout)

    def _say(self, message: str) -> None:
        if self.notify:
            self.notify(message)

    # -- the run ---------------------------------------------------------------------------

    def fetch(
        self, dois: Iterable[str], *, refresh: bool = False, offline: bool = False
    ) -> FetchReport:
        """Make sure every DOI in ``dois`` is cached; report what became of each.

        Raises FetchError when the server cannot be reached at all, CacheError when the
        cache cannot be written; records written before either are kept.
        """
        requested, outcomes = self._triage(dois, refresh=refresh, offline=offline)
        tally = _Tally(self.max_error_rate, self.min_requests, self.connect_attempts, self.api.host)
        if offline or not (requested or self.cache.legacy_not_found_file.is_file()):
            return self._report(outcomes, tally)
        with self.cache.locked(timeout=self.lock_timeout, on_wait=self._say):
            removed = self.cache.remove_temporary_files()
            if removed:
                self._say(
                    f"removed {len(removed)} temporary files a killed run left in {self.cache.folder}"
                )
            # Another fetch may have cached some of these while this one waited for the lock.
            done = self.cache.cached(requested) if not refresh else set()
            outcomes.update({d: Outcome(d, "cached") for d in done})
            requested = [d for d in requested if d not in done]
            if requested:
                self._announce(len(requested))
                with pooled_connections(), collector_paused():
                    outcomes.update(self._fetch_all(requested, tally, refresh=refresh))
            if tally.unreachable and not tally.answered:
                raise FetchError(tally.unreachable)
            moved = self.cache.note_lookups(
                {o.doi: (o.agency, o.reason) for o in outcomes.values() if o.status == "not-found"},
                fetched={o.doi for o in outcomes.values() if o.status == "fetched"},
            )
            if moved:
                self._say(f"moved the not-found list {moved} into {self.cache.not_found_file}")
        return self._report(outcomes, tally)

    @staticmethod
    def _report(outcomes: dict[str, Outcome], tally: _Tally) -> FetchReport:
        return FetchReport(
            list(outcomes.values()), tally.requests, tally.throttled, tally.errors, tally.stopped
        )

    def _announce(self, n: int) -> None:
        self._say(
            f"fetching {n} DOIs from {self.api.host} ({self.api.pool} pool: {self.limits.list_per_second:g}"
            f" list and {self.limits.single_per_second:g} single requests/s,"
            f" {self.limits.concurrency} in flight)"
        )
        if not self.api.mailto:
            self._say(
                f"no contact address (--mailto or ${MAILTO_VARIABLE}): Crossref's public"
                " pool has slower limits"
            )

    def _triage(self, dois: Iterable[str], *, refresh: bool, offline: bool):
        """Sort the request into invalid, already cached, unreachable offline, and to fetch."""
        outcomes: dict[str, Outcome] = {}
        valid: list[str] = []
        for raw in dois:
            try:
                doi = normalize_doi(raw)
            except ValueError as exc:
                outcomes.setdefault(raw, Outcome(raw, "invalid", str(exc)))
                continue
            if doi not in outcomes:
                outcomes[doi] = Outcome(doi, "failed", "not attempted")  # placeholder, keeps order
                valid.append(doi)
        cached = set() if refresh else self.cache.cached(valid)
        requested = []
        for doi in valid:
            if doi in cached:
                outcomes[doi] = Outcome(doi, "cached")
            elif offline:
                outcomes[doi] = Outcome(
                    doi, "not-cached", "offline: not in the cache yet (run `litkit fetch` online)"
                )
            else:
                requested.append(doi)
        return requested, outcomes

    def _fetch_all(self, dois: list[str], tally: _Tally, *, refresh: bool) -> dict[str, Outcome]:
        limiters = {
            "list": paced(self.limits.list_per_second),
            "single": paced(self.limits.single_per_second),
        }
        call = self._caller(tally, limiters)
        store = self._storer(refresh)
        batches = plan_batches(
            dois,
            base_url=self.api.base_url,
            max_url_bytes=self.max_url_bytes,
            max_size=self.batch_size,
        )
        outcomes: dict[str, Outcome] = {}
        show_bar = self.notify is not None and sys.stderr.isatty()
        with (
            tqdm(
                total=len(dois),
                unit="DOI",
                desc="Crossref",
                file=sys.stderr,
                disable=not show_bar,
                leave=False,
            ) as bar,
            ThreadPoolExecutor(max_workers=self.limits.concurrency) as pool,
        ):
            for found in self._run(
                pool, tally, [(self._fetch_batch, batch, call, store) for batch in batches]
            ):
                outcomes.update(found)
                bar.update(len(found))
            rest = [d for d in dois if d not in outcomes]
            for found in self._run(
                pool, tally, [(self._fetch_one, doi, call, store) for doi in rest]
            ):
                outcomes.update(found)
                bar.update(len(found))
        return outcomes

    @staticmethod
    def _run(pool: ThreadPoolExecutor, tally: _Tally, tasks: list[tuple]) -> Iterable[dict]:
        """Run tasks on the pool; on an unexpected error, stop the run and cancel the rest."""
        futures: list[Future] = [pool.submit(*task) for task in tasks]
        for future in futures:
            try:
                yield future.result()
            except BaseException:
                tally.stop("an error ended the run")
                for other in futures:
                    other.cancel()
                raise

    # -- requests --------------------------------------------------------------------------

    def _caller(self, tally: _Tally, limiters: dict[str, Limiter]):
        """A function that sends one request of a kind: paced, deadlined, counted and retried."""
        cap = self.retry_after_cap

        def transient(exc: BaseException) -> bool:
            failure = describe_failure(exc, retry_after_cap=cap)
            return failure is not None and failure.transient

        retrying = self.retry.retrying(transient, _WaitRetryAfterOr(self.retry.wait(), cap=cap))

        def attempt(kind: str, request: Callable[[], object]) -> object:
            if tally.stopped:
                raise RunStopped(tally.stopped)
            limiters[kind].try_acquire(kind)
            tally.sent()
            try:
                answer = within_deadline(request, self.deadline)
            except Exception as exc:
                failure = describe_failure(exc, retry_after_cap=cap)
                if failure is None:
                    raise
                tally.failed(failure)
                raise
            tally.got_answer()
            return answer

        # A copy per request: a Retrying object keeps per-call state.
        return lambda kind, request: retrying.copy()(attempt, kind, request)

    def _final(self, exc: BaseException) -> Failure:
        """The failure a request ended with, for the reason given to its DOIs."""
        failure = describe_failure(exc, retry_after_cap=self.retry_after_cap)
        if failure is None:
            raise exc
        return failure

    def _failed(self, failure: Failure) -> str:
        tries = f" after {self.retry.attempts} tries" if failure.transient else ""
        return f"failed{tries}: {failure.reason}"

    def _fetch_batch(self, batch: list[str], call, store) -> dict[str, Outcome]:
        """Fetch a batch through the DOI filter; cache the work records that come back."""
        request = lambda: work_items(
            _habanero(
                lambda: self.client.works(  # noqa: E731
                    **{FILTER_ARGUMENT: {"doi": list(batch)}}, limit=len(batch)
                )
            )
        )
        try:
            items, version = call("list", request)
        except RunStopped:
            return {}  # each DOI is then reported as not requested
        except Exception as exc:
            failure = self._final(exc)
            if failure.stop:
                return {d: Outcome(d, "failed", self._failed(failure)) for d in batch}
            return {}  # every DOI of the batch is asked for on its own instead
        wanted = set(batch)
        found: dict[str, Outcome] = {}
        for item in items:
            doi = item.get("DOI") if isinstance(item, dict) else None
            doi = doi.lower() if isinstance(doi, str) else None
            if doi in wanted and doi not in found and work_problem(item) is None:
                found[doi] = store(doi, item, "list", version)
        self.cache.sync()
        return found

    def _fetch_one(self, doi: str, call, store) -> dict[str, Outcome]:
        """Fetch one DOI through ``/works/{doi}``; a 404 is reported, never cached."""
        # Percent-encode the whole DOI: habanero puts it in the path as it is, and a `/..`,
        # `?` or `#` in a DOI would otherwise change the URL.
        request = lambda: work_message(
            _habanero(  # noqa: E731
                lambda: self.client.works(ids=quote(doi, safe=""))
            )
        )
        try:
            message, version = call("single", request)
        except RunStopped as exc:
            return {doi: Outcome(doi, "failed", f"not requested: run stopped ({exc})")}
        except Exception as exc:
            failure = self._final(exc)
            if failure.status == 404:
                return {doi: self._not_found(doi, call)}
            return {doi: Outcome(doi, "failed", self._failed(failure))}
        outcome = store(doi, message, "single", version)
        self.cache.sync()
        return {doi: outcome}

    def _not_found(self, doi: str, call) -> Outcome:
        """A DOI Crossref has no record of: registered with another agency, or with none."""
        request = lambda: _habanero(  # noqa: E731
            lambda: self.client.registration_agency(quote(doi, safe=""))[0]
        )
        try:
            agency = call("single", request)
        except RunStopped:
            agency = None
        except Exception as exc:
            self._final(exc)
            agency = None  # the DOI system does not know it either (or did not answer)
        if isinstance(agency, str) and agency.lower() != "crossref":
            return Outcome(doi, "not-found", f"registered with {agency}, not Crossref", agency)
        return Outcome(doi, "not-found", "not found at Crossref (HTTP 404)")

    # -- storing ---------------------------------------------------------------------------

    def _storer(self, refresh: bool) -> Callable[[str, dict, str, str | None], Outcome]:
        """A function that caches one work record for a DOI and says what became of it."""

        def store(doi: str, message: dict, via: str, version: str | None) -> Outcome:
            note = ""
            if refresh:
                keep, note = self._refresh_verdict(doi, message)
                if keep:
                    return Outcome(doi, "cached", note)
            self.cache.write(
                doi,
                message,
                message_version=version,
                api_url=self.api.base_url,
                via=via,
                durable=False,
            )
            record_doi = message["DOI"].strip().lower()
            if record_doi != doi:
                note = (
                    f"Crossref answers with the record of {record_doi}: {doi} is an alias,"
                    " or the answer is wrong (the audit flags it)"
                )
            return Outcome(doi, "fetched", note)

        return store

    def _refresh_verdict(self, doi: str, message: dict) -> tuple[bool, str]:
        """Whether a refresh keeps the cached record rather than ``message``, and why."""
        try:
            old = self.cache.read(doi).message
        except FileNotFoundError:
            return False, ""
        except CacheError:
            return False, "replaced an unreadable cached record"
        worse = worse_record(message, old, doi=doi)
        if worse:
            return True, f"kept the cached record: the new answer {worse}"
        return False, ""

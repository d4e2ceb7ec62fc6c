"""Fetching Crossref work records through habanero: batched, paced, retried and cached.

The fetcher asks for many DOIs per request through the ``doi`` filter of the ``/works``
route (as many as fit in a URL of about 4,000 bytes: about 100 real DOIs), then asks one by
one only for the DOIs a batch did not return, so that a real 404 is told apart from an
omission. Every request goes through :class:`~litkit.crossref.calls.Caller`, as the
resolver's do: paced to the pool's limits (single and list requests separately, with a cap
on requests in flight here), each within a total deadline, the failures that pass (429,
5xx, timeouts, dropped connections, bodies that are not JSON or not work records) retried
with exponential backoff and jitter. The run stops when errors persist or the server asks
to wait longer than the cap, as Crossref asks of its clients, and fails at once with one
line when the server cannot be reached at all. Every record is checked and written to the
cache as soon as it arrives, and the folder is synced once per list request and once for
the DOIs asked for one by one, before the run reports them; one fetch at a time writes to
a cache folder.

Typical use (the ``litkit fetch`` command does this)::

    fetcher = Fetcher(CrossrefCache("data/raw/crossref"), api=CrossrefApi.configured())
    report = fetcher.fetch(["10.1111/bcp.12094"])
    print(report.summary())
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from tqdm import tqdm

from litkit.collector import collector_paused
from litkit.config import MAILTO_VARIABLE
from litkit.crossref.api import FILTER_ARGUMENT, CrossrefApi, Limits
from litkit.crossref.cache import CrossrefCache
from litkit.crossref.calls import (
    RETRY_AFTER_CAP,
    Caller,
    Failure,
    RunStopped,
    Tally,
    from_habanero,
    pooled_connections,
    work_items,
    work_message,
)
from litkit.crossref.records import work_problem, worse_record
from litkit.doi import normalize_doi
from litkit.errors import CacheError, FetchError
from litkit.polite import Retry, paced
from litkit.vocabulary import FETCHED_STATUSES

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
        tally = Tally(
            self.api.host,
            max_error_rate=self.max_error_rate,
            min_requests=self.min_requests,
            connect_attempts=self.connect_attempts,
        )
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
    def _report(outcomes: dict[str, Outcome], tally: Tally) -> FetchReport:
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

    def _fetch_all(self, dois: list[str], tally: Tally, *, refresh: bool) -> dict[str, Outcome]:
        limiters = {
            "list": paced(self.limits.list_per_second),
            "single": paced(self.limits.single_per_second),
        }
        call = Caller(
            tally,
            limiters,
            retry=self.retry,
            deadline=self.deadline,
            retry_after_cap=self.retry_after_cap,
        )
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
        if rest:  # the records asked for one by one, made durable together
            self.cache.sync()
        return outcomes

    @staticmethod
    def _run(pool: ThreadPoolExecutor, tally: Tally, tasks: list[tuple]) -> Iterable[dict]:
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

    def _failed(self, failure: Failure) -> str:
        tries = f" after {self.retry.attempts} tries" if failure.transient else ""
        return f"failed{tries}: {failure.reason}"

    def _fetch_batch(self, batch: list[str], call: Caller, store) -> dict[str, Outcome]:
        """Fetch a batch through the DOI filter; cache the work records that come back.

        The folder is synced once for the batch's records, before they are reported.
        """
        request = lambda: work_items(
            from_habanero(
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
            failure = call.failure(exc)
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

    def _fetch_one(self, doi: str, call: Caller, store) -> dict[str, Outcome]:
        """Fetch one DOI through ``/works/{doi}``; a 404 is reported, never cached.

        The record is not synced here: :meth:`_fetch_all` syncs the folder once for all
        the DOIs asked for one by one, before it reports them.
        """
        # Percent-encode the whole DOI: habanero puts it in the path as it is, and a `/..`,
        # `?` or `#` in a DOI would otherwise change the URL.
        request = lambda: work_message(
            from_habanero(  # noqa: E731
                lambda: self.client.works(ids=quote(doi, safe=""))
            )
        )
        try:
            message, version = call("single", request)
        except RunStopped as exc:
            return {doi: Outcome(doi, "failed", f"not requested: run stopped ({exc})")}
        except Exception as exc:
            failure = call.failure(exc)
            if failure.status == 404:
                return {doi: self._not_found(doi, call)}
            return {doi: Outcome(doi, "failed", self._failed(failure))}
        return {doi: store(doi, message, "single", version)}

    def _not_found(self, doi: str, call: Caller) -> Outcome:
        """A DOI Crossref has no record of: registered with another agency, or with none."""
        request = lambda: from_habanero(  # noqa: E731
            lambda: self.client.registration_agency(quote(doi, safe=""))[0]
        )
        try:
            agency = call("single", request)
        except RunStopped:
            agency = None
        except Exception as exc:
            call.failure(exc)
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

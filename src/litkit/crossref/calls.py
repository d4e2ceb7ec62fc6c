"""Sending requests to Crossref: paced, deadlined, counted, retried and checked.

Both of litkit's Crossref clients, the fetcher (:mod:`litkit.crossref.fetch`) and the
resolver (:mod:`litkit.crossref.resolve`), send every request through a :class:`Caller`,
so they behave alike:

* each request waits for its slot under the pool's rate for its kind (``polite.paced``);
* each has a total deadline (:func:`within_deadline`), however the server trickles it;
* the failures that pass (429, 5xx, timeouts, dropped connections, bodies that are not JSON
  or not the shape the route returns) are retried with exponential backoff and jitter, a
  server's ``Retry-After`` replacing the backoff up to a cap; a longer ``Retry-After``
  fails the request at once and stops the run (:func:`describe_failure` says which is which);
* a :class:`Tally` counts what the run cost and stops it when errors persist (over 10 % of
  requests, as Crossref asks of its clients), when the server asked to be left alone, or
  when no request could reach the server at all;
* a 200 answer is checked before anyone reads it (:func:`work_message`,
  :func:`work_items`), so a wrong-shaped one is retried and never cached;
* while a run is open, habanero's requests share one pool of kept-alive connections
  (:func:`pooled_connections`).
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import habanero.request
import habanero.request_class
import httpx2
from habanero import RequestError
from pyrate_limiter import Limiter

from litkit.crossref.records import work_problem
from litkit.polite import Retry
from litkit.refcount import refcounted

# A server's Retry-After is honoured in full up to this many seconds; a longer wait fails
# the request at once and stops the run (the server wants to be left alone for a while).
RETRY_AFTER_CAP = 120.0


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
    """The items of a ``/works?…`` list answer and the API's message version.

    Raises BadAnswer when the answer holds no list of items.

    The items themselves are checked one by one by the caller (``work_problem``): a bad
    one is skipped, never cached, not a reason to throw the others away.
    """
    message = answer.get("message") if isinstance(answer, dict) else None
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(items, list):
        raise BadAnswer("a 200 answer without a list of works ('message.items')")
    return items, _version(answer)


def _version(answer: dict) -> str | None:
    version = answer.get("message-version")
    return version if isinstance(version, str) else None


def from_habanero(call: Callable[[], object]) -> object:
    """Call habanero, turning its failures on malformed answers into BadAnswer.

    habanero indexes answers as it expects them (a ``Content-Type`` header, a list's
    ``message.total-results``, an agency's ``message.agency.label``), so a malformed answer
    surfaces as a KeyError, TypeError or AttributeError from inside habanero.
    """
    try:
        return call()
    except (KeyError, TypeError, AttributeError) as exc:
        raise BadAnswer(f"a malformed answer ({type(exc).__name__}: {exc})") from exc


# -- counting a run ------------------------------------------------------------------------


@dataclass
class Tally:
    """Thread-safe counts of a run, and the decision to stop it.

    Args:
        host: the server, as named in the message when it cannot be reached.
        max_error_rate: share of failed requests at which the run stops.
        min_requests: requests to see before the error rate is judged.
        connect_attempts: connection failures, before any answer, that mean no network.
    """

    host: str
    max_error_rate: float = 0.1
    min_requests: int = 20
    connect_attempts: int = 3
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


# -- sending -------------------------------------------------------------------------------


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


class Caller:
    """Sends one request of a kind: paced, within its deadline, counted and retried.

    ``caller(kind, request)`` waits for a slot of ``limiters[kind]``, runs ``request`` (a
    function that asks habanero and checks the answer) within ``deadline`` seconds, and
    tries again after the failures that pass, honouring a server's Retry-After up to
    ``retry_after_cap``. It returns what ``request`` returned, or raises the last failure
    (:meth:`failure` describes it), or RunStopped once the ``tally`` has stopped the run.
    Safe to call from several threads at once.

    Args:
        tally: the run's counts and its decision to stop.
        limiters: a paced limiter for each kind of request (e.g. "list", "single").
        retry: tries per request, and the backoff between them.
        deadline: seconds one request may take in all, however the server trickles it.
        retry_after_cap: the longest Retry-After waited for; a longer one fails at once.
    """

    def __init__(
        self,
        tally: Tally,
        limiters: dict[str, Limiter],
        *,
        retry: Retry,
        deadline: float,
        retry_after_cap: float = RETRY_AFTER_CAP,
    ):
        self.tally, self.limiters = tally, limiters
        self.retry, self.deadline, self.retry_after_cap = retry, deadline, retry_after_cap
        self._retrying = retry.retrying(
            self._transient, _WaitRetryAfterOr(retry.wait(), cap=retry_after_cap)
        )

    def __call__(self, kind: str, request: Callable[[], object]) -> object:
        # A copy per request: a Retrying object keeps per-call state.
        return self._retrying.copy()(self._attempt, kind, request)

    def failure(self, exc: BaseException) -> Failure:
        """The failure a request ended with; an exception litkit does not expect is re-raised."""
        failure = describe_failure(exc, retry_after_cap=self.retry_after_cap)
        if failure is None:
            raise exc
        return failure

    def _transient(self, exc: BaseException) -> bool:
        failure = describe_failure(exc, retry_after_cap=self.retry_after_cap)
        return failure is not None and failure.transient

    def _attempt(self, kind: str, request: Callable[[], object]) -> object:
        tally = self.tally
        if tally.stopped:
            raise RunStopped(tally.stopped)
        self.limiters[kind].try_acquire(kind)
        tally.sent()
        try:
            answer = within_deadline(request, self.deadline)
        except Exception as exc:
            failure = describe_failure(exc, retry_after_cap=self.retry_after_cap)
            if failure is None:
                raise
            tally.failed(failure)
            raise
        tally.got_answer()
        return answer


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


def _share_a_client() -> _PooledHttpx:
    shared = _PooledHttpx(httpx2.Client())
    for module in _HABANERO_SENDERS:
        module.httpx2 = shared
    return shared


def _give_back_the_module(shared: _PooledHttpx) -> None:
    for module in _HABANERO_SENDERS:
        module.httpx2 = httpx2
    shared._client.close()


_pooled = refcounted(_share_a_client, _give_back_the_module)


def pooled_connections() -> AbstractContextManager[_PooledHttpx]:
    """Let habanero's requests share one client (and its connections) while this is open.

    Nested and concurrent uses (two fetchers in one process, a fetcher and a resolver)
    share the same client; the last to leave closes it and gives habanero back the plain
    module, which also ends any request abandoned past its deadline.
    """
    return _pooled()

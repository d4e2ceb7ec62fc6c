"""A local, Crossref-compatible HTTP server for tests and benchmarks.

Crossref's REST API cannot be reached from every machine, and tests must not depend on
the network anyway. :class:`CrossrefServer` serves real recorded Crossref work records on
``127.0.0.1`` and answers the way ``api.crossref.org`` does, including the awkward parts
that a robust client must cope with:

* ``GET /works/{doi}`` ("single" requests) and ``GET /works?filter=doi:A,doi:B&rows=N``
  ("list" requests), with Crossref's JSON envelopes, its plain-text 404 and its JSON
  validation failure for unknown filters; list requests also take the ``alternative-id``
  filter (a publisher's own id, such as an Elsevier PII) and ``query.bibliographic``
  (items then carry a ``score``; see :func:`bibliographic_score`);
* per-route rate limits over a rolling one-second window and a global cap on requests in
  flight, answered with an HTML 429 (``Retry-After`` only if asked for), like Crossref's
  polite pool;
* a list endpoint that may silently leave records out (``omit``), so that clients must
  fall back to single-record requests;
* alias DOIs, answered with the record of their primary DOI, as Crossref does;
* injectable faults (429, 503, 500 with any ``Retry-After``, dropped or reset connections,
  cut bodies, HTML or broken JSON with status 200, 200s whose ``message`` is not a work
  or a list of works, very slow answers, answers trickled a byte at a time) and
  thread-safe statistics.

It uses only the standard library. Importing this module only defines things.

>>> with CrossrefServer([{"DOI": "10.1/x", "title": ["X"]}]) as server:
...     server.url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import errno
import gzip
import json
import re
import socket
import struct
import sys
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

from litkit.testing.loopback import Loopback

__all__ = [
    "FAULT_KINDS",
    "CrossrefServer",
    "LoggedRequest",
    "ServerStats",
    "load_records",
]

#: Faults that answer 200 with valid JSON of the wrong shape (see :meth:`CrossrefServer.inject`).
SHAPE_FAULTS = frozenset(
    {
        "empty-message",
        "string-message",
        "no-message",
        "wrong-types",
        "bad-items",
        "items-without-doi",
    }
)
#: Faults that deliver the normal answer a byte at a time.
TRICKLE_FAULTS = frozenset({"trickle", "trickle-body"})
#: The faults that :meth:`CrossrefServer.inject` can deliver.
FAULT_KINDS = (
    frozenset({"429", "503", "500", "drop", "reset", "cut", "html200", "badjson", "slow"})
    | SHAPE_FAULTS
    | TRICKLE_FAULTS
)
ROUTES = ("single", "list", "agency")
MAX_ROWS = 1000  # Crossref refuses rows above this
DEFAULT_ROWS = 20  # Crossref's default page size
NOT_FOUND_BODY = b"Resource not found."  # what Crossref answers for an unknown DOI


def load_records(path: str | Path) -> list[dict]:
    """Read Crossref work records, one JSON object a line, from a .jsonl or .jsonl.gz file."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# ---------------------------------------------------------------------------- statistics


class LoggedRequest(NamedTuple):
    """One answered request: when it arrived (``time.monotonic()``), its route, its raw
    path with query, the status sent (``None`` when the connection was dropped or reset)
    and the client's User-Agent."""

    time: float
    route: str
    path: str
    status: int | None
    user_agent: str | None


@dataclass
class ServerStats:
    """What the server has seen, for assertions in tests and benchmark reports.

    ``requests`` counts requests by route ("single", "list", "other"), ``status_counts``
    by status sent (``None`` for dropped connections), ``faults`` by injected fault kind;
    ``connections`` counts the connections clients opened (fewer than requests when
    clients keep them alive).
    ``max_in_flight`` is the most admitted requests that were being handled at once. ``errors``
    holds tracebacks of unexpected server-side errors (should stay empty). Updated under a
    lock; read the fields directly.
    """

    requests: Counter = field(default_factory=Counter)
    status_counts: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    max_in_flight: int = 0
    total: int = 0
    connections: int = 0
    log: list[LoggedRequest] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, entry: LoggedRequest, *, fault: str | None = None) -> None:
        """Count one answered request."""
        with self._lock:
            self.total += 1
            self.requests[entry.route] += 1
            self.status_counts[entry.status] += 1
            if fault is not None:
                self.faults[fault] += 1
            self.log.append(entry)

    def opened(self) -> None:
        """Count one connection opened by a client."""
        with self._lock:
            self.connections += 1

    def saw_in_flight(self, n: int) -> None:
        """Remember the highest number of requests in flight."""
        with self._lock:
            self.max_in_flight = max(self.max_in_flight, n)

    def record_error(self, text: str) -> None:
        """Keep an unexpected server-side error for the tests to see."""
        with self._lock:
            self.errors.append(text)


# ---------------------------------------------------------------------------- limits


class _RateWindow:
    """At most ``limit`` admissions per rolling one-second window, by arrival time."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self._arrivals: deque[float] = deque()

    def try_admit(self, now: float) -> bool:
        """Admit a request arriving at ``now`` unless the window is full (caller locks)."""
        if self.limit is None:
            return True
        while self._arrivals and now - self._arrivals[0] >= 1.0:
            self._arrivals.popleft()
        if len(self._arrivals) >= self.limit:
            return False
        self._arrivals.append(now)
        return True


class _Gate:
    """Crossref's limits: a rate window per route plus a global cap on requests in flight.

    A refused request counts toward nothing: it takes no place in a window or in flight.
    """

    def __init__(
        self, *, single_rate: int | None, list_rate: int | None, max_concurrent: int | None
    ):
        self.max_concurrent = max_concurrent
        self.windows = {"single": _RateWindow(single_rate), "list": _RateWindow(list_rate)}
        self.in_flight = 0
        self._lock = threading.Lock()

    def admit(self, route: str, now: float) -> int | None:
        """Admit a request, returning the new number in flight, or None to refuse it."""
        with self._lock:
            if self.max_concurrent is not None and self.in_flight >= self.max_concurrent:
                return None
            # Crossref counts /works/{doi}/agency among single-record requests.
            window = self.windows.get("single" if route == "agency" else route)
            if window is not None and not window.try_admit(now):
                return None
            self.in_flight += 1
            return self.in_flight

    def release(self) -> None:
        """A request admitted earlier has been answered."""
        with self._lock:
            self.in_flight -= 1


# ---------------------------------------------------------------------------- faults


@dataclass
class _Fault:
    kind: str
    times: int
    doi: str | None
    route: str | None
    retry_after: str | None = None

    def matches(self, route: str, dois: Iterable[str]) -> bool:
        """Whether a request on ``route`` asking for ``dois`` should receive this fault."""
        if self.route is not None and self.route != route:
            return False
        return self.doi is None or self.doi in dois


class _FaultQueue:
    """Injected faults, each consumed by the next ``times`` matching requests, in order."""

    def __init__(self) -> None:
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: _Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def take(self, route: str, dois: Iterable[str]) -> _Fault | None:
        """Consume and return the first fault matching this request, if any."""
        dois = set(dois)
        with self._lock:
            for fault in self._faults:
                if fault.matches(route, dois):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> int:
        """How many deliveries are still queued."""
        with self._lock:
            return sum(f.times for f in self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


# ---------------------------------------------------------------------------- answers


@dataclass
class _Answer:
    """What to send back: a status, a content type and a body (plus a fault, if any)."""

    status: int
    content_type: str
    body: bytes
    fault: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _json_answer(status: int, payload: Any) -> _Answer:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return _Answer(status, "application/json", body)


def _html_answer(status: int, title: str, text: str) -> _Answer:
    page = (
        f"<html><head><title>{status} {title}</title></head>"
        f"<body><h1>{title}</h1><p>{text}</p></body></html>\n"
    )
    return _Answer(status, "text/html", page.encode("utf-8"))


def _too_many_requests() -> _Answer:
    return _html_answer(
        429, "Too Many Requests", "You have sent too many requests in a given amount of time."
    )


def _validation_failure(kind: str, value: str, message: str) -> _Answer:
    return _json_answer(
        400,
        {
            "status": "failed",
            "message-type": "validation-failure",
            "message": [{"type": kind, "value": value, "message": message}],
        },
    )


def _work_answer(record: dict) -> _Answer:
    return _json_answer(
        200,
        {
            "status": "ok",
            "message-type": "work",
            "message-version": "1.0.0",
            "message": record,
        },
    )


def _work_list_answer(items: list[dict], total: int, rows: int) -> _Answer:
    return _json_answer(
        200,
        {
            "status": "ok",
            "message-type": "work-list",
            "message-version": "1.0.0",
            "message": {
                "facets": {},
                "total-results": total,
                "items": items,
                "items-per-page": rows,
                "query": {"start-index": 0, "search-terms": None},
            },
        },
    )


def _misshapen(kind: str, route: str, normal: _Answer) -> _Answer:
    """A 200 with valid JSON whose ``message`` is not what ``route`` returns."""
    payload = json.loads(normal.body) if normal.status == 200 else {"status": "ok", "message": {}}
    message = payload.get("message")
    records = message.get("items", []) if route == "list" else [message]
    records = [r for r in records if isinstance(r, dict)]
    if kind == "empty-message":
        payload["message"] = {}
    elif kind == "string-message":
        payload["message"] = "Service temporarily unavailable."
    elif kind == "no-message":
        payload.pop("message", None)
    elif kind == "wrong-types":  # a list where an object belongs, a string where a list does
        if route == "list":
            payload["message"] = {**message, "items": {"DOI": "10.1000/not-a-list"}}
        else:
            payload["message"] = {**(records[0] if records else {}), "title": "A title, not a list"}
    elif kind == "bad-items":  # items that are not objects
        if route == "list":
            payload["message"] = {**message, "items": [r.get("DOI", "") for r in records]}
        else:
            payload["message"] = records
    else:  # items-without-doi
        stripped = [{k: v for k, v in r.items() if k != "DOI"} for r in records]
        if route == "list":
            payload["message"] = {**message, "items": stripped}
        else:
            payload["message"] = stripped[0] if stripped else {}
    return _json_answer(200, payload)


def _fault_answer(kind: str, normal: _Answer, route: str) -> _Answer:
    """The answer for an injected fault; ``normal`` is what would have been sent."""
    if kind in SHAPE_FAULTS:
        answer = _misshapen(kind, route, normal)
    elif kind == "429":
        answer = _too_many_requests()
    elif kind == "503":
        answer = _html_answer(503, "Service Unavailable", "Please try again later.")
    elif kind == "500":
        answer = _html_answer(500, "Internal Server Error", "Something went wrong.")
    elif kind == "html200":
        answer = _html_answer(200, "Crossref", "This is not the JSON you asked for.")
    elif kind == "badjson":
        answer = _Answer(200, "application/json", b'{"status": "ok", "message": {"DOI": ')
    else:  # drop, reset, cut, slow and trickle change how `normal` is delivered, not what it is
        answer = _Answer(normal.status, normal.content_type, normal.body)
    answer.fault = kind
    return answer


def _split_route(raw_path: str) -> tuple[str, str | None, dict[str, list[str]]]:
    """Classify a request path: ("single", doi, query), ("list", None, query) or "other".

    The DOI is everything after ``/works/``, percent-decoded, so it may contain slashes,
    parentheses, semicolons or an encoded ``?``. An optional ``/v1`` prefix is accepted.
    """
    parts = urlsplit(raw_path)
    path = parts.path
    query = parse_qs(parts.query, keep_blank_values=True)
    if path.startswith("/v1/"):
        path = path[3:]
    if path in ("/works", "/works/"):
        return "list", None, query
    if path.startswith("/works/") and path.endswith("/agency"):
        return "agency", unquote(path[len("/works/") : -len("/agency")]), query
    if path.startswith("/works/"):
        return "single", unquote(path[len("/works/") :]), query
    return "other", None, query


FILTERS = ("doi", "alternative-id")


def _filters(query: dict[str, list[str]]) -> tuple[dict[str, list[str]], _Answer | None]:
    """The values of a list request's ``filter`` by name, lower-cased, or a 400 for a filter
    this server does not know (as Crossref answers for an unknown one). A repeated filter
    name means any of its values, as at Crossref."""
    found: dict[str, list[str]] = {}
    for value in query.get("filter", []):
        for item in filter(None, value.split(",")):
            name, _, wanted = item.partition(":")
            if name not in FILTERS:
                return {}, _validation_failure(
                    "filter-not-available",
                    name,
                    f"Filter {name} specified but there is no such filter for this route."
                    f" Valid filters for this route are: {', '.join(FILTERS)}",
                )
            found.setdefault(name, []).append(wanted.strip().lower())
    return {name: list(dict.fromkeys(values)) for name, values in found.items()}, None


def _filter_dois(query: dict[str, list[str]]) -> tuple[list[str], _Answer | None]:
    """The lower-cased DOIs of a list request's ``doi`` filter, or a 400 for an unknown filter."""
    filters, error = _filters(query)
    return filters.get("doi", []), error


_WORD = re.compile(r"[^\W_]{2,}")


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def bibliographic_score(query: str, record: dict) -> float:
    """How well ``record`` matches a ``query.bibliographic`` string.

    A stand-in for Crossref's relevance score, in the same field and a similar range (a good
    match scores well above 50), but not Crossref's formula: the share of the query's words
    found in the record's title, container title, authors' family names, year, volume,
    issue and page, times 100.
    """
    wanted = _words(query)
    if not wanted:
        return 0.0
    issued = ((record.get("issued") or {}).get("date-parts") or [[None]])[0]
    fields = [
        *(record.get("title") or []),
        *(record.get("container-title") or []),
        *(a.get("family") or a.get("name") or "" for a in record.get("author") or []),
        str(issued[0] or ""),
        str(record.get("volume") or ""),
        str(record.get("issue") or ""),
        str(record.get("page") or ""),
    ]
    have = _words(" ".join(fields))
    return round(100.0 * len(wanted & have) / len(wanted), 3)


def _rows(query: dict[str, list[str]]) -> tuple[int, _Answer | None]:
    """The ``rows`` option of a list request, or a 400 like Crossref's when it is invalid."""
    text = query.get("rows", [str(DEFAULT_ROWS)])[-1]
    try:
        rows = int(text)
    except ValueError:
        rows = -1
    if not 0 <= rows <= MAX_ROWS:
        return 0, _validation_failure(
            "integer-not-valid",
            text,
            f"Integer specified as {text} but must be a positive integer less than or"
            f" equal to {MAX_ROWS}.",
        )
    return rows, None


# ---------------------------------------------------------------------------- HTTP plumbing


class _Handler(BaseHTTPRequestHandler):
    """Answers one connection's requests on behalf of a :class:`CrossrefServer`."""

    protocol_version = "HTTP/1.1"  # keep-alive, like the real API
    server_version = "litkit-crossref-server"
    sys_version = ""
    timeout = 60  # idle keep-alive connections give up after this
    disable_nagle_algorithm = True  # headers and body go out in two writes

    @property
    def app(self) -> CrossrefServer:
        return self.server.app  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        self.app.stats.opened()
        self.app._track(self.connection, opened=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.app._track(self.connection, opened=False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Stay quiet: tests and benchmarks read :attr:`CrossrefServer.stats` instead."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        """Answer a GET: admit it past the limits, decide the answer, deliver it."""
        arrival = time.monotonic()
        route, doi, query = _split_route(self.path)
        in_flight = self.app._gate.admit(route, arrival)
        if in_flight is None:
            self._deliver(self._log(arrival, route, self.app._limited()))
            return
        try:
            self.app.stats.saw_in_flight(in_flight)
            answer = self._log(arrival, route, self.app._answer(route, doi, query))
            self._deliver_late(answer)
        finally:
            self.app._gate.release()

    def _log(self, arrival: float, route: str, answer: _Answer) -> _Answer:
        """Count the answer before sending it, so a client never sees stale stats."""
        status = None if answer.fault in ("drop", "reset") else answer.status
        entry = LoggedRequest(arrival, route, self.path, status, self.headers.get("User-Agent"))
        self.app.stats.record(entry, fault=answer.fault)
        return answer

    def _deliver_late(self, answer: _Answer) -> None:
        """Wait the configured latency (or much longer, for "slow"), then deliver."""
        delay = self.app.slow_seconds if answer.fault == "slow" else self.app.latency
        if delay > 0 and self.app._stopping.wait(delay):
            self.close_connection = True  # shutting down: give up on this answer
            return
        self._deliver(answer)

    def _deliver(self, answer: _Answer) -> None:
        """Send an answer, or break the connection the way its fault says."""
        if answer.fault == "drop":
            self.close_connection = True
        elif answer.fault == "reset":
            self._reset_connection()
        elif answer.fault == "cut":
            self._send(answer, body=answer.body[: len(answer.body) // 2], close=True)
        elif answer.fault in TRICKLE_FAULTS:
            self._trickle(answer, headers_too=answer.fault == "trickle")
        else:
            self._send(answer, body=answer.body, close=answer.fault is not None)

    def _send(self, answer: _Answer, *, body: bytes, close: bool) -> None:
        """Write status, headers and ``body``; Content-Length always says the full size."""
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self, answer: _Answer, *, headers_too: bool) -> None:
        """Send the answer a byte at a time, ``trickle_seconds`` apart (all of it, or the body)."""
        self.close_connection = True
        lines = [
            f"HTTP/1.1 {answer.status} {self.responses[answer.status][0]}",
            f"Content-Type: {answer.content_type}",
            f"Content-Length: {len(answer.body)}",
            "Connection: close",
            *(f"{k}: {v}" for k, v in answer.headers.items()),
            "",
            "",
        ]
        head = "\r\n".join(lines).encode("latin-1")
        if not headers_too:
            self.wfile.write(head)
            head = b""
        for i in range(len(head) + len(answer.body)):
            byte = (
                head[i : i + 1] if i < len(head) else answer.body[i - len(head) : i - len(head) + 1]
            )
            self.wfile.write(byte)
            self.wfile.flush()
            if self.app._stopping.wait(self.app.trickle_seconds):
                return

    def _reset_connection(self) -> None:
        """Close with a TCP reset (SO_LINGER 0) instead of an orderly shutdown."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.connection.close()


class _HTTPServer(ThreadingHTTPServer):
    """The listening socket; one daemon thread per connection so nothing can hang exit."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, app: CrossrefServer):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.app = app

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that went away; keep other errors in the stats, unprinted."""
        exc = sys.exc_info()[1]
        gone = isinstance(exc, (ConnectionError, TimeoutError)) or (
            isinstance(exc, OSError) and exc.errno == errno.EBADF
        )
        if not gone:
            self.app.stats.record_error(traceback.format_exc())


# ---------------------------------------------------------------------------- the server


class CrossrefServer(Loopback):
    """A Crossref-compatible HTTP server on 127.0.0.1, serving the given work records.

    Use it as a context manager; ``server.url`` is ``http://127.0.0.1:PORT``::

        with CrossrefServer(load_records(path), single_rate=None) as server:
            Crossref(base_url=server.url).works(ids="10.1371/journal.pone.0033693")

    Options (keyword-only): ``single_rate`` and ``list_rate`` are the requests admitted per
    rolling second to ``/works/{doi}`` and ``/works?...``; ``max_concurrent`` caps requests
    in flight over both; ``None`` disables a limit. Refused requests get an HTML 429, with a
    ``Retry-After: retry_after`` header only if ``retry_after`` is set. Every admitted
    answer is delayed by ``latency`` seconds, "slow" faults by ``slow_seconds``. DOIs in
    ``omit`` are silently left out of list answers (single requests still find them).
    ``agencies`` maps DOIs registered with another agency (e.g. ``"DataCite"``) for
    ``/works/{doi}/agency``, which answers "Crossref" for the served records. ``aliases``
    maps alias DOIs to served DOIs: asked for an alias, the server answers with the record
    of its primary DOI (its ``DOI`` field is the primary one), as Crossref does. Trickled
    faults send a byte every ``trickle_seconds``.
    """

    def __init__(
        self,
        records: Iterable[dict],
        *,
        single_rate: int | None = 10,
        list_rate: int | None = 3,
        max_concurrent: int | None = 3,
        latency: float = 0.0,
        retry_after: float | None = None,
        omit: Iterable[str] = (),
        slow_seconds: float = 10.0,
        agencies: dict[str, str] | None = None,
        aliases: dict[str, str] | None = None,
        trickle_seconds: float = 0.05,
    ):
        self.records = {r["DOI"].lower(): r for r in records if r.get("DOI")}
        self.agencies = {d.lower(): a for d, a in (agencies or {}).items()}
        self.aliases = {a.lower(): d.lower() for a, d in (aliases or {}).items()}
        self.trickle_seconds = trickle_seconds
        self.latency = latency
        self.retry_after = retry_after
        self.slow_seconds = slow_seconds
        self.omit = omit
        self.stats = ServerStats()
        self._gate = _Gate(
            single_rate=single_rate, list_rate=list_rate, max_concurrent=max_concurrent
        )
        self._faults = _FaultQueue()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- options that tests may change while the server runs

    @property
    def omit(self) -> frozenset[str]:
        """Lower-cased DOIs that list answers leave out."""
        return self._omit

    @omit.setter
    def omit(self, dois: Iterable[str]) -> None:
        if isinstance(dois, str):
            dois = [dois]
        self._omit = frozenset(d.lower() for d in dois)

    # -- life cycle

    def start(self) -> CrossrefServer:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        if self._httpd is not None:
            raise RuntimeError("CrossrefServer is already running")
        self._stopping.clear()
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="crossref-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: wake sleeping handlers, close every connection and the socket."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:PORT`` without a trailing slash."""
        return self._address()

    # -- test helpers

    def inject(
        self,
        kind: str,
        *,
        times: int = 1,
        doi: str | None = None,
        route: str | None = None,
        retry_after: str | float | None = None,
    ) -> None:
        """Make the next ``times`` matching requests fail with fault ``kind``.

        A request matches when ``route`` ("single" or "list") is None or its route, and
        ``doi`` is None or the requested DOI (single) or one of the filter's DOIs (list).
        Faults are consumed in the order injected, after the rate and concurrency limits
        admitted the request. Kinds: "429", "503", "500" (HTML pages; 429 and 503 carry
        Retry-After only if the server has ``retry_after``), "drop" (close without any
        answer), "reset" (TCP reset without any answer), "cut" (a 200 whose body stops
        halfway), "html200" (200 with an HTML page), "badjson" (200, application/json,
        invalid JSON), "slow" (the normal answer after ``slow_seconds``), "trickle" (the
        normal answer, status line and headers included, a byte every ``trickle_seconds``),
        "trickle-body" (the headers at once, then the body a byte at a time), and 200s with
        valid JSON of the wrong shape: "empty-message" (``{}``), "string-message",
        "no-message", "wrong-types" (a title that is a string; on lists, items that are an
        object), "bad-items" (items that are strings; on single requests, a message that is
        a list) and "items-without-doi". ``retry_after`` (seconds or an HTTP date) is sent
        as the ``Retry-After`` header of this fault's answer.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose from {sorted(FAULT_KINDS)}")
        if route not in (None, *ROUTES):
            raise ValueError(f"route must be None or one of {ROUTES}, not {route!r}")
        if times < 1:
            raise ValueError("times must be at least 1")
        self._faults.add(
            _Fault(
                kind,
                times,
                doi.lower() if doi else None,
                route,
                None
                if retry_after is None
                else (
                    f"{retry_after:g}"
                    if isinstance(retry_after, (int, float))
                    else str(retry_after)
                ),
            )
        )

    @property
    def faults_pending(self) -> int:
        """How many injected fault deliveries have not happened yet."""
        return self._faults.pending()

    def clear_faults(self) -> None:
        """Forget every injected fault not yet delivered."""
        self._faults.clear()

    def reset_stats(self) -> None:
        """Start counting afresh (limits and injected faults are unaffected)."""
        self.stats = ServerStats()

    # -- answering (called from handler threads)

    def _answer(self, route: str, doi: str | None, query: dict[str, list[str]]) -> _Answer:
        """The answer to an admitted request, with any injected fault applied."""
        if route == "single":
            normal, dois = self._single(doi or ""), [(doi or "").lower()]
        elif route == "agency":
            normal, dois = self._agency(doi or ""), [(doi or "").lower()]
        elif route == "list":
            dois, normal = self._list(query)
        else:
            return _Answer(404, "text/plain", NOT_FOUND_BODY)
        fault = self._faults.take(route, dois)
        answer = normal if fault is None else _fault_answer(fault.kind, normal, route)
        if answer.status in (429, 503):
            self._add_retry_after(answer)
        if fault is not None and fault.retry_after is not None:
            answer.headers["Retry-After"] = fault.retry_after
        return answer

    def _record(self, doi: str) -> dict | None:
        """The record served for ``doi``: its own, or its primary DOI's for an alias."""
        doi = doi.lower()
        return self.records.get(doi) or self.records.get(self.aliases.get(doi, ""))

    def _agency(self, doi: str) -> _Answer:
        """Which registration agency holds a DOI: Crossref for served records, else
        the one given in ``agencies``, else 404 (a DOI nobody registered)."""
        if self._record(doi) is not None:
            agency = "Crossref"
        elif doi.lower() in self.agencies:
            agency = self.agencies[doi.lower()]
        else:
            return _Answer(404, "text/plain", NOT_FOUND_BODY)
        return _json_answer(
            200,
            {
                "status": "ok",
                "message-type": "work-agency",
                "message-version": "1.0.0",
                "message": {"DOI": doi.lower(), "agency": {"id": agency.lower(), "label": agency}},
            },
        )

    def _single(self, doi: str) -> _Answer:
        record = self._record(doi)
        if record is None:
            return _Answer(404, "text/plain", NOT_FOUND_BODY)
        return _work_answer(record)

    def _list(self, query: dict[str, list[str]]) -> tuple[list[str], _Answer]:
        filters, error = _filters(query)
        dois = filters.get("doi", [])
        rows, rows_error = _rows(query)
        if error or rows_error:
            return dois, error or rows_error  # type: ignore[return-value]
        found = [r for d, r in self.records.items() if d not in self.omit]
        if "doi" in filters:
            served = (self._record(d) for d in dois if d not in self.omit)
            found = list({id(r): r for r in served if r is not None}.values())
        if "alternative-id" in filters:
            wanted = set(filters["alternative-id"])
            found = [
                r for r in found if wanted & {str(a).lower() for a in r.get("alternative-id") or []}
            ]
        bibliographic = query.get("query.bibliographic", [""])[-1]
        if bibliographic:
            scored = [(bibliographic_score(bibliographic, r), r) for r in found]
            found = [
                dict(r, score=score)
                for score, r in sorted(scored, key=lambda pair: -pair[0])
                if score > 0
            ]
        return dois, _work_list_answer(found[:rows], len(found), rows)

    def _limited(self) -> _Answer:
        """The 429 for a request refused by the rate or concurrency limits."""
        answer = _too_many_requests()
        self._add_retry_after(answer)
        return answer

    def _add_retry_after(self, answer: _Answer) -> None:
        if self.retry_after is not None:
            answer.headers["Retry-After"] = f"{self.retry_after:g}"

    def _track(self, conn: socket.socket, *, opened: bool) -> None:
        """Remember open connections so that :meth:`stop` can close idle keep-alives."""
        with self._connections_lock:
            if opened:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _close_connections(self) -> None:
        with self._connections_lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

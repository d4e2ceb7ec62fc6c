"""A local stand-in for NCBI's PMC ID converter, for tests.

NCBI's converter (``/pmc/utils/idconv/v1.0/``, and its newer address
``/tools/idconv/api/v1/articles/``) turns PMIDs and PMCIDs into DOIs for articles in PMC.
:class:`IdConverterServer` answers ``GET ?ids=A,B&format=json[&idtype=…]`` on 127.0.0.1 in
the converter's JSON shape: a ``records`` list in request order, each with
``requested-id``, ``pmcid``, ``pmid`` and ``doi`` (what the article has), or
``status: error`` and ``errmsg: "Identifier not found in PMC"`` for an id it does not know.
It limits requests per rolling second like NCBI (3 without an API key), answering beyond
that with NCBI's 429 JSON, and injects faults (429, 503, a dropped connection). Standard
library only; importing it only defines things.

>>> with IdConverterServer([{"pmid": "1", "pmcid": "PMC2", "doi": "10.1/x"}]) as server:
...     server.url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from litkit.testing.loopback import Loopback

PATHS = ("/pmc/utils/idconv/v1.0/", "/tools/idconv/api/v1/articles/")
FAULTS = ("429", "503", "drop")
MAX_IDS = 200  # the converter takes at most 200 ids a request
NOT_FOUND = "Identifier not found in PMC"


def _key(identifier: str) -> str:
    return identifier.strip().upper()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "litkit-idconv-server"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: tests read :attr:`IdConverterServer.requests`."""

    def do_GET(self) -> None:  # noqa: N802
        app: IdConverterServer = self.server.app  # type: ignore[attr-defined]
        status, body, close = app.answer(self.path)
        if status is None:  # a dropped connection
            self.close_connection = True
            return
        payload = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)


class IdConverterServer(Loopback):
    """The PMC ID converter on 127.0.0.1, knowing the given articles.

    Args:
        articles: dicts with ``pmid``, ``pmcid`` and ``doi`` (any may be missing).
        rate: requests admitted per rolling second (None: no limit).
    """

    def __init__(self, articles: Iterable[dict[str, str]], *, rate: int | None = 3):
        self.articles: dict[str, dict[str, str]] = {}
        for article in articles:
            for name in ("pmid", "pmcid", "doi"):
                if article.get(name):
                    self.articles[_key(article[name])] = dict(article)
        self.rate = rate
        self.requests: list[dict[str, list[str]]] = []
        self.refused = 0
        self._arrivals: deque[float] = deque()
        self._faults: list[str] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    # -- life cycle
    def start(self) -> IdConverterServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.app = self  # type: ignore[attr-defined]
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def url(self) -> str:
        """The converter's address on this server (the documented v1.0 path)."""
        return f"{self._address()}{PATHS[0]}"

    def inject(self, kind: str, *, times: int = 1) -> None:
        """Answer the next ``times`` requests with fault ``kind`` (429, 503 or drop)."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; choose from {', '.join(FAULTS)}")
        with self._lock:
            self._faults += [kind] * times

    # -- answering
    def _admit(self) -> bool:
        if self.rate is None:
            return True
        now = time.monotonic()
        with self._lock:
            while self._arrivals and now - self._arrivals[0] >= 1.0:
                self._arrivals.popleft()
            if len(self._arrivals) >= self.rate:
                self.refused += 1
                return False
            self._arrivals.append(now)
            return True

    def answer(self, raw_path: str) -> tuple[int | None, dict, bool]:
        """(status, JSON body, close) for a request; status None drops the connection."""
        parts = urlsplit(raw_path)
        if parts.path not in PATHS:
            return 404, {"status": "error", "message": "not found"}, False
        query = parse_qs(parts.query)
        with self._lock:
            self.requests.append(query)
            fault = self._faults.pop(0) if self._faults else None
        if fault == "drop":
            return None, {}, True
        if fault == "429" or not self._admit():
            return 429, {"error": "API rate limit exceeded", "count": str(self.rate or 0)}, False
        if fault == "503":
            return 503, {"status": "error", "message": "Service unavailable"}, True
        ids = [i for i in ",".join(query.get("ids", [])).split(",") if i.strip()]
        if not ids or len(ids) > MAX_IDS:
            return 400, {"status": "error", "message": f"give 1 to {MAX_IDS} ids in 'ids'"}, False
        body: dict[str, Any] = {
            "status": "ok",
            "responseDate": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
            "request": parts.query.replace("&", ";"),
            "records": [self._record(i) for i in ids],
        }
        if not (query.get("tool") and query.get("email")):
            body["warning"] = "no e-mail provided; no tool provided"
        return 200, body, False

    def _record(self, identifier: str) -> dict[str, str]:
        article = self.articles.get(_key(identifier))
        if article is None:
            return {"requested-id": identifier, "status": "error", "errmsg": NOT_FOUND}
        return {
            "requested-id": identifier,
            **{k: article[k] for k in ("pmcid", "pmid", "doi") if article.get(k)},
        }

"""Which Crossref litkit asks and who is asking: one place for both of its clients.

:class:`CrossrefApi` holds the API's address and the contact address sent with each
request (which puts the requests in Crossref's polite pool), resolved once from the options
or the environment. :class:`Limits` are the pools' published limits. The fetcher and the
resolver both make their habanero clients here, so they introduce themselves the same way.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx2
from habanero import Crossref

from litkit import __version__
from litkit.config import URL_VARIABLE, settings
from litkit.crossref.cache import public_url
from litkit.errors import UsageError

# habanero's next release renames `works`' `filter` to `filters`; ask the installed one.
FILTER_ARGUMENT = (
    "filters" if "filters" in inspect.signature(Crossref.works).parameters else "filter"
)


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


def check_http_url(text: str) -> str:
    """``text`` stripped, if it is an http(s) URL with a host; else ValueError, saying why.

    The message shows the URL without credentials or query, so a password is never echoed.
    """
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"must be an http:// or https:// URL with a host, not {public_url(text)!r}"
        )
    return text.strip()


@dataclass(frozen=True)
class CrossrefApi:
    """The API's base URL and the contact address; ``None`` for no contact (public pool)."""

    base_url: str
    mailto: str | None = None

    @classmethod
    def configured(cls, base_url: str | None = None, mailto: str | None = None) -> CrossrefApi:
        """The given address and contact, else ``$LITKIT_CROSSREF_URL`` and ``$LITKIT_MAILTO``.

        Raises:
            UsageError: when the address from the environment is not an http(s) URL.
        """
        env = settings()
        try:
            url = check_http_url(base_url or env.crossref_url)
        except ValueError as exc:
            raise UsageError(f"${URL_VARIABLE} {exc}") from None
        return cls(url.rstrip("/"), mailto or env.mailto)

    @property
    def host(self) -> str:
        """The address without credentials or query, for messages and provenance."""
        return public_url(self.base_url)

    @property
    def pool(self) -> str:
        """Which of Crossref's pools the requests go to."""
        return "polite" if self.mailto else "public"

    @property
    def limits(self) -> Limits:
        """The pool's published limits."""
        return Limits.for_pool(self.mailto)

    def client(self, timeout: float | None = None) -> Crossref:
        """A habanero client for this API; ``timeout`` bounds each read (10 s to connect)."""
        options = (
            {}
            if timeout is None
            else {"timeout": httpx2.Timeout(timeout, connect=min(timeout, 10))}
        )
        return Crossref(
            base_url=self.base_url, mailto=self.mailto, ua_string=f"litkit/{__version__}", **options
        )

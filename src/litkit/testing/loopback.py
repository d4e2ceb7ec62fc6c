"""What every local test server shares: use as a context manager, and its address.

The servers under :mod:`litkit.testing` stand in for web services the tests must not reach;
each binds a free port on 127.0.0.1 and serves from a daemon thread.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from http.server import HTTPServer
from typing import Self


class Loopback(ABC):
    """A base for a server on 127.0.0.1: each says how it starts and stops."""

    _httpd: HTTPServer | None = None

    @abstractmethod
    def start(self) -> Self:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""

    @abstractmethod
    def stop(self) -> None:
        """Stop serving and close the socket."""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _address(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash."""
        if self._httpd is None:
            raise RuntimeError(f"{type(self).__name__} is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

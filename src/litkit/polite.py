"""How litkit's web clients wait: paced under a server's rate limit, and retried with backoff.

The Crossref fetcher, the resolver and the NCBI ID converter all ask servers that limit how
often they may be asked, and all retry the failures that pass. The pacing and the retry
policy are defined here once, so the three behave alike and are tuned in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyrate_limiter import InMemoryBucket, Limiter, Rate
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

# Requests leave the client evenly paced but can arrive bunched up (connection set-up and
# thread scheduling vary), so the client keeps this much headroom under the server's window.
PACING_HEADROOM = 0.12
# pyrate-limiter oversleeps each wait by `buffer_ms` (50 by default): at 3 requests a second
# that would be 5 % more time per request than the headroom already gives.
PACING_OVERSLEEP_MS = 2


def paced(per_second: float) -> Limiter:
    """A blocking limiter that spaces requests evenly, ``per_second`` less the headroom.

    One request per interval rather than bursts of ``per_second`` per window: the same
    rate, but requests do not start together and compete for the interpreter, so each
    leaves closer to the moment its slot opened, and the server's window sees them spaced.
    Each ``try_acquire(name)`` waits for the next slot.
    """
    interval_ms = max(1, int(1000 / per_second * (1 + PACING_HEADROOM)))
    return Limiter(InMemoryBucket([Rate(1, interval_ms)]), buffer_ms=PACING_OVERSLEEP_MS)


@dataclass(frozen=True)
class Retry:
    """How often a request is tried, and how long to wait between tries.

    The wait starts at ``backoff`` seconds and doubles, with up to ``backoff`` of random
    jitter so that clients that failed together do not retry together, up to ``max_backoff``.
    """

    attempts: int = 5
    backoff: float = 0.5
    max_backoff: float = 30

    def wait(self) -> Callable:
        """Tenacity's wait for these tries: exponential, jittered, capped."""
        return wait_exponential_jitter(
            multiplier=self.backoff, max=self.max_backoff, jitter=self.backoff
        )

    def retrying(
        self, transient: Callable[[BaseException], bool], wait: Callable | None = None
    ) -> Retrying:
        """A Tenacity retrier: tries again after the failures ``transient`` accepts.

        ``wait`` replaces the backoff (e.g. to honour a server's Retry-After); the last
        failure is raised as it is. A Retrying keeps per-call state: ``copy()`` it per call
        when calls may overlap.
        """
        return Retrying(
            retry=retry_if_exception(transient),
            stop=stop_after_attempt(self.attempts),
            wait=wait or self.wait(),
            reraise=True,
        )

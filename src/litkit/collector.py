"""Pausing Python's cyclic garbage collector while many long-lived objects are made.

Reading tens of thousands of JSON records makes millions of containers that all live on,
and the collector would scan them again and again (half the time of a build's reading) though
parsed JSON cannot hold a cycle. Reference counting goes on, so garbage without cycles is
still freed at once; cyclic garbage waits for the collector to run again.
"""

from __future__ import annotations

import gc
from contextlib import AbstractContextManager

from litkit.refcount import refcounted


def _pause() -> bool:
    """Stop the collector; whether it ran before, so that the last user restores just that."""
    was_enabled = gc.isenabled()
    gc.disable()
    return was_enabled


def _restore(was_enabled: bool) -> None:
    if was_enabled:
        gc.enable()


_paused = refcounted(_pause, _restore)


def collector_paused() -> AbstractContextManager[bool]:
    """Pause the cyclic garbage collector while this is open (reference counting goes on).

    Nested and concurrent uses share the pause; the last to leave restores the collector.

    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    return _paused()

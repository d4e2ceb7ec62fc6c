"""Pausing Python's cyclic garbage collector while many long-lived objects are made.

Reading tens of thousands of JSON records makes millions of containers that all live on,
and the collector would scan them again and again (half the time of a build's reading) though
parsed JSON cannot hold a cycle. Reference counting goes on, so garbage without cycles is
still freed at once; cyclic garbage waits for the collector to run again.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

# Runs in this process that have paused the cyclic garbage collector, and whether it ran.
_GC_LOCK = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def collector_paused():
    """Pause the cyclic garbage collector while this is open (reference counting goes on).

    Nested and concurrent uses share the pause; the last to leave restores the collector.

    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    global _gc_pausers, _gc_was_enabled
    with _GC_LOCK:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()

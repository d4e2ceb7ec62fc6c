"""A change to the process that nested and concurrent users share: the first in makes it,
the last out undoes it.

Pausing the garbage collector (:mod:`litkit.collector`) and pointing habanero at one pool of
connections (:mod:`litkit.crossref.calls`) both change something process-wide while a run
is at work, and two runs in one process (two fetches in threads, a fetch inside a build)
must neither undo the change under each other nor leave it behind. The counting is done
here once.

>>> made = []
>>> held = refcounted(lambda: made.append("on") or "state", lambda state: made.append("off"))
>>> with held() as state, held():
...     state, made
('state', ['on'])
>>> made
['on', 'off']
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TypeVar

T = TypeVar("T")


def refcounted(
    setup: Callable[[], T], teardown: Callable[[T], None]
) -> Callable[[], AbstractContextManager[T]]:
    """A context manager factory: ``setup()`` on the first entry, ``teardown`` on the last exit.

    Every user gets what ``setup`` returned. Both run under a lock, so a user who enters
    while the last one leaves waits for the teardown and then sets up afresh. A ``setup``
    that raises leaves nothing counted.
    """
    lock = threading.Lock()
    users = 0
    state: T | None = None

    @contextmanager
    def held() -> Iterator[T]:
        nonlocal users, state
        with lock:
            if users == 0:
                state = setup()
            users += 1
            mine = state
        try:
            yield mine  # type: ignore[misc]
        finally:
            with lock:
                users -= 1
                if users == 0:
                    last, state = state, None
                    teardown(last)  # type: ignore[arg-type]

    return held

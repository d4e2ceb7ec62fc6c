"""A process-wide change shared by nested and concurrent users: made once, undone once."""

import threading

import pytest

from litkit.refcount import refcounted


def _counted():
    calls: list[str] = []
    held = refcounted(
        lambda: calls.append("setup") or len(calls), lambda state: calls.append(f"teardown {state}")
    )
    return held, calls


def test_nested_users_share_one_setup_and_the_last_out_undoes_it():
    held, calls = _counted()
    with held() as outer:
        with held() as inner:
            assert outer == inner == 1 and calls == ["setup"]
        assert calls == ["setup"]  # the outer user still holds it
    assert calls == ["setup", "teardown 1"]
    with held() as again:  # a later user sets up afresh
        assert again == 3
    assert calls == ["setup", "teardown 1", "setup", "teardown 3"]


def test_concurrent_users_share_one_setup():
    held, calls = _counted()
    inside = threading.Barrier(4)

    def user():
        with held():
            inside.wait(timeout=5)  # all four hold it at once

    threads = [threading.Thread(target=user) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert calls == ["setup", "teardown 1"]


def test_a_setup_that_fails_leaves_nothing_counted():
    attempts = []

    def setup():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("no")
        return "ok"

    undone = []
    held = refcounted(setup, undone.append)
    with pytest.raises(OSError), held():
        pass
    with held() as state:
        assert state == "ok"
    assert undone == ["ok"]

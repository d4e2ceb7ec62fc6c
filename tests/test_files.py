"""Atomic writes: the old file stays whole until the new one is complete."""

import pytest

from litkit.files import atomic_write


def test_a_write_that_fails_half_way_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "table.csv"
    atomic_write(target, lambda out: out.write("old\n"))

    def half_then_fail(out):
        out.write("new, half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_it_creates_the_folder(tmp_path):
    path = atomic_write(tmp_path / "a" / "b.txt", lambda out: out.write("x"))
    assert path.read_text() == "x"


def test_a_written_file_has_the_mode_open_would_give_it_not_a_private_one(tmp_path):
    import os
    import stat

    from litkit.files import _umask

    old = os.umask(0o022)
    _umask.cache_clear()
    try:
        path = atomic_write(tmp_path / "shared.csv", lambda out: out.write("x"))
    finally:
        os.umask(old)
        _umask.cache_clear()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644

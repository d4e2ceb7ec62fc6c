"""Atomic writes: the old file stays whole until the new one is complete."""

import os

import pytest

from litkit.files import atomic_write, atomic_write_bytes, remove_temporary_files


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


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_a_written_file_has_the_mode_open_would_give_it_not_a_private_one(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        text = atomic_write(tmp_path / "a.csv", lambda out: out.write("x"))
        data = atomic_write_bytes(tmp_path / "b.json", b"{}")
    finally:
        os.umask(old)
    assert text.stat().st_mode & 0o777 == data.stat().st_mode & 0o777 == mode


def test_leftover_temporary_files_are_removed_and_nothing_else(tmp_path):
    (tmp_path / ".1a2b3c.tmp").write_text("half")
    (tmp_path / "keep.tmp").write_text("not ours")
    (tmp_path / "record.json").write_text("{}")
    assert remove_temporary_files(tmp_path) == [tmp_path / ".1a2b3c.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.tmp", "record.json"]

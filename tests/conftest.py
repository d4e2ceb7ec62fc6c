"""Shared fixtures: the project folder, a scratch project, and the recorded Crossref records."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = Path(__file__).resolve().parent / "data"
RECORDS_FILE = TEST_DATA / "crossref" / "works.jsonl.gz"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def crossref_records() -> list[dict]:
    """The 520 real Crossref records recorded by habanero's test suite (see tests/data)."""
    with gzip.open(RECORDS_FILE, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _copy_raw(root: Path) -> Path:
    shutil.copytree(
        PROJECT_ROOT / "data" / "raw",
        root / "data" / "raw",
        ignore=shutil.ignore_patterns("*.json"),
    )
    return root


@pytest.fixture
def scratch_project(tmp_path: Path) -> Path:
    """A copy of the project's raw data in a temporary folder, safe to edit."""
    return _copy_raw(tmp_path)


@pytest.fixture(scope="session")
def _built_once(tmp_path_factory) -> Path:
    from litkit.config import Paths
    from litkit.pipeline import build

    root = _copy_raw(tmp_path_factory.mktemp("built"))
    build(Paths(root))
    return root


@pytest.fixture
def built_project(_built_once: Path, tmp_path: Path) -> Path:
    """A scratch project whose processed tables are built: built once, copied per test."""
    shutil.copytree(_built_once, tmp_path, dirs_exist_ok=True)
    return tmp_path

"""The packaging files agree: pyproject.toml, uv.lock, environment.yml and CITATION.cff.

pyproject.toml is the source: its runtime dependencies are what src/litkit imports, its
dependency groups the test and lab tools. uv.lock must have been made from it, and the
conda route (environment.yml) must name the same packages and ranges.
"""

import ast
import importlib.metadata
import re
import sys
import tomllib

import pytest
import yaml

PACKAGE_NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")
TOOLS = {"pytest", "nbval", "ruff", "jupyterlab"}


def _name(name: str) -> str:
    """The normalised name of a distribution (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _normalise(spec: str) -> tuple[str, frozenset[str]]:
    name, rest = PACKAGE_NAME.match(spec).groups()
    return _name(name), frozenset(filter(None, rest.replace(" ", "").split(",")))


def _pyproject_data(root) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text())


def _runtime(root) -> dict[str, frozenset[str]]:
    return dict(_normalise(s) for s in _pyproject_data(root)["project"]["dependencies"])


def _group(groups: dict, name: str) -> list[str]:
    """A dependency group's requirements, with the groups it includes (PEP 735)."""
    specs = []
    for entry in groups[name]:
        specs += _group(groups, entry["include-group"]) if isinstance(entry, dict) else [entry]
    return specs


def _groups(root) -> dict[str, dict[str, frozenset[str]]]:
    groups = _pyproject_data(root)["dependency-groups"]
    return {name: dict(_normalise(s) for s in _group(groups, name)) for name in groups}


def _environment(root) -> dict[str, frozenset[str]]:
    env = yaml.safe_load((root / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for entry in env["dependencies"] if isinstance(entry, dict) for d in entry["pip"]]
    deps = dict(_normalise(s) for s in conda if s != "pip" and not s.startswith("python="))
    deps.update(_normalise(s) for s in pip if not s.startswith("-e"))
    return deps


def _third_party_imports(package_dir) -> set[str]:
    """The top-level modules the package's code imports, less the standard library's."""
    modules = set()
    for path in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"__future__", "litkit"}


def test_environment_yml_names_the_runtime_dependencies_and_every_group(project_root):
    expected = _runtime(project_root)
    for group in _groups(project_root).values():
        expected.update(group)
    assert _environment(project_root) == expected


def test_every_package_src_imports_is_a_runtime_dependency(project_root):
    distributions = importlib.metadata.packages_distributions()
    imported = _third_party_imports(project_root / "src" / "litkit")
    missing_metadata = sorted(m for m in imported if m not in distributions)
    assert not missing_metadata, f"imported but not installed: {missing_metadata}"
    needed = {_name(d) for m in imported for d in distributions[m]}
    assert needed - set(_runtime(project_root)) == set()


def test_test_and_lab_tools_are_groups_not_runtime_dependencies(project_root):
    groups = _groups(project_root)
    assert not TOOLS & set(_runtime(project_root))
    assert {"pytest", "nbval", "ruff"} <= set(groups["test"])
    assert "jupyterlab" in groups["lab"]


def test_habanero_is_pinned_below_the_release_that_renames_filter(project_root):
    assert "<2.10" in _runtime(project_root)["habanero"]


def _locked_requirements(entries: list[dict]) -> dict[str, frozenset[str]]:
    return {
        _name(e["name"]): frozenset(filter(None, e.get("specifier", "").split(",")))
        for e in entries
    }


def test_uv_lock_was_made_from_the_current_pyproject(project_root):
    """`make` installs uv.lock as it is (--frozen): an edited pyproject.toml needs `make lock`."""
    lock = tomllib.loads((project_root / "uv.lock").read_text())
    (litkit,) = [p for p in lock["package"] if p["name"] == "litkit"]
    metadata = litkit["metadata"]
    assert _locked_requirements(metadata["requires-dist"]) == _runtime(project_root)
    locked_groups = {
        name: _locked_requirements(entries) for name, entries in metadata["requires-dev"].items()
    }
    assert locked_groups == _groups(project_root)


@pytest.mark.parametrize("field", ["version", "license"])
def test_citation_matches_pyproject(project_root, field):
    citation = yaml.safe_load((project_root / "CITATION.cff").read_text())
    assert str(citation[field]) == _pyproject_data(project_root)["project"][field]

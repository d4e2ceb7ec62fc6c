"""environment.yml (conda) and pyproject.toml (pip) must name the same packages and ranges."""

import re
import tomllib

import yaml

PACKAGE_NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _normalise(spec: str) -> tuple[str, str]:
    name, rest = PACKAGE_NAME.match(spec).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), rest.replace(" ", "")


def _pyproject(root):
    data = tomllib.loads((root / "pyproject.toml").read_text())
    return dict(_normalise(s) for s in data["project"]["dependencies"])


def _environment(root):
    env = yaml.safe_load((root / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for entry in env["dependencies"] if isinstance(entry, dict) for d in entry["pip"]]
    deps = dict(_normalise(s) for s in conda if s != "pip" and not s.startswith("python="))
    deps.update(_normalise(s) for s in pip if not s.startswith("-e"))
    return deps


def test_environment_yml_and_pyproject_name_the_same_packages(project_root):
    assert _environment(project_root) == _pyproject(project_root)


def test_required_packages_are_there(project_root):
    assert {"pandas", "matplotlib", "habanero", "jupyterlab", "nbval"} <= set(_pyproject(project_root))


def test_habanero_is_pinned_below_the_release_that_renames_filter(project_root):
    assert re.search(r"<2\.10|<3", _pyproject(project_root)["habanero"])

"""What the code imports is declared, and what is declared is locked.

A package that only comes with another (numpy with pandas, requests with Streamlit) can
leave with that package's next release: every import of the project is declared in
``pyproject.toml`` itself, and ``constraints.txt`` pins an exact version of each, so the
README's two commands install what the tests last passed with."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
OWN = {"trialfinder", "tests", "benchmarks", "pages"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def _declared(*extras: str) -> set[str]:
    names = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    for extra in extras:
        names |= {_name(r) for r in PYPROJECT["project"]["optional-dependencies"][extra]}
    return names


def _imports(paths: list[Path]) -> dict[str, str]:
    """Top-level module -> the first file that imports it."""
    found: dict[str, str] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                found.setdefault(module.split(".")[0], str(path.relative_to(ROOT)))
    return found


def _third_party(paths: list[Path]) -> dict[str, str]:
    return {
        module: where
        for module, where in _imports(paths).items()
        if module not in sys.stdlib_module_names and module not in OWN
    }


def _python_files(*tops: str) -> list[Path]:
    files: list[Path] = []
    for top in tops:
        path = ROOT / top
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return files


def _undeclared(modules: dict[str, str], declared: set[str]) -> list[str]:
    distributions = packages_distributions()
    missing = []
    for module, where in sorted(modules.items()):
        names = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
        if not names & declared:
            missing.append(f"{module} (imported in {where})")
    return missing


def test_the_dashboard_and_the_package_declare_what_they_import():
    modules = _third_party(_python_files("dashboard.py", "pages", "trialfinder"))
    assert "streamlit" in modules  # the scan sees imports at all
    assert not _undeclared(modules, _declared())


def test_tests_and_benchmarks_declare_what_they_import():
    modules = _third_party(_python_files("tests", "benchmarks"))
    assert "pytest" in modules
    assert not _undeclared(modules, _declared("test"))


def _locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned to one version"
            pins[_name(name)] = version
    return pins


@pytest.mark.parametrize("extra", ["", "test"])
def test_every_declared_package_is_locked_to_one_version(extra):
    locked = _locked()
    declared = _declared(*([extra] if extra else []))
    assert not sorted(declared - set(locked)), "refresh constraints.txt (see the README)"

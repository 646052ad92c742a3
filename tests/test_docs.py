"""The README says what the code does: its filter-key table and its map of the code are
checked against the code (the idea of Datasette's ``test_docs.py``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trialfinder.query import FILTERS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(heading: str) -> str:
    start = README.index(heading)
    following = README.find("\n## ", start + len(heading))
    return README[start : following if following != -1 else None]


def _filter_table() -> dict[str, bool]:
    """The key table of "The filter language": key -> repeatable."""
    rows = {}
    for line in _section("## The filter language").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"`\w+`", cells[0]):
            rows[cells[0].strip("`")] = {"yes": True, "no": False}[cells[1]]
    return rows


def test_the_readme_filter_table_names_every_key_the_code_reads():
    assert _filter_table() == {f.key: f.repeatable for f in FILTERS}


def _code_map() -> dict[Path, int]:
    """Every file and folder the map of "How it is built" names, with its line."""
    block = _section("## How it is built").split("```\n", 2)[1]
    named: dict[Path, int] = {}
    folders: list[tuple[int, Path]] = []  # (indent, path) of the folders above this line
    for number, line in enumerate(block.splitlines(), 1):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        first = line.split()[0]
        while folders and folders[-1][0] >= indent:
            folders.pop()
        parent = folders[-1][1] if folders else Path()
        if first.endswith("/") and indent < 20:
            folder = parent / first
            named[folder] = number
            folders.append((indent, folder))
            in_folder = folder
        elif indent >= 20 and folders:
            in_folder = folders[-1][1]  # a continuation line of the folder above
        else:
            in_folder = parent
        for name in re.findall(r"(?<![\w/])[\w]+\.py\b", line):
            named[in_folder / name] = number
    return named


def test_everything_the_code_map_names_exists():
    missing = [
        f"{path} (line {line})" for path, line in _code_map().items() if not (ROOT / path).exists()
    ]
    assert not missing, "the README's map names what is not there: " + ", ".join(missing)


@pytest.mark.parametrize("top", ["trialfinder", "pages"])
def test_the_code_map_names_every_module(top):
    named = set(_code_map())
    modules = [
        path.relative_to(ROOT)
        for path in sorted((ROOT / top).rglob("*.py"))
        if path.name != "__init__.py" and "__pycache__" not in path.parts
    ]
    left_out = [str(m) for m in modules if m not in named]
    assert not left_out, "add to the README's map of the code: " + ", ".join(left_out)

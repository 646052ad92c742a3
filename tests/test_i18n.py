"""The message catalog: every message in the code is in the Vietnamese catalog,
translated, with the same placeholders, and the compiled .mo matches the .po."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from trialfinder import i18n

ROOT = Path(__file__).resolve().parents[1]
PO = i18n.LOCALE_DIR / "vi" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
MO = PO.with_suffix(".mo")
#: Messages that read the same in Vietnamese (placeholders and punctuation only).
SAME_IN_VIETNAMESE = {"{title}: {counts}."}
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _messages_in_code() -> dict[str | tuple[str, str], list[str]]:
    found: dict[str | tuple[str, str], list[str]] = {}
    sources = [
        ("dashboard.py", ROOT),
        ("pages", ROOT / "pages"),
        ("trialfinder", ROOT / "trialfinder"),
    ]
    for name, path in sources:
        if path.is_file():
            extracted = extract_from_dir(path.parent, [("dashboard.py", "python")])
        else:
            extracted = extract_from_dir(path, [("**.py", "python")])
        for filename, lineno, message, _comments, _context in extracted:
            found.setdefault(message, []).append(f"{name}/{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def catalog():
    with PO.open("rb") as handle:
        return read_po(handle, locale="vi")


def test_every_message_in_the_code_is_translated(catalog):
    untranslated = []
    for message, where in _messages_in_code().items():
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        if entry is None or entry.fuzzy:
            untranslated.append((message, where[0]))
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(strings) or (key not in SAME_IN_VIETNAMESE and any(s == key for s in strings)):
            untranslated.append((message, where[0]))
    assert not untranslated, (
        "untranslated messages (pybabel update, then translate):\n"
        + "\n".join(f"  {where}: {message!r}" for message, where in untranslated)
    )


def test_translations_keep_their_placeholders(catalog):
    wrong = []
    for entry in catalog:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(_PLACEHOLDER.findall(ids[-1]))
        wrong.extend((entry.id, s) for s in strings if s and set(_PLACEHOLDER.findall(s)) != wanted)
    assert not wrong


def _translations_of(translations: gettext.GNUTranslations, catalog) -> list:
    """What the translations say for every message of the catalog (the header, the
    compiling tool's note about itself, is not a message)."""
    said = []
    for entry in catalog:
        if not entry.id:
            continue
        if isinstance(entry.id, tuple):
            said.append([translations.ngettext(*entry.id, n) for n in (1, 2, 5)])
        else:
            said.append(translations.gettext(entry.id))
    return said


def test_the_compiled_catalog_matches_the_po_file(catalog):
    """The .mo is committed (no build step on a fresh clone): it must be current."""
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with MO.open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    assert _translations_of(shipped, catalog) == _translations_of(fresh, catalog), (
        "trialfinder.mo is stale: pybabel compile -d trialfinder/locale -D trialfinder"
    )


def test_no_message_is_left_in_the_catalog_that_the_code_no_longer_has(catalog):
    in_code = {m[0] if isinstance(m, tuple) else m for m in _messages_in_code()}
    stale = [
        e.id
        for e in catalog
        if e.id and (e.id[0] if isinstance(e.id, tuple) else e.id) not in in_code
    ]
    assert not stale, f"remove from the .po (pybabel update drops them): {stale}"


def test_the_language_falls_back_to_english():
    assert i18n.normalize("vi") == "vi"
    assert i18n.normalize("VI") == "vi"
    for bad in (None, "", "fr", "<b>", "x" * 100):
        assert i18n.normalize(bad) == "en"
    with i18n.using("vi"):
        assert i18n._("Find trials") == "Tìm thử nghiệm"
        assert i18n.language() == "vi"
    assert i18n._("Find trials") == "Find trials"


def _python_files() -> list[Path]:
    return [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))] + sorted(
        (ROOT / "trialfinder").rglob("*.py")
    )


def test_no_message_hides_inside_an_f_string():
    """pybabel (on Python 3.11) cannot see ``_("...")`` inside an f-string: such a
    message would never reach the catalog and would stay English."""
    import tokenize

    hidden = []
    for path in _python_files():
        with path.open("rb") as handle:
            for token in tokenize.tokenize(handle.readline):
                is_f_string = token.type == tokenize.STRING and re.match(
                    r"(?i)[rb]*f", token.string
                )
                if is_f_string and re.search(r"\b_\(\s*['\"]", token.string):
                    hidden.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    assert not hidden, hidden

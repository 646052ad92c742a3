"""The private Streamlit internals of trialfinder/ui/internals.py are still where the
pinned Streamlit keeps them: when an upgrade moves one, this names the function to mend."""

from __future__ import annotations

import dataclasses

import streamlit


def test_leave_pages_directory_mode_finds_pages_manager_uses_pages_directory() -> None:
    from streamlit.runtime.pages_manager import PagesManager

    assert hasattr(PagesManager, "uses_pages_directory"), (
        "trialfinder.ui.internals.leave_pages_directory_mode relies on "
        f"PagesManager.uses_pages_directory, which Streamlit {streamlit.__version__} no longer "
        "has: find the new way to leave the pages/ multipage mode"
    )


def test_is_history_navigation_finds_the_script_run_context_field() -> None:
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

    fields = {f.name for f in dataclasses.fields(ScriptRunContext)}
    assert "is_history_navigation" in fields, (
        "trialfinder.ui.internals.is_history_navigation relies on the script run context's "
        f"is_history_navigation, which Streamlit {streamlit.__version__} no longer has: find "
        "how this version tells Back and Forward from other runs"
    )


def test_the_internals_answer_outside_a_run() -> None:
    from trialfinder.ui import internals

    assert internals.is_history_navigation() is False

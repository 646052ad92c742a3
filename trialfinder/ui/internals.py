"""The two private Streamlit internals the dashboard relies on, each in one function.

Streamlit 1.67 (the pinned version) offers no supported way to do either:

- :func:`leave_pages_directory_mode`: a folder named ``pages/`` puts Streamlit in its
  old multipage mode until some run calls ``st.navigation``; a page opened first,
  straight from a link, would run without ``dashboard.py``. Only the private
  ``PagesManager.uses_pages_directory`` says so.
- :func:`is_history_navigation`: whether this run is the browser's Back or Forward;
  only the private script-run context's ``is_history_navigation`` says so.

``tests/ui/test_internals.py`` fails, naming the function, when an upgrade of
Streamlit moves either of them.
"""

from __future__ import annotations


def leave_pages_directory_mode() -> bool:
    """Leave Streamlit's old ``pages/`` multipage mode; True when it was on (the caller
    then reruns, so that ``dashboard.py`` runs the page)."""
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        return True
    return False


def is_history_navigation() -> bool:
    """Is this run the browser's Back or Forward?"""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))

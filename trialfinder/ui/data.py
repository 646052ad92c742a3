"""The catalog for the dashboard: loaded once per data version, reloaded when the
data changes, and the last good one kept while the files on disk are broken."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import streamlit as st

from trialfinder.catalog import Catalog, load_catalog
from trialfinder.catalog.serving import Served, choose_catalog
from trialfinder.i18n import _
from trialfinder.store.layout import ENV_DATA_DIR, fingerprint

PROJECT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
_log = logging.getLogger("trialfinder")


def data_dir() -> Path:
    """``$TRIALFINDER_DATA_DIR``, else the ``data/`` folder shipped with the project."""
    configured = os.environ.get(ENV_DATA_DIR)
    return Path(configured) if configured else PROJECT_DATA_DIR


# The spinner is drawn by served(), in the page's language.
@st.cache_resource(max_entries=2, show_spinner=False)
def _load(directory: str, data_version: str) -> tuple[Catalog | None, str | None]:
    """One load per data version; a failure is remembered too, not retried every run."""
    try:
        return load_catalog(Path(directory)), None
    except Exception as error:  # the dashboard must keep serving whatever happens
        _log.exception("loading the catalog from %s failed", directory)
        return None, f"{type(error).__name__}: {error}"


@st.cache_resource
def _last_good() -> dict[str, Catalog]:
    """The last catalog served for each data directory (shared by all sessions)."""
    return {}


_lock = threading.Lock()


def served() -> Served:
    directory = str(data_dir().resolve())
    try:
        version = fingerprint(Path(directory))
    except OSError as error:
        fresh, problem = None, f"{type(error).__name__}: {error}"
    else:
        # Shown only when the load takes more than half a second (a new data version).
        with st.spinner(_("Loading trials...")):
            fresh, problem = _load(directory, version)
    with _lock:
        last = _last_good()
        result = choose_catalog(fresh, problem, last.get(directory))
        last[directory] = result.catalog
    return result


def catalog() -> Catalog:
    """The catalog to serve on this run."""
    return served().catalog

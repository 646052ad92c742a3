"""The catalog for the dashboard: loaded once, reloaded when the data changes."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from trialfinder.catalog import Catalog, load_catalog
from trialfinder.datadir import ENV_DATA_DIR, fingerprint

PROJECT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def data_dir() -> Path:
    """``$TRIALFINDER_DATA_DIR``, else the ``data/`` folder shipped with the project."""
    configured = os.environ.get(ENV_DATA_DIR)
    return Path(configured) if configured else PROJECT_DATA_DIR


@st.cache_resource(max_entries=2, show_spinner="Loading trials...")
def _load(directory: str, current_fingerprint: str) -> Catalog:
    return load_catalog(Path(directory))


def catalog() -> Catalog:
    """The current catalog; a changed data file gives a new one on the next run."""
    directory = data_dir()
    return _load(str(directory.resolve()), fingerprint(directory))

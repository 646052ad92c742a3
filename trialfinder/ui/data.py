"""The catalog for the dashboard: loaded once per data version, reloaded beside
the one served when the data changes, and the last good one kept while the
files on disk are broken."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from trialfinder.catalog import Catalog, load_catalog
from trialfinder.catalog.keeper import CatalogKeeper
from trialfinder.catalog.serving import Served
from trialfinder.i18n import _
from trialfinder.store.layout import ENV_DATA_DIR, fingerprint
from trialfinder.words.synonyms import FILE_NAME as SYNONYMS_FILE
from trialfinder.words.synonyms import stamp as synonyms_stamp

PROJECT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def data_dir() -> Path:
    """``$TRIALFINDER_DATA_DIR``, else the ``data/`` folder shipped with the project."""
    configured = os.environ.get(ENV_DATA_DIR)
    return Path(configured) if configured else PROJECT_DATA_DIR


@st.cache_resource(show_spinner=False)
def _keeper() -> CatalogKeeper:
    """The process's catalogs, shared by every session: the one served, and a
    newer data version loading beside it (see :mod:`trialfinder.catalog.keeper`)."""
    return CatalogKeeper(load_catalog)


def served() -> Served:
    directory = str(data_dir().resolve())
    try:
        # The synonyms file is read with each load, not built into the snapshot:
        # an edit to it makes a new load (quick), not a rebuild.
        version = (
            fingerprint(Path(directory)) + "+" + synonyms_stamp(Path(directory) / SYNONYMS_FILE)
        )
    except OSError as error:
        return _keeper().unreadable(directory, f"{type(error).__name__}: {error}")
    # The spinner only while a first catalog loads: a newer one loads unseen.
    return _keeper().serve(directory, version, wait=lambda: st.spinner(_("Loading trials...")))


def catalog() -> Catalog:
    """The catalog to serve on this run."""
    return served().catalog

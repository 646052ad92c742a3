"""Shared test settings. Trial builders live in tests/factories.py."""

from hypothesis import settings

# No example database on disk (the tree is shared), and no per-example deadline:
# the first example of a run may load the offline gazetteer.
settings.register_profile("trialfinder", database=None, deadline=None)
settings.load_profile("trialfinder")

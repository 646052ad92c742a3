"""Shared test settings. Trial builders live in tests/factories.py."""

import socket
from typing import Any

import pytest
from hypothesis import settings

# No example database on disk (the tree is shared), and no per-example deadline:
# the first example of a run may load the offline gazetteer.
settings.register_profile("trialfinder", database=None, deadline=None)
settings.load_profile("trialfinder")


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Name lookups beyond this machine fail at once (modules that talk to servers
    use it for all their tests: ``pytestmark = pytest.mark.usefixtures("no_internet")``)."""
    real_lookup = socket.getaddrinfo

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise OSError(f"the tests never reach {host}")
        return real_lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)

"""nginx and dashboard processes as ``deploy/serve.py`` starts them, for the tests."""

from __future__ import annotations

import contextlib
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.serve import NGINX, Stack, free_port


@contextlib.contextmanager
def running_stack(data_dir: Path, run_dir: Path, processes: int) -> Iterator[Stack]:
    """The launcher's stack on free ports, stopped (nginx and every process) on exit."""
    if not NGINX.exists():
        pytest.fail(
            f"{NGINX} is missing: the deployment tests run Debian's nginx. "
            "Install it with `apt-get install -y nginx`."
        )
    public = free_port()
    stack = Stack(
        data_dir=data_dir,
        processes=processes,
        run_dir=run_dir,
        public_port=public,
        internal_port=free_port({public}),
        say=lambda _: None,
    )
    with stack:
        yield stack


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body, 4xx and 5xx included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            found = {k.lower(): v for k, v in response.headers.items()}
            return response.status, found, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def routes(access_log: Path, uri: str = "") -> dict[str, set[str]]:
    """For each route cookie in nginx's log, the processes that served its requests
    (only requests for ``uri``, when given: a request of an earlier test may be
    logged late)."""
    served: dict[str, set[str]] = {}
    for line in access_log.read_text(encoding="utf-8").splitlines():
        if uri and f' {uri}" ' not in line:
            continue
        found = re.search(r"upstream=(\S+) route=(\S+)", line)
        if found and found.group(1) != "-":
            served.setdefault(found.group(2), set()).add(found.group(1))
    return served

"""Hostile links: random and malicious query strings thrown at every page.

No exception reaches a page, nothing in the link is rendered as markup, and
each page says in one line what it ignored.
"""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ui.reading import assert_clean, notices
from trialfinder.query import FILTERS_BY_KEY

PAGES = (
    "pages/find.py",
    "pages/map.py",
    "pages/compare.py",
    "pages/trial.py",
    "pages/treatment.py",
    "pages/sponsor.py",
    "pages/data.py",
)
NASTY = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "'; DROP TABLE trials; --",
    "../../../../etc/passwd",
    "%00",
    "\u0000\u0007\u001b[31m",
    "Hà Nội 🧒 العربية",
    '=HYPERLINK("http://evil.test")',
    "-3",
    "1e9",
    "NaN",
    "x" * 10_000,
]
KEYS = [*FILTERS_BY_KEY, "id", "ids", "page", "foo", "<b>", "cond[]", "", "ÅÄÖ"]

values = st.one_of(st.sampled_from(NASTY), st.text(max_size=60))
pairs = st.lists(st.tuples(st.sampled_from(KEYS), values), min_size=1, max_size=6)


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pairs=pairs, page=st.sampled_from(PAGES))
def test_no_link_breaks_a_page(open_app, pairs: list[tuple[str, str]], page: str) -> None:
    at = open_app(urlencode(pairs), page=page)
    assert_clean(at)
    html = " ".join(str(getattr(e, "proto", "")) for e in at.get("html"))
    assert "<script>alert(1)</script>" not in html
    page_keys = ("id", "ids", "page")
    unknown = {
        key for key, _ in pairs if key and key not in FILTERS_BY_KEY and key not in page_keys
    }
    if unknown:
        said = " ".join(notices(at))
        assert "Ignored" in said
        for key in unknown:
            assert key[:40] in said


def test_every_page_survives_every_nasty_value_at_once(open_app) -> None:
    link = urlencode([(key, value) for key in KEYS if key for value in NASTY[:4]])
    for page in PAGES:
        at = open_app(link, page=page)
        assert_clean(at)
        assert len([n for n in notices(at) if n.startswith("Ignored")]) == 1

"""One filter language for links, the command line and the code.

A :class:`Query` parses from a URL query string, prints back to one, states
itself in words, and applies to a :class:`~trialfinder.catalog.Catalog`. Each
filter knows its URL key, how to read a value, how to print it and how it
reads in a sentence (the shape of Datasette's ``filters.py``).

Bad values never raise: :func:`parse_query` returns the query it could read
and one :class:`QueryProblem` for everything it ignored.
"""

from trialfinder.query.apply import apply_query, matching_sites, result_sites, search, site_trials
from trialfinder.query.filters import (
    DEFAULT_WITHIN_KM,
    FILTERS,
    FILTERS_BY_KEY,
    MAX_WITHIN_KM,
    Filter,
    QueryProblem,
)
from trialfinder.query.parse import ParsedQuery, Query, parse_query

__all__ = [
    "DEFAULT_WITHIN_KM",
    "FILTERS",
    "FILTERS_BY_KEY",
    "MAX_WITHIN_KM",
    "Filter",
    "ParsedQuery",
    "Query",
    "QueryProblem",
    "apply_query",
    "matching_sites",
    "parse_query",
    "result_sites",
    "search",
    "site_trials",
]

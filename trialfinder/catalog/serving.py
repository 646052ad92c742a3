"""Which catalog the dashboard serves when the data on disk goes bad.

A data file corrupted while the dashboard runs must not take trials away from
families: the dashboard keeps serving the last good catalog and says that the
data needs attention, until the files are mended.
"""

from __future__ import annotations

from dataclasses import dataclass

from trialfinder.catalog import Catalog
from trialfinder.errors import DataProblem
from trialfinder.i18n import _


@dataclass(frozen=True)
class Served:
    catalog: Catalog
    #: One sentence for staff when the served catalog is not the newest data.
    attention: str | None = None
    #: The problems in the files on disk now, when they are not the served catalog's.
    pending_problems: tuple[DataProblem, ...] = ()


class NoCatalog(RuntimeError):
    """Nothing could be loaded and nothing was loaded before."""


def choose_catalog(fresh: Catalog | None, error: str | None, last_good: Catalog | None) -> Served:
    """Serve ``fresh`` unless it failed or brought problems ``last_good`` did not have."""
    if fresh is None:
        if last_good is None:
            raise NoCatalog(error or "the trial data could not be loaded")
        return Served(
            last_good,
            _(
                "The trial data could not be read ({error}); showing the data as it was at "
                "{built}. Staff: see About the data."
            ).format(error=error, built=last_good.built_at),
        )
    if last_good is not None:
        new_problems = set(fresh.problems) - set(last_good.problems)
        if new_problems:
            return Served(
                last_good,
                _(
                    "{n} data file problem(s) appeared; showing the data as it was at {built}. "
                    "Staff: see About the data, or run trialfinder validate."
                ).format(n=len(new_problems), built=last_good.built_at),
                fresh.problems,
            )
    return Served(fresh)

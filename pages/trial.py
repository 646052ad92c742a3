"""One trial in plain words: /trial?id=NCT07527104."""

from trialfinder.i18n import _, language
from trialfinder.ui import page
from trialfinder.ui.data import catalog
from trialfinder.ui.trial_view import trial_view

parsed = page.current()
page.show_notice(parsed)
the_catalog = catalog()
trial = page.requested_trial(
    parsed,
    the_catalog,
    _("Which trial would you like to read about? Type its number, or choose one below."),
)
if trial is not None:
    trial_view(
        trial,
        the_catalog.built_at,
        the_catalog.sites_of([trial.id]),
        place=parsed.query.place,
        countries=parsed.query.country,
        view=(the_catalog.built_at, "trial", trial.id, language()),
    )

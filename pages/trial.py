"""One trial in plain words: /trial?id=NCT07527104."""

from trialfinder.i18n import _
from trialfinder.ui import page
from trialfinder.ui.data import catalog
from trialfinder.ui.trial_view import trial_view

parsed = page.current()
page.show_notice(parsed)
the_catalog = catalog()
trial = page.requested_trial(
    parsed, the_catalog, _("Choose a trial on the Find page to read about it here.")
)
if trial is not None:
    place = parsed.query.place
    trial_view(
        trial,
        the_catalog.built_at,
        the_catalog.sites_of([trial.id]),
        place=(place.lat, place.lon) if place else None,
    )

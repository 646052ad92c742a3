"""A treatment and every trial of it: /treatment?intr=bone+marrow+mononuclear+cells."""

from trialfinder.ui import page
from trialfinder.ui.data import catalog
from trialfinder.ui.portfolio import portfolio_view

parsed = page.current()
page.show_notice(parsed)
portfolio_view(catalog(), parsed, "intr", "treatment")

"""A sponsor and every trial it runs: /sponsor?spons=Vinmec."""

from trialfinder.ui import page
from trialfinder.ui.data import catalog
from trialfinder.ui.portfolio import portfolio_view

parsed = page.current()
page.show_notice(parsed)
portfolio_view(catalog(), parsed, "spons", "sponsor")

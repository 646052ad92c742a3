"""Following by e-mail: /follow?confirm=TOKEN and /follow?unfollow=TOKEN open here."""

from trialfinder.ui.follow import follow_page

follow_page()

"""Compare trials side by side (placeholder until the compare issue)."""

import streamlit as st

from trialfinder.ui import page

parsed = page.current()
page.show_notice(parsed)
st.subheader("Compare trials")
st.info("Side-by-side comparison is on its way. Meanwhile, open each trial from the Find page.")
st.page_link("pages/find.py", label="Find trials", icon=":material/search:")

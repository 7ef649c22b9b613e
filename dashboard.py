"""Safeguarding performance dashboard: the entry point (page set-up, navigation).

Run with: streamlit run dashboard.py

Every page is listed here with st.navigation. The menu is drawn with st.page_link rather than
Streamlit's own sidebar menu because that menu's sections put headings inside its list, which
screen readers (and axe-core) report as a broken list; page links are plain, labelled links.
"""

import streamlit as st

from safeguarding import registry
from safeguarding.ui import app, auth_ui, entry

# Widgets drawn here are the entry script's, however Streamlit routed this run (entry.py).
entry.as_entry_script()
st.set_page_config(page_title="Safeguarding performance", page_icon="🛡️", layout="wide")
st.html(app.CSS)

app.ensure_database()
# Sign-in and role (or demo mode on demo data); stops here for anyone without access.
scope = auth_ui.gate()
# The force every page is for (a choice only on a database of several forces), before any page
# asks for its districts.
force = auth_ui.choose_force()


def _page(url_path: str, title: str, **kwargs) -> st.Page:
    # Each page's file is named by its address. Streamlit may route a server's first request by
    # the pages/ folder's file names (safeguarding/ui/entry.py); then it still finds the page.
    return st.Page(f"pages/{url_path}.py", title=title, url_path=url_path, **kwargs)


# The overview is the default page, served at "/". Streamlit reserves a default page's url_path
# without serving it, so the overview's own address, /overview (its file's name), is a second
# page (the menu's "Overview" only while it is the one open), and the default page's url_path is
# one nothing links to.
overview = st.Page("pages/overview.py", title="Overview", url_path="overview-at-root", default=True)
overview_by_name = _page("overview", "Overview")
sections: dict[str, list[st.Page]] = {
    "Meeting": [
        overview,
        _page("metric", "Metric detail"),
        _page("district", "District"),
        _page("peers", "Peers"),
    ],
    "Themes": [
        _page(theme_id.replace("_", "-"), title) for theme_id, title in registry.themes().items()
    ],
    "Review": [
        _page("quarterly-review", "Quarterly review"),
        _page("actions", "Action log"),
        _page("recommendations", "Inspection recommendations"),
    ],
    "Data": [
        _page("about", "About the data"),
        _page("data", "Data"),
        _page("data-quality", "Data quality"),
    ],
}
# The access log is in the menu of those who may read it. Its page is there for everyone, so a
# link to it is told whom it is for (the page's own check), not "Page not found".
access_log = _page("access-log", "Access log")
menu = {**sections, "Data": [*sections["Data"], access_log]} if scope.can_admin() else sections
every_page = {
    **sections,
    "Meeting": [*sections["Meeting"], overview_by_name],
    "Data": [*sections["Data"], access_log],
}

current = st.navigation(every_page, position="hidden")
with st.sidebar:
    for section, pages in menu.items():
        st.markdown(f"**{section}**")
        for page in pages:
            # at /overview, its menu entry is that page, so it shows as the current one
            st.page_link(current if page is overview and current is overview_by_name else page)
    st.divider()
# The page checks that it was opened here, after the gate and the force (safeguarding/ui/entry.py).
entry.entered()
current.run()

"""Safeguarding performance dashboard: the entry point (page set-up, navigation).

Run with: streamlit run dashboard.py

Every page is listed here with st.navigation. The menu is drawn with st.page_link rather than
Streamlit's own sidebar menu because that menu's sections put headings inside its list, which
screen readers (and axe-core) report as a broken list; page links are plain, labelled links.
"""

import streamlit as st

from safeguarding import registry
from safeguarding.ui import app, auth_ui, entry

st.set_page_config(page_title="Safeguarding performance", page_icon="🛡️", layout="wide")
st.html(app.CSS)

app.ensure_database()
# Sign-in and role (or demo mode on demo data); stops here for anyone without access.
scope = auth_ui.gate()
# The force every page is for (a choice only on a database of several forces), before any page
# asks for its districts.
force = auth_ui.choose_force()


def _page(path: str, title: str, url_path: str, **kwargs) -> st.Page:
    return st.Page(path, title=title, url_path=url_path, **kwargs)


sections: dict[str, list[st.Page]] = {
    "Meeting": [
        _page("pages/overview.py", "Overview", "overview", default=True),
        _page("pages/metric.py", "Metric detail", "metric"),
        _page("pages/district.py", "District", "district"),
        _page("pages/peers.py", "Peers", "peers"),
    ],
    "Themes": [
        _page(f"pages/{theme_id}.py", title, theme_id.replace("_", "-"))
        for theme_id, title in registry.themes().items()
    ],
    "Review": [
        _page("pages/quarterly_review.py", "Quarterly review", "quarterly-review"),
        _page("pages/actions.py", "Action log", "actions"),
        _page("pages/recommendations.py", "Inspection recommendations", "recommendations"),
    ],
    "Data": [
        _page("pages/about.py", "About the data", "about"),
        _page("pages/data.py", "Data", "data"),
        _page("pages/data_quality.py", "Data quality", "data-quality"),
    ],
}
if scope.can_admin():
    sections["Data"].append(_page("pages/access_log.py", "Access log", "access-log"))

current = st.navigation(sections, position="hidden")
with st.sidebar:
    for section, pages in sections.items():
        st.markdown(f"**{section}**")
        for page in pages:
            st.page_link(page)
    st.divider()
# The page checks that it was opened here, after the gate and the force (safeguarding/ui/entry.py).
entry.entered()
current.run()

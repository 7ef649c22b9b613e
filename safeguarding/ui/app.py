"""Data access, first start and shared filters for the Streamlit pages."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from safeguarding import demo, scorecard, store, targets
from safeguarding.formatting import month_label, parse_month
from safeguarding.paths import db_path

CSS = """
<style>
.sg-scorecard {border-collapse: collapse; width: 100%; font-size: 0.9rem;}
.sg-scorecard th, .sg-scorecard td {border-bottom: 1px solid #d0d4d9; padding: 0.4rem 0.5rem;
  text-align: left; vertical-align: top;}
.sg-scorecard thead th {background: #f0f2f6; position: sticky; top: 0;}
.sg-scorecard a {color: inherit; text-decoration: none; display: block;}
.sg-scorecard a:hover .sg-value, .sg-scorecard a:focus .sg-value {text-decoration: underline;}
.sg-metric {display: block; font-weight: 600;}
.sg-unit {display: block; font-weight: 400; color: #4a4f55; font-size: 0.8rem;}
.sg-value {display: block; font-weight: 600;}
.sg-status {display: block; font-size: 0.8rem;}
.sg-met {color: #0b5394;}
.sg-not_met {color: #8a3b00;}
.sg-no_target, .sg-no_data, .sg-na {color: #4a4f55;}
</style>
"""


def ensure_database() -> None:
    """Build the demo database on first start, and say so."""
    path = db_path()
    if path.exists():
        return
    with st.spinner("First start: building the demo database (about half a minute)..."):
        built = store.build_if_absent(path, lambda con: demo.build(con))
    if built:
        st.toast(f"Built a demo database at {path}.")
        st.session_state["built_demo"] = True


def con():
    return store.reader()


def data_version() -> int:
    """Changes after every completed write, so cached results refresh without a restart."""
    return store.version()


@st.cache_data(ttl=3600, show_spinner=False)
def _meta(version: int) -> dict[str, str]:
    return store.meta(con())


def meta() -> dict[str, str]:
    return _meta(data_version())


@st.cache_data(ttl=3600, show_spinner=False)
def _months(version: int) -> list[dt.date]:
    rows = con().execute("select distinct month from metric_values order by month").fetchall()
    return [r[0] for r in rows]


def months() -> list[dt.date]:
    return _months(data_version())


@st.cache_data(ttl=3600, show_spinner=False)
def _scorecard(version: int, month: dt.date) -> pd.DataFrame:
    return scorecard.scorecard(con(), month)


def scorecard_frame(month: dt.date) -> pd.DataFrame:
    return _scorecard(data_version(), month)


@st.cache_data(ttl=3600, show_spinner=False)
def _units(version: int) -> tuple[list[str], list[str]]:
    return scorecard.units(con())


def units() -> tuple[list[str], list[str]]:
    return _units(data_version())


def as_at_caption() -> None:
    info = meta()
    as_at = info.get("as_at")
    source = "demo data (invented records)" if info.get("source") == "demo" else "force records"
    text = f"Data as at {dt.date.fromisoformat(as_at):%d %B %Y}" if as_at else "Data date unknown"
    st.caption(f"{text} · {source}")


def selected_month() -> dt.date:
    """The month filter, kept in the URL (?month=YYYY-MM) so a link reproduces the view."""
    available = months()
    if not available:
        st.error("The database holds no figures yet. Load data or rebuild the demo data.")
        st.stop()
    latest = available[-1]
    raw = st.query_params.get("month")
    chosen = latest
    if raw is not None:
        try:
            chosen = parse_month(raw)
            if chosen not in available:
                st.warning(
                    f"No figures for {month_label(chosen)}; showing {month_label(latest)}, the "
                    "latest month with data."
                )
                chosen = latest
        except ValueError as exc:
            st.warning(f"The link's month is not valid ({exc}); showing the latest month.")
            chosen = latest
    choice = st.sidebar.selectbox(
        "Month",
        options=list(reversed(available)),
        index=list(reversed(available)).index(chosen),
        format_func=month_label,
        key="month_filter",
    )
    st.query_params["month"] = f"{choice:%Y-%m}"
    return choice


STATUS_KEY = " · ".join(
    f"{targets.STATUS_SYMBOLS[s]} {targets.STATUS_WORDS[s]}" for s in targets.STATUS_WORDS
)

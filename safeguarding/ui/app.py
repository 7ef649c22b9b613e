"""Data access, first start and shared filters for the Streamlit pages."""

from __future__ import annotations

import datetime as dt
from typing import NoReturn

import pandas as pd
import streamlit as st

from safeguarding import demo, scorecard, store, targets
from safeguarding.paths import db_path
from safeguarding.ui.safe import md

CSS = """
<style>
.sg-scorecard-wrap {overflow-x: auto;}
.sg-scorecard {border-collapse: collapse; width: 100%; font-size: 0.88rem;}
.sg-scorecard caption {text-align: left; font-weight: 600; padding: 0 0 0.4rem 0;}
.sg-scorecard th, .sg-scorecard td {border-bottom: 1px solid #b1b4b6; padding: 0.35rem 0.45rem;
  text-align: left; vertical-align: top;}
.sg-scorecard thead th {background: #f3f2f1; position: sticky; top: 0; z-index: 1;}
.sg-scorecard a {color: inherit; text-decoration: none; display: block;}
.sg-scorecard a:hover .sg-value, .sg-scorecard a:focus .sg-value {text-decoration: underline;}
.sg-scorecard a:focus {outline: 3px solid #ffdd00; outline-offset: 0;}
.sg-scorecard th a {color: #1d70b8; text-decoration: underline;}
.sg-metric {display: block; font-weight: 600;}
.sg-unit {display: block; font-weight: 400; color: #505a5f; font-size: 0.8rem;}
.sg-value {display: block; font-weight: 700; font-size: 1rem;}
.sg-status, .sg-change, .sg-spc {display: block; font-size: 0.8rem;}
.sg-change, .sg-spc {color: #505a5f;}
.sg-met {color: #0b5394;}
.sg-not_met {color: #8a3b00; font-weight: 600;}
.sg-no_target, .sg-no_data, .sg-na {color: #505a5f;}
.sg-key {font-size: 0.85rem; color: #0b0c0c;}
.sg-key > span {margin-right: 1.2rem; white-space: nowrap;}
.sg-table-wrap {overflow-x: auto; margin-bottom: 1rem;}
.sg-table-wrap:focus {outline: 3px solid #ffdd00;}
.sg-table {border-collapse: collapse; font-size: 0.875rem;}
.sg-table th, .sg-table td {border: 1px solid #d8dadc; padding: 0.3rem 0.6rem; text-align: left;
  vertical-align: top;}
.sg-table thead th {background: #f3f2f1; font-weight: 600;}
.sg-table tbody th {font-weight: 400; color: #0b0c0c;}
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
        st.toast(f"Built a demo database at {md(path)}.")
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


FORCE_KEY = "sg_force"  # set by filters.force (dashboard.py) for every run


def current_force() -> str | None:
    """The force chosen for this run (None before the force filter has run: every force)."""
    return st.session_state.get(FORCE_KEY)


@st.cache_data(ttl=3600, show_spinner=False)
def _scorecard(version: int, month: dt.date, force: str | None) -> pd.DataFrame:
    return scorecard.scorecard(con(), month, force=force)


def scorecard_frame(month: dt.date) -> pd.DataFrame:
    return _scorecard(data_version(), month, current_force())


@st.cache_data(ttl=3600, show_spinner=False)
def _units(version: int, force: str | None) -> tuple[list[str], list[str]]:
    return scorecard.units(con(), force)


def units() -> tuple[list[str], list[str]]:
    """(districts, force rows) of the chosen force: every page is for one force."""
    return _units(data_version(), current_force())


@st.cache_data(ttl=3600, show_spinner=False)
def _force_of(version: int) -> dict[str, str]:
    return dict(con().execute("select district, force from districts").fetchall())


def force_of() -> dict[str, str]:
    """Each district's force."""
    return _force_of(data_version())


def as_at_caption() -> None:
    """Every page says how current its figures are and where they come from."""
    st.caption(as_at_text())


def as_at_text() -> str:
    info = meta()
    as_at = info.get("as_at")
    source = "demo data (invented records)" if info.get("source") == "demo" else "force records"
    text = f"Data as at {dt.date.fromisoformat(as_at):%d %B %Y}" if as_at else "Data date unknown"
    return f"{text} · {source}"


@st.cache_data(ttl=3600, show_spinner=False)
def _figures(version: int, from_month: dt.date, to_month: dt.date) -> pd.DataFrame:
    return targets.figures(con(), from_month=from_month, to_month=to_month)


def figures(from_month: dt.date, to_month: dt.date) -> pd.DataFrame:
    """Every metric's figures with target and status, for a range of months."""
    return _figures(data_version(), from_month, to_month)


@st.cache_data(ttl=3600, show_spinner=False)
def _metric_figures(version: int, metric_id: str) -> pd.DataFrame:
    return targets.figures(con(), metric_id=metric_id)


def metric_figures(metric_id: str) -> pd.DataFrame:
    """One metric's whole history for every district and force row, with target and status."""
    return _metric_figures(data_version(), metric_id)


@st.cache_data(ttl=3600, show_spinner=False)
def _target_history(version: int) -> pd.DataFrame:
    return targets.history(con())


def target_history() -> pd.DataFrame:
    return _target_history(data_version())


# What each record table holds, in words, for the "About the data" page.
TABLE_DESCRIPTIONS = {
    "districts": "The districts and the force they belong to",
    "population": "Population by district and year (all ages and under 18)",
    "offenders": "Registered sex offenders managed in the community",
    "offender_visits": "Home visits to registered sex offenders",
    "offender_managers": "Offender managers in post (FTE)",
    "missing_reports": "Missing-child reports: risk grade, attendance, review, return interview",
    "forensic_cases": "Digital forensic examinations, including indecent images of children",
    "investigations": "Child abuse investigations",
    "investigation_reviews": "Supervisory reviews of child abuse investigations",
    "conferences": "Initial child protection conferences and MARAC meetings",
    "custody_detentions": "Children detained in custody after charge",
    "workforce": "Funded and in-post FTE by role",
    "recommendations": "Inspection recommendations and their progress",
    "targets": "Targets, dated, force-wide or per district",
}


@st.cache_data(ttl=3600, show_spinner=False)
def _table_sources(version: int) -> pd.DataFrame:
    from safeguarding.imports.load import register_history

    cursor = con()
    register_history(cursor)  # the import audit is app state
    demo_data = store.meta(cursor).get("source") == "demo"
    latest = {
        row[0]: (row[1], row[2])
        for row in cursor.execute(
            """
            select table_name, arg_max(file_name, imported_at), max(imported_at)
            from imports
            where outcome in ('loaded', 'unchanged')
            group by table_name
            """
        ).fetchall()
    }
    rows = []
    for table, description in TABLE_DESCRIPTIONS.items():
        # Table names come from the fixed dictionary above, never from a user.
        count = cursor.execute(f'select count(*) from "{table}"').fetchone()[0]
        if table in latest:
            file_name, when = latest[table]
            source = f"Imported from {file_name} on {when:%d %B %Y}"
        elif demo_data:
            source = "Demo data generator (invented records)"
        else:
            source = "Not yet imported"
        rows.append({"Table": table, "Holds": description, "Rows": count, "Source": source})
    return pd.DataFrame(rows)


def table_sources() -> pd.DataFrame:
    return _table_sources(data_version())


STATUS_KEY = " · ".join(
    f"{targets.STATUS_SYMBOLS[s]} {targets.STATUS_WORDS[s]}" for s in targets.STATUS_WORDS
)


def stop() -> NoReturn:
    """``st.stop()``, typed as not returning, so that the code after it is known not to run."""
    st.stop()
    raise AssertionError("st.stop() returned")  # it raises StopException; this never runs

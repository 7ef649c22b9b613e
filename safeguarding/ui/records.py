"""The one door from the pages to record-level data.

Every page that shows or offers records goes through ``show_records`` and
``all_records_download``, which go through the access door in ``auth_ui`` (scope check and log).
Records are pseudonymised (references, not names; ages, not dates of birth) and are for the
district lead's reconciliation with their own systems: they are not suppressed, unlike figures.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable

import pandas as pd
import streamlit as st

from safeguarding import kinds, registry
from safeguarding.formatting import code_words, day_text, month_label
from safeguarding.ui import app, auth_ui, views

RECONCILIATION_NOTE = (
    "These records are **pseudonymised** (references, not names; ages, not dates of birth) and "
    "are provided **for reconciliation only**: to check the dashboard's figures against your own "
    "systems before a meeting. Do not circulate them; figures for circulation are in the board "
    "pack and the figure downloads, where small numbers are suppressed."
)

# Record columns shown with plain-English headings; unknown columns get a tidied name.
COLUMN_LABELS = {
    "in_numerator": "Counts in the figure",
    "district": "District",
    "child_ref": "Child reference",
    "report_ref": "Report reference",
    "offender_ref": "Offender reference",
    "case_ref": "Case reference",
    "investigation_ref": "Investigation reference",
    "conference_ref": "Conference reference",
    "detention_ref": "Detention reference",
    "recommendation_ref": "Recommendation reference",
    "officer_ref": "Officer reference",
}


def column_label(name: str) -> str:
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    words = name.replace("_", " ").strip()
    words = words.replace(" la", " local authority").replace("fte", "FTE").replace("iioc", "IIOC")
    return words[:1].upper() + words[1:]


def records_behind(metric_id: str, district: str, month: dt.date) -> pd.DataFrame | None:
    """The pseudonymised records behind one figure, or None after saying why they are not shown.

    Goes through the access door (auth_ui.records_for), which checks the signed-in user's scope
    and logs the view; nothing here is cached across users.
    """
    return auth_ui.records_for(metric_id, district, month)


def for_display(frame: pd.DataFrame, *, readable: bool = True) -> pd.DataFrame:
    """Records with readable column names and the counted ones first. ``readable`` also writes
    dates as people do ("26 May 2021", with the time only where there is one), empty cells as
    blanks rather than "None", and stored codes as words ("very high"); the CSV keeps ISO dates
    and codes, which other systems read."""
    out = frame.copy()
    if "in_numerator" in out:
        out["in_numerator"] = out["in_numerator"].map({True: "Yes", False: "No"})
    if readable:
        for column in out.columns:
            out[column] = readable_column(out[column])
    return out.rename(columns={c: column_label(c) for c in out.columns})


def readable_column(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = pd.to_datetime(values)
        timed = bool((stamps.dropna() != stamps.dropna().dt.normalize()).any())
        return stamps.map(lambda t: "" if pd.isna(t) else _stamp(t, timed))
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        sample = values.dropna()
        if not sample.empty and all(isinstance(v, dt.date) for v in sample):
            return values.map(lambda d: day_text(d) if isinstance(d, dt.date) else "")
        if not sample.empty and all(isinstance(v, str) for v in sample):
            is_code = sample.str.fullmatch(r"[a-z]+(_[a-z]+)+").all()
            shown = values.map(code_words) if is_code else values
            return shown.map(
                lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else v
            )
    return values


def _stamp(value: pd.Timestamp, timed: bool) -> str:
    text = day_text(value)
    return f"{text} {value:%H:%M}" if timed else text


def _csv(frame: pd.DataFrame) -> bytes:
    return for_display(frame, readable=False).to_csv(index=False).encode("utf-8")


def show_records(metric: registry.Metric, district: str, month: dt.date, *, key: str) -> None:
    """The records behind one figure as a table with a download, for those allowed to see them."""
    rows = records_behind(metric.id, district, month)
    if rows is None:
        return
    if rows.empty:
        st.info(views.empty_message(metric, district, month))
        return
    counted = int(rows["in_numerator"].sum()) if "in_numerator" in rows else len(rows)
    st.caption(kinds.record_caption(metric, len(rows), counted))
    st.dataframe(
        for_display(rows),
        hide_index=True,
        alt=f"Records behind {metric.title.lower()}, {district}, {month_label(month)}",
    )
    auth_ui.download_records_button(
        metric.id,
        district,
        month,
        key=key,
        to_bytes=_csv,
        file_name=f"records_{metric.id}_{district}_{month:%Y-%m}.csv".replace(" ", "_"),
        help="Pseudonymised, for reconciliation only.",
    )


def _all_records_zip(
    fetch: Callable[[str, str, dt.date], pd.DataFrame],
    district: str,
    month: dt.date,
    forces: list[str],
) -> Callable[[], bytes]:
    # Runs on click, on another thread without the page's context: no st.* calls inside. The
    # fetcher carries the user's scope and logs each metric's records as a download.
    def build() -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for metric in registry.metrics().values():
                if metric.scope == "force" and district not in forces:
                    continue
                archive.writestr(f"{metric.id}.csv", _csv(fetch(metric.id, district, month)))
            archive.writestr("README.txt", RECONCILIATION_NOTE.replace("**", ""))
        return buffer.getvalue()

    return build


def all_records_download(district: str, month: dt.date, *, key: str) -> None:
    """One ZIP of the records behind every figure of a district and month, built on click."""
    if not auth_ui.may_view_records(district):
        return
    st.download_button(
        f"Download all records for {district}, {month:%B %Y} (ZIP)",
        data=_all_records_zip(auth_ui.records_fetcher("download"), district, month, app.units()[1]),
        file_name=f"records_{district}_{month:%Y-%m}.zip".replace(" ", "_"),
        mime="application/zip",
        key=key,
        on_click="ignore",
        help="One CSV per metric. Pseudonymised, for reconciliation only.",
    )

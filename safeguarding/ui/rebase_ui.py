"""The rebase register on the metric page: where one area's SPC limits are recalculated, and
(for administrators) the form that records or withdraws a rebase.

Everyone sees the register, because a chart whose limits were recalculated must say so and why.
Only ``Scope.can_admin`` may write to it. The check runs in every script run, including the one
that handles a submit (without it the forms are not drawn, so cannot submit). Each write is one
app-state transaction then a refresh of the rebased series (safeguarding.rebases.record), so the
charts, scorecard and packs change together.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from safeguarding import rebases, registry
from safeguarding.formatting import EARLIEST_DATE, month_label
from safeguarding.ui import app, auth_ui
from safeguarding.ui.safe import md
from safeguarding.ui.safe import table as safe_table

_FLASH = "_rebase_flash"


@st.cache_data(ttl=3600, show_spinner=False)
def _register(version: int, metric_id: str) -> pd.DataFrame:
    return rebases.listing(app.con(), metric_id)


def register(metric_id: str, district: str) -> pd.DataFrame:
    """The recorded rebases of one metric in one area, oldest first."""
    frame = _register(app.data_version(), metric_id)
    return frame[frame["district"] == district].reset_index(drop=True)


def _saved(message: str) -> None:
    st.session_state[_FLASH] = message
    st.rerun()


def section(metric: registry.Metric, district: str, months: list[dt.date], *, key: str) -> None:
    """The register for ``district`` and, for administrators, the forms that change it.

    ``months`` are the months with a figure, oldest first: a new period can start at any of them
    but the first.
    """
    st.subheader("Where the limits are recalculated")
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)
    rows = register(metric.id, district)
    if rows.empty:
        st.markdown(
            f"No rebases for {md(district)}: the limits are calculated over its whole history. "
            "Limits are recalculated only after a sustained, explained change, agreed and "
            "recorded here."
        )
    else:
        shown = pd.DataFrame(
            {
                "New period from": [month_label(m) for m in pd.to_datetime(rows["month"]).dt.date],
                "Reason": rows["reason"],
                "Agreed by": rows["agreed_by"],
                "Agreed on": [f"{d:%-d %B %Y}" for d in pd.to_datetime(rows["agreed_on"])],
            }
        )
        st.table(safe_table(shown.set_index("New period from")))
    if not auth_ui.current_scope().can_admin() or len(months) < 2:
        return
    with st.expander("Record or withdraw a rebase"):
        _add_form(metric, district, months[1:], key=f"{key}_add")
        if not rows.empty:
            _withdraw_form(metric, district, rows, key=f"{key}_withdraw")


def _add_form(metric: registry.Metric, district: str, choices: list[dt.date], *, key: str) -> None:
    with st.form(key, clear_on_submit=True):
        st.markdown(f"**Recalculate the limits for {md(district)} from a month**")
        month = st.selectbox(
            "First month of the new period",
            list(reversed(choices)),
            format_func=month_label,
            key=f"{key}_month",
        )
        reason = st.text_area(
            "Reason (the change in the process that explains the new level)", key=f"{key}_reason"
        )
        agreed_by = st.text_input("Agreed by (a board or a role)", key=f"{key}_by")
        agreed_on = st.date_input(
            "Agreed on",
            value=dt.date.today(),
            min_value=EARLIEST_DATE,
            max_value=dt.date.today(),
            format="DD/MM/YYYY",
            key=f"{key}_on",
        )
        if st.form_submit_button("Record the rebase", key=f"{key}_submit"):
            try:
                rebases.record(
                    None,
                    metric_id=metric.id,
                    district=district,
                    month=month,
                    reason=reason,
                    agreed_by=agreed_by,
                    agreed_on=agreed_on,
                )
            except rebases.RebaseError as exc:
                st.error(md(exc))
            else:
                _saved(
                    f"Recorded: the limits for {md(district)} are recalculated from "
                    f"{month_label(month)}, and its signals have been recomputed."
                )


def _withdraw_form(metric: registry.Metric, district: str, rows: pd.DataFrame, *, key: str) -> None:
    months = list(pd.to_datetime(rows["month"]).dt.date)
    with st.form(key):
        st.markdown("**Withdraw a rebase recorded in error**")
        month = st.selectbox(
            "Rebase to withdraw", months, format_func=month_label, key=f"{key}_month"
        )
        sure = st.checkbox(
            "I understand the limits will be recalculated without this break",
            key=f"{key}_sure",
        )
        if st.form_submit_button("Withdraw the rebase", key=f"{key}_submit"):
            if not sure:
                st.error("Tick the box to confirm before withdrawing a rebase.")
                return
            try:
                rebases.withdraw(None, metric_id=metric.id, district=district, month=month)
            except rebases.RebaseError as exc:
                st.error(md(exc))
            else:
                _saved(f"Withdrawn: the rebase of {md(district)} at {month_label(month)}.")

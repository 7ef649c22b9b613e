"""Tables and words for the "About the data" page."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import streamlit as st

from safeguarding import registry, target_setting, targets
from safeguarding.formatting import day_text, format_value
from safeguarding.ui import app, auth_ui
from safeguarding.ui.views import DIRECTION_WORDS

METHODS = """
**Figures.** Every metric is computed the same way for every district from the pseudonymised
records, one figure per district per month, plus one for the force as a whole.

**Statistical process control (SPC).** Each district's monthly figures are plotted on an XmR
chart in the NHS "Making Data Count" style: the mean, and process limits at the mean plus or minus
2.66 times the average moving range. A point outside the limits, a run of 7 points rising or
falling or on one side of the mean, or 2 of 3 points near a limit is a *special cause*: a change
worth asking about. Anything else is *common-cause* variation: the normal ups and downs of the
process, not a reason to act on one month. Limits are recalculated only at recorded dates with a
reason. *Assurance* says whether the process, as it runs now, will reliably meet its target.

**Comparing districts.** Districts differ in size, so a small district's percentage varies more
from month to month. Funnel plots draw wider limits for smaller districts, so a district is only
flagged when it differs by more than chance would explain.
"""


def currency_text(info: dict[str, str]) -> str:
    as_at = info.get("as_at")
    first, last = info.get("first_month"), info.get("last_month")
    parts = []
    if as_at:
        parts.append(f"The figures are complete to **{dt.date.fromisoformat(as_at):%d %B %Y}**.")
    if first and last:
        parts.append(
            f"They cover **{dt.date.fromisoformat(first):%B %Y}** to "
            f"**{dt.date.fromisoformat(last):%B %Y}**."
        )
    if info.get("source") == "demo":
        parts.append(
            "This is **demo data**: invented records generated to resemble the force's published "
            "figures. No real person is described."
        )
    return " ".join(parts) or "The date of the data is not recorded."


def definitions(theme_id: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Metric": m.title,
                "Definition": m.definition,
                "Unit": m.unit,
                "Better when": DIRECTION_WORDS[m.direction],
                "Computed from": ", ".join(m.sources),
                "Answers": m.finding,
            }
            for m in registry.by_theme(theme_id)
        ]
    ).set_index("Metric")


def _history() -> pd.DataFrame:
    history = app.target_history()
    known = registry.metrics()
    return history[history["metric_id"].isin(known)]


def targets_in_force() -> pd.DataFrame:
    """The target of every metric in the latest month, force-wide and per district."""
    known = registry.metrics()
    months = app.months()
    latest = months[-1] if months else dt.date.today()
    figures = app.figures(latest, latest)
    rows = []
    for metric in known.values():
        data = figures[figures["metric_id"] == metric.id]
        target = data["target"].dropna()
        if metric.target_source == "denominator":
            text = "The number of funded posts in each area"
        elif target.empty:
            text = "No target (monitored for its trend)"
        else:
            values = sorted(set(target.round(6)))
            text = ", ".join(format_value(v, metric) for v in values)
        rows.append(
            {
                "Metric": metric.title,
                "Target": text,
                "Better when": DIRECTION_WORDS[metric.direction],
            }
        )
    return pd.DataFrame(rows).set_index("Metric")


def target_history() -> pd.DataFrame:
    known = registry.metrics()
    history = _history()
    return pd.DataFrame(
        {
            "Metric": history["metric_id"].map(lambda m: known[m].title),
            "Applies to": history["applies_to"],
            "From": history["effective_from"].map(day_text),
            "To": history["effective_to"].map(_end_text),
            "Target": [
                format_value(t, known[m])
                for t, m in zip(history["target"], history["metric_id"], strict=True)
            ],
            "Note": history["note"].fillna(""),
            "Set by": history["set_by"].fillna(""),
        }
    )


OPEN_END = "open-ended"


def _end_text(value: object) -> str:
    """The day a target stops applying, or that it has none (a blank cell reads as missing)."""
    return day_text(value) or OPEN_END


def target_changes() -> pd.DataFrame:
    """Every change to the targets, newest first: who, when, why, and what it replaced."""
    known = registry.metrics()
    frame = targets.changes(app.con())
    frame = frame[frame["metric_id"].isin(known)]
    return pd.DataFrame(
        {
            "When": pd.to_datetime(frame["changed_at"]).dt.strftime("%d %B %Y %H:%M"),
            "Who": frame["changed_by"],
            "Why": frame["reason"],
            "Metric": frame["metric_id"].map(lambda m: known[m].title),
            "Applies to": frame["applies_to"],
            "From": frame["effective_from"].map(day_text),
            "To": frame["effective_to"].map(_end_text),
            "Target": [
                "none (withdrawn)" if pd.isna(t) else format_value(t, known[m])
                for t, m in zip(frame["target"], frame["metric_id"], strict=True)
            ],
            "Replaced": frame["previous"].fillna(""),
        }
    )


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&])")


def plain(text: str) -> str:
    """Text from a form or a file, escaped so that st.error shows it as typed, not as Markdown."""
    return _MARKDOWN.sub(r"\\\1", text)


_FLASH = "targets_saved"


def settable_metrics() -> list[registry.Metric]:
    """Metrics a force can set a target for (not neutral ones, not those whose target is a
    count from the records)."""
    return [
        m
        for m in registry.metrics().values()
        if m.direction != "neutral" and m.target_source != "denominator"
    ]


def render_target_forms() -> None:
    """The forms that set targets, for those who may (leadership and data administrators)."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(plain(message))
    scope = auth_ui.current_scope()
    if not scope.can_admin():
        return
    metrics_ = settable_metrics()
    districts, forces = app.units()
    # A target for every area reaches every force in the database: only for someone whose access
    # covers them all.
    reach = scope.target_forces(app.force_of())
    areas = [*([targets.FORCE_WIDE] if reach is None else []), *districts, *forces]
    with st.expander("Set or change a target"), st.form("target_form", clear_on_submit=True):
        titles = {m.id: m.title for m in metrics_}
        metric_id = st.selectbox(
            "Metric", list(titles), format_func=titles.__getitem__, key="target_metric"
        )
        area = st.selectbox("Applies to", areas, key="target_area")
        left, right = st.columns(2)
        # The dates a target can take (Streamlit's own limits are ten years either side of
        # today, which would keep out a target from the data's first years).
        start = left.date_input(
            "In force from",
            min_value=targets.EARLIEST,
            max_value=targets.LATEST,
            format="DD/MM/YYYY",
            key="target_from",
        )
        end = right.date_input(
            "Until (leave empty for no end date)",
            value=None,
            min_value=targets.EARLIEST,
            max_value=targets.LATEST,
            format="DD/MM/YYYY",
            key="target_to",
        )
        withdraw = st.checkbox("No target from this date (withdraw it)", key="target_withdraw")
        value = st.number_input(
            "Target (a percentage as 0 to 100)", min_value=0.0, value=None, key="target_value"
        )
        reason = st.text_area("Why (kept in the history)", key="target_reason")
        if st.form_submit_button("Save the target", key="target_submit"):
            metric = registry.get(metric_id)
            _save_target(
                scope,
                metric,
                area,
                start,
                end,
                None if withdraw else value,
                reason,
                withdraw=withdraw,
                forces=reach,
            )
    with st.expander("Import targets from a CSV file"), st.form("target_import"):
        st.caption(
            f"Columns: {', '.join(targets.CSV_COLUMNS)} (and optionally note). Every row is "
            "checked first; if any is wrong nothing is changed."
        )
        upload = st.file_uploader("Targets file", type=["csv"], key="target_file")
        if st.form_submit_button("Import the targets", key="target_import_submit"):
            if upload is None:
                st.error("Choose a CSV file first.")
                return
            try:
                applied = target_setting.import_csv(
                    None, upload.getvalue(), upload.name, by=scope.user_id, forces=reach
                )
            except targets.TargetError as exc:
                st.error("Nothing was changed.")
                st.code(str(exc), language=None)
            else:
                changed = sum(c.changed for c in applied)
                same = len(applied) - changed
                already = f"; {same} already as given, left as they were" if same else ""
                st.session_state[_FLASH] = (
                    f"Imported {changed} target change(s){already}; every status and assurance "
                    "now follows them."
                )
                st.rerun()


def _save_target(
    scope, metric, area, start, end, value, reason, *, withdraw: bool, forces=None
) -> None:
    if not withdraw and value is None:
        st.error("Give the target, or tick the box to withdraw it.")
        return
    try:
        change = target_setting.set_target(
            None,
            by=scope.user_id,
            forces=forces,
            metric_id=metric.id,
            district=None if area == targets.FORCE_WIDE else area,
            effective_from=start,
            effective_to=end,
            target=value,
            reason=reason,
        )
    except targets.TargetError as exc:
        st.error(plain(str(exc)))
        return
    what = "withdrawn" if change.target is None else format_value(change.target, metric)
    until = f" to {end:%d %B %Y}" if end else ""
    st.session_state[_FLASH] = (
        f"Saved: {metric.title} for {area}, {what} from {start:%d %B %Y}{until}. Every status "
        "and assurance now follows it."
        if change.changed
        else f"Nothing to change: {metric.title} for {area} is already {what} from "
        f"{start:%d %B %Y}{until}."
    )
    st.rerun()


def sources() -> pd.DataFrame:
    return app.table_sources().set_index("Table")

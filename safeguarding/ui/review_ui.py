"""Blocks for the quarterly review pages: the quarter filter, the figures with their actions, the
exceptions, the action log and its forms, the recommendations tracker, and the board pack.

The decisions (tiers, carry-forward, overdue, snapshots) are in safeguarding.review, .actions,
.recommendations and .pack; this module draws them. Forms are shown only to roles that may
record the review (``Scope.can_edit_review``); every write is one short app-state transaction
(safeguarding.appstore), after which the page reruns on the new data.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

import pandas as pd
import streamlit as st

from safeguarding import (
    actions,
    pack,
    recommendations,
    registry,
    review,
    signals,
    store,
    targets,
)
from safeguarding.formatting import EARLIEST_DATE, LATEST_DATE, month_label, plural
from safeguarding.paths import db_path
from safeguarding.quarters import CHANGE_ARROWS, Period, complete_quarters
from safeguarding.review import day_label
from safeguarding.ui import app, auth_ui, views
from safeguarding.ui.safe import md
from safeguarding.ui.safe import table as safe_table

QUARTER_KEY = "f_review_quarter"
_WRITTEN = "_review_quarter_written"
_CHOSEN = "_review_quarter_chosen"
_FLASH = "_review_flash"
esc = html.escape


# --- filter and data -------------------------------------------------------------------------


def quarter_filter() -> Period:
    """The quarter under review: from the link (?quarter=2024Q3), else the sidebar, else the
    latest complete quarter. A bad link gets a message, not a traceback."""
    quarters = complete_quarters(app.months())
    if not quarters:
        st.error("The database holds no complete quarter of figures yet.")
        st.stop()
    codes = [q.code for q in reversed(quarters)]
    raw = st.query_params.get("quarter")
    if raw is not None and raw != st.session_state.get(_WRITTEN):
        latest = Period.quarter(codes[0]).label
        try:
            wanted = Period.quarter(raw)
        except ValueError as exc:
            st.warning(f"The link's quarter is not valid ({md(exc)}); showing {latest}.")
        else:
            if wanted.code in codes:
                st.session_state[QUARTER_KEY] = wanted.code
            else:
                st.warning(f"No complete figures for {wanted.label}; showing {latest}.")
                st.session_state[QUARTER_KEY] = codes[0]
    if st.session_state.get(QUARTER_KEY) not in codes:
        # Widget state is dropped on pages without the widget: the last choice is kept apart.
        remembered = st.session_state.get(_CHOSEN)
        st.session_state[QUARTER_KEY] = remembered if remembered in codes else codes[0]
    code = st.sidebar.selectbox(
        # The short label fits the sidebar; the long one was cut off.
        "Quarter",
        codes,
        key=QUARTER_KEY,
        format_func=lambda c: Period.quarter(c).short_label,
    )
    st.query_params["quarter"] = code
    st.session_state[_WRITTEN] = code
    st.session_state[_CHOSEN] = code
    return Period.quarter(code)


@st.cache_data(ttl=3600, show_spinner=False)
def _table(version: int, code: str, force: str | None) -> pd.DataFrame:
    return review.quarter_table(app.con(), code, force=force)


def quarter_table(period: Period) -> pd.DataFrame:
    """The quarter's figures for the chosen force (every page is for one force)."""
    return _table(app.data_version(), period.code, app.current_force())


def of_force(frame: pd.DataFrame) -> pd.DataFrame:
    """Actions about the chosen force: those of its districts or its force row, and general
    ones (no area), as the board pack lists them. Another force's are left out."""
    if frame.empty:
        return frame
    districts, forces = app.units()
    return frame[frame["district"].isna() | frame["district"].isin([*districts, *forces])]


@st.cache_data(ttl=3600, show_spinner=False)
def _review_actions(version: int, code: str, today: dt.date) -> pd.DataFrame:
    return actions.for_review(app.con(), code, today=today)


def review_actions(period: Period) -> pd.DataFrame:
    """The actions the quarter's review goes through, for the chosen force."""
    return of_force(_review_actions(app.data_version(), period.code, dt.date.today()))


@st.cache_data(ttl=3600, show_spinner=False)
def _all_actions(version: int, today: dt.date) -> pd.DataFrame:
    return actions.listing(app.con(), today=today)


def all_actions() -> pd.DataFrame:
    """The whole action log, for the chosen force."""
    return of_force(_all_actions(app.data_version(), dt.date.today()))


def can_edit() -> bool:
    return auth_ui.current_scope().can_edit_review()


def _own_force_only() -> bool:
    """On a database of several forces, whether this person's actions are their own force's
    only: an action with no area is every force's, so only someone whose access covers every
    force records or changes one."""
    return auth_ui.current_scope().target_forces(app.force_of()) is not None


def flash() -> None:
    """Show the message left by the last save (the page reran after it)."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)


def _saved(message: str) -> None:
    st.session_state[_FLASH] = message
    st.rerun()


# --- the figures -----------------------------------------------------------------------------


def _action_note(open_actions: pd.DataFrame) -> str:
    if open_actions.empty:
        return ""
    late = int(open_actions["overdue"].sum())
    text = f"{len(open_actions)} open action{'s' if len(open_actions) != 1 else ''}"
    return text + (f" ({late} overdue)" if late else "")


def _open_for(frame: pd.DataFrame, metric_id: str, district: str | None) -> pd.DataFrame:
    if frame.empty:
        return frame
    mask = (frame["status"] != "closed") & (frame["metric_id"] == metric_id)
    if district is not None:
        mask &= frame["district"] == district
    return frame[mask]


def metric_table_html(
    frame: pd.DataFrame, metric: registry.Metric, period: Period, open_actions: pd.DataFrame
) -> str:
    """One metric's quarter table: an area per row, status by symbol and word, actions beside."""
    previous, last_year = period.previous_quarter(), period.year_earlier()
    targets_shown = set(frame["target_text"]) - {"none"}
    if not targets_shown:
        target = "no target"
    elif len(targets_shown) == 1 and frame["target"].nunique() <= 1:
        target = f"target {next(iter(targets_shown))}"
    else:
        target = "targets by area"
    caption = (
        f"{metric.title} ({metric.unit}; {views.DIRECTION_WORDS[metric.direction]}; {target}): "
        f"{period.short_label} by area"
    )
    heads = [
        "Area",
        period.short_label,
        previous.short_label,
        f"Change on {previous.short_label}",
        last_year.short_label,
        f"Change on {last_year.short_label}",
        "Target",
        "Status",
        f"SPC signal ({month_label(period.last)})",
        "Open actions",
    ]
    rows = []
    for r in frame.itertuples():
        status = r.status
        arrow = CHANGE_ARROWS.get(r.change_arrow, "") if isinstance(r.change_arrow, str) else ""
        year_arrow = (
            CHANGE_ARROWS.get(r.year_change_arrow, "")
            if isinstance(r.year_change_arrow, str)
            else ""
        )
        href = views.metric_link(metric.id, r.district, period.last)
        note = _action_note(_open_for(open_actions, metric.id, r.district))
        rows.append(
            "<tr>"
            f'<th scope="row"><a href="{esc(href)}">{esc(r.district)}</a></th>'
            f"<td>{esc(r.value_text)}</td>"
            f"<td>{esc(r.previous_text)}</td>"
            f'<td><span aria-hidden="true">{arrow}</span> {esc(r.change_text or "")}</td>'
            f"<td>{esc(r.last_year_text)}</td>"
            f'<td><span aria-hidden="true">{year_arrow}</span> {esc(r.year_change_text or "")}</td>'
            f"<td>{esc(r.target_text)}</td>"
            f'<td class="sg-{status}"><span aria-hidden="true">{targets.STATUS_SYMBOLS[status]}'
            f"</span> {esc(targets.STATUS_WORDS[status])}</td>"
            f"<td>{esc(review.spc_text(r.variation, r.assurance, r.spc_note))}</td>"
            f"<td>{'<strong>' + esc(note) + '</strong>' if note else 'none'}</td>"
            "</tr>"
        )
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in heads)
    return (
        '<div class="sg-scorecard-wrap"><table class="sg-scorecard">'
        f"<caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def figures_section(table: pd.DataFrame, period: Period, open_actions: pd.DataFrame) -> None:
    """Every metric x area, one tab per theme."""
    known = registry.metrics()
    themes = registry.themes()
    tabs = st.tabs(list(themes.values()))
    for tab, theme_id in zip(tabs, themes, strict=True):
        with tab:
            for metric in registry.by_theme(theme_id):
                rows = table[table["metric_id"] == metric.id]
                if rows.empty:
                    continue
                st.subheader(known[metric.id].title)
                st.html(metric_table_html(rows, metric, period, open_actions))


# --- exceptions ------------------------------------------------------------------------------


def _exception_item(e, period: Period, open_actions: pd.DataFrame) -> str:
    linked = _open_for(open_actions, e.metric_id, e.district)
    note = ""
    if not linked.empty:
        parts = [
            f"action {a.action_id} ({a.owner}, {actions.status_text(a.status, a.overdue)})"
            for a in linked.itertuples()
        ]
        note = f"<br><strong>Open: {esc('; '.join(parts))}</strong>"
    href = views.metric_link(e.metric_id, e.district, period)
    return (
        f"<li><strong>Tier {e.tier}.</strong> {esc(e.sentence)} "
        f'<a href="{esc(href)}">Trend and records: {esc(e.district)}</a>{note}</li>'
    )


def exceptions_section(table: pd.DataFrame, period: Period, open_actions: pd.DataFrame) -> None:
    """The few exceptions that matter first (at most review.LEAD, grouped by metric, each
    linking to its metric page for the quarter and area); the rest behind an expander."""
    ranked = review.exceptions(table, period)
    if ranked.empty:
        st.info(f"No exceptions in {period.short_label}: every target met, no concerning signal.")
        return
    counts = ranked.groupby("tier").size()
    lead, rest = review.lead_exceptions(ranked)
    st.caption(
        f"The {len(lead)} most serious of {plural(len(ranked), 'exception')}, grouped by metric. "
        + " · ".join(f"Tier {t}: {review.TIERS[t].lower()} ({counts[t]})" for t in counts.index)
        + ". Within a tier, the biggest shortfall against target comes first."
    )
    known = registry.metrics()
    groups = []
    for metric_id, items in lead.groupby("metric_id", sort=False):
        rows = "".join(_exception_item(e, period, open_actions) for e in items.itertuples())
        groups.append(
            f'<li><span class="sg-metric">{esc(known[metric_id].title)}</span>'
            f'<ul class="sg-exceptions">{rows}</ul></li>'
        )
    st.html(f'<ul class="sg-exception-groups">{"".join(groups)}</ul>')
    if not rest.empty:
        with st.expander(f"The other {plural(len(rest), 'exception')}"):
            items = "".join(_exception_item(e, period, open_actions) for e in rest.itertuples())
            st.html(f'<ol class="sg-exceptions" start="{len(lead) + 1}">{items}</ol>')


# --- the action log --------------------------------------------------------------------------


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'} overdue"


def _about(row) -> str:
    known = registry.metrics()
    metric = known.get(row.metric_id) if isinstance(row.metric_id, str) else None
    parts = [metric.title if metric else "", row.district if isinstance(row.district, str) else ""]
    return ", ".join(p for p in parts if p) or "General"


def _quarter_words(code: object) -> str:
    """'2026Q3' -> 'Q3 2026 review'; anything else as it is."""
    try:
        return f"{Period.quarter(str(code)).short_label} review"
    except ValueError:
        return str(code)


def actions_html(frame: pd.DataFrame, caption: str) -> str:
    """The action log as an accessible table; overdue actions by symbol and word, in bold."""
    heads = ["No.", "About", "Raised at", "Action or question", "Owner", "Due", "Status"]
    heads.append("Response")
    rows = []
    for a in frame.itertuples():
        status = actions.status_text(a.status, bool(a.overdue))
        if a.status == "closed" and a.closed_on:
            status += f" on {day_label(a.closed_on)}"
        if a.overdue:
            status = f"<strong>{esc(status)}, {_days(a.days_overdue)}</strong>"
        else:
            status = esc(status)
        raised = _quarter_words(a.quarter) + (
            " (carried forward)" if getattr(a, "carried_forward", False) else ""
        )
        rows.append(
            "<tr>"
            f'<th scope="row">{a.action_id}</th>'
            f"<td>{esc(_about(a))}</td>"
            f"<td>{esc(raised)}</td>"
            f"<td>{esc(a.text)}</td>"
            f"<td>{esc(a.owner)}</td>"
            f"<td>{esc(day_label(a.due_date) or 'none set')}</td>"
            f"<td>{status}</td>"
            f"<td>{esc(a.response or '') if isinstance(a.response, str) else ''}</td>"
            "</tr>"
        )
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in heads)
    return (
        '<div class="sg-scorecard-wrap"><table class="sg-scorecard">'
        f"<caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _metric_choice(metric_id: str) -> str:
    return registry.metrics()[metric_id].title if metric_id else "None (general question)"


def _area_choice(area: str) -> str:
    return area or "None (force-wide or general)"


def add_action_form(period: Period | None, *, key: str) -> None:
    """Record a question or action against a metric, an area and a quarter (the quarter under
    review, or, with ``period`` None, one chosen in the form)."""
    if not can_edit():
        return
    districts, forces = app.units()
    shown = {*districts, *forces}
    areas = [a for a in actions.areas(app.con()) if a in shown]
    # Force-wide is then the force row, named; "no area" would be every force's.
    choices = (
        [*forces, *[a for a in areas if a not in forces]] if _own_force_only() else ["", *areas]
    )
    with st.form(key, clear_on_submit=True):
        if period is None:
            st.markdown("**Record a question or action**")
            codes = [q.code for q in reversed(complete_quarters(app.months()))]
            code = st.selectbox(
                "Quarter reviewed",
                codes,
                format_func=lambda c: Period.quarter(c).label,
                key=f"{key}_quarter",
            )
        else:
            st.markdown(f"**Record a question or action for {period.short_label}**")
            code = period.code
        metric_id = st.selectbox(
            "Metric it is about",
            ["", *registry.metrics()],
            format_func=_metric_choice,
            key=f"{key}_metric",
        )
        area = st.selectbox(
            "District or force", choices, format_func=_area_choice, key=f"{key}_area"
        )
        text = st.text_area("Question or action", max_chars=actions.MAX_TEXT, key=f"{key}_text")
        owner = st.text_input("Owner (who will answer it)", key=f"{key}_owner")
        due = st.date_input(
            "Due date",
            value=None,
            format="DD/MM/YYYY",
            key=f"{key}_due",
            min_value=EARLIEST_DATE,
            max_value=LATEST_DATE,
        )
        if st.form_submit_button("Record the action", key=f"{key}_submit"):
            try:
                action_id = actions.write(
                    None,
                    actions.add,
                    quarter=code,
                    text=text,
                    owner=owner,
                    metric_id=metric_id or None,
                    district=area or None,
                    due_date=due,
                )
            except actions.ActionError as exc:
                st.error(md(exc))
            else:
                _saved(f"Recorded action {action_id} for {Period.quarter(code).short_label}.")


def update_action_form(frame: pd.DataFrame, *, key: str) -> None:
    """Change an action's status, owner, due date and response, or close it."""
    if not can_edit() or frame.empty:
        return
    if _own_force_only():
        # General actions (no area) are every force's: listed, not changed from one force.
        frame = frame[frame["district"].notna()]
        if frame.empty:
            return
    ids = [int(i) for i in frame["action_id"]]
    by_id = {int(r.action_id): r for r in frame.itertuples()}
    chosen = st.selectbox(
        "Action to update",
        ids,
        key=f"{key}_id",
        format_func=lambda i: f"{i}: {by_id[i].text[:70]}",
    )
    current = by_id[chosen]
    with st.form(f"{key}_form"):
        st.markdown(f"**Update action {chosen}**")
        status = st.selectbox(
            "Status",
            list(actions.STATUSES),
            index=list(actions.STATUSES).index(current.status),
            format_func=lambda status: actions.STATUS_WORDS[status],
            help="Closing needs a response saying what was done.",
            key=f"{key}_status_{chosen}",
        )
        owner = st.text_input("Owner", value=current.owner, key=f"{key}_owner_{chosen}")
        due = st.date_input(
            "Due date",
            value=current.due_date if isinstance(current.due_date, dt.date) else None,
            format="DD/MM/YYYY",
            key=f"{key}_due_{chosen}",
            min_value=EARLIEST_DATE,
            max_value=LATEST_DATE,
        )
        response = st.text_area(
            "Response",
            value=current.response if isinstance(current.response, str) else "",
            max_chars=actions.MAX_TEXT,
            key=f"{key}_response_{chosen}",
        )
        if st.form_submit_button("Save the action", key=f"{key}_submit"):
            try:
                saved = actions.write(
                    None,
                    actions.update,
                    chosen,
                    status=status,
                    owner=owner,
                    due_date=due,
                    response=response,
                )
            except actions.ActionError as exc:
                st.error(md(exc))
            else:
                word = actions.STATUS_WORDS[saved["status"]].lower()
                _saved(f"Saved action {chosen}: {word}.")


# --- recommendations -------------------------------------------------------------------------


@st.cache_data(ttl=3600, show_spinner=False)
def _recommendations(version: int, today: dt.date, force: str | None) -> pd.DataFrame:
    return recommendations.listing(app.con(), force=force, today=today)


def recommendation_list() -> pd.DataFrame:
    """The chosen force's inspection recommendations."""
    return _recommendations(app.data_version(), dt.date.today(), app.current_force())


@st.cache_data(ttl=3600, show_spinner=False)
def _linked(version: int, ref: str) -> pd.DataFrame:
    frame = recommendations.listing(app.con())
    row = frame[frame["recommendation_ref"] == ref].iloc[0].to_dict()
    return recommendations.linked_figures(app.con(), row)


def recommendations_html(frame: pd.DataFrame) -> str:
    """The tracker as an accessible table; overdue ones by symbol and word, in bold; each linked
    metric links to its page at the latest month with figures."""
    latest = app.months()[-1]
    heads = ["Ref", "Recommendation", "Owner", "Progress", "Evidence", "Linked metrics"]
    known = registry.metrics()
    rows = []
    for r in frame.itertuples():
        progress = esc(r.progress)
        if r.overdue:
            progress = f"<strong>{progress}, {_days(r.days_overdue)}</strong>"
        # A list, not commas: the table's links are blocks, so a comma would sit on its own line.
        linked = "".join(
            f'<li><a href="{esc(views.metric_link(m, r.force, latest))}">'
            f"{esc(known[m].title)}</a></li>"
            for m in r.metric_ids
        )
        linked = f'<ul class="sg-links">{linked}</ul>' if linked else ""
        rows.append(
            "<tr>"
            f'<th scope="row">{esc(r.recommendation_ref)}</th>'
            f"<td>{esc(r.text)}</td>"
            f"<td>{esc(r.owner)}</td>"
            f"<td>{progress}</td>"
            f"<td>{esc(r.evidence) if isinstance(r.evidence, str) else ''}</td>"
            f"<td>{linked or 'none'}</td>"
            "</tr>"
        )
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in heads)
    caption = "Inspection recommendations, overdue first, with the metrics that show their effect"
    return (
        '<div class="sg-scorecard-wrap"><table class="sg-scorecard">'
        f"<caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def linked_table(ref: str) -> pd.DataFrame:
    """Did it work? Each linked metric's force figure then and now, with status and SPC."""
    frame = _linked(app.data_version(), ref)
    return pd.DataFrame(
        {
            "Metric": frame["title"],
            "When the report came out": [
                f"{t} ({month_label(m)})"
                for t, m in zip(frame["before_text"], frame["before_month"], strict=True)
            ],
            "Latest": [
                f"{t} ({month_label(m)})"
                for t, m in zip(frame["now_text"], frame["now_month"], strict=True)
            ],
            "Status": [review.status_text(s) for s in frame["now_status"]],
            "SPC signal": [
                signals.ICON_WORDS.get(v, "no SPC signal") if isinstance(v, str) else "no signal"
                for v in frame["variation"]
            ],
        }
    )


def recommendation_form(row: dict, *, key: str) -> None:
    """Record progress on one recommendation: status, evidence, completion date."""
    if not can_edit():
        return
    with st.form(key):
        st.markdown(f"**Record progress on {md(row['recommendation_ref'])}**")
        status = st.selectbox(
            "Status",
            list(recommendations.STATUSES),
            index=list(recommendations.STATUSES).index(row["status"]),
            format_func=lambda status: recommendations.STATUS_WORDS[status],
            key=f"{key}_status",
        )
        evidence = st.text_area(
            "Evidence",
            value=row["evidence"] or "",
            max_chars=recommendations.MAX_TEXT,
            key=f"{key}_evidence",
        )
        completed = st.date_input(
            "Completion date (completed only)",
            value=row["completed_on"],
            format="DD/MM/YYYY",
            min_value=EARLIEST_DATE,
            max_value=dt.date.today(),
            key=f"{key}_completed",
        )
        if st.form_submit_button("Save progress", key=f"{key}_submit"):
            try:
                recommendations.save(
                    None,
                    row["recommendation_ref"],
                    status=status,
                    evidence=evidence,
                    completed_on=completed if status == "completed" else None,
                )
            except recommendations.RecommendationError as exc:
                st.error(md(exc))
            else:
                _saved(
                    f"Saved {md(row['recommendation_ref'])}. The on-time figures have been "
                    "recalculated."
                )


# --- the board pack --------------------------------------------------------------------------


def _rebuild(database: str, snapshot_id: str, fmt: str) -> Callable[[], bytes]:
    def build() -> bytes:
        return pack.render(pack.load(store.reader(database), snapshot_id), fmt)

    return build


MIME = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


_PACK_READY = "_review_pack_ready"


def _build_pack(database: str, period: Period, force: str | None, by: str) -> None:
    """Build the quarter's pack (PDF and PowerPoint) with its progress on the page: a status
    box holding a bar that moves with each step and each chart drawn."""
    label = f"Building the board pack for {period.short_label}"
    with st.status(label, expanded=True) as status:
        bar = st.progress(0.0, text="Starting")

        def show(done: int, total: int, what: str) -> None:
            bar.progress(min(1.0, done / total) if total else 1.0, text=what)

        try:
            snapshot, new, pdf = pack.make(
                database, period.code, "pdf", force=force, created_by=by, progress=show
            )
            show(0, 1, "Laying out the PowerPoint file")
            pptx = pack.render(snapshot, "pptx")
            show(1, 1, "Done")
        except pack.PackError as exc:
            status.update(label="The board pack could not be built", state="error")
            st.error(md(exc))
            return
        history = (
            "a new snapshot, kept"
            if new
            else f"the same figures as the pack first presented on {snapshot.presented_on}"
        )
        status.update(
            label=f"Board pack ready: snapshot {snapshot.short_id} ({history})",
            state="complete",
            expanded=False,
        )
    st.session_state[_PACK_READY] = {
        "key": (period.code, force, app.data_version()),
        "short_id": snapshot.short_id,
        "files": {"pdf": pdf, "pptx": pptx},
    }


def pack_section(period: Period) -> None:
    """Build the quarter's board pack for the chosen force (with its progress shown), download
    it, and the packs already issued for it."""
    database = str(db_path())
    force = app.current_force()
    who = auth_ui.current_scope()
    by = f"{who.name or who.user_id} ({who.label})"
    st.markdown(
        f"The board pack for {md(force or 'the force')}, {period.short_label}: cover, scorecard, "
        "exceptions, one section per theme with SPC charts by area, the action log, the "
        "inspection recommendations and notes on the data. Small numbers are withheld. Every "
        "page carries the data's as-at date and a snapshot identifier; the figures are kept, "
        "so the pack can be rebuilt exactly later. Building it takes about a minute; the bar "
        "shows each step."
    )
    if st.button("Build the board pack", key="pack_build", icon=":material/description:"):
        _build_pack(database, period, force, by)
    ready = st.session_state.get(_PACK_READY)
    if ready and ready["key"] == (period.code, force, app.data_version()):
        left, right = st.columns(2)
        for column, fmt, label in ((left, "pdf", "PDF"), (right, "pptx", "PowerPoint")):
            with column:
                st.download_button(
                    f"Download the board pack ({label})",
                    data=ready["files"][fmt],
                    file_name=f"board-pack-{period.code}-{ready['short_id']}.{fmt}",
                    mime=MIME[fmt],
                    key=f"pack_{fmt}",
                    on_click="ignore",
                    icon=":material/download:",
                )
    kept = pack.listing(app.con(), period.code, force=force)
    st.subheader(f"Packs issued for {period.short_label}")
    if kept.empty:
        st.caption("None yet: the first pack built keeps this quarter's figures.")
        return
    st.table(
        safe_table(
            pd.DataFrame(
                {
                    "Snapshot": kept["short_id"],
                    "Data as at": [day_label(pd.Timestamp(v).date()) for v in kept["as_at"]],
                    "Presented on": [day_label(pd.Timestamp(v).date()) for v in kept["created_at"]],
                    "Issued by": kept["created_by"].fillna(""),
                }
            ).set_index("Snapshot")
        )
    )
    for row in kept.head(5).itertuples():
        left, right = st.columns(2)
        for column, fmt, label in ((left, "pdf", "PDF"), (right, "pptx", "PowerPoint")):
            with column:
                st.download_button(
                    f"Rebuild {row.short_id} as presented ({label})",
                    data=_rebuild(database, row.snapshot_id, fmt),
                    file_name=f"board-pack-{period.code}-{row.short_id}.{fmt}",
                    mime=MIME[fmt],
                    key=f"rebuild_{row.short_id}_{fmt}",
                    on_click="ignore",
                )

"""Sign-in, the role gate, and the scoped door to records, for dashboard.py and pages/.

dashboard.py calls ``gate()`` once per run, before ``st.navigation``; pages call
``current_scope()`` for what to draw and ``records_for()`` / ``download_records_button()`` for
records. The decisions themselves (roles, scopes, demo mode, the audit) are in
``safeguarding.access`` and ``safeguarding.audit``, which know nothing of Streamlit; this module
only draws them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping

import duckdb
import pandas as pd
import streamlit as st

from safeguarding import access, audit, downloads, registry, server, store
from safeguarding.paths import db_path
from safeguarding.ui import app, filters
from safeguarding.ui.safe import md

_LOG = logging.getLogger(__name__)

SCOPE_KEY = "_safeguarding_scope"

DEMO_BANNER = (
    "**Demo mode.** Every record in this dashboard is invented. Sign-in is not configured, so "
    "everyone sees everything, including the (invented) records. Real data can only be shown "
    "once sign-in is set up."
)
NO_ACCESS = (
    "You are signed in as **{who}**, but this account has no access to the safeguarding "
    "dashboard. If you need it, ask the dashboard's administrator to add you (or your team's "
    "group) to the roles file."
)
CONFIG_BROKEN = (
    "The dashboard's access settings have an error, so nobody can be given access until it is "
    "fixed. Administrators: the details are in the server log, or run "
    "`python -m safeguarding.access`."
)


def auth_configured() -> bool:
    """Is there a non-empty ``[auth]`` section in the secrets?

    ``st.secrets`` raises (a FileNotFoundError) when there is no secrets file at all, or when it
    cannot be parsed; both mean no sign-in, so the dashboard falls back to demo mode or refuses.
    """
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:
        return False
    return isinstance(section, Mapping) and len(section) > 0


def _meta_source() -> str | None:
    try:
        return app.meta().get("source")
    except (store.StoreError, duckdb.Error):
        # No database, or one without a meta table: not known to be demo data, so treat it as
        # real (mode() then refuses unless sign-in is configured).
        return None


def gate() -> access.Scope:
    """Decide the mode, sign the user in, and return their scope; stops the run otherwise.

    Call it in dashboard.py after the database exists and before ``st.navigation``. The scope is
    recomputed on every run from the roles file, so removing someone from the file takes effect
    at their next click, not at their next sign-in.
    """
    mode = access.mode(auth_configured(), _meta_source())
    if mode == "refuse":
        st.session_state.pop(SCOPE_KEY, None)
        st.error(access.REFUSE_MESSAGE, icon="🔒")
        st.stop()
    if mode == "demo":
        scope = access.DEMO_SCOPE
        st.info(DEMO_BANNER, icon="🧪")
        st.sidebar.caption("Demo mode: invented data, no sign-in")
    else:
        scope = _signed_in_scope()
    st.session_state[SCOPE_KEY] = scope
    return scope


def _signed_in_scope() -> access.Scope:
    if not st.user.get("is_logged_in", False):
        st.session_state.pop(SCOPE_KEY, None)
        st.title("Safeguarding performance")
        st.write(
            "This dashboard holds police safeguarding records. Sign in with your force account "
            "to continue."
        )
        if st.button("Sign in", type="primary", key="safeguarding_sign_in"):
            st.login()
        st.stop()

    claims = dict(st.user.to_dict())
    try:
        config = access.load_roles()
        force_of = access.district_forces(store.reader())
        config.check_districts(force_of)
        config.check_forces(force_of.values())
    except store.StoreError as exc:
        st.error(md(exc))
        st.stop()
    except access.RolesConfigError as exc:
        # The message can name users and groups, so it goes to the server log, not the page.
        _LOG.error("Access configuration error: %s", exc)
        st.session_state.pop(SCOPE_KEY, None)
        st.error(CONFIG_BROKEN, icon="🔒")
        _sign_out_button()
        st.stop()
    scope = config.scope_for(claims)
    if scope is None:
        st.session_state.pop(SCOPE_KEY, None)
        who = claims.get("email") or claims.get("name") or claims.get("sub") or "this account"
        st.warning(NO_ACCESS.format(who=md(who)), icon="🔒")
        _sign_out_button()
        app.stop()
    st.sidebar.caption(f"Signed in as {md(scope.name)} · {md(scope.label)}")
    _sign_out_button()
    return scope


def _sign_out_button() -> None:
    if st.sidebar.button("Sign out", key="safeguarding_sign_out"):
        st.logout()


def current_scope() -> access.Scope:
    """The scope gate() stored for this run; runs the gate if a page is run without it."""
    scope = st.session_state.get(SCOPE_KEY)
    if isinstance(scope, access.Scope):
        return scope
    return gate()


def records_for(
    metric_id: str, district: str, month: dt.date, action: access.Action = "view"
) -> pd.DataFrame | None:
    """The records behind a figure for the current user, or None after showing why not.

    Every call is logged (see safeguarding.access.scoped_records), including on reruns: each one
    sends the records to the browser again. A refusal is shown as a message, never a traceback.
    """
    scope = current_scope()
    try:
        return access.scoped_records(
            store.reader(),
            scope,
            metric_id,
            district,
            month,
            audit_path=audit.default_path(),
            action=action,
        )
    except access.AccessDenied as exc:
        st.error(f"Records not shown. {md(exc)}", icon="🔒")
    except registry.UnknownMetricError as exc:
        st.error(md(exc))
    return None


def force_refused(force: str) -> str:
    """Log that the current user was refused ``force``'s figures; the message to show them."""
    try:
        access.check_force(store.reader(), current_scope(), force, audit_path=audit.default_path())
    except access.AccessDenied as exc:
        return f"Figures not shown. {exc}"
    return ""


def choose_force() -> str:
    """The force every page is for, from the forces the current user may see (dashboard.py)."""
    scope = current_scope()
    force_of = app.force_of()
    every = sorted(set(force_of.values()))
    home = sorted(scope.home_forces(force_of))
    return filters.force(
        every,
        allowed=sorted(scope.figure_forces(force_of)),
        # a national viewer opens on the database's own force (meta default_force), if it has one
        default=home[0] if home else app.meta().get("default_force"),
        refused=force_refused,
    )


def may_view_records(district: str) -> bool:
    """Whether the current user may see records for this district or force row (to decide what
    to draw; the check that protects the records is in records_for / scoped_records)."""
    return current_scope().can_view_records(district, access.district_forces(store.reader()))


def own_area(options: list[str], fallback: str) -> str:
    """The area a page opens on: a district lead's own district if offered, else ``fallback``
    (so a lead is never shown, by default, an area whose records they may not see)."""
    own = current_scope().district
    return own if own in options else fallback


def refusal_note(district: str) -> str:
    """Why the current user is not shown records for ``district`` (nothing is logged)."""
    return current_scope().refusal(district, access.district_forces(store.reader()))


def records_fetcher(
    action: access.Action = "download",
    *,
    scope: access.Scope | None = None,
    database: str | None = None,
    audit_path: str | None = None,
) -> Callable[[str, str, dt.date], pd.DataFrame]:
    """A function ``(metric_id, district, month) -> records`` for code that runs off the page.

    ``st.download_button`` runs a callable ``data`` when the button is clicked, on another thread
    where ``st.session_state`` is not available, so the scope and file paths are fixed now, on the
    page's thread. Each call is checked and logged by scoped_records and raises AccessDenied when
    refused.
    """
    who = scope if scope is not None else current_scope()
    db = str(db_path(database))
    log_file = str(audit_path or audit.default_path(db))

    def fetch(metric_id: str, district: str, month: dt.date) -> pd.DataFrame:
        return access.scoped_records(
            store.reader(db), who, metric_id, district, month, audit_path=log_file, action=action
        )

    return fetch


def _plain_csv(frame: pd.DataFrame) -> bytes:
    return downloads.csv_bytes(frame)


def records_csv(
    scope: access.Scope,
    metric_id: str,
    district: str,
    month: dt.date,
    *,
    to_bytes: Callable[[pd.DataFrame], bytes] = _plain_csv,
    database: str | None = None,
    audit_path: str | None = None,
) -> Callable[[], bytes]:
    """A function that fetches the records when called (a logged 'download') and returns bytes."""
    fetch = records_fetcher("download", scope=scope, database=database, audit_path=audit_path)
    return lambda: to_bytes(fetch(metric_id, district, month))


def records_file_name(name: str) -> str:
    """Every records download is named ``records_...``: the server forgets such a file just after
    sending it (safeguarding.server), so its URL cannot be fetched later without a new click."""
    name = name.replace(" ", "_")
    return name if name.startswith(server.RECORDS_PREFIX) else server.RECORDS_PREFIX + name


def download_records_button(
    metric_id: str,
    district: str,
    month: dt.date,
    *,
    label: str = "Download these records (CSV)",
    key: str | None = None,
    to_bytes: Callable[[pd.DataFrame], bytes] = _plain_csv,
    file_name: str | None = None,
    help: str | None = None,
) -> None:
    """A download button for the records, shown only to those who may see them.

    The CSV is built and logged only when the button is clicked, so a page that merely shows the
    button does not fill the log with downloads that never happened.
    """
    if not may_view_records(district):
        return
    st.download_button(
        label,
        data=records_csv(current_scope(), metric_id, district, month, to_bytes=to_bytes),
        file_name=records_file_name(file_name or f"{metric_id}_{district}_{month:%Y-%m}.csv"),
        mime="text/csv",
        on_click="ignore",
        key=key,
        help=help,
    )


def audit_table(
    *, limit: int = 500, user_id: str | None = None, action: str | None = None
) -> pd.DataFrame | None:
    """Draw the latest access-log entries for administrators; returns the frame shown."""
    scope = current_scope()
    if not scope.can_admin():
        st.error("The access log is for leadership and data administrators.", icon="🔒")
        return None
    frame = audit.recent(audit.default_path(), limit=limit, user_id=user_id, action=action)
    if frame.empty:
        st.info("Nobody has viewed, downloaded or been refused any records yet.")
    else:
        from safeguarding.ui import views  # here: views draws figures, this module gates them

        st.dataframe(views.access_log_table(frame), hide_index=True, width="stretch")
    return frame


def render_access_log_page() -> None:
    """The body of the access-log page (pages/access-log.py is one line calling this)."""
    st.title("Access log")
    app.as_at_caption()
    st.caption(
        "Every view and download of record-level data, and every refused attempt, newest first. "
        "A view is logged each time the records are sent to a browser, including after a rerun."
    )
    if not current_scope().can_admin():
        st.error("The access log is for leadership and data administrators.", icon="🔒")
        return
    left, right = st.columns(2)
    action = left.selectbox("Action", ["all", *audit.ACTIONS], key="access_log_action")
    user = right.text_input("User e-mail", key="access_log_user").strip()
    audit_table(action=None if action == "all" else action, user_id=user or None)

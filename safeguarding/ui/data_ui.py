"""The Data and Data quality pages: loading a file, the contract, the audit, and the queries.

The checks and the load are in safeguarding.imports and safeguarding.quality, which know nothing
of Streamlit; this module draws them. An upload is checked, and imported, in a child process
(safeguarding.imports.worker), so a large or hostile file cannot stall other users' pages. Who
may load a file is decided by the signed-in scope (``Scope.can_import``: leadership and data
administrators; never demo mode), read again from the roles file when Import is pressed. The
records behind a data-quality query are record-level data, so they go through the same scope
check and access log as the records behind a figure; the import history shows the values quoted
in its messages only to roles that may see every record.
"""

from __future__ import annotations

import hashlib
import logging
import re

import pandas as pd
import streamlit as st

from safeguarding import access, audit, characters, contract, imports, quality, store
from safeguarding.imports import worker
from safeguarding.paths import db_path
from safeguarding.ui import app, auth_ui
from safeguarding.ui.safe import md

_LOG = logging.getLogger(__name__)

CHECK_KEY = "_data_check"
DONE_KEY = "_data_imported"

NO_IMPORT_DEMO = (
    "Loading files needs sign-in. In demo mode nobody can be identified, so real records cannot "
    "be loaded here: use the command line (`python -m safeguarding import`), or set up sign-in "
    "(docs/security.md)."
)
NO_IMPORT_ROLE = (
    "Your role ({label}) can see the templates, the contract and the import history, but not "
    "load files. Loading is for leadership and data administrators."
)
NO_IMPORT_NOW = (
    "Nothing was imported: your role no longer allows loading files (the roles file changed "
    "since this page was drawn)."
)
CHECK_FAILED = (
    "The file could not be checked, and nothing was changed. The details are in the server log."
)
HIDDEN_VALUE = "(value hidden)"
PROBLEM_HEADINGS = {
    "line": "Line",
    "column": "Column",
    "value": "Value",
    "severity": "Severity",
    "message": "What is wrong",
}


PEER_GROUPS_LABEL = (
    "most similar groups: each force's up to seven peer forces (columns force, peer; the file "
    "replaces the whole list)"
)
LOAD_TABLES = (*contract.IMPORT_TABLES, imports.PEER_TABLE)


def _table_label(table: str) -> str:
    if table == imports.PEER_TABLE:
        return f"{table}: {PEER_GROUPS_LABEL}"
    return f"{table}: {contract.TABLE_DESCRIPTIONS[table]}"


def _load_refusal(scope: access.Scope, table: str) -> tuple[str | None, str | None]:
    """(the force a file of ``table`` is for, or why this person may not load it)."""
    if table == imports.PEER_TABLE:
        return None, scope.peer_groups_refusal(app.force_of())
    return scope.import_force(app.force_of(), app.current_force())


def contract_frame(table: str) -> pd.DataFrame:
    """One table's contract as the page shows it: a row per column."""
    rows = []
    for c in contract.get(table).columns:
        if c.district_ref:
            allowed = "a district in the districts table"
        else:
            allowed = ", ".join(c.allowed) if c.allowed else ""
        rows.append(
            {
                "Column": c.name,
                "Type": c.type_words,
                "Required": "yes" if c.required else "no",
                "Allowed values": allowed,
                "Meaning": c.meaning,
            }
        )
    return pd.DataFrame(rows)


def problems_frame(report: imports.Report) -> pd.DataFrame:
    """The problems with plain headings; a problem with the whole file has no line."""
    frame = report.problems[list(PROBLEM_HEADINGS)].copy()
    frame["line"] = frame["line"].astype("string").fillna("")
    return frame.rename(columns=PROBLEM_HEADINGS)


def _checked(
    table: str, name: str, data: bytes, sha: str, force: str | None = None
) -> imports.Report:
    """Check once per file, table, force and version of the data; kept in this session only,
    because the problems quote the file's values."""
    key = (table, name, sha, force, app.data_version())
    held = st.session_state.get(CHECK_KEY)
    if held and held[0] == key:
        return held[1]
    with st.spinner(f"Checking {name} against the stored data..."):
        report = worker.check(db_path(), table, data, name, force=force)
    st.session_state[CHECK_KEY] = (key, report)
    return report


def render_load_section() -> None:
    st.header("Load a file")
    scope = auth_ui.current_scope()
    if not scope.can_import():
        st.info(
            NO_IMPORT_DEMO
            if access.DEMO in scope.roles
            else NO_IMPORT_ROLE.format(label=scope.label)
        )
        return
    st.markdown(
        "Choose the table, then the file. It is checked at once against the stored data; "
        "nothing is written until you press **Import**, and a file with any error cannot be "
        "imported. Files larger than the upload limit can be loaded from the command line."
    )
    table = st.selectbox("Table", LOAD_TABLES, format_func=_table_label, key="data_import_table")
    # On a several-force database a file is for the user's own force: its districts only. The
    # peer groups are one list for every force: for an importer of every force.
    force, refusal = _load_refusal(scope, table)
    if refusal:
        st.info(md(refusal))  # it names forces, as the records spell them
        return
    if table == imports.PEER_TABLE:
        st.caption(
            "A CSV with the columns force and peer, one pair a line: each force's most similar "
            "forces (at most seven; a force is never in its own group, and groups need not be "
            "symmetric). See docs/peers.md for where the published groups come from."
        )
    upload = st.file_uploader(
        "CSV (UTF-8) or Excel .xlsx file", type=["csv", "xlsx"], key="data_import_file"
    )
    if upload is None:
        return
    data = upload.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    done = st.session_state.get(DONE_KEY)
    if done and done["key"] == (table, sha):
        if done["ok"]:
            st.success(md(done["text"]))
            return
        st.error(md(done["text"]))
    try:
        report = _checked(table, upload.name, data, sha, force)
    except worker.WorkerError as exc:
        name = characters.plain_file_name(upload.name)
        _LOG.error("Check of %s against %s failed: %s", name, table, exc)
        st.error(CHECK_FAILED)
        return
    if not report.ok:
        st.error(md(report.summary()))
    elif report.queries:
        st.warning(md(report.summary()))
    else:
        st.success(md(report.summary()))
    if not report.problems.empty:
        st.dataframe(
            problems_frame(report),
            hide_index=True,
            width="stretch",
            key="data_import_problems",
        )
        if report.listed_note:
            st.caption(report.listed_note)
    if report.ok:
        # A callback, so the import runs before the page is drawn again and the page then
        # shows its outcome (and the new figures) rather than the check that preceded it.
        st.button(
            (
                f"Load {report.rows:,} peer pairs as the most similar groups"
                if table == imports.PEER_TABLE
                else f"Import {report.rows:,} records into {table}"
            ),
            type="primary",
            key="data_import_go",
            on_click=_import,
            args=(table, upload.name, data),
        )


def _scope_at_click() -> access.Scope | None:
    """The scope as the roles file says now: a callback runs before the page's gate, so the
    scope stored when the button was drawn may be out of date (a role removed meanwhile)."""
    drawn = auth_ui.current_scope()
    if access.DEMO in drawn.roles or not st.user.get("is_logged_in", False):
        return drawn
    try:
        return access.load_roles().scope_for(dict(st.user.to_dict()))
    except access.RolesConfigError:
        _LOG.exception("Access configuration error at an import")
        return None


def _import(table: str, name: str, data: bytes) -> None:
    key = (table, hashlib.sha256(data).hexdigest())
    shown = characters.plain_file_name(name)  # as the check and the audit show it
    scope = _scope_at_click()
    if scope is None or not scope.can_import():
        st.session_state[DONE_KEY] = {"key": key, "ok": False, "text": NO_IMPORT_NOW}
        st.session_state.pop(CHECK_KEY, None)
        return
    force, refusal = _load_refusal(scope, table)
    if refusal:
        st.session_state[DONE_KEY] = {"key": key, "ok": False, "text": refusal}
        st.session_state.pop(CHECK_KEY, None)
        return
    try:
        result = worker.import_file(db_path(), table, data, name, by=scope.user_id, force=force)
    except Exception:  # not the file's fault; the writer has left the data untouched
        _LOG.exception("Import of %s into %s failed", shown, table)
        st.session_state[DONE_KEY] = {
            "key": key,
            "ok": False,
            "text": "The import failed, and nothing was changed. The details are in the server "
            "log and in the import history below.",
        }
        return
    if result.outcome == "rejected":
        text = f"{result.message} The stored data changed after the check; see the check below."
    elif result.outcome == "unchanged":
        text = (
            f"{shown}: every record is already stored exactly as in the file; nothing changed "
            f"(import {result.import_id})."
        )
    elif table == imports.PEER_TABLE:
        text = (
            f"Loaded {shown} as the most similar groups: {result.message} (import "
            f"{result.import_id}). The Peers page now compares each force with its new group."
        )
    else:
        text = (
            f"Imported {shown} into {table}: {result.inserted:,} inserted, {result.updated:,} "
            f"updated, {result.unchanged:,} unchanged (import {result.import_id}). Every page "
            "now shows the new figures."
        )
    st.session_state[DONE_KEY] = {"key": key, "ok": result.outcome != "rejected", "text": text}
    st.session_state.pop(CHECK_KEY, None)


def render_contract_section() -> None:
    st.header("Templates and the data contract")
    st.markdown(
        "Each file holds one table: line 1 names the columns (any order), then one record per "
        "line. Dates are YYYY-MM-DD or DD/MM/YYYY; dates and times YYYY-MM-DD HH:MM. A record "
        "already stored (same reference) is updated; nothing is ever deleted by an import."
    )
    table = st.selectbox(
        "Table", contract.IMPORT_TABLES, format_func=_table_label, key="data_contract_table"
    )
    chosen = contract.get(table)
    st.download_button(
        f"Download the {table} template (CSV)",
        data=contract.template_csv(table),
        file_name=f"{table}.csv",
        mime="text/csv",
        on_click="ignore",
        key="data_template_download",
    )
    st.markdown(f"Reference (key): **{chosen.key_label}**")
    st.table(contract_frame(table).set_index("Column"))
    if chosen.rules:
        st.markdown("Rules (errors): " + "; ".join(r.text.describe for r in chosen.rules) + ".")
    queries = quality.rules_for(table)
    if queries:
        st.markdown("Queries (loaded, then flagged): " + "; ".join(q.title for q in queries) + ".")


@st.cache_data(ttl=3600, show_spinner=False)
def _history(version: int) -> pd.DataFrame:
    return imports.history(app.con())


# A value quoted in a problem's words ends at a quote followed by a space, a comma, a bracket, a
# colon or the end: an apostrophe inside a value (O'Brien) does not end it.
_QUOTED = re.compile(r"'.*?'(?=[\s,):;]|$)")


def without_values(message: str) -> str:
    """An audit message with the record values it quotes hidden, leaving where (file, line,
    column) and what rule was broken, in its words."""
    if not isinstance(message, str):
        return message
    return _QUOTED.sub(HIDDEN_VALUE, message)


def sees_record_values(scope: access.Scope) -> bool:
    """The audit's messages quote a file's first bad value, from any district: only roles that
    may see every district's records see them."""
    return bool(scope.roles & {access.LEADERSHIP, access.DEMO})


def history_frame(scope: access.Scope | None = None) -> pd.DataFrame:
    frame = _history(app.data_version()).copy()
    frame["sha256"] = frame["sha256"].str[:12]
    if scope is not None and not sees_record_values(scope):
        frame["message"] = frame["message"].map(without_values)
    return frame.rename(
        columns={
            "import_id": "Import",
            "imported_at": "When",
            "imported_by": "By",
            "file_name": "File",
            "sha256": "SHA-256 (start)",
            "table_name": "Table",
            "force": "Force",
            "rows_inserted": "Inserted",
            "rows_updated": "Updated",
            "rows_rejected": "Lines with errors",
            "outcome": "Outcome",
            "message": "Details",
        }
    )


def render_history_section() -> None:
    st.header("Import history")
    scope = auth_ui.current_scope()
    frame = history_frame(scope)
    if frame.empty:
        st.info("No file has been imported into this database yet.")
        return
    st.dataframe(frame, hide_index=True, width="stretch", key="data_history")
    if not sees_record_values(scope):
        st.caption(
            "Values from the files are hidden in the details: your role does not cover every "
            "district's records. The line, column and rule are shown."
        )


# --- the data-quality page ----------------------------------------------------------------------


@st.cache_data(ttl=3600, show_spinner=False)
def _summary(version: int) -> pd.DataFrame:
    return quality.summary(app.con())


@st.cache_data(ttl=3600, show_spinner=False)
def _last_loaded(version: int) -> pd.DataFrame:
    return imports.last_loaded(app.con())


def summary() -> pd.DataFrame:
    return _summary(app.data_version())


def counts_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Rules down, districts across, record counts in the cells, a total column at the end."""
    table = frame.pivot_table(
        index="title", columns="district", values="records", aggfunc="sum", sort=False
    )
    table.columns.name = None
    table.index.name = "Query"
    table["All districts"] = table.sum(axis=1)
    return table.astype(int)


def last_loaded_frame() -> pd.DataFrame:
    frame = _last_loaded(app.data_version()).copy()
    frame["last_loaded"] = pd.to_datetime(frame["last_loaded"]).dt.strftime("%d %B %Y %H:%M")
    return frame.fillna("").rename(
        columns={
            "table": "Table",
            "rows": "Rows",
            "last_loaded": "Last loaded",
            "source": "From",
            "by": "By",
        }
    )


def may_view_quality_records(district: str) -> bool:
    """Whether the records behind a count for ``district`` are the current user's to see."""
    return access.can_view_quality_records(store.reader(), auth_ui.current_scope(), district)


def render_query_records(rule_id: str, district: str) -> pd.DataFrame | None:
    """The records behind one count, if the user's scope covers the district; always logged
    (access.scoped_quality_records checks and logs)."""
    try:
        rows = access.scoped_quality_records(
            store.reader(),
            auth_ui.current_scope(),
            rule_id,
            district,
            audit_path=audit.default_path(),
        )
    except access.AccessDenied as exc:
        st.info(f"Records not shown. {md(exc)}", icon="🔒")
        return None
    shown = rows[["reference", "column", "value", "message"]].rename(
        columns={
            "reference": "Reference",
            "column": "Column",
            "value": "Value",
            "message": "What to check",
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch", key="quality_records")
    return rows

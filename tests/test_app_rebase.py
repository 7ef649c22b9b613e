"""The rebase register on the metric page (AppTest): everyone sees where a chart's limits are
recalculated and why; administrators record and withdraw rebases there, and the signals follow.
Each test works on its own copy of the demo database, because the forms write to it."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from safeguarding.paths import ROOT

DASHBOARD = ROOT / "dashboard.py"
METRIC_PAGE = "pages/metric.py"
NO_AUTH_SECRETS = {"not_auth": {"note": "no sign-in configured"}}
AUTH_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret-that-is-long-enough",
        "client_id": "dashboard",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
}
ROLES = """
[users]
"pcc.analyst@pcc.example" = { role = "pcc_office" }
"""
PCC_ANALYST = {"is_logged_in": True, "email": "pcc.analyst@pcc.example", "name": "P Analyst"}
METRIC = "cai_open_over_3m"
FORM = "detail_rebase_add"
WITHDRAW = "detail_rebase_withdraw"


@pytest.fixture
def db(monkeypatch, tmp_path, demo_db_path):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db_path, path)
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("SAFEGUARDING_DB", str(path))
    monkeypatch.setenv("SAFEGUARDING_AUDIT", str(tmp_path / "audit.duckdb"))
    monkeypatch.setenv("SAFEGUARDING_ROLES", str(roles))
    return str(path)


def open_metric(*, user: dict | None = None, district: str = "Kirklees") -> AppTest:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
    if user is None:
        at.secrets = NO_AUTH_SECRETS
    else:
        at.secrets = AUTH_SECRETS
        at.user = user
    at.run()
    at.switch_page(METRIC_PAGE)
    at.query_params["metric"] = METRIC
    at.query_params["district"] = district
    at.query_params["month"] = "2024-09"
    at.run()
    assert not at.exception, at.exception
    return at


def stored(path: str, query: str) -> list[tuple]:
    con = duckdb.connect(path, read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def rebases_of(path: str) -> list[tuple]:
    return stored(
        path,
        f"select month, reason, agreed_by from rebases where metric_id = '{METRIC}' "
        "and district = 'Kirklees' order by month",
    )


def kirklees_periods(path: str) -> int:
    return stored(
        path,
        f"select count(distinct period) from metric_signals where metric_id = '{METRIC}' "
        "and district = 'Kirklees'",
    )[0][0]


def tables_text(at: AppTest) -> str:
    return "\n".join(t.value.to_string() for t in at.table)


def test_the_register_says_where_and_why_the_limits_were_recalculated(db):
    at = open_metric()
    text = tables_text(at)
    assert "April 2018" in text
    assert "review of every investigation open more than three months" in text
    assert any(s.value == "Where the limits are recalculated" for s in at.subheader)


def test_an_admin_records_a_rebase_and_the_signals_are_recomputed(db):
    before = rebases_of(db)
    periods_before = kirklees_periods(db)
    at = open_metric()
    at.selectbox(key=f"{FORM}_month").set_value(dt.date(2021, 6, 1))
    at.text_area(key=f"{FORM}_reason").input("New triage of long-running investigations")
    at.text_input(key=f"{FORM}_by").input("Performance board")
    at.button(key=f"{FORM}_submit").click().run()

    assert not at.exception and not at.error, [e.value for e in at.error]
    assert rebases_of(db) == [
        *before,
        (dt.date(2021, 6, 1), "New triage of long-running investigations", "Performance board"),
    ]
    assert kirklees_periods(db) == periods_before + 1
    assert any("recalculated from June 2021" in s.value for s in at.success)
    assert "June 2021" in tables_text(at)


def test_a_rebase_without_a_reason_is_refused_and_nothing_changes(db):
    before = rebases_of(db)
    at = open_metric()
    at.selectbox(key=f"{FORM}_month").set_value(dt.date(2021, 6, 1))
    at.text_input(key=f"{FORM}_by").input("Performance board")
    at.button(key=f"{FORM}_submit").click().run()

    assert [e.value for e in at.error] == ["Give the reason for recalculating the limits."]
    assert rebases_of(db) == before


def test_withdrawing_needs_confirmation_then_removes_the_break(db):
    at = open_metric()
    at.selectbox(key=f"{WITHDRAW}_month").set_value(dt.date(2018, 4, 1))
    at.button(key=f"{WITHDRAW}_submit").click().run()
    assert [e.value for e in at.error] == ["Tick the box to confirm before withdrawing a rebase."]
    assert rebases_of(db)[0][0] == dt.date(2018, 4, 1)

    at.checkbox(key=f"{WITHDRAW}_sure").check()
    at.button(key=f"{WITHDRAW}_submit").click().run()
    assert not at.error
    assert dt.date(2018, 4, 1) not in [row[0] for row in rebases_of(db)]
    assert any("Withdrawn" in s.value for s in at.success)


def test_the_pcc_office_sees_the_register_but_no_form(db):
    at = open_metric(user=PCC_ANALYST)
    assert "April 2018" in tables_text(at)
    keys = {getattr(w, "key", None) for w in at.button}
    assert f"{FORM}_submit" not in keys and f"{WITHDRAW}_submit" not in keys

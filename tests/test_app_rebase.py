"""The rebase register on the metric page (AppTest): everyone sees where a chart's limits are
recalculated and why; administrators record and withdraw rebases there, and the signals follow.
Each test works on its own copy of the demo database, because the forms write to it."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from safeguarding import formatting, rebases, store
from safeguarding.ui.safe import shown

from apptests import open_page, private_env, signed_in

METRIC_PAGE = "pages/metric.py"
ROLES = """
[users]
"pcc.analyst@pcc.example" = { role = "pcc_office" }
"""
PCC_ANALYST = signed_in("pcc.analyst@pcc.example", "P Analyst")
METRIC = "cai_open_over_3m"
FORM = "detail_rebase_add"
WITHDRAW = "detail_rebase_withdraw"


@pytest.fixture
def db(monkeypatch, tmp_path, demo_db_path):
    return private_env(monkeypatch, tmp_path, demo_db_path, ROLES)["db"]


def open_metric(*, user: dict | None = None, district: str = "Kirklees") -> AppTest:
    at = open_page(METRIC_PAGE, user=user, metric=METRIC, district=district, month="2024-09")
    assert not at.exception, at.exception
    return at


def stored(path: str, query: str) -> list[tuple]:
    """What is stored now, read afresh (the register from the app state, signals from the
    figures file)."""
    return store.reader(path).execute(query).fetchall()


def rebases_of(path: str) -> list[tuple]:
    frame = rebases.listing(store.reader(path), METRIC)
    frame = frame[frame["district"] == "Kirklees"]
    return [
        (m.date(), r, b)
        for m, r, b in zip(frame["month"], frame["reason"], frame["agreed_by"], strict=True)
    ]


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


def test_a_rebase_agreed_years_ago_can_be_given_its_real_date(db):
    # The register goes back to 2014; Streamlit's own limit stopped ten years before today.
    at = open_metric()
    assert at.date_input(key=f"{FORM}_on").min == formatting.EARLIEST_DATE


def test_a_rebase_without_a_reason_is_refused_and_nothing_changes(db):
    before = rebases_of(db)
    at = open_metric()
    at.selectbox(key=f"{FORM}_month").set_value(dt.date(2021, 6, 1))
    at.text_input(key=f"{FORM}_by").input("Performance board")
    at.button(key=f"{FORM}_submit").click().run()

    assert [shown(e.value) for e in at.error] == ["Give the reason for recalculating the limits."]
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

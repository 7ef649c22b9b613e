"""Setting targets on the About the data page (AppTest): leadership set or change a target, the
history says who and why, and every figure's status follows at once. Each test works on its own
copy of the demo database, because the form writes to it."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguarding import store, targets
from safeguarding.ui.safe import shown

from apptests import open_page, private_env, signed_in

ABOUT = "pages/about.py"
ROLES = """
[users]
"chief@force.example" = { role = "leadership" }
"k.lead@force.example" = { role = "district_lead", district = "Kirklees" }
"""
CHIEF = signed_in("chief@force.example", "C Constable")
LEAD = signed_in("k.lead@force.example", "K Lead")
METRIC = "misper_return_interview_72h"


@pytest.fixture
def db(monkeypatch, tmp_path, demo_db_path):
    return private_env(monkeypatch, tmp_path, demo_db_path, ROLES)["db"]


def kirklees_target(db: str, month: dt.date) -> tuple[float, str]:
    frame = targets.figures(store.reader(db), metric_id=METRIC, districts=["Kirklees"])
    row = frame[frame["month"] == pd_month(month)].iloc[0]
    return row["target"], row["status"]


def pd_month(month: dt.date):
    import pandas as pd

    return pd.Timestamp(month)


def test_leadership_sets_a_district_target_and_the_status_follows_at_once(db):
    month = dt.date(2025, 12, 1)
    assert kirklees_target(db, month)[0] == 90.0
    at = open_page(ABOUT, user=CHIEF)
    at.selectbox(key="target_metric").set_value(METRIC)
    at.selectbox(key="target_area").set_value("Kirklees")
    at.date_input(key="target_from").set_value(dt.date(2025, 10, 1))
    at.number_input(key="target_value").set_value(10.0)
    at.text_area(key="target_reason").input("Recovery plan agreed with the PCC")
    at.button(key="target_submit").click().run()

    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Saved" in s.value for s in at.success)
    assert kirklees_target(db, month) == (10.0, "met")
    history = targets.changes(store.reader(db), METRIC)
    latest = history.iloc[0]
    assert (latest["changed_by"], latest["reason"], latest["applies_to"]) == (
        "chief@force.example",
        "Recovery plan agreed with the PCC",
        "Kirklees",
    )
    shown = at.dataframe[-1].value
    assert "Recovery plan agreed with the PCC" in set(shown["Why"])


def test_a_target_without_a_reason_is_refused_and_nothing_changes(db):
    before = targets.current(store.reader(db))
    at = open_page(ABOUT, user=CHIEF)
    at.selectbox(key="target_metric").set_value(METRIC)
    at.number_input(key="target_value").set_value(50.0)
    at.button(key="target_submit").click().run()

    assert [e.value for e in at.error] == [
        "Say why the target is being set or changed \\(the reason\\)\\."
    ]
    assert targets.current(store.reader(db)).equals(before)


def test_withdrawing_a_districts_target_that_it_does_not_have_is_refused_in_words(db):
    # Kirklees follows the force-wide target: the form once said "Saved: ... withdrawn" and
    # logged a change, while Kirklees kept the force's target.
    before = targets.changes(store.reader(db))
    at = open_page(ABOUT, user=CHIEF)
    at.selectbox(key="target_metric").set_value(METRIC)
    at.selectbox(key="target_area").set_value("Kirklees")
    at.date_input(key="target_from").set_value(dt.date(2014, 1, 1))
    at.checkbox(key="target_withdraw").check()
    at.text_area(key="target_reason").input("No target for Kirklees")
    at.button(key="target_submit").click().run()

    assert not at.success
    assert [shown(e.value) for e in at.error] == [
        f"Kirklees has no target of its own for {METRIC} from 2014-01-01 to withdraw: it follows "
        "the force-wide target then. Withdraw that for every area, or set Kirklees a target of "
        "its own."
    ]
    assert targets.changes(store.reader(db)).equals(before)
    assert kirklees_target(db, dt.date(2025, 12, 1))[0] == 90.0


def test_the_forms_dates_reach_back_to_the_datas_first_years(db):
    # Streamlit's own limits (ten years either side of today) kept out a target from 2014.
    at = open_page(ABOUT, user=CHIEF)
    for key in ("target_from", "target_to"):
        assert at.date_input(key=key).min == targets.EARLIEST
        assert at.date_input(key=key).max == targets.LATEST


def test_a_district_lead_sees_the_targets_but_not_the_form(db):
    at = open_page(ABOUT, user=LEAD)
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "target_metric"]
    assert any(s.value == "Every dated target" for s in at.subheader)

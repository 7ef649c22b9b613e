"""The action log: recorded, updated and closed through the store's writer; carried into later
reviews until closed; overdue ones flagged."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguarding import actions, store

CASELOAD = "rso_caseload_per_officer"


@pytest.fixture
def db(fresh_db_path):
    with store.writer(fresh_db_path) as con:
        for district in ("Calderdale", "Kirklees"):
            con.execute("insert into districts values ($d, 'West Yorkshire')", {"d": district})
    return fresh_db_path


def add(db, **fields) -> int:
    defaults = {
        "quarter": "2024Q3",
        "text": "Why has the Kirklees caseload risen?",
        "owner": "Kirklees district commander",
        "metric_id": CASELOAD,
        "district": "Kirklees",
        "due_date": dt.date(2024, 12, 1),
        "raised_on": dt.date(2024, 11, 5),
    }
    return actions.write(db, actions.add, **{**defaults, **fields})


def test_an_action_is_recorded_updated_and_closed_and_each_change_is_kept(db):
    action_id = add(db)
    saved = actions.get(store.reader(db), action_id)
    assert saved["status"] == "open" and saved["closed_on"] is None
    assert saved["quarter"] == "2024Q3" and saved["district"] == "Kirklees"
    assert saved["due_date"] == dt.date(2024, 12, 1)

    actions.write(
        db, actions.update, action_id, status="in_progress", response="Two posts advertised."
    )
    saved = actions.get(store.reader(db), action_id)
    assert saved["status"] == "in_progress" and saved["response"] == "Two posts advertised."

    actions.write(
        db, actions.close, action_id, response="Two posts filled.", closed_on=dt.date(2025, 1, 9)
    )
    saved = actions.get(store.reader(db), action_id)
    assert saved["status"] == "closed"
    assert saved["closed_on"] == dt.date(2025, 1, 9)
    assert saved["response"] == "Two posts filled."
    # The other fields survive each change.
    assert saved["text"] == "Why has the Kirklees caseload risen?"
    assert saved["owner"] == "Kirklees district commander"


def test_reopening_a_closed_action_clears_its_closing_date(db):
    action_id = add(db)
    actions.write(db, actions.close, action_id, response="Done.", closed_on=dt.date(2025, 1, 9))
    actions.write(db, actions.update, action_id, status="open")
    saved = actions.get(store.reader(db), action_id)
    assert saved["status"] == "open" and saved["closed_on"] is None


def test_closing_without_a_response_is_refused_and_nothing_changes(db):
    action_id = add(db)
    with pytest.raises(actions.ActionError, match="response"):
        actions.write(db, actions.update, action_id, status="closed")
    assert actions.get(store.reader(db), action_id)["status"] == "open"


def test_action_ids_count_up(db):
    assert [add(db), add(db), add(db, metric_id=None, district=None)] == [1, 2, 3]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"metric_id": "caseload"}, "Unknown metric 'caseload'"),
        ({"district": "Atlantis"}, "'Atlantis' is not a district or force"),
        ({"text": "   "}, "Give the action or question"),
        ({"owner": ""}, "Give the owner"),
        ({"quarter": "2024Q5"}, "not a quarter"),
        ({"due_date": dt.date(2024, 11, 1)}, "before the action was raised"),
        (
            # two days on: still to come if the run crosses midnight after collection
            {"raised_on": dt.date.today() + dt.timedelta(days=2), "due_date": None},
            "cannot be raised in the future",
        ),
        ({"quarter": "2025Q1"}, "2025Q1 had not begun when the action was raised"),
        ({"text": "Why has it \u202erisen?"}, r"invisible or control character \(U\+202E\)"),
        ({"owner": "Kirklees\x00"}, r"The owner contains an invisible or control character"),
        # Text of characters that draw nothing once passed for an action.
        ({"text": "\u2063\u2063"}, r"invisible or control character \(U\+2063\)"),
        ({"text": "\u3164"}, r"invisible or control character \(U\+3164\)"),
        ({"owner": "\U000e0041\U000e0042"}, r"invisible or control character \(U\+E0041\)"),
        # Dates far from any data: a quarter of 1900 was carried forward in every review.
        (
            {"quarter": "1900Q1", "raised_on": dt.date(1900, 2, 1)},
            r"'1900Q1' is outside the quarters an action can be for \(2000Q1 to 2099Q4\)",
        ),
        ({"quarter": "0001Q1"}, r"'0001Q1' is outside the quarters"),
        (
            {"due_date": dt.date(9999, 12, 31)},
            r"The due date \(9999-12-31\) is outside the dates an action can have",
        ),
    ],
)
def test_a_bad_action_is_refused_with_a_reason(db, fields, message):
    with pytest.raises(actions.ActionError, match=message):
        add(db, **fields)
    assert actions.listing(store.reader(db)).empty


def test_a_force_row_is_a_valid_area(db):
    action_id = add(db, district="West Yorkshire")
    assert actions.get(store.reader(db), action_id)["district"] == "West Yorkshire"


def test_an_unknown_action_is_a_clear_error(db):
    with pytest.raises(actions.ActionError, match="no action 99"):
        actions.write(db, actions.update, 99, status="open")


def test_an_open_action_is_carried_into_every_later_review_until_closed(db):
    from_q2 = add(db, quarter="2024Q2", raised_on=dt.date(2024, 8, 6), due_date=None)
    closed_in_q3 = add(db, quarter="2024Q2", raised_on=dt.date(2024, 8, 6), due_date=None)
    actions.write(
        db, actions.close, closed_in_q3, response="Answered.", closed_on=dt.date(2024, 9, 20)
    )
    closed_before_q3 = add(db, quarter="2024Q1", raised_on=dt.date(2024, 5, 2), due_date=None)
    actions.write(
        db, actions.close, closed_before_q3, response="Answered.", closed_on=dt.date(2024, 6, 1)
    )
    this_quarter = add(db, quarter="2024Q3")
    next_quarter = add(db, quarter="2024Q4", raised_on=dt.date(2025, 2, 1), due_date=None)
    con = store.reader(db)

    q3 = actions.for_review(con, "2024Q3", today=dt.date(2024, 11, 20))
    assert set(q3["action_id"]) == {from_q2, closed_in_q3, this_quarter}
    carried = dict(zip(q3["action_id"], q3["carried_forward"], strict=True))
    assert carried == {from_q2: True, closed_in_q3: True, this_quarter: False}

    q4 = actions.for_review(con, "2024Q4", today=dt.date(2025, 2, 20))
    assert set(q4["action_id"]) == {from_q2, this_quarter, next_quarter}


def test_an_action_past_its_due_date_and_not_closed_is_overdue(db):
    late = add(db, due_date=dt.date(2024, 12, 1))
    due_today = add(db, due_date=dt.date(2024, 12, 2))
    closed = add(db, due_date=dt.date(2024, 11, 30))
    no_date = add(db, due_date=None)
    actions.write(db, actions.close, closed, response="Done.", closed_on=dt.date(2024, 12, 1))
    frame = actions.listing(store.reader(db), today=dt.date(2024, 12, 2))
    flags = dict(zip(frame["action_id"], frame["overdue"], strict=True))
    assert flags == {late: True, due_today: False, closed: False, no_date: False}
    assert frame.loc[frame["action_id"] == late, "days_overdue"].iloc[0] == 1


def test_the_review_lists_overdue_actions_first(db):
    on_time = add(db, due_date=dt.date(2025, 3, 1))
    late = add(db, due_date=dt.date(2024, 12, 1))
    frame = actions.for_review(store.reader(db), "2024Q3", today=dt.date(2025, 1, 10))
    assert frame["action_id"].tolist() == [late, on_time]
    assert actions.status_text("open", True) == "⚠ Overdue (open)"


def test_open_actions_are_counted_beside_the_figures_they_are_about(db):
    add(db)
    add(db)
    closed = add(db)
    actions.write(db, actions.close, closed, response="Done.", closed_on=dt.date(2024, 12, 1))
    add(db, metric_id=None, district=None)
    counts = actions.counts(actions.listing(store.reader(db)))
    assert counts == {(CASELOAD, "Kirklees"): 2}


def test_a_failed_write_leaves_the_log_as_it_was(db):
    add(db)
    with pytest.raises(actions.ActionError):
        actions.write(db, actions.add, quarter="2024Q3", text="x", owner="", raised_on=None)
    assert len(actions.listing(store.reader(db))) == 1


def test_an_action_cannot_be_closed_in_the_future_and_stays_as_it_was(db):
    action_id = add(db)
    before = actions.get(store.reader(db), action_id)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(actions.ActionError, match="cannot be closed in the future"):
        actions.write(db, actions.close, action_id, response="Done.", closed_on=tomorrow)
    assert actions.get(store.reader(db), action_id) == before


def test_moving_an_action_to_a_quarter_not_yet_begun_is_refused(db):
    action_id = add(db)
    with pytest.raises(actions.ActionError, match="2025Q1 had not begun"):
        actions.write(db, actions.update, action_id, quarter="2025Q1")
    # An earlier quarter (figures reviewed late) is fine.
    assert actions.write(db, actions.update, action_id, quarter="2024Q2")["quarter"] == "2024Q2"

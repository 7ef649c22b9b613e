"""The review pages in the running app (AppTest): the quarterly review, the action log and the
recommendations tracker, in demo mode and for signed-in roles. Each test works on its own copy of
the demo database, because the forms write to it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from safeguarding import actions, formatting, pack, registry, store
from safeguarding.ui.safe import shown

from apptests import (
    ANALYST,
    F02_LEAD,
    FORCE_ROLES,
    WY_CHIEF,
    dashboard,
    html,
    open_page,
    private_env,
    signed_in,
)

REVIEW = "pages/quarterly-review.py"
LOG = "pages/actions.py"
RECOMMENDATIONS = "pages/recommendations.py"
ROLES = """
[users]
"kirklees.lead@force.example" = { role = "district_lead", district = "Kirklees" }
"pcc.analyst@pcc.example" = { role = "pcc_office" }
"""
PCC_ANALYST = signed_in("pcc.analyst@pcc.example", "P Analyst")
KIRKLEES_LEAD = signed_in("kirklees.lead@force.example", "K Lead")


@pytest.fixture
def db(monkeypatch, tmp_path, demo_db_path):
    return private_env(monkeypatch, tmp_path, demo_db_path, ROLES)["db"]


def param(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("Data as at 31 December 2025" in c.value for c in at.caption)


@pytest.mark.parametrize("page", [REVIEW, LOG, RECOMMENDATIONS])
def test_each_review_page_renders_in_demo_mode(db, page):
    at = open_page(page)
    assert_clean(at)
    assert not at.warning, [w.value for w in at.warning]


def test_the_quarterly_review_shows_a_quarter_its_exceptions_and_every_figure(db):
    at = open_page(REVIEW, quarter="2024Q3")
    assert_clean(at)
    assert at.title[0].value == "Quarterly review"
    assert at.header[0].value == "Q3 2024 (July to September 2024)"
    assert param(at, "quarter") == "2024Q3"
    body = html(at)
    lead = body.split('<ul class="sg-exception-groups">', 1)[1].split("</ul></li></ul>", 1)[0]
    # At most ten lead the page, grouped by metric, each linking to its metric page for the
    # quarter and area; the rest wait in an expander.
    assert lead.count("<strong>Tier ") == 10
    titles = re.findall(r'<span class="sg-metric">([^<]+)</span>', lead)
    assert len(titles) == len(set(titles))
    assert (
        "<strong>Tier 1.</strong> Calderdale: sex offenders per offender manager 60.3 in Q3 2024 "
        "against a target of 50.0 (not met)"
    ) in lead
    assert (
        'href="metric?metric=rso_caseload_per_officer&amp;district=Calderdale&amp;quarter=2024Q3"'
    ) in lead
    assert any(e.label.startswith("The other ") for e in at.expander)
    # A table per metric, with a caption; status by symbol and word.
    assert "<caption>Sex offenders per offender manager (offenders per FTE; lower is better; " in (
        body
    )
    assert body.count("<caption>") >= len(registry.metrics())
    assert '<span aria-hidden="true">✗</span> Not met' in body
    assert "Change on Q3 2023" in body
    # The pack is built on request, with its progress shown; then it can be downloaded.
    assert "Build the board pack" in [b.label for b in at.button]
    assert not [b for b in at.get("download_button") if b.label.startswith("Download the board")]


@pytest.mark.parametrize(
    "quarter, message",
    [("2024Q9", "The link's quarter is not valid"), ("2031Q1", "No complete figures for Q1 2031")],
)
def test_a_bad_quarter_in_the_link_gets_a_message_and_the_latest_quarter(db, quarter, message):
    at = open_page(REVIEW, quarter=quarter)
    assert not at.exception
    assert any(message in w.value for w in at.warning), [w.value for w in at.warning]
    assert param(at, "quarter") == "2025Q4"


def test_an_action_recorded_in_the_review_appears_beside_its_figure_and_in_the_log(db):
    at = open_page(REVIEW, quarter="2024Q3")
    at.selectbox(key="review_add_action_metric").set_value("rso_caseload_per_officer")
    at.selectbox(key="review_add_action_area").set_value("Calderdale")
    at.text_area(key="review_add_action_text").input("Why has the Calderdale caseload risen?")
    at.text_input(key="review_add_action_owner").input("Calderdale district commander")
    due = dt.date.today() + dt.timedelta(days=28)  # raised today, so due after today
    at.date_input(key="review_add_action_due").set_value(due)
    at.button(key="review_add_action_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Recorded action 1 for Q3 2024" in s.value for s in at.success)

    body = html(at)
    assert "Why has the Calderdale caseload risen?" in body
    assert "Open: action 1 (Calderdale district commander, Open)" in body
    assert "<strong>1 open action</strong>" in body
    saved = actions.get(store.reader(db), 1)
    assert (saved["quarter"], saved["district"], saved["metric_id"]) == (
        "2024Q3",
        "Calderdale",
        "rso_caseload_per_officer",
    )

    # Carried into the next quarter's review until closed.
    later = open_page(REVIEW, quarter="2024Q4")
    assert "Why has the Calderdale caseload risen?" in html(later)
    assert "Q3 2024 review (carried forward)" in html(later)


def test_a_blank_action_is_refused_with_a_message_and_nothing_is_saved(db):
    at = open_page(REVIEW, quarter="2024Q3")
    at.text_input(key="review_add_action_owner").input("Someone")
    at.button(key="review_add_action_submit").click().run()
    assert any("Give the action or question" in e.value for e in at.error)
    assert actions.listing(store.reader(db)).empty


def test_the_action_log_puts_overdue_actions_first_and_closes_them(db):
    actions.write(
        db,
        actions.add,
        quarter="2024Q3",
        text="Report on the IIOC backlog.",
        owner="Head of Forensics",
        due_date=dt.date(2025, 1, 31),
        raised_on=dt.date(2024, 11, 1),
    )
    at = open_page(LOG)
    assert_clean(at)
    assert "<strong>⚠ Overdue (open)," in html(at)
    assert any("**1** overdue" in m.value for m in at.markdown)

    at.selectbox(key="log_update_status_1").set_value("closed")
    at.text_area(key="log_update_response_1").input("Backlog cleared.")
    at.button(key="log_update_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Saved action 1: closed." in s.value for s in at.success)
    saved = actions.get(store.reader(db), 1)
    assert saved["status"] == "closed" and saved["response"] == "Backlog cleared."
    assert "⚠ Overdue" not in html(at)


def test_the_recommendations_tracker_marks_the_overdue_one_and_records_progress(db):
    at = open_page(RECOMMENDATIONS)
    assert_clean(at)
    body = html(at)
    assert "<strong>⚠ Overdue (in progress, due 1 December 2014)," in body
    assert (
        'href="metric?metric=children_detained_overnight&amp;district=West+Yorkshire&amp;month=2025-12"'
        in body
    )
    assert any("**1** overdue" in m.value for m in at.markdown)
    assert any("When the report came out" in t.value.columns for t in at.table)

    key = "rec_WY-CPI14-08"
    at.selectbox(key=f"{key}_status").set_value("completed")
    at.date_input(key=f"{key}_completed").set_value(dt.date(2025, 6, 30))
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Saved WY-CPI14-08" in shown(s.value) for s in at.success)
    assert any("**0** overdue" in m.value for m in at.markdown)
    assert "Completed late (30 June 2025, due 1 December 2014)" in html(at)


def test_a_recommendation_completed_years_ago_can_be_given_its_real_date(db):
    # Streamlit's own limit (ten years before today) once kept out the inspection years, and a
    # date before it was saved as today.
    at = open_page(RECOMMENDATIONS)
    key = "rec_WY-CPI14-08"
    assert at.date_input(key=f"{key}_completed").min == formatting.EARLIEST_DATE
    at.selectbox(key=f"{key}_status").set_value("completed")
    at.date_input(key=f"{key}_completed").set_value(dt.date(2015, 6, 30))
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Completed late (30 June 2015, due 1 December 2014)" in html(at)


def test_the_pcc_office_may_record_actions_and_a_district_lead_may_not(db):
    pcc = open_page(REVIEW, user=PCC_ANALYST, quarter="2024Q3")
    assert not pcc.exception
    assert "Record the action" in [b.label for b in pcc.button]

    lead = open_page(REVIEW, user=KIRKLEES_LEAD, quarter="2024Q3")
    assert not lead.exception
    assert "Record the action" not in [b.label for b in lead.button]
    assert lead.header[0].value == "Q3 2024 (July to September 2024)"
    lead_recs = open_page(RECOMMENDATIONS, user=KIRKLEES_LEAD)
    assert "Save progress" not in [b.label for b in lead_recs.button]


def test_packs_issued_for_a_quarter_are_listed_with_rebuild_buttons(db):
    from safeguarding import pack

    snapshot, _ = pack.issue(db, "2024Q3", created_by="P Analyst (pcc office)")
    at = open_page(REVIEW, quarter="2024Q3")
    assert_clean(at)
    kept = next(t.value for t in at.table if "Presented on" in t.value.columns)
    assert kept.index.tolist() == [snapshot.short_id]
    labels = [b.label for b in at.get("download_button")]
    assert f"Rebuild {snapshot.short_id} as presented (PDF)" in labels


def test_linked_metrics_are_a_list_and_the_quarter_choice_fits_the_sidebar(db):
    recs = html(open_page(RECOMMENDATIONS))
    # Links in the table are blocks: joined by commas, a lone comma sat on its own line.
    assert '<ul class="sg-links"><li><a href="metric?' in recs
    assert "</a>, <a" not in recs
    at = open_page(REVIEW, quarter="2024Q3")
    quarter = at.sidebar.selectbox[0]
    assert quarter.label == "Quarter" and quarter.options[0] == "Q4 2025"
    assert all(len(option) <= 7 for option in quarter.options)


@pytest.mark.slow
def test_building_the_pack_shows_its_progress_then_offers_both_files(db):
    at = open_page(REVIEW, quarter="2024Q3")
    at.button(key="pack_build").click().run(timeout=600)
    assert not at.exception, [e.value for e in at.exception]
    box = at.status[0]
    assert box.label.startswith("Board pack ready: snapshot ") and box.state == "complete"
    bar = at.get("progress")[0]
    assert bar.proto.value == 100 and bar.proto.text == "Done"
    labels = [b.label for b in at.get("download_button")]
    assert labels[:2] == [
        "Download the board pack (PDF)",
        "Download the board pack (PowerPoint)",
    ]
    short_id = box.label.split("snapshot ")[1].split(" ")[0]
    kept = next(t.value for t in at.table if "Presented on" in t.value.columns)
    assert kept.index.tolist() == [short_id]


# --- the review and the pack of the chosen force, per role, on a database of three forces -----


@pytest.fixture
def forces_db(monkeypatch, tmp_path, three_forces_path):
    """A copy of the three-force demo with a pack kept for West Yorkshire and one for Force 02."""
    env = private_env(monkeypatch, tmp_path, three_forces_path, FORCE_ROLES)
    kept = {
        force: pack.issue(env["db"], "2015Q1", force=force, created_by="test")[0].short_id
        for force in ("West Yorkshire", "Force 02")
    }
    return {**env, "kept": kept}


def review_as(user: dict, force: str | None = None) -> AppTest:
    """The review of Q1 2015 opened from a link (to ``force``, if given): the entry script reads
    the link's force on the first run."""
    at = dashboard(user)
    if force is not None:
        at.query_params["force"] = force
    at.run()
    at.switch_page(REVIEW)
    at.query_params["quarter"] = "2015Q1"
    return at.run()


def kept_packs(at: AppTest) -> list[str]:
    tables = [t.value for t in at.table if "Presented on" in t.value.columns]
    return tables[0].index.tolist() if tables else []


@pytest.mark.parametrize(
    "user, link, force, other",
    [
        (WY_CHIEF, "Force 02", "West Yorkshire", "Force 02 District A"),
        (ANALYST, "Force 02", "Force 02", "Leeds"),
        (ANALYST, "Force 03", "Force 03", "Leeds"),
        (F02_LEAD, "West Yorkshire", "Force 02", "Leeds"),
    ],
    ids=["force user", "national analyst", "national analyst, packless force", "district lead"],
)
def test_the_review_and_its_packs_are_of_the_users_force_for_each_role(
    forces_db, user, link, force, other
):
    at = review_as(user, link)
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["sg_force"] == force
    body = html(at)
    assert f">{force}<" in body
    assert other not in body
    others = {"West Yorkshire", "Force 02", "Force 03"} - {force}
    assert not [f for f in others if f in body]
    assert kept_packs(at) == ([forces_db["kept"][force]] if force in forces_db["kept"] else [])
    if force not in forces_db["kept"]:
        assert any("None yet" in c.value for c in at.caption)
    labels = [b.label for b in at.get("download_button")]
    for name, short_id in forces_db["kept"].items():
        assert (f"Rebuild {short_id} as presented (PDF)" in labels) == (name == force)

"""A force as a first-class choice: force scoping in safeguarding.access, and the dashboard per
role on a database of three forces (AppTest)."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguarding import access, actions, audit, store, targets
from safeguarding.ui.safe import shown

from apptests import ANALYST, F02_LEAD, FORCE_ROLES, WY_CHIEF, dashboard, html

FORCE_OF = {
    "Kirklees": "West Yorkshire",
    "Leeds": "West Yorkshire",
    "Force 02 District A": "Force 02",
    "Force 02 District B": "Force 02",
    "Force 03 District A": "Force 03",
}
ONE_FORCE = {"Kirklees": "West Yorkshire", "Leeds": "West Yorkshire"}


def scope(*roles: str, districts=(), forces=()) -> access.Scope:
    return access.Scope(
        user_id="u@x.example",
        roles=frozenset(roles),
        districts=frozenset(districts),
        forces=frozenset(forces),
    )


# --- scoping, unit ------------------------------------------------------------------------------


def test_a_force_user_sees_their_own_force_only():
    s = scope(access.LEADERSHIP, forces=["West Yorkshire"])
    assert s.figure_forces(FORCE_OF) == {"West Yorkshire"}
    assert s.can_view_force("West Yorkshire", FORCE_OF)
    assert not s.can_view_force("Force 02", FORCE_OF)
    assert s.force_refusal("Force 02", FORCE_OF) == (
        "Your access covers the figures of West Yorkshire only, not Force 02. A national role "
        "is needed to see other forces."
    )


def test_a_district_leads_force_is_that_of_their_district():
    s = scope(access.DISTRICT_LEAD, districts=["Force 02 District A"])
    assert s.figure_forces(FORCE_OF) == {"Force 02"}
    assert s.can_view_records("Force 02 District A", FORCE_OF)
    assert not s.can_view_records("Force 02 District B", FORCE_OF)
    assert not s.can_view_force("West Yorkshire", FORCE_OF)


def test_a_national_role_sees_every_forces_figures_and_no_records():
    s = scope(access.NATIONAL_ANALYST)
    assert s.figure_forces(FORCE_OF) == {"West Yorkshire", "Force 02", "Force 03"}
    assert not any(s.can_view_records(area, FORCE_OF) for area in [*FORCE_OF, "Force 02"])
    assert "can see figures but not the records" in s.refusal("Leeds", FORCE_OF)


def test_a_national_role_with_leadership_of_a_force_opens_that_forces_records_only():
    s = scope(access.NATIONAL_ANALYST, access.LEADERSHIP, forces=["West Yorkshire"])
    assert s.can_view_force("Force 03", FORCE_OF)
    assert s.can_view_records("Leeds", FORCE_OF) and s.can_view_records("West Yorkshire", FORCE_OF)
    assert not s.can_view_records("Force 03 District A", FORCE_OF)
    assert not s.can_view_records("Force 03", FORCE_OF)
    assert "records of West Yorkshire only" in s.refusal("Force 03", FORCE_OF)


def test_on_a_one_force_database_no_force_need_be_named():
    s = scope(access.LEADERSHIP)
    assert s.figure_forces(ONE_FORCE) == {"West Yorkshire"}
    assert s.can_view_records("West Yorkshire", ONE_FORCE)


def test_on_a_several_force_database_a_grant_without_a_force_sees_no_force():
    s = scope(access.PCC_OFFICE)
    assert s.figure_forces(FORCE_OF) == frozenset()
    assert "does not name a force" in s.force_refusal("West Yorkshire", FORCE_OF)
    assert not scope(access.LEADERSHIP).can_view_records("Leeds", FORCE_OF)


def test_demo_mode_sees_every_force_and_its_records():
    assert access.DEMO_SCOPE.figure_forces(FORCE_OF) == {"West Yorkshire", "Force 02", "Force 03"}
    assert access.DEMO_SCOPE.can_view_records("Force 02 District B", FORCE_OF)


def test_the_roles_file_takes_a_force_and_checks_it_against_the_database():
    config = access.parse_roles(
        {
            "users": {
                "a@wyp.example": {"role": "leadership", "force": "West Yorkshire"},
                "b@hmicfrs.example": {"role": "national_analyst"},
            }
        }
    )
    assert config.users["a@wyp.example"].forces == {"West Yorkshire"}
    got = config.scope_for({"email": "a@wyp.example"})
    assert got.forces == {"West Yorkshire"} and got.role == access.LEADERSHIP
    assert config.scope_for({"email": "b@hmicfrs.example"}).role == access.NATIONAL_ANALYST
    config.check_forces(FORCE_OF.values())
    with pytest.raises(access.RolesConfigError, match="unknown force\\(s\\) 'West Yorks'"):
        access.parse_roles(
            {"users": {"a@x.example": {"role": "leadership", "force": "West Yorks"}}}
        ).check_forces(FORCE_OF.values())
    with pytest.raises(access.RolesConfigError, match="use role, district, force"):
        access.parse_roles({"users": {"a@x.example": {"role": "leadership", "forse": "X"}}})


def test_check_force_logs_the_refusal_and_raises(tmp_path, three_forces_path):
    log = tmp_path / "audit.duckdb"
    con = store.reader(three_forces_path)
    s = scope(access.LEADERSHIP, forces=["West Yorkshire"])
    access.check_force(con, s, "West Yorkshire", audit_path=log)
    with pytest.raises(access.AccessDenied, match="figures of West Yorkshire only"):
        access.check_force(con, s, "Force 02", audit_path=log)
    entry = audit.recent(log).iloc[0]
    assert (entry["action"], entry["district"], entry["role"]) == (
        "refused",
        "Force 02",
        "leadership",
    )


# --- the dashboard, per role (AppTest) ----------------------------------------------------------


@pytest.fixture
def env(monkeypatch, tmp_path, three_forces_path):
    roles = tmp_path / "roles.toml"
    roles.write_text(FORCE_ROLES, encoding="utf-8")
    log = tmp_path / "audit.duckdb"
    monkeypatch.setenv("SAFEGUARDING_DB", three_forces_path)
    monkeypatch.setenv("SAFEGUARDING_ROLES", str(roles))
    monkeypatch.setenv("SAFEGUARDING_AUDIT", str(log))
    return {"audit": log}


def run_as(user: dict | None, page: str | None = None, *, force: str | None = None, **params):
    """The dashboard opened from a link to ``force`` (the entry script reads it), or, given
    ``page``, opened and then that page with ``params`` and the force as its query string, as a
    link to that page would open it (the entry script runs before the page on every run:
    safeguarding/ui/entry.py)."""
    at = dashboard(user)
    if force is not None and page is None:
        at.query_params["force"] = force
    at.run()
    if page is not None:
        at.switch_page(page)
        for key, value in params.items():
            at.query_params[key] = value
        if force is not None:
            at.query_params["force"] = force
        at.run()
    return at


def test_a_force_user_sees_their_force_and_no_force_choice(env):
    at = run_as(WY_CHIEF)
    assert not at.exception
    assert not [s for s in at.sidebar.selectbox if s.label == "Force"]
    assert at.session_state["sg_force"] == "West Yorkshire"
    assert at.query_params["force"] == "West Yorkshire"
    table = html(at)
    assert ">Leeds<" in table and ">West Yorkshire<" in table
    assert "Force 02" not in table


def test_a_crafted_link_to_another_force_is_refused_logged_and_shows_their_own(env):
    at = run_as(WY_CHIEF, force="Force 02")
    assert not at.exception
    assert "figures of West Yorkshire only, not Force 02" in shown(at.error[0].value)
    assert at.session_state["sg_force"] == "West Yorkshire"
    assert at.query_params["force"] == "West Yorkshire"
    assert "Force 02" not in html(at)
    entry = audit.recent(env["audit"]).iloc[0]
    assert (entry["action"], entry["district"], entry["user_id"]) == (
        "refused",
        "Force 02",
        "chief@wyp.example",
    )


def test_a_national_role_chooses_any_force_by_link_or_sidebar_and_sees_no_records(env):
    at = run_as(ANALYST, force="Force 03")
    assert not at.exception and not at.error
    box = next(s for s in at.sidebar.selectbox if s.label == "Force")
    assert box.options == ["Force 02", "Force 03", "West Yorkshire"]
    assert box.value == "Force 03"
    assert ">Force 03 District A<" in html(at) and "Leeds" not in html(at)
    at = run_as(ANALYST, "pages/district.py", force="Force 02", district="Force 02 District A")
    assert not at.exception
    assert at.title[0].value == "Force 02 District A"
    assert any("can see figures but not the records" in shown(e.value) for e in at.error)


def test_a_district_lead_of_another_force_sees_that_force_only(env):
    at = run_as(F02_LEAD, force="West Yorkshire")
    assert "figures of Force 02 only, not West Yorkshire" in shown(at.error[0].value)
    assert at.session_state["sg_force"] == "Force 02"
    table = html(at)
    assert ">Force 02 District A<" in table and "Leeds" not in table


def test_a_name_that_is_no_force_is_escaped_and_ignored(env):
    at = run_as(ANALYST, force="[x](http://evil.example)")
    assert not at.exception
    assert at.warning[0].value.startswith("Not a force: '\\[x\\]\\(http")
    assert at.session_state["sg_force"] == "West Yorkshire"  # the demo's default force


def test_without_a_link_a_national_role_opens_on_the_databases_own_force(env):
    at = run_as(ANALYST)
    assert at.session_state["sg_force"] == "West Yorkshire"
    assert at.query_params["force"] == "West Yorkshire"


def test_the_peer_page_compares_the_chosen_force_for_each_role(env):
    at = run_as(ANALYST, "pages/peers.py", force="Force 03", month="2015-06")
    assert not at.exception, at.exception
    assert at.title[0].value == "Force 03 and its peers"
    assert len(at.get("plotly_chart")) == 2
    at = run_as(WY_CHIEF, "pages/peers.py", force="Force 03", month="2015-06")
    assert at.title[0].value == "West Yorkshire and its peers"
    at = run_as(F02_LEAD, "pages/peers.py", month="2015-06")
    assert at.title[0].value == "Force 02 and its peers"


def test_the_roles_file_with_an_unknown_force_locks_everyone_out(env, tmp_path, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_text('[users]\n"chief@wyp.example" = { role = "leadership", force = "Nowhere" }\n')
    monkeypatch.setenv("SAFEGUARDING_ROLES", str(bad))
    at = run_as(WY_CHIEF)
    assert at.error and "access settings have an error" in shown(at.error[0].value)


def test_on_a_one_force_database_a_links_force_is_read_once_and_dropped(monkeypatch, demo_db_path):
    monkeypatch.setenv("SAFEGUARDING_DB", demo_db_path)
    at = run_as(None, force="Force 09")
    assert not at.exception
    assert at.warning[0].value.startswith("Not a force: 'Force 09'")
    assert "force" not in at.query_params
    assert not [s for s in at.sidebar.selectbox if s.label == "Force"]
    assert at.session_state["sg_force"] == "West Yorkshire"


# --- targets, per force -------------------------------------------------------------------------


def test_a_force_user_sets_targets_for_their_own_force_only():
    chief = scope("leadership", forces=["West Yorkshire"])
    assert chief.target_forces(FORCE_OF) == frozenset({"West Yorkshire"})
    assert chief.target_forces(ONE_FORCE) is None  # every force there is: a target for all
    assert scope("demo").target_forces(FORCE_OF) is None


@pytest.fixture
def writable_forces(monkeypatch, tmp_path, three_forces_built):
    """The three forces in a copy of its own (the targets tests write to it)."""
    db = str(store.copy_database(three_forces_built, tmp_path / "three.duckdb"))
    roles = tmp_path / "roles.toml"
    roles.write_text(FORCE_ROLES, encoding="utf-8")
    monkeypatch.setenv("SAFEGUARDING_DB", db)
    monkeypatch.setenv("SAFEGUARDING_ROLES", str(roles))
    monkeypatch.setenv("SAFEGUARDING_AUDIT", str(tmp_path / "audit.duckdb"))
    return db


TARGET_METRIC = "misper_return_interview_72h"


@pytest.mark.parametrize(
    "area, message",
    [
        # A target with no district named reached every force's districts: West Yorkshire's
        # chief once moved Force 02's target and status from the form and from a file.
        ("", "applies to every force in this database, and your access covers West Yorkshire"),
        ("Force 02 District B", "Force 02 District B is Force 02's; your access covers"),
    ],
)
def test_a_force_user_cannot_set_another_forces_targets(writable_forces, area, message):
    before = targets.current(store.reader(writable_forces))
    at = run_as(WY_CHIEF, "pages/about.py")
    assert targets.FORCE_WIDE not in at.selectbox(key="target_area").options
    assert "Force 02 District B" not in at.selectbox(key="target_area").options
    row = f"{TARGET_METRIC},{area},2015-01-01,,1,Plan"
    body = f"{','.join(targets.CSV_COLUMNS)}\n{row}\n".encode()
    at.file_uploader(key="target_file").set_value(("targets.csv", body, "text/csv"))
    at.button(key="target_import_submit").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Nothing was changed."]
    assert message in at.code[0].value
    assert targets.current(store.reader(writable_forces)).equals(before)


def test_a_force_user_sets_a_target_for_one_of_their_districts(writable_forces):
    at = run_as(WY_CHIEF, "pages/about.py")
    at.selectbox(key="target_metric").set_value(TARGET_METRIC)
    at.selectbox(key="target_area").set_value("Leeds")
    at.date_input(key="target_from").set_value(dt.date(2015, 1, 1))
    at.number_input(key="target_value").set_value(1.0)
    at.text_area(key="target_reason").input("Plan")
    at.button(key="target_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    current = targets.current(store.reader(writable_forces), TARGET_METRIC)
    assert "Leeds" in set(current["applies_to"])


def test_a_force_user_records_and_changes_their_own_forces_actions_only(writable_forces):
    # An action with no area is every force's: Force 02's office once closed West Yorkshire's.
    general = actions.write(
        writable_forces, actions.add, quarter="2015Q1", text="General question", owner="Chair"
    )
    own = actions.write(
        writable_forces,
        actions.add,
        quarter="2015Q1",
        text="Leeds question",
        owner="Leeds",
        district="Leeds",
    )
    at = run_as(WY_CHIEF, "pages/actions.py")
    assert not at.exception
    areas = at.selectbox(key="log_add_action_area").options
    assert "" not in areas and areas[0] == "West Yorkshire"
    assert "Force 02 District A" not in areas
    assert at.selectbox(key="log_update_id").options == [f"{own}: Leeds question"]
    assert general != own

"""The sign-in gate and scoped records in a running app (Streamlit AppTest, with at.user).

The app is tests/auth_app/app.py, a stand-in for dashboard.py that calls auth_ui.gate() and then
auth_ui.records_for() for whatever district the link (query string) asks for.
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from safeguarding import audit, metrics, store
from safeguarding.paths import ROOT
from safeguarding.ui import auth_ui
from safeguarding.ui.safe import shown

from apptests import AUTH_SECRETS
from apptests import NO_SIGN_IN as NO_AUTH_SECRETS

APP = ROOT / "tests" / "auth_app" / "app.py"
METRIC = "rso_caseload_per_officer"
AUG_2014 = dt.date(2014, 8, 1)

ROLES = """
[users]
"kirklees.lead@force.example" = { role = "district_lead", district = "Kirklees" }
"pcc.analyst@pcc.example" = { role = "pcc_office" }

[groups]
"sg-leadership" = { role = "leadership" }
"""

KIRKLEES_LEAD = {"is_logged_in": True, "email": "Kirklees.Lead@force.example", "name": "K Lead"}


@pytest.fixture
def env(monkeypatch, tmp_path, demo_db_path):
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    audit_file = tmp_path / "audit.duckdb"
    monkeypatch.setenv("SAFEGUARDING_DB", demo_db_path)
    monkeypatch.setenv("SAFEGUARDING_ROLES", str(roles))
    monkeypatch.setenv("SAFEGUARDING_AUDIT", str(audit_file))
    return {"roles": roles, "audit": audit_file, "db": demo_db_path}


def app(user: dict | None = None, secrets: dict | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets = AUTH_SECRETS if secrets is None else secrets
    at.user = user if user is not None else {"is_logged_in": False}
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def texts(at: AppTest) -> str:
    parts = [*at.markdown, *at.error, *at.warning, *at.info, *at.subheader, *at.title]
    return "\n".join(str(p.value) for p in parts)


def scope_shown(at: AppTest) -> bool:
    return any(m.value.startswith("Scope:") for m in at.markdown)


# --- modes --------------------------------------------------------------------------------------


def test_demo_data_without_sign_in_runs_in_labelled_demo_mode_with_full_view(env):
    at = app(secrets=NO_AUTH_SECRETS, district="West Yorkshire", month="2014-08")
    assert not at.exception
    assert "Demo mode" in at.info[0].value and "invented" in at.info[0].value
    assert any("Demo mode" in c.value for c in at.sidebar.caption)
    expected = len(metrics.records(store.reader(env["db"]), METRIC, "West Yorkshire", AUG_2014))
    assert at.subheader[0].value == f"{expected} records for West Yorkshire"
    assert audit.recent(env["audit"]).iloc[0]["role"] == "demo"


def test_imported_data_without_sign_in_shows_nothing_and_says_why(env, monkeypatch, tmp_path):
    imported = tmp_path / "imported.duckdb"
    with store.writer(imported, fresh=True) as con:
        store.set_meta(con, source="import")
    monkeypatch.setenv("SAFEGUARDING_DB", str(imported))
    at = app(secrets=NO_AUTH_SECRETS, district="Leeds")
    assert not at.exception
    assert "sign-in is not configured" in at.error[0].value
    assert ".streamlit/secrets.toml" in at.error[0].value
    assert not scope_shown(at)
    assert len(at.error) == 1  # nothing else was drawn, not even a refusal
    assert audit.recent(env["audit"]).empty


def test_a_signed_out_user_sees_only_the_sign_in_button(env):
    at = app(user={"is_logged_in": False}, district="Kirklees")
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not scope_shown(at)
    assert not at.dataframe
    assert audit.recent(env["audit"]).empty


def test_an_unknown_user_is_told_politely_and_sees_nothing(env):
    stranger = {"is_logged_in": True, "email": "stranger@example.com", "groups": ["other"]}
    at = app(user=stranger, district="Kirklees")
    assert not at.exception
    assert "stranger@example.com" in shown(at.warning[0].value)
    assert "no access" in at.warning[0].value
    assert not scope_shown(at)
    assert not at.dataframe
    assert [b.label for b in at.sidebar.button] == ["Sign out"]


def test_a_broken_roles_file_locks_everyone_out_without_revealing_it(env):
    env["roles"].write_text(
        '[users]\n"kirklees.lead@force.example" = { role = "district_lead", district = "Kirklee" }'
    )
    at = app(user=KIRKLEES_LEAD, district="Kirklees")
    assert not at.exception
    assert "access settings have an error" in at.error[0].value
    assert "Kirklee" not in texts(at)  # the details go to the server log, not the page
    assert not scope_shown(at)


# --- scoped records ------------------------------------------------------------------------------


def test_a_district_lead_sees_their_own_district_records(env):
    at = app(user=KIRKLEES_LEAD, district="Kirklees", month="2014-08")
    assert not at.exception
    assert at.markdown[0].value == "Scope: kirklees.lead@force.example · district lead (Kirklees)"
    assert any("district lead (Kirklees)" in shown(c.value) for c in at.sidebar.caption)
    frame = at.dataframe[0].value
    assert len(frame) > 0 and set(frame["district"]) == {"Kirklees"}
    entry = audit.recent(env["audit"]).iloc[0]
    assert (entry["action"], entry["district"], entry["rows"]) == ("view", "Kirklees", len(frame))


@pytest.mark.parametrize("district", ["Leeds", "West Yorkshire"])
def test_a_district_lead_trying_another_district_through_the_link_is_refused_and_logged(
    env, district
):
    at = app(user=KIRKLEES_LEAD, district=district, month="2014-08")
    assert not at.exception  # a message, not a traceback
    assert "Records not shown" in at.error[0].value
    assert "records of Kirklees only" in at.error[0].value
    assert not at.dataframe
    entry = audit.recent(env["audit"]).iloc[0]
    assert entry["action"] == "refused"
    assert entry["district"] == district
    assert entry["user_id"] == "kirklees.lead@force.example"


def test_the_pcc_office_sees_figures_but_no_records(env):
    pcc = {"is_logged_in": True, "email": "pcc.analyst@pcc.example"}
    at = app(user=pcc, district="Leeds", month="2014-08")
    assert not at.exception
    assert "pcc office" in at.markdown[0].value
    assert "can see figures but not the records" in at.error[0].value
    assert not at.dataframe


def test_a_group_claim_grants_leadership_and_the_force_row(env):
    chief = {"is_logged_in": True, "email": "chief@force.example", "groups": ["SG-Leadership"]}
    at = app(user=chief, district="West Yorkshire", month="2014-08")
    assert not at.exception
    frame = at.dataframe[0].value
    assert set(frame["district"]) == {"Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"}


def test_an_unknown_metric_in_the_link_gets_a_message_not_a_traceback(env):
    at = app(user=KIRKLEES_LEAD, district="Kirklees", metric="no_such_metric")
    assert not at.exception
    assert "Unknown metric 'no_such_metric'" in shown(at.error[0].value)


def test_removing_someone_from_the_roles_file_takes_effect_at_their_next_click(env):
    at = app(user=KIRKLEES_LEAD, district="Kirklees")
    assert at.dataframe
    env["roles"].write_text('[users]\n"other@force.example" = { role = "pcc_office" }\n')
    at.run()
    assert not at.dataframe
    assert "no access" in at.warning[0].value


def test_signing_out_returns_to_the_sign_in_button(env):
    at = app(user=KIRKLEES_LEAD)
    at.sidebar.button(key="safeguarding_sign_out").click().run()
    assert not at.exception
    assert at.user == {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in"]


# --- downloads and the access-log page ----------------------------------------------------------


def test_the_download_button_is_shown_only_with_access_and_logs_when_clicked(env):
    at = app(user=KIRKLEES_LEAD, district="Kirklees", month="2014-08")
    assert len(at.get("download_button")) == 1
    # The button's data is built on click, on another thread: call what it would call.
    lead = auth_ui.access.load_roles().scope_for(KIRKLEES_LEAD)
    csv = auth_ui.records_csv(lead, METRIC, "Kirklees", AUG_2014)()
    assert csv.decode().splitlines()[0].startswith("offender_ref,district")
    assert list(audit.recent(env["audit"])["action"][:2]) == ["download", "view"]
    with pytest.raises(auth_ui.access.AccessDenied):
        auth_ui.records_csv(lead, METRIC, "Leeds", AUG_2014)()
    assert audit.recent(env["audit"]).iloc[0]["detail"].startswith("download refused")


def test_the_access_log_page_is_for_administrators_only(env):
    app(user=KIRKLEES_LEAD, district="Leeds")  # leaves a refusal in the log
    lead_view = app(user=KIRKLEES_LEAD, log="1")
    assert "for leadership and data administrators" in lead_view.error[0].value
    assert not lead_view.dataframe

    chief = {"is_logged_in": True, "email": "chief@force.example", "groups": ["sg-leadership"]}
    chief_view = app(user=chief, log="1")
    assert not chief_view.exception
    assert chief_view.title[0].value == "Access log"
    log = chief_view.dataframe[0].value
    assert log.columns[:3].tolist() == ["Entry", "When (UTC)", "User"]
    assert log.iloc[0]["Action"] == "refused"
    assert log.iloc[0]["User"] == "kirklees.lead@force.example"


# --- the real pages go through the same door ---------------------------------------------------


def dashboard_page(page: str, user: dict, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.secrets = AUTH_SECRETS
    at.user = user
    at.run()
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


@pytest.mark.parametrize("page", ["pages/district.py", "pages/metric.py"])
def test_a_district_lead_sees_no_other_districts_records_on_the_real_pages(env, page):
    at = dashboard_page(page, KIRKLEES_LEAD, district="Leeds", month="2014-08")
    assert not at.exception
    assert any("Records not shown" in e.value for e in at.error)
    assert not any("Offender reference" in d.value.columns for d in at.dataframe)
    labels = [b.label for b in at.get("download_button")]
    assert not any("records" in label.lower() for label in labels)
    refused = audit.recent(env["audit"], action="refused")
    assert set(refused["district"]) == {"Leeds"}


@pytest.mark.parametrize("page", ["pages/district.py", "pages/metric.py"])
def test_a_district_lead_sees_their_own_records_on_the_real_pages(env, page):
    at = dashboard_page(page, KIRKLEES_LEAD, district="Kirklees", month="2014-08")
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Offender reference" in d.value.columns for d in at.dataframe)
    labels = [b.label for b in at.get("download_button")]
    assert "Download these records (CSV)" in labels
    viewed = audit.recent(env["audit"], action="view")
    assert set(viewed["district"]) == {"Kirklees"}


def test_the_access_log_page_is_listed_for_administrators_only(env):
    leadership = {"is_logged_in": True, "email": "chief@force.example", "groups": ["sg-leadership"]}
    at = dashboard_page("pages/access-log.py", leadership)
    assert not at.exception
    assert at.title[0].value == "Access log"
    lead = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    lead.secrets = AUTH_SECRETS
    lead.user = KIRKLEES_LEAD
    lead.run()
    links = [p.proto.page for p in lead.get("page_link")]
    assert "access-log" not in links
    assert "district" in links


def test_a_link_to_the_access_log_tells_anyone_else_whom_it_is_for(env):
    # the page is there for a link to find, and refuses by itself
    at = dashboard_page("pages/access-log.py", KIRKLEES_LEAD)
    assert not at.exception
    assert at.title[0].value == "Access log"
    assert "for leadership and data administrators" in at.error[0].value
    assert not at.dataframe

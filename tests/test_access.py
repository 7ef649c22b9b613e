"""Roles, scopes, demo mode and the audited door to records (safeguarding.access, .audit)."""

from __future__ import annotations

import datetime as dt
import tomllib

import pandas as pd
import pytest

from safeguarding import access, audit, metrics, quality
from safeguarding.access import AccessDenied, RolesConfigError, Scope
from safeguarding.paths import ROOT

AUG_2014 = dt.date(2014, 8, 1)
METRIC = "rso_caseload_per_officer"
FORCE = "West Yorkshire"
FORCE_OF = {d: FORCE for d in ("Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield")}


def scope(*roles: str, districts: tuple[str, ...] = (), user: str = "someone@force.example"):
    return Scope(user_id=user, roles=frozenset(roles), districts=frozenset(districts))


LEADERSHIP = scope("leadership")
PCC = scope("pcc_office")
KIRKLEES_LEAD = scope("district_lead", districts=("Kirklees",), user="k.lead@force.example")
ADMIN = scope("data_admin")


@pytest.fixture
def audit_path(tmp_path):
    return tmp_path / "audit.duckdb"


# --- the roles file -----------------------------------------------------------------------------

ROLES_TOML = """
group_claim = "roles"

[users]
"Kirklees.Lead@Force.Example" = { role = "district_lead", district = "Kirklees" }
"pcc.analyst@pcc.example" = { role = "pcc_office" }

[groups]
"SG-Leadership" = { role = "leadership" }
"sg-data-admins" = { role = "data_admin" }
"sg-leeds-leads" = { role = "district_lead", district = "Leeds" }
"""


@pytest.fixture
def roles_config(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text(ROLES_TOML, encoding="utf-8")
    return access.load_roles(path)


def test_a_user_is_matched_by_email_whatever_its_case(roles_config):
    found = roles_config.scope_for({"email": "kirklees.lead@FORCE.example", "name": "K Lead"})
    assert found is not None
    assert found.role == "district_lead"
    assert found.districts == {"Kirklees"}
    assert found.user_id == "kirklees.lead@force.example"
    assert found.name == "K Lead"


def test_a_group_in_the_configured_claim_grants_its_role(roles_config):
    found = roles_config.scope_for({"email": "chief@force.example", "roles": ["sg-leadership"]})
    assert found is not None and found.role == "leadership"
    # The claim name comes from the file: a 'groups' claim is not read when it says 'roles'.
    assert roles_config.scope_for({"email": "x@force.example", "groups": ["sg-leadership"]}) is None


def test_a_group_claim_sent_as_a_single_string_still_matches(roles_config):
    found = roles_config.scope_for({"email": "a@force.example", "roles": "sg-data-admins"})
    assert found is not None and found.role == "data_admin"


def test_grants_from_email_and_groups_add_up(roles_config):
    found = roles_config.scope_for(
        {"email": "kirklees.lead@force.example", "roles": ["sg-data-admins", "sg-leeds-leads"]}
    )
    assert found is not None
    assert found.roles == {"district_lead", "data_admin"}
    assert found.districts == {"Kirklees", "Leeds"}
    assert found.can_admin()
    assert found.can_view_records("Leeds", FORCE_OF)
    assert not found.can_view_records("Bradford", FORCE_OF)


def test_an_unknown_user_gets_no_scope(roles_config):
    assert roles_config.scope_for({"email": "stranger@example.com", "roles": ["other"]}) is None
    assert roles_config.scope_for({}) is None


def test_an_unverified_email_is_ignored_when_the_file_requires_verification():
    config = access.parse_roles(
        {
            "require_verified_email": True,
            "users": {"a@force.example": {"role": "leadership"}},
        }
    )
    assert config.scope_for({"email": "a@force.example"}) is None
    assert config.scope_for({"email": "a@force.example", "email_verified": False}) is None
    assert config.scope_for({"email": "a@force.example", "email_verified": True}) is not None


def test_the_roles_file_path_comes_from_the_environment(monkeypatch, tmp_path):
    path = tmp_path / "elsewhere.toml"
    path.write_text('[users]\n"a@force.example" = { role = "pcc_office" }\n', encoding="utf-8")
    monkeypatch.setenv("SAFEGUARDING_ROLES", str(path))
    assert access.roles_path() == path
    assert set(access.load_roles().users) == {"a@force.example"}
    monkeypatch.delenv("SAFEGUARDING_ROLES")
    assert access.roles_path() == ROOT / "config" / "roles.toml"


def test_a_missing_roles_file_says_how_to_create_one(tmp_path):
    with pytest.raises(RolesConfigError, match="roles.example.toml"):
        access.load_roles(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[users]\n"a@x.uk" = { role = "leader" }', "unknown role 'leader'"),
        ('[users]\n"a@x.uk" = { role = "district_lead" }', "needs a district"),
        ('[users]\n"a@x.uk" = { role = "leadership", district = "Leeds" }', "only a district_lead"),
        ('[users]\n"a@x.uk" = { role = "demo" }', "demo mode only"),
        ('[users]\n"a@x.uk" = { role = "pcc_office", distrct = "Leeds" }', "unknown key.*distrct"),
        ('[users]\n"a@x.uk" = { }', "needs a role"),
        ('[users]\n"not-an-email" = { role = "pcc_office" }', "keyed by e-mail"),
        (
            '[users]\n"A@x.uk" = { role = "pcc_office" }\n"a@X.uk" = { role = "leadership" }',
            "listed twice",
        ),
        ('[groups]\n"g" = "leadership"', "expected a table"),
        ('group_claim = ""', "group_claim"),
        ('[user]\n"a@x.uk" = { role = "pcc_office" }', "unknown setting.*user"),
        ("[users\n", "not valid TOML"),
    ],
)
def test_a_wrong_roles_file_is_refused_with_a_clear_error(tmp_path, toml, message):
    path = tmp_path / "roles.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(RolesConfigError, match=message) as raised:
        access.load_roles(path)
    assert str(path) in str(raised.value)


def test_a_district_the_database_does_not_have_is_reported(demo_db):
    config = access.parse_roles(
        {"groups": {"g": {"role": "district_lead", "district": "Kirklee"}}}, source="roles.toml"
    )
    with pytest.raises(RolesConfigError, match=r"'Kirklee'.*Bradford, Calderdale, Kirklees"):
        config.check_districts(access.district_forces(demo_db))


def test_the_example_roles_file_is_valid_for_the_demo_districts(demo_db):
    config = access.load_roles(ROOT / "config" / "roles.example.toml")
    config.check_districts(access.district_forces(demo_db))
    assert config.users and config.groups


def test_the_check_command_reports_a_wrong_file_and_passes_a_good_one(
    tmp_path, demo_db_path, capsys
):
    bad = tmp_path / "bad.toml"
    bad.write_text('[users]\n"a@x.uk" = { role = "district_lead", district = "Narnia" }\n')
    assert access.main(["--roles", str(bad), "--db", demo_db_path]) == 1
    assert "Narnia" in capsys.readouterr().err
    example = str(ROOT / "config" / "roles.example.toml")
    assert access.main(["--roles", example, "--db", demo_db_path]) == 0


# --- scopes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "district", "allowed"),
    [
        (LEADERSHIP, "Kirklees", True),
        (LEADERSHIP, FORCE, True),
        (PCC, "Kirklees", False),
        (PCC, FORCE, False),
        (KIRKLEES_LEAD, "Kirklees", True),
        (KIRKLEES_LEAD, "Leeds", False),
        (KIRKLEES_LEAD, FORCE, False),
        (ADMIN, "Kirklees", False),
        (ADMIN, FORCE, False),
        (access.DEMO_SCOPE, "Leeds", True),
        (access.DEMO_SCOPE, FORCE, True),
        (LEADERSHIP, "Narnia", False),
        (access.DEMO_SCOPE, "kirklees", False),
    ],
    ids=lambda v: v.role if isinstance(v, Scope) else str(v),
)
def test_who_may_see_records_for_which_district(who, district, allowed):
    assert who.can_view_records(district, FORCE_OF) is allowed


@pytest.mark.parametrize(
    ("who", "aggregates", "admin", "imports"),
    [
        (LEADERSHIP, True, True, True),
        (PCC, True, False, False),
        (KIRKLEES_LEAD, True, False, False),
        (ADMIN, True, True, True),
        (access.DEMO_SCOPE, True, True, False),
    ],
    ids=lambda v: v.role if isinstance(v, Scope) else str(v),
)
def test_what_each_role_may_do_besides_records(who, aggregates, admin, imports):
    assert who.can_view_aggregates() is aggregates
    assert who.can_admin() is admin
    assert who.can_import() is imports


def test_a_scope_must_grant_something_known():
    with pytest.raises(ValueError):
        Scope(user_id="a", roles=frozenset())
    with pytest.raises(ValueError):
        Scope(user_id="a", roles=frozenset({"superuser"}))
    with pytest.raises(ValueError):
        Scope(user_id="a", roles=frozenset({"district_lead"}))


# --- demo mode ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("has_auth", "source", "expected"),
    [
        (True, "demo", "signed_in"),
        (True, "import", "signed_in"),
        (False, "demo", "demo"),
        (False, "import", "refuse"),
        (False, "csv", "refuse"),
        (False, None, "refuse"),
        (False, "", "refuse"),
        (False, "Demo", "refuse"),
    ],
)
def test_without_sign_in_only_demo_data_is_shown(has_auth, source, expected):
    assert access.mode(has_auth, source) == expected


# --- scoped_records and the access log ------------------------------------------------------------


def test_a_district_lead_gets_their_own_records_and_the_view_is_logged(demo_db, audit_path):
    rows = access.scoped_records(
        demo_db, KIRKLEES_LEAD, METRIC, "Kirklees", dt.date(2014, 8, 20), audit_path=audit_path
    )
    expected = metrics.records(demo_db, METRIC, "Kirklees", AUG_2014)
    assert len(rows) == len(expected) > 0
    assert set(rows["district"]) == {"Kirklees"}
    log = audit.recent(audit_path)
    assert len(log) == 1
    entry = log.iloc[0]
    assert entry["user_id"] == "k.lead@force.example"
    assert entry["role"] == "district_lead"
    assert entry["action"] == "view"
    assert (entry["metric_id"], entry["district"]) == (METRIC, "Kirklees")
    assert entry["month"] == pd.Timestamp(AUG_2014)  # the first of the month asked for
    assert entry["rows"] == len(expected)
    assert abs(entry["logged_at_utc"] - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < (
        dt.timedelta(minutes=1)
    )


@pytest.mark.parametrize("district", ["Leeds", FORCE])
def test_a_district_lead_is_refused_other_records_before_any_query(
    demo_db, audit_path, monkeypatch, district
):
    def must_not_run(*args, **kwargs):
        raise AssertionError("records were queried before the scope was checked")

    monkeypatch.setattr(metrics, "records", must_not_run)
    with pytest.raises(AccessDenied, match="records of Kirklees only"):
        access.scoped_records(
            demo_db, KIRKLEES_LEAD, METRIC, district, AUG_2014, audit_path=audit_path
        )
    entry = audit.recent(audit_path).iloc[0]
    assert entry["action"] == "refused"
    assert entry["district"] == district
    assert entry["user_id"] == "k.lead@force.example"
    assert entry["detail"].startswith("view refused")
    assert pd.isna(entry["rows"])  # nothing was returned


@pytest.mark.parametrize("who", [PCC, ADMIN], ids=["pcc_office", "data_admin"])
def test_roles_without_record_access_are_refused_every_district(demo_db, audit_path, who):
    for district in ("Leeds", FORCE):
        with pytest.raises(AccessDenied, match="can see figures but not the records"):
            access.scoped_records(demo_db, who, METRIC, district, AUG_2014, audit_path=audit_path)
    assert list(audit.recent(audit_path)["action"]) == ["refused", "refused"]


def test_leadership_gets_the_force_row_records(demo_db, audit_path):
    rows = access.scoped_records(
        demo_db, LEADERSHIP, METRIC, FORCE, AUG_2014, audit_path=audit_path
    )
    assert set(rows["district"]) == set(FORCE_OF)


def test_no_scope_is_refused_and_logged(demo_db, audit_path):
    with pytest.raises(AccessDenied, match="not signed in"):
        access.scoped_records(demo_db, None, METRIC, "Leeds", AUG_2014, audit_path=audit_path)
    assert audit.recent(audit_path).iloc[0]["user_id"] == "(no scope)"


def test_the_log_records_every_role_a_user_holds(demo_db, audit_path):
    both = scope("data_admin", "district_lead", districts=("Kirklees",))
    access.scoped_records(demo_db, both, METRIC, "Kirklees", AUG_2014, audit_path=audit_path)
    assert audit.recent(audit_path).iloc[0]["role"] == "district_lead+data_admin"


def test_a_download_is_logged_as_a_download(demo_db, audit_path):
    access.scoped_records(
        demo_db, LEADERSHIP, METRIC, "Leeds", AUG_2014, audit_path=audit_path, action="download"
    )
    with pytest.raises(AccessDenied):
        access.scoped_records(
            demo_db, PCC, METRIC, "Leeds", AUG_2014, audit_path=audit_path, action="download"
        )
    log = audit.recent(audit_path)
    assert list(log["action"]) == ["refused", "download"]
    assert log.iloc[0]["detail"].startswith("download refused")


def test_an_unknown_action_is_an_error(demo_db, audit_path):
    with pytest.raises(ValueError, match="action"):
        access.scoped_records(
            demo_db, LEADERSHIP, METRIC, "Leeds", AUG_2014, audit_path=audit_path, action="peek"
        )


def test_no_records_are_returned_when_the_view_cannot_be_logged(demo_db, tmp_path):
    # A directory where the audit file should be: the write fails, so the records must not leak.
    blocked = tmp_path / "audit.duckdb"
    blocked.mkdir()
    with pytest.raises(OSError):
        access.scoped_records(demo_db, LEADERSHIP, METRIC, "Leeds", AUG_2014, audit_path=blocked)


def test_the_log_is_in_the_app_state_beside_the_database_unless_configured(monkeypatch, tmp_path):
    monkeypatch.delenv("SAFEGUARDING_AUDIT", raising=False)
    monkeypatch.delenv("SAFEGUARDING_APP_STATE", raising=False)
    assert audit.default_path(tmp_path / "force.duckdb") == tmp_path / "force.app.sqlite3"
    monkeypatch.setenv("SAFEGUARDING_AUDIT", str(tmp_path / "log.sqlite3"))
    assert audit.default_path(tmp_path / "force.duckdb") == tmp_path / "log.sqlite3"


def test_recent_entries_are_newest_first_and_can_be_filtered(audit_path):
    assert audit.recent(audit_path).empty  # no file yet
    for user, action in [("a@x.uk", "view"), ("b@x.uk", "refused"), ("A@x.uk", "download")]:
        audit.log(audit.Entry(user, "leadership", action, METRIC, "Leeds", AUG_2014), audit_path)
    assert list(audit.recent(audit_path)["entry_id"]) == [3, 2, 1]
    assert list(audit.recent(audit_path, user_id="a@X.uk")["action"]) == ["download", "view"]
    assert list(audit.recent(audit_path, action="refused")["user_id"]) == ["b@x.uk"]
    assert len(audit.recent(audit_path, limit=1)) == 1
    with pytest.raises(ValueError):
        audit.log(audit.Entry("a", "leadership", "peek", None, None, None), audit_path)


def test_a_reader_of_the_log_sees_entries_before_or_after_a_write_never_half(audit_path):
    import sqlite3

    audit.log(audit.Entry("a@x.uk", "leadership", "view", METRIC, "Leeds", AUG_2014), audit_path)
    before = sqlite3.connect(audit_path, isolation_level=None)
    before.execute("begin")
    assert before.execute("select count(*) from access_log").fetchone()[0] == 1
    audit.log(audit.Entry("b@x.uk", "leadership", "view", METRIC, "Leeds", AUG_2014), audit_path)
    # A read transaction begun before the write still sees the state it began with (WAL);
    # a new one sees the new entry.
    assert before.execute("select count(*) from access_log").fetchone()[0] == 1
    before.execute("rollback")
    assert len(audit.recent(audit_path)) == 2


# --- the documented settings are real ------------------------------------------------------------


def _shipped_config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_the_shipped_server_settings_are_real_streamlit_options():
    from streamlit import config

    settings = _shipped_config()
    for section, options in settings.items():
        for name in options:
            config.get_option(f"{section}.{name}")  # raises for an option Streamlit lacks
    assert settings["server"]["enableXsrfProtection"] is True
    assert settings["server"]["enableCORS"] is True
    assert settings["client"]["showErrorDetails"] == "none"
    assert settings["client"]["disableDataExport"] is True
    assert settings["client"]["toolbarMode"] == "viewer"


def test_the_example_secrets_file_has_what_st_login_needs():
    raw = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text())
    needed = {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"}
    assert needed <= set(raw["auth"])
    assert raw["auth"]["redirect_uri"].endswith("/oauth2callback")


def test_data_quality_records_pass_the_same_door_and_unknown_districts_need_the_force_row(
    demo_db, audit_path, monkeypatch
):
    asked = []
    original = quality.problems
    monkeypatch.setattr(
        quality, "problems", lambda con, **kw: asked.append(kw) or original(con, **kw)
    )
    rule = "high_risk_not_attended"
    with pytest.raises(AccessDenied, match="records of Kirklees only"):
        access.scoped_quality_records(
            demo_db, KIRKLEES_LEAD, rule, quality.UNKNOWN_DISTRICT, audit_path=audit_path
        )
    assert asked == []  # refused before any query
    rows = access.scoped_quality_records(
        demo_db, KIRKLEES_LEAD, rule, "Kirklees", audit_path=audit_path
    )
    assert asked == [{"rule_id": rule, "district": "Kirklees"}]
    assert set(rows["district"]) <= {"Kirklees"}
    log = audit.recent(audit_path)
    assert list(log["action"]) == ["view", "refused"]  # newest first
    assert log.iloc[0]["detail"] == f"data-quality query {rule}"
    assert log.iloc[0]["rows"] == len(rows)


def test_the_quality_records_a_page_may_offer_are_those_the_door_would_give(demo_db):
    # A page offers only these, so that no visit asks for (and logs the refusal of) records the
    # user did not ask for.
    assert access.can_view_quality_records(demo_db, KIRKLEES_LEAD, "Kirklees")
    assert not access.can_view_quality_records(demo_db, KIRKLEES_LEAD, "Leeds")
    assert not access.can_view_quality_records(demo_db, KIRKLEES_LEAD, quality.UNKNOWN_DISTRICT)
    assert access.can_view_quality_records(demo_db, access.DEMO_SCOPE, quality.UNKNOWN_DISTRICT)
    assert not access.can_view_quality_records(demo_db, None, "Kirklees")

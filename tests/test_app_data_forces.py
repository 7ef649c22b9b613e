"""The Data page on a database of several forces (AppTest): an upload is for the signed-in
user's force, so a record naming another force's district is refused on its line and column; the
most similar groups, one list for every force, are loaded by an importer of every force."""

from __future__ import annotations

import pytest

from safeguarding import contract, imports, store
from safeguarding.ui.safe import shown

import apptests
from apptests import private_env, signed_in

ROLES = """
[users]
"wy.admin@force.example" = { role = "data_admin", force = "West Yorkshire" }
"nobody@force.example" = { role = "data_admin" }
"both.admin@force.example" = { role = "data_admin", force = ["West Yorkshire", "Force 02"] }
"""
WY_ADMIN = signed_in("wy.admin@force.example", "WY Admin")
NO_FORCE = signed_in("nobody@force.example", "No Force")
BOTH_ADMIN = signed_in("both.admin@force.example", "Both Admin")
HEADER = contract.template_csv("missing_reports").strip()
OWN = "NEW-1,C-NEW,Leeds,13,medium,2025-12-20 10:00,2025-12-20 10:40,2025-12-20 12:00,,"
OTHER = "NEW-2,C-NEW,North A,13,medium,2025-12-20 10:00,2025-12-20 10:40,2025-12-20 12:00,,"


@pytest.fixture
def env(monkeypatch, tmp_path, demo_db_path):
    found = private_env(monkeypatch, tmp_path, demo_db_path, ROLES)
    with store.writer(found["db"]) as con:
        con.execute("insert into districts values ('North A', 'Force 02')")
        store.touched(con, {"districts"})
    return found


def upload(at, name: str, data: bytes):
    at.file_uploader(key="data_import_file").set_value((name, data, "text/csv"))
    return at.run()


def test_an_upload_of_another_forces_district_is_refused_on_its_line(env):
    at = apptests.open_page("pages/data.py", user=WY_ADMIN)
    at.selectbox(key="data_import_table").set_value("missing_reports").run()
    upload(at, "june.csv", f"{HEADER}\n{OWN}\n{OTHER}\n".encode())
    assert not at.exception, [e.value for e in at.exception]
    assert "data_import_go" not in {b.key for b in at.button}  # no Import button
    problems = [d.value for d in at.dataframe if "What is wrong" in d.value.columns][0]
    assert problems["What is wrong"].tolist() == [
        "district 'North A' belongs to force Force 02, not West Yorkshire: this import is for "
        "West Yorkshire only"
    ]
    assert problems["Line"].tolist() == ["3"]
    assert any("Nothing can be loaded" in shown(e.value) for e in at.error)
    stored = store.reader(env["db"]).execute(
        "select count(*) from missing_reports where report_ref like 'NEW-%'"
    )
    assert stored.fetchone() == (0,)


def test_an_upload_of_the_users_own_districts_imports_and_audits_the_force(env):
    at = apptests.open_page("pages/data.py", user=WY_ADMIN)
    at.selectbox(key="data_import_table").set_value("missing_reports").run()
    upload(at, "june.csv", f"{HEADER}\n{OWN}\n".encode())
    at.button(key="data_import_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    audit = imports.history(store.reader(env["db"])).iloc[0]
    assert (audit["outcome"], audit["force"], audit["imported_by"]) == (
        "loaded",
        "West Yorkshire",
        "wy.admin@force.example",
    )


@pytest.mark.parametrize(
    ("user", "table", "why"),
    [(WY_ADMIN, imports.PEER_TABLE, "one list for every force")],
    ids=["peer-groups-need-every-force"],
)
def test_who_may_not_load_a_table_gets_the_reason_and_no_uploader(env, user, table, why):
    at = apptests.open_page("pages/data.py", user=user)
    at.selectbox(key="data_import_table").set_value(table).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.file_uploader
    assert any(why in i.value for i in at.info)


def test_access_that_names_no_force_is_refused_before_the_page_is_drawn(env):
    # dashboard.py's force choice refuses it, before the Data page (or any page) runs.
    at = apptests.open_page("pages/data.py", user=NO_FORCE)
    assert not at.exception, [e.value for e in at.exception]
    assert [shown(e.value) for e in at.error] == [
        "Figures not shown. Your access does not name a force, and this database holds several. "
        "Ask the dashboard's administrator to add your force to the roles file."
    ]
    assert not at.file_uploader and not at.title


def test_an_importer_of_every_force_checks_then_loads_the_peer_groups_with_an_audit(env):
    at = apptests.open_page("pages/data.py", user=BOTH_ADMIN)
    at.selectbox(key="data_import_table").set_value(imports.PEER_TABLE).run()
    bad = "force,peer\nWest Yorkshire,Force 02\nForce 02,Force 02\n"
    upload(at, "msg.csv", bad.encode())
    assert not at.exception, [e.value for e in at.exception]
    assert "data_import_go" not in {b.key for b in at.button}
    problems = [d.value for d in at.dataframe if "What is wrong" in d.value.columns][0]
    assert problems["Line"].tolist() == ["3"]
    assert "own group" in problems["What is wrong"].iloc[0]

    good = "force,peer\nWest Yorkshire,Force 02\n"
    upload(at, "msg2.csv", good.encode())
    at.button(key="data_import_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("as the most similar groups" in shown(s.value) for s in at.success)
    con = store.reader(env["db"])
    assert con.execute("select force, peer from peer_groups").fetchall() == [
        ("West Yorkshire", "Force 02")
    ]
    audit = imports.history(con).iloc[0]
    assert (audit["table_name"], audit["outcome"], audit["imported_by"]) == (
        imports.PEER_TABLE,
        "loaded",
        "both.admin@force.example",
    )

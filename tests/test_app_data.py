"""The Data and Data quality pages in a running app (AppTest): who may load a file, what they see
when it has problems, that an import shows at once, and the scoped records behind each query."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from safeguarding import audit, contract, imports, quality, store
from safeguarding.ui import data_ui
from safeguarding.ui.safe import shown

import apptests
from apptests import private_env, signed_in

ROLES = """
[users]
"chief@force.example" = { role = "leadership" }
"admin@force.example" = { role = "data_admin" }
"kirklees.lead@force.example" = { role = "district_lead", district = "Kirklees" }
"""
LEADERSHIP = signed_in("chief@force.example", "Chief")
ADMIN = signed_in("admin@force.example", "Admin")
KIRKLEES_LEAD = signed_in("kirklees.lead@force.example", "K Lead")

HEADER = contract.template_csv("missing_reports").strip()
GOOD = "NEW-1,C-NEW,Leeds,13,medium,2025-12-20 10:00,2025-12-20 10:40,2025-12-20 12:00,,"
BAD = "NEW-2,C-NEW,Leeds,13,hgh,2025-12-20 10:00,2025-12-20 09:40,,,"


@pytest.fixture
def env(monkeypatch, tmp_path, demo_db_path):
    """A private copy of the demo database (pages here write to it), roles and access log."""
    return private_env(monkeypatch, tmp_path, demo_db_path, ROLES)


def open_page(page: str, user: dict | None = None) -> AppTest:
    return apptests.open_page(page, user=user)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def frame(at: AppTest, column: str):
    """The first table on the page with this column (dataframes carry no key in AppTest)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    return found[0] if found else None


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="data_import_file").set_value((name, data, "text/csv"))
    return at.run()


# --- the Data page ------------------------------------------------------------------------------


def test_in_demo_mode_the_data_page_offers_templates_and_history_but_no_upload(env):
    at = open_page("pages/data.py")
    assert_clean(at)
    assert not at.error
    assert not at.file_uploader
    assert data_ui.NO_IMPORT_DEMO in [i.value for i in at.info]
    assert [h.value for h in at.header] == [
        "Load a file",
        "Templates and the data contract",
        "Import history",
    ]
    assert "No file has been imported into this database yet." in [i.value for i in at.info]


def test_the_contract_and_template_follow_the_chosen_table(env):
    at = open_page("pages/data.py")
    at.selectbox(key="data_contract_table").set_value("missing_reports").run()
    assert_clean(at)
    table = at.table[0].value
    assert table.loc["risk_grade", "Allowed values"] == "high, medium, low, no_apparent_risk"
    assert table.loc["district", "Allowed values"] == "a district in the districts table"
    assert any("Reference (key): **report_ref**" in m.value for m in at.markdown)
    button = at.get("download_button")[0]
    assert button.proto.label == "Download the missing_reports template (CSV)"


def test_a_district_lead_is_told_that_loading_is_for_other_roles(env):
    at = open_page("pages/data.py", KIRKLEES_LEAD)
    assert_clean(at)
    assert not at.file_uploader
    assert at.info[0].value == data_ui.NO_IMPORT_ROLE.format(label="district lead (Kirklees)")


def test_a_file_with_errors_shows_every_problem_and_cannot_be_imported(env):
    at = open_page("pages/data.py", ADMIN)
    at.selectbox(key="data_import_table").set_value("missing_reports").run()
    upload(at, "june.csv", f"{HEADER}\n{GOOD}\n{BAD}\n".encode())
    assert_clean(at)
    assert shown(at.error[0].value) == (
        "june.csv: 2 records read; 2 errors on 1 line, 0 queries. Nothing can be loaded until "
        "every error is fixed."
    )
    problems = frame(at, "What is wrong")
    assert problems.values.tolist() == [
        [
            "3",
            "risk_grade",
            "hgh",
            "error",
            "'hgh' is not an allowed value (high, medium, low, no_apparent_risk)",
        ],
        [
            "3",
            "attended_at",
            "2025-12-20 09:40",
            "error",
            "'2025-12-20 09:40' is before reported_at '2025-12-20 10:00' (attended before "
            "reported)",
        ],
    ]
    assert not [b for b in at.button if b.key == "data_import_go"]
    assert imports.history(store.reader(env["db"])).empty  # checking writes nothing


def test_a_good_file_is_imported_on_confirmation_and_shows_at_once(env):
    at = open_page("pages/data.py", LEADERSHIP)
    at.selectbox(key="data_import_table").set_value("missing_reports").run()
    upload(at, "june.csv", f"{HEADER}\n{GOOD}\n".encode())
    assert_clean(at)
    assert shown(at.success[0].value) == "june.csv: 1 record read; no errors, 0 queries."
    at.button(key="data_import_go").click().run()
    assert_clean(at)
    assert shown(at.success[0].value).startswith(
        "Imported june.csv into missing_reports: 1 inserted, 0 updated, 0 unchanged (import 1)."
    )
    history = frame(at, "SHA-256 (start)")
    assert history[["File", "Table", "Inserted", "Outcome", "By"]].values.tolist() == [
        ["june.csv", "missing_reports", 1, "loaded", "chief@force.example"]
    ]
    stored = store.reader(env["db"]).execute(
        "select district, risk_grade from missing_reports where report_ref = 'NEW-1'"
    )
    assert stored.fetchall() == [("Leeds", "medium")]
    assert any("force records" in c.value for c in at.caption)  # no longer labelled demo data


def test_a_file_name_that_could_reorder_text_reads_the_same_after_the_import(env):
    # The check and the history wrote its U+202E as a code, the message after the import did not.
    at = open_page("pages/data.py", LEADERSHIP)
    at.selectbox(key="data_import_table").set_value("missing_reports").run()
    upload(at, "june\u202evsc.csv", f"{HEADER}\n{GOOD}\n".encode())
    at.button(key="data_import_go").click().run()
    assert_clean(at)
    message = shown(at.success[0].value)
    assert message.startswith("Imported june<U+202E>vsc.csv into missing_reports: 1 inserted")
    assert "\u202e" not in message


def test_an_excel_file_that_is_not_a_workbook_gets_words_not_a_traceback(env):
    at = open_page("pages/data.py", ADMIN)
    upload(at, "june.xlsx", b"not really a workbook")
    assert_clean(at)
    assert shown(at.error[0].value).startswith("june.xlsx: 1 error in the file as a whole")
    problems = frame(at, "What is wrong")
    assert problems.iloc[0]["What is wrong"].startswith(
        "is not a readable Excel workbook (.xlsx): File is not a zip file."
    )


def test_the_role_is_checked_again_when_import_is_pressed(env):
    at = open_page("pages/data.py", ADMIN)
    at.selectbox(key="data_import_table").set_value("missing_reports").run()
    upload(at, "june.csv", f"{HEADER}\n{GOOD}\n".encode())
    assert at.button(key="data_import_go")
    # The administrator's role is taken away while the page is open.
    env["roles"].write_text(
        ROLES.replace('"admin@force.example" = { role = "data_admin" }', ""), encoding="utf-8"
    )
    at.button(key="data_import_go").click().run()
    # The import's own check at the click refused it; then the gate, which runs before the page
    # on every run, refuses the user, so the page (and that message) is not drawn.
    assert at.session_state[data_ui.DONE_KEY]["text"] == data_ui.NO_IMPORT_NOW
    assert not at.exception and [b.label for b in at.button] == ["Sign out"]
    assert [w.icon for w in at.warning] == ["🔒"] and not at.file_uploader
    assert imports.history(store.reader(env["db"])).empty
    stored = store.reader(env["db"]).execute(
        "select count(*) from missing_reports where report_ref = 'NEW-1'"
    )
    assert stored.fetchone() == (0,)


def test_the_history_hides_file_values_from_roles_that_may_not_see_every_record(env):
    imports.import_file(env["db"], "missing_reports", f"{HEADER}\n{BAD}\n".encode(), "june.csv")
    (full,) = imports.history(store.reader(env["db"]))["message"]
    assert "'hgh'" in full
    lead = open_page("pages/data.py", KIRKLEES_LEAD)
    assert_clean(lead)
    (shown,) = frame(lead, "Details")["Details"]
    assert shown == (
        "Rejected: 2 errors on 1 line; nothing was loaded. First: june.csv, line 2, column "
        "risk_grade: (value hidden) is not an allowed value (high, medium, low, no_apparent_risk)"
    )
    assert any("Values from the files are hidden" in c.value for c in lead.caption)
    chief = open_page("pages/data.py", LEADERSHIP)
    assert frame(chief, "Details")["Details"].tolist() == [full]


def test_hiding_values_keeps_the_words_of_every_rule():
    assert data_ui.without_values(
        "First: a.csv, line 4, column found_at: '2025-05-31 10:00' is before reported_at "
        "'2025-06-01 10:00' (found before reported)"
    ) == (
        "First: a.csv, line 4, column found_at: (value hidden) is before reported_at "
        "(value hidden) (found before reported)"
    )
    assert data_ui.without_values("'O'Brien' appears more than once in the file") == (
        "(value hidden) appears more than once in the file"
    )


# --- the Data quality page ----------------------------------------------------------------------


def test_the_quality_page_counts_queries_per_district_and_says_the_data_is_demo(env):
    at = open_page("pages/data-quality.py")
    assert_clean(at)
    assert not at.error
    loaded = frame(at, "Last loaded")
    assert loaded["Table"].tolist() == list(contract.IMPORT_TABLES)
    assert set(loaded["From"]) == {"Demo data, as at 31 December 2025"}
    counts = frame(at, "All districts")
    expected = quality.summary(store.reader(env["db"]))
    high = expected[expected["rule"] == "high_risk_not_attended"]
    row = counts.loc["High-risk missing report with no attendance time"]
    assert row["All districts"] == high["records"].sum()
    assert row["Leeds"] == high.set_index("district").loc["Leeds", "records"]


def test_the_records_behind_a_count_are_shown_and_logged(env):
    at = open_page("pages/data-quality.py")
    at.selectbox(key="quality_rule").set_value("high_risk_not_attended").run()
    at.selectbox(key="quality_district").set_value("Leeds").run()
    assert_clean(at)
    shown = frame(at, "What to check")
    expected = quality.problems(
        store.reader(env["db"]), rule_id="high_risk_not_attended", district="Leeds"
    )
    assert shown["Reference"].tolist() == expected["reference"].tolist()
    entry = audit.recent(env["audit"]).iloc[0]
    assert (entry["action"], entry["district"], entry["rows"], entry["detail"]) == (
        "view",
        "Leeds",
        len(expected),
        "data-quality query high_risk_not_attended",
    )


def test_a_district_lead_sees_only_their_own_districts_records(env):
    at = open_page("pages/data-quality.py", KIRKLEES_LEAD)
    at.selectbox(key="quality_rule").set_value("high_risk_not_attended").run()
    assert_clean(at)
    # Only the lead's own district is offered, so a visit never asks for (and logs the refusal
    # of) another district's records that the lead did not ask for.
    options = at.selectbox(key="quality_district").options
    assert len(options) == 1 and options[0].startswith("Kirklees (")
    rows = frame(at, "What to check")
    stored = store.reader(env["db"])
    kirklees = quality.problems(stored, rule_id="high_risk_not_attended", district="Kirklees")
    leeds = quality.problems(stored, rule_id="high_risk_not_attended", district="Leeds")
    assert len(kirklees) > 0 and len(leeds) > 0  # the check below could otherwise pass empty
    # Exactly Kirklees's records, and not one of Leeds's.
    assert rows is not None
    assert sorted(rows["Reference"]) == sorted(kirklees["reference"])
    assert set(rows["Reference"]).isdisjoint(leeds["reference"])
    log = audit.recent(env["audit"])
    assert "refused" not in set(log["action"])
    assert set(log["district"]) == {"Kirklees"}


def test_a_role_without_records_visits_the_quality_page_without_a_refusal_logged(env):
    at = open_page("pages/data-quality.py", ADMIN)
    assert_clean(at)
    assert frame(at, "What to check") is None
    assert any("not the records behind them" in i.value for i in at.info)
    assert audit.recent(env["audit"]).empty


def test_the_quality_page_on_an_empty_database_says_what_to_load_first(env, monkeypatch, tmp_path):
    empty = tmp_path / "empty.duckdb"
    with store.writer(empty, fresh=True):
        pass
    roles = tmp_path / "chief_only.toml"
    roles.write_text('[users]\n"chief@force.example" = { role = "leadership" }\n')
    monkeypatch.setenv("SAFEGUARDING_DB", str(empty))
    monkeypatch.setenv("SAFEGUARDING_ROLES", str(roles))
    at = open_page("pages/data-quality.py", LEADERSHIP)
    assert_clean(at)
    assert "There are no districts yet: import the districts file first." in [
        i.value for i in at.info
    ]
    assert set(frame(at, "Last loaded")["From"]) == {"Never loaded"}

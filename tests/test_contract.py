"""The data contract is read from the schema, and the published one cannot drift from it."""

from __future__ import annotations

import duckdb
import pytest

from safeguarding import contract, demo, quality
from safeguarding.paths import ROOT, SCHEMA_FILE

CONTRACT_DOC = ROOT / "docs" / "data-contract.md"


def test_the_published_contract_is_exactly_what_the_generator_writes_now():
    # If this fails, the schema or the contract's words changed: regenerate with
    #   python -m safeguarding contract --out docs/data-contract.md
    assert CONTRACT_DOC.read_text(encoding="utf-8") == contract.markdown()


def test_every_record_table_has_a_contract_and_districts_come_first():
    tables = list(contract.contracts())
    assert set(demo.RECORD_TABLES) <= set(tables)
    assert tables[:2] == ["districts", "population"]


def test_columns_types_and_keys_come_from_the_schema():
    con = duckdb.connect(":memory:")
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
    for table in contract.contracts().values():
        schema_columns = [
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns() where table_name = $t "
                "order by column_index",
                {"t": table.name},
            ).fetchall()
        ]
        assert table.column_names == schema_columns
    missing = contract.get("missing_reports")
    assert missing.key == ("report_ref",)
    assert missing.column("reported_at").kind == "timestamp"
    assert missing.column("attended_at").required is False
    assert missing.column("district").district_ref is True
    assert contract.get("workforce").key == ("district", "month", "role")
    assert contract.get("workforce").column("month").month_start is True
    assert contract.get("offender_managers").column("fte").scale == 2


def test_allowed_values_are_read_from_the_checks():
    assert contract.get("missing_reports").column("risk_grade").allowed == (
        "high",
        "medium",
        "low",
        "no_apparent_risk",
    )
    assert contract.get("conferences").column("kind").allowed == ("ICPC", "MARAC")
    assert contract.get("forensic_cases").column("outsource_reason").allowed == (
        "specialist",
        "capacity",
        "other",
    )


def test_a_column_with_a_default_is_not_required_and_says_what_empty_means():
    outsourced = contract.get("forensic_cases").column("outsourced")
    assert outsourced.required is False and outsourced.default == "false"
    assert "| `outsourced` | true or false | no (empty = false) |" in contract.markdown()


def test_a_check_without_plain_words_stops_the_contract_being_built(monkeypatch):
    con = duckdb.connect(":memory:")
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
    texts = dict(contract.RULE_TEXTS)
    del texts[("missing_reports", "((found_at IS NULL) OR (found_at >= reported_at))")]
    monkeypatch.setattr(contract, "RULE_TEXTS", texts)
    with pytest.raises(contract.ContractError, match="has no plain-English message"):
        contract._table_contract(con, "missing_reports")


def test_a_column_without_a_meaning_stops_the_contract_being_built(monkeypatch):
    con = duckdb.connect(":memory:")
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
    meanings = {t: dict(cols) for t, cols in contract.MEANINGS.items()}
    del meanings["conferences"]["kind"]
    monkeypatch.setattr(contract, "MEANINGS", meanings)
    with pytest.raises(contract.ContractError, match="conferences.kind has no meaning"):
        contract._table_contract(con, "conferences")


def test_every_rule_text_matches_a_check_in_the_schema():
    # A stale entry would be words for a rule the database no longer has.
    con = duckdb.connect(":memory:")
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
    checks = set(
        con.execute(
            "select table_name, expression from duckdb_constraints() where constraint_type = "
            "'CHECK'"
        ).fetchall()
    )
    assert set(contract.RULE_TEXTS) <= checks


def test_the_template_is_the_header_in_schema_order():
    assert contract.template_csv("conferences") == (
        "conference_ref,district,kind,held_on,police_attended,info_shared\n"
    )


def test_an_unknown_table_lists_the_tables_that_can_be_imported():
    with pytest.raises(contract.UnknownTableError) as caught:
        contract.get("missing")
    assert str(caught.value).startswith(
        "There is no table called 'missing' to import. The tables are: districts, population,"
    )


def test_the_contract_lists_each_tables_queries():
    text = contract.markdown()
    for query in quality.RULES:
        assert f"- {query.title}" in text

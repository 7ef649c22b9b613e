"""The overview page renders the scorecard from the database (Streamlit AppTest)."""

from __future__ import annotations

import datetime as dt

import pytest

from apptests import dashboard
from apptests import html as _html


@pytest.fixture
def app(monkeypatch, demo_db_path):
    monkeypatch.setenv("SAFEGUARDING_DB", demo_db_path)
    return dashboard(timeout=60)


def test_overview_shows_the_august_2014_scorecard_with_status_words(app):
    app.query_params["month"] = "2014-08"
    app.run()
    assert not app.exception
    assert app.title[0].value == "Safeguarding scorecard"
    html = _html(app)
    assert "Sex offenders per offender manager" in html
    assert "100.0" in html and "58.5" in html
    assert "Not met" in html and "✗" in html
    assert any("Data as at 31 December 2025" in c.value for c in app.caption)


def test_a_bad_month_in_the_link_gets_a_clear_message_not_a_traceback(app):
    app.query_params["month"] = "2014-13"
    app.run()
    assert not app.exception
    assert "not valid" in app.warning[0].value
    assert app.query_params["month"] == ["2025-12"] or app.query_params["month"] == "2025-12"


def test_a_month_without_data_falls_back_to_the_latest_and_says_so(app):
    app.query_params["month"] = "2031-01"
    app.run()
    assert not app.exception
    assert "No figures for January 2031" in app.warning[0].value


def test_first_start_builds_the_demo_database(monkeypatch, tmp_path):
    path = tmp_path / "new.duckdb"
    monkeypatch.setenv("SAFEGUARDING_DB", str(path))
    import safeguarding.demo as demo

    original = demo.build
    monkeypatch.setattr(
        demo,
        "build",
        lambda con, **kw: original(con, last_month=dt.date(2015, 2, 1)),
    )
    at = dashboard(timeout=120)
    at.run()
    assert not at.exception
    assert path.exists()
    assert any("demo database" in i.value for i in at.info)

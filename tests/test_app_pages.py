"""Every page renders, for the filter combinations a meeting uses and the edge cases (AppTest)."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from safeguarding import registry

from apptests import dashboard, open_link
from apptests import html as page_html

THEME_PAGES = [f"pages/{theme_id.replace('_', '-')}.py" for theme_id in registry.themes()]
PAGES = ["pages/overview.py", *THEME_PAGES, "pages/metric.py", "pages/district.py"]
PAGES += ["pages/about.py"]


@pytest.fixture
def app(monkeypatch, demo_db_path):
    monkeypatch.setenv("SAFEGUARDING_DB", demo_db_path)
    return dashboard(timeout=60)


def _param(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _charts(at: AppTest):
    return at.get("plotly_chart")


def _assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("Data as at 31 December 2025" in c.value for c in at.caption)
    for chart in _charts(at):
        assert chart.proto.alt.strip(), "every chart has alt text"


COMBINATIONS = [
    {},
    {"month": "2014-08"},
    {"month": "2024-08", "districts": "Leeds"},
    {"month": "2025-12", "districts": "Calderdale,Kirklees"},
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("params", COMBINATIONS, ids=["default", "aug2014", "leeds", "two"])
def test_every_page_renders_without_error_for_several_filters(app, page, params):
    open_link(app, page, **params)
    _assert_clean(app)
    assert not app.warning, [w.value for w in app.warning]


@pytest.mark.parametrize("page", PAGES)
def test_a_month_with_no_data_falls_back_to_the_latest_and_says_so(app, page):
    open_link(app, page, month="2031-01")
    assert not app.exception
    if page != "pages/about.py":
        assert any("No figures for January 2031" in w.value for w in app.warning)
        assert _param(app, "month") == "2025-12"


@pytest.mark.parametrize("page", PAGES)
def test_a_quarter_with_no_data_falls_back_to_the_latest_and_says_so(app, page):
    # On pages that show a month, such a quarter was dropped without a word.
    open_link(app, page, quarter="2031Q1")
    assert not app.exception
    if page != "pages/about.py":
        assert any("No " in w.value and "Q1 2031" in w.value for w in app.warning), [
            w.value for w in app.warning
        ]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"month": "2014-13"}, "not valid"),
        ({"month": "<script>"}, "not valid"),
        ({"districts": "Leeds,Atlantis"}, "Not a district: Atlantis"),
        ({"metric": "drop table"}, "is not one of the metrics"),
        ({"district": "Nowhere"}, "Not a district: 'Nowhere'"),
        ({"quarter": "2024Q9"}, "not valid"),
    ],
)
def test_a_bad_value_in_the_link_gets_a_clear_message_not_a_traceback(app, params, message):
    page = "pages/district.py" if "district" in params else "pages/metric.py"
    if "quarter" in params or "districts" in params and "metric" not in params:
        page = "pages/overview.py"
    open_link(app, page, **params)
    assert not app.exception
    assert any(message in w.value for w in app.warning), [w.value for w in app.warning]


def test_the_overview_is_the_default_page_with_every_metric_and_district(app):
    app.run()
    _assert_clean(app)
    html = page_html(app)
    for metric in registry.metrics().values():
        assert metric.title in html
    for unit in ("Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield", "West Yorkshire"):
        assert f'scope="col">{unit}<' in html


def test_each_scorecard_cell_links_to_its_metric_detail(app):
    open_link(app, "pages/overview.py", month="2014-08")
    html = page_html(app)
    assert (
        'href="metric?metric=rso_caseload_per_officer&amp;district=Kirklees&amp;month=2014-08"'
        in html
    )
    links = re.findall(r'href="metric\?([^"]+)"', html)
    district_metrics = [m for m in registry.metrics().values() if m.scope == "district"]
    assert len(links) >= len(district_metrics) * 6  # five districts and the force


def test_the_scorecard_says_what_changed_since_last_quarter_in_words(app):
    open_link(app, "pages/overview.py", month="2014-08")
    html = page_html(app)
    assert "improved from" in html or "worsened from" in html
    assert "↑" in html or "↓" in html
    # Status by symbol and word, never colour alone.
    assert "✗</span> Not met" in html and "✓</span> Met" in html


def test_a_quarter_pools_a_percentage_over_its_months_and_says_so(app, demo_db):
    open_link(app, "pages/overview.py", quarter="2024Q3")
    _assert_clean(app)
    assert app.header[0].value.startswith("Q3 2024")
    assert _param(app, "quarter") == "2024Q3" and _param(app, "month") is None
    assert any("total numerator over total denominator" in c.value for c in app.caption)
    pooled, mean = demo_db.execute(
        """
        select 100 * sum(numerator) / sum(denominator), avg(value) from metric_values
        where metric_id = 'misper_return_interview_72h' and district = 'Kirklees'
          and month between date '2024-07-01' and date '2024-09-01'
        """
    ).fetchone()
    assert f"{pooled:.1f}" != f"{mean:.1f}"  # the demo's months differ in size
    assert f">{pooled:.1f}%" in page_html(app)


def test_one_district_shows_that_district_and_the_force_only(app):
    open_link(app, "pages/overview.py", districts="Leeds")
    html = page_html(app)
    assert 'scope="col">Leeds<' in html and 'scope="col">West Yorkshire<' in html
    assert 'scope="col">Bradford<' not in html
    assert _param(app, "districts") == "Leeds"


def test_changing_the_month_in_the_sidebar_updates_the_link(app):
    open_link(app, "pages/overview.py", month="2014-08")
    app.sidebar.selectbox(key="f_month").select_index(0).run()
    assert _param(app, "month") == "2025-12"
    assert app.header[0].value == "December 2025"


def test_a_link_drops_parameters_the_page_does_not_use(app):
    open_link(app, "pages/overview.py", month="2014-08", metric="rso_caseload_per_officer")
    assert _param(app, "metric") is None


@pytest.mark.parametrize("page", THEME_PAGES)
def test_each_theme_page_draws_the_trend_and_the_comparison(app, page):
    open_link(app, page, month="2024-08")
    _assert_clean(app)
    assert len(_charts(app)) == 2
    assert any("Download these figures" in b.label for b in app.get("download_button"))


@pytest.mark.parametrize("theme_id", list(registry.themes()))
def test_each_theme_page_shows_every_measure_at_a_glance_with_links(app, theme_id):
    open_link(app, f"pages/{theme_id.replace('_', '-')}.py", month="2024-08")
    _assert_clean(app)
    html = page_html(app)
    for metric in registry.by_theme(theme_id):
        assert f'<span class="sg-metric">{metric.title}</span>' in html
        assert f"metric?metric={metric.id}&amp;district=" in html
    others = [m for m in registry.metrics().values() if m.theme != theme_id]
    assert all(f'<span class="sg-metric">{m.title}</span>' not in html for m in others)


def test_a_metric_with_no_target_says_so(app):
    open_link(app, "pages/missing-children.py", metric="misper_repeat_children", month="2024-08")
    _assert_clean(app)
    assert any("Target: none set" in c.value for c in app.caption)


def test_the_metric_page_shows_the_records_behind_the_chosen_figure(app):
    open_link(
        app,
        "pages/metric.py",
        metric="misper_high_risk_attended_60m",
        district="Leeds",
        month="2024-08",
    )
    _assert_clean(app)
    assert app.title[0].value == "High-risk missing children attended within 60 minutes"
    records = next(d.value for d in app.dataframe if "Report reference" in d.value.columns)
    assert "report_ref" not in records.columns
    assert set(records["District"]) == {"Leeds"}
    assert any("pseudonymised" in m.value for m in app.markdown)
    assert len(_charts(app)) == 3


def test_a_figure_with_nothing_to_count_gets_a_sentence_not_an_empty_table(app):
    open_link(
        app, "pages/metric.py", metric="pace_transfer_pct", district="Calderdale", month="2025-12"
    )
    _assert_clean(app)
    assert any("nothing happened in the month" in i.value for i in app.info)


def test_the_district_page_offers_every_record_for_reconciliation(app):
    open_link(app, "pages/district.py", district="Kirklees", month="2014-08")
    _assert_clean(app)
    assert app.title[0].value == "Kirklees"
    html = page_html(app)
    assert "Sex offenders per offender manager" in html and "100.0" in html
    labels = [b.label for b in app.get("download_button")]
    assert "Download these records (CSV)" in labels
    assert any(label.startswith("Download all records for Kirklees") for label in labels)
    assert any("for reconciliation only" in m.value for m in app.markdown)


def test_the_force_only_metric_is_offered_for_the_force_row_only(app):
    open_link(app, "pages/district.py", district="Leeds", metric="recommendations_on_time_pct")
    assert not app.exception
    assert any("is not one of the metrics" in w.value for w in app.warning)


def test_about_the_data_defines_every_metric_and_lists_the_target_history(app):
    open_link(app, "pages/about.py")
    _assert_clean(app)
    defined = set()
    for table in app.table:
        defined |= set(table.value.index)
    assert set(m.title for m in registry.metrics().values()) <= defined
    history = app.dataframe[0].value
    assert "Raised to 90% from April 2018" in set(history["Note"])
    # Dates as people write them, and a target still in force says so rather than "None".
    raised = history[history["Note"] == "Raised to 90% from April 2018"].iloc[0]
    assert (raised["From"], raised["To"]) == ("1 January 2014", "31 March 2018")
    assert set(history["To"]) >= {"open-ended"}
    assert not history[["From", "To"]].isin(["", "None", "NaT"]).any().any()
    assert any("complete to" in m.value for m in app.markdown)


def test_filters_follow_the_user_from_page_to_page(app):
    open_link(app, "pages/overview.py", month="2019-05", districts="Leeds")
    app.switch_page("pages/missing-children.py")
    for key in list(app.query_params):
        del app.query_params[key]
    app.run()
    assert _param(app, "month") == "2019-05"
    assert _param(app, "districts") == "Leeds"

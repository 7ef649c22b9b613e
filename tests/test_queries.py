"""Every metric's records query runs, and the standard frame derived from it is well formed.

Parametrised over the files in queries/ (a new file is tested without touching this module) and
over the registry. The database is the tiny hand-made dataset in tests/golden/tiny.sql: two
forces, three districts, records from late 2023 to spring 2024.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from safeguarding import metrics, registry, store
from safeguarding.paths import QUERIES_DIR

GOLDEN_SQL = Path(__file__).parent / "golden" / "tiny.sql"
QUERY_FILES = sorted(QUERIES_DIR.glob("*.sql"))
METRIC_IDS = list(registry.metrics())
PERCENTAGES = [m.id for m in registry.metrics().values() if m.unit == "%"]

# December 2023 to April 2024: a month before and after the golden months, so empty months are
# exercised too.
FROM_MONTH = dt.date(2023, 12, 1)
TO_MONTH = dt.date(2024, 4, 1)
MONTHS = [dt.date(2023, 12, 1)] + [dt.date(2024, m, 1) for m in range(1, 5)]


@pytest.fixture(scope="module")
def tiny_db():
    con = duckdb.connect()
    store.create_schema(con)
    con.execute(GOLDEN_SQL.read_text(encoding="utf-8"))
    yield con
    con.close()


@pytest.fixture(scope="module")
def units(tiny_db):
    """District and force names of the dataset: {name: force}."""
    rows = tiny_db.execute("select district, force from districts").fetchall()
    return {"districts": dict(rows), "forces": sorted({force for _, force in rows})}


def run_frame(con: duckdb.DuckDBPyConnection, metric_id: str) -> pd.DataFrame:
    return metrics.compute_frame(con, metric_id, FROM_MONTH, TO_MONTH)


def run_records(con: duckdb.DuckDBPyConnection, metric_id: str) -> pd.DataFrame:
    params = {"from_month": FROM_MONTH, "to_month": TO_MONTH}
    return con.execute(metrics.records_sql(metric_id), params).df()


def as_date(value) -> dt.date:
    return pd.Timestamp(value).date()


# The registry and the files ----------------------------------------------------------------


def test_every_registry_metric_has_its_query_file():
    for metric in registry.metrics().values():
        assert metric.sql_file.is_file(), f"missing {metric.sql_file}"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_query_file_has_a_registry_entry(path):
    assert path.stem in registry.metrics(), f"{path} has no entry in queries/metrics.toml"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_query_file_starts_with_a_header_naming_its_metric(path):
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("-- ") and first_line.endswith(path.stem)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_query_file_ends_by_selecting_from_final(path):
    # The skeleton of docs/adding-a-metric.md; metrics.frame_sql relies on it to drop the sort,
    # which the roll-up does not need.
    last = path.read_text(encoding="utf-8").rstrip().splitlines()[-1]
    assert re.fullmatch(r"select \* from final( order by [^;]+)?", last), last
    metric_id = path.stem
    assert " order by " not in metrics.frame_sql(metric_id).split("\nmonths as (")[0][-300:]


def test_no_query_file_rolls_up_districts_itself():
    # The spine and the force roll-up live in metrics.frame_sql alone; a file with its own
    # grouping sets would be a second definition of the force row.
    for path in QUERY_FILES:
        assert "grouping sets" not in path.read_text(encoding="utf-8").lower(), path


# The records query: the definition -----------------------------------------------------------


@pytest.mark.parametrize("metric_id", METRIC_IDS)
def test_the_records_carry_district_month_and_what_the_kind_needs(tiny_db, metric_id):
    metric = registry.get(metric_id)
    rows = run_records(tiny_db, metric_id)
    first = rows.columns[0]
    assert first.endswith("_ref") or first == "district", first
    assert {"district", "month"} <= set(rows.columns)
    for column in metrics.KIND_ROLL_UP[metric.kind]["columns"]:
        assert column in rows.columns, f"{metric_id} ({metric.kind}) needs a {column} column"
        assert pd.api.types.is_numeric_dtype(rows[column]), column
    assert rows["district"].notna().all()
    months = [as_date(month) for month in rows["month"]]
    assert all(FROM_MONTH <= month <= TO_MONTH and month.day == 1 for month in months)
    assert not any("name" in column for column in rows.columns if column != "district")


def test_the_tiny_dataset_gives_every_metric_some_records(tiny_db):
    # Otherwise the checks on the records above would pass on an empty frame.
    empty = [m for m in METRIC_IDS if run_records(tiny_db, m).empty]
    assert empty == []


# The frame derived from it -------------------------------------------------------------------


@pytest.mark.parametrize("metric_id", METRIC_IDS)
def test_the_frame_has_exactly_the_standard_columns_and_types(tiny_db, metric_id):
    frame = run_frame(tiny_db, metric_id)
    assert list(frame.columns) == metrics.FRAME_COLUMNS
    for column in ("numerator", "denominator", "value"):
        assert frame[column].dtype == "float64", column
    assert frame["district"].notna().all()
    assert frame["month"].notna().all()


@pytest.mark.parametrize("metric_id", METRIC_IDS)
def test_the_frame_has_one_row_per_district_and_force_per_month(tiny_db, units, metric_id):
    frame = run_frame(tiny_db, metric_id)
    keys = list(zip(frame["district"], map(as_date, frame["month"]), strict=True))
    assert len(keys) == len(set(keys)), "duplicate (district, month)"
    names = list(units["forces"])
    if registry.get(metric_id).scope == "district":
        names += list(units["districts"])
    assert sorted(keys) == sorted((name, month) for name in names for month in MONTHS)


@pytest.mark.parametrize("metric_id", METRIC_IDS)
def test_the_frame_months_are_first_of_month_and_ordered(tiny_db, metric_id):
    frame = run_frame(tiny_db, metric_id)
    assert all(as_date(month).day == 1 for month in frame["month"])
    ordered = frame.sort_values(["district", "month"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, ordered)


@pytest.mark.parametrize("metric_id", METRIC_IDS)
def test_a_single_month_range_gives_one_month(tiny_db, metric_id):
    frame = metrics.compute_frame(tiny_db, metric_id, dt.date(2024, 2, 1), dt.date(2024, 2, 1))
    assert {as_date(month) for month in frame["month"]} == {dt.date(2024, 2, 1)}


@pytest.mark.parametrize("metric_id", METRIC_IDS)
def test_a_single_month_gives_the_figures_of_the_longer_run(tiny_db, metric_id):
    # A records query that looks back (visits, 90-day windows) must not lose what lies before
    # $from_month: the month's figure cannot depend on where the range starts.
    month = dt.date(2024, 2, 1)
    alone = metrics.compute_frame(tiny_db, metric_id, month, month)
    longer = run_frame(tiny_db, metric_id)
    longer = longer[longer["month"] == pd.Timestamp(month)].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, longer)


@pytest.mark.parametrize("metric_id", METRIC_IDS)
def test_a_zero_denominator_never_gives_a_value(tiny_db, metric_id):
    frame = run_frame(tiny_db, metric_id)
    zero = frame[frame["denominator"] == 0]
    assert zero["value"].isna().all()


@pytest.mark.parametrize("metric_id", PERCENTAGES)
def test_a_percentage_is_between_0_and_100(tiny_db, metric_id):
    values = run_frame(tiny_db, metric_id)["value"].dropna()
    assert len(values) > 0
    assert ((values >= 0) & (values <= 100)).all()


# The records behind one figure --------------------------------------------------------------


@pytest.mark.parametrize("metric_id", METRIC_IDS)
def test_the_records_behind_a_figure_have_a_boolean_in_numerator(tiny_db, units, metric_id):
    for name in [*units["districts"], *units["forces"]]:
        for month in MONTHS:
            rows = metrics.records(tiny_db, metric_id, name, month)
            assert "in_numerator" in rows.columns
            assert rows["in_numerator"].notna().all()
            assert set(rows["in_numerator"]) <= {True, False}


@pytest.mark.parametrize("metric_id", METRIC_IDS)
def test_the_records_of_a_district_or_force_stay_inside_it(tiny_db, units, metric_id):
    for name, force in units["districts"].items():
        in_force = {d for d, f in units["districts"].items() if f == force}
        for month in MONTHS:
            for asked, allowed in ((name, {name, force}), (force, in_force | {force})):
                rows = metrics.records(tiny_db, metric_id, asked, month)
                assert set(rows["district"]) <= allowed
                assert {as_date(m) for m in rows["month"]} <= {month}


@pytest.mark.parametrize("metric_id", METRIC_IDS)
def test_the_records_add_up_to_every_figure_of_the_frame(tiny_db, metric_id):
    # Checked from the records' own columns, not through frame_sql, so a roll-up rule that went
    # wrong (a zero that should be null, a force median taken over district medians) shows here.
    kind = registry.get(metric_id).kind
    frame = run_frame(tiny_db, metric_id)
    for row in frame.itertuples():
        month = as_date(row.month)
        rows = metrics.records(tiny_db, metric_id, row.district, month)
        where = f"{metric_id} {row.district} {month}"
        if kind in ("proportion", "ratio"):
            assert rows["numerator"].sum() == pytest.approx(row.numerator), where
            assert rows["denominator"].sum() == pytest.approx(row.denominator), where
            assert int(rows["in_numerator"].sum()) == (rows["numerator"] > 0).sum(), where
        elif kind == "count":
            assert len(rows) == row.numerator == row.value, where
            assert row.denominator == 1, where
            assert rows["in_numerator"].all(), where
        elif kind == "median":
            assert len(rows) == row.denominator, where
            assert rows["value"].sum() == row.numerator, where
            if len(rows):
                assert rows["value"].median() == pytest.approx(row.value), where
            else:
                assert math.isnan(row.value), where
        elif kind == "level":
            if rows["in_numerator"].all():
                assert rows["numerator"].sum() == pytest.approx(row.numerator), where
                assert rows["denominator"].sum() == pytest.approx(row.denominator), where
                assert row.value == row.numerator, where
            else:
                assert math.isnan(row.numerator) and math.isnan(row.value), where
        else:
            pytest.fail(f"{metric_id}: no check for kind {kind}")


def test_a_level_shows_the_district_whose_return_is_missing(tiny_db, units):
    # The force figure of a level is blank when a district has not reported; the records say who.
    levels = [m.id for m in registry.metrics().values() if m.kind == "level"]
    assert levels
    for metric_id in levels:
        frame = run_frame(tiny_db, metric_id)
        blank = frame[frame["numerator"].isna()]
        assert not blank.empty, f"the tiny dataset has no missing return for {metric_id}"
        for row in blank.itertuples():
            rows = metrics.records(tiny_db, metric_id, row.district, as_date(row.month))
            assert not rows["in_numerator"].all()
            assert rows.loc[~rows["in_numerator"], "numerator"].isna().all()

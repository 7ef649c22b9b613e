"""Every metric SQL file runs and returns the standard metric frame; its records add up to it.

Parametrised over the files in queries/ (a new file is tested without touching this module) and
over the registry. The database is the tiny hand-made dataset in tests/golden/tiny.sql: two
forces, three districts, records from late 2023 to spring 2024.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from safeguarding import metrics, registry, store
from safeguarding.paths import QUERIES_DIR

GOLDEN_SQL = Path(__file__).parent / "golden" / "tiny.sql"
FRAME_FILES = sorted(QUERIES_DIR.glob("*.sql"))
RECORDS_FILES = sorted((QUERIES_DIR / "records").glob("*.sql"))
ALL_FILES = FRAME_FILES + RECORDS_FILES
PERCENTAGE_FILES = [
    path
    for path in FRAME_FILES
    if path.stem in registry.metrics() and registry.get(path.stem).unit == "%"
]
METRIC_IDS = list(registry.metrics())

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


def file_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def run_frame(con: duckdb.DuckDBPyConnection, path: Path) -> pd.DataFrame:
    params = {"from_month": FROM_MONTH, "to_month": TO_MONTH}
    return con.execute(path.read_text(encoding="utf-8"), params).df()


def scope_of(path: Path) -> str:
    metric = registry.metrics().get(path.stem)
    return metric.scope if metric else "district"


def as_date(value) -> dt.date:
    return pd.Timestamp(value).date()


# The registry and the files ----------------------------------------------------------------


def test_every_registry_metric_has_a_frame_query_and_a_records_query():
    for metric in registry.metrics().values():
        assert metric.sql_file.is_file(), f"missing {metric.sql_file}"
        assert metric.records_sql_file.is_file(), f"missing {metric.records_sql_file}"


@pytest.mark.parametrize("path", ALL_FILES, ids=file_id)
def test_every_query_file_has_a_registry_entry(path):
    assert path.stem in registry.metrics(), f"{path} has no entry in queries/metrics.toml"


@pytest.mark.parametrize("path", ALL_FILES, ids=file_id)
def test_every_query_file_starts_with_a_header_naming_its_metric(path):
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("-- ") and first_line.endswith(path.stem)


@pytest.mark.parametrize("path", ALL_FILES, ids=file_id)
def test_every_query_can_be_wrapped_as_a_subquery(path):
    # metrics.refresh runs "insert ... select ... from (<file>)": a trailing semicolon or a
    # trailing line comment would swallow the closing parenthesis.
    text = path.read_text(encoding="utf-8").rstrip()
    assert not text.endswith(";")
    assert not text.splitlines()[-1].lstrip().startswith("--")


# The frame ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FRAME_FILES, ids=lambda p: p.stem)
def test_the_frame_has_exactly_the_standard_columns_and_types(tiny_db, path):
    frame = run_frame(tiny_db, path)
    assert list(frame.columns) == metrics.FRAME_COLUMNS
    for column in ("numerator", "denominator", "value"):
        assert frame[column].dtype == "float64", column
    assert frame["district"].notna().all()
    assert frame["month"].notna().all()


@pytest.mark.parametrize("path", FRAME_FILES, ids=lambda p: p.stem)
def test_the_frame_has_one_row_per_district_and_force_per_month(tiny_db, units, path):
    frame = run_frame(tiny_db, path)
    keys = list(zip(frame["district"], map(as_date, frame["month"]), strict=True))
    assert len(keys) == len(set(keys)), "duplicate (district, month)"
    names = list(units["forces"])
    if scope_of(path) == "district":
        names += list(units["districts"])
    assert sorted(keys) == sorted((name, month) for name in names for month in MONTHS)


@pytest.mark.parametrize("path", FRAME_FILES, ids=lambda p: p.stem)
def test_the_frame_months_are_first_of_month_and_ordered(tiny_db, path):
    frame = run_frame(tiny_db, path)
    assert all(as_date(month).day == 1 for month in frame["month"])
    ordered = frame.sort_values(["district", "month"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, ordered)


@pytest.mark.parametrize("path", FRAME_FILES, ids=lambda p: p.stem)
def test_a_single_month_range_gives_one_month(tiny_db, path):
    params = {"from_month": dt.date(2024, 2, 1), "to_month": dt.date(2024, 2, 1)}
    frame = tiny_db.execute(path.read_text(encoding="utf-8"), params).df()
    assert {as_date(month) for month in frame["month"]} == {dt.date(2024, 2, 1)}


@pytest.mark.parametrize("path", FRAME_FILES, ids=lambda p: p.stem)
def test_a_zero_denominator_never_gives_a_value(tiny_db, path):
    frame = run_frame(tiny_db, path)
    zero = frame[frame["denominator"] == 0]
    assert zero["value"].isna().all()


@pytest.mark.parametrize("path", PERCENTAGE_FILES, ids=lambda p: p.stem)
def test_a_percentage_is_between_0_and_100(tiny_db, path):
    values = run_frame(tiny_db, path)["value"].dropna()
    assert ((values >= 0) & (values <= 100)).all()


# The records -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", RECORDS_FILES, ids=lambda p: p.stem)
def test_the_records_have_a_reference_first_a_district_and_a_boolean_in_numerator(
    tiny_db, units, path
):
    for name in [*units["districts"], *units["forces"]]:
        for month in MONTHS:
            params = {"district": name, "month": month}
            rows = tiny_db.execute(path.read_text(encoding="utf-8"), params).df()
            first = rows.columns[0]
            assert first.endswith("_ref") or first == "district", first
            assert "district" in rows.columns
            assert "in_numerator" in rows.columns
            assert rows["in_numerator"].notna().all()
            assert set(rows["in_numerator"]) <= {True, False}
            assert not any("name" in column for column in rows.columns if column != "district")


@pytest.mark.parametrize("path", RECORDS_FILES, ids=lambda p: p.stem)
def test_the_records_of_a_district_or_force_stay_inside_it(tiny_db, units, path):
    for name, force in units["districts"].items():
        for month in MONTHS:
            for asked, allowed in ((name, {name, force}), (force, None)):
                rows = tiny_db.execute(
                    path.read_text(encoding="utf-8"), {"district": asked, "month": month}
                ).df()
                if allowed is None:
                    allowed = {d for d, f in units["districts"].items() if f == force} | {force}
                assert set(rows["district"]) <= allowed


def record_kind(metric: registry.Metric) -> str:
    """How a metric's records relate to its frame, from its unit. A new unit must be added here."""
    kinds = {
        "%": "proportion",
        "days": "median",
        "offenders per FTE": "ratio_of_records",
        "FTE": "sum_of_fte",
        "children": "count",
        "cases": "count",
        "investigations": "count",
    }
    assert metric.unit in kinds, f"{metric.id}: say how unit '{metric.unit}' relates to records"
    return kinds[metric.unit]


@pytest.mark.parametrize("metric_id", METRIC_IDS)
def test_the_records_add_up_to_every_figure_of_the_frame(tiny_db, metric_id):
    metric = registry.get(metric_id)
    kind = record_kind(metric)
    frame = metrics.compute_frame(tiny_db, metric_id, FROM_MONTH, TO_MONTH)
    for row in frame.itertuples():
        month = as_date(row.month)
        rows = metrics.records(tiny_db, metric_id, row.district, month)
        where = f"{metric_id} {row.district} {month}"
        counted = int(rows["in_numerator"].sum())
        if kind == "proportion":
            assert len(rows) == row.denominator, where
            assert counted == row.numerator, where
        elif kind == "median":
            assert len(rows) == row.denominator, where
            assert rows["days"].sum() == row.numerator, where
            if len(rows):
                assert rows["days"].median() == pytest.approx(row.value), where
            else:
                assert math.isnan(row.value), where
        elif kind in ("count", "ratio_of_records"):
            assert len(rows) == row.numerator, where
            assert rows["in_numerator"].all(), where
        elif kind == "sum_of_fte":
            if math.isnan(row.numerator):
                assert not rows["in_numerator"].all(), where
            else:
                assert rows["in_numerator"].all(), where
                assert rows["fte_in_post"].sum() == pytest.approx(row.numerator), where
                assert rows["fte_funded"].sum() == pytest.approx(row.denominator), where

"""Files made for people hold no live spreadsheet formula; the export for re-import stays exact.

One test per download button the dashboard draws (the records CSV, the all-records ZIP, the
figures CSV, the import template; the board pack is PDF and PowerPoint, which hold no cells a
spreadsheet evaluates), each on a database whose references are formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import hostile
import pandas as pd
import pytest

from safeguarding import access, contract, downloads, imports, registry, store, targets
from safeguarding.paths import ROOT
from safeguarding.ui import auth_ui, records, views

MONTH = dt.date.fromisoformat(f"{hostile.FORMULA_MONTH}-01")


@pytest.fixture(scope="module")
def hostile_db(demo_db_path, tmp_path_factory) -> str:
    return hostile.build(demo_db_path, tmp_path_factory.mktemp("downloads") / "hostile.duckdb")


def cells(data: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    return [cell for row in rows for cell in row]


def assert_no_formula(data: bytes) -> list[str]:
    found = cells(data)
    live = [c for c in found if c.startswith(hostile.FORMULA_STARTS) and not _number(c)]
    assert live == [], live
    return found


def _number(text: str) -> bool:
    return re.fullmatch(r"[+-]?\d+(\.\d*)?([eE][+-]?\d+)?", text) is not None


# --- the rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize("formula", hostile.FORMULAS)
def test_a_text_cell_that_starts_a_formula_gets_a_quote(formula):
    assert downloads.neutralise_cell(formula) == "'" + formula


@pytest.mark.parametrize("value", [-3, -2.5, 0, 12, "-3", "+4.5", "Leeds", "", None, "a=b"])
def test_numbers_plain_numbers_as_text_and_ordinary_text_are_left_alone(value):
    assert downloads.neutralise_cell(value) == value


def test_negative_numbers_stay_numbers_and_headings_are_checked_too():
    frame = pd.DataFrame({"=Area": ["=cmd()", "Leeds"], "Change": [-1.5, 2.0]})
    out = downloads.neutralise(frame)
    assert list(out.columns) == ["'=Area", "Change"]
    assert out["'=Area"].tolist() == ["'=cmd()", "Leeds"]
    assert out["Change"].tolist() == [-1.5, 2.0]
    assert downloads.csv_bytes(frame).decode().splitlines() == [
        "'=Area,Change",
        "'=cmd(),-1.5",
        "Leeds,2.0",
    ]


# --- one test per download button -----------------------------------------------------------

DOWNLOAD_BUTTONS = {
    "safeguarding/ui/auth_ui.py": 1,  # the records behind one figure (CSV)
    "safeguarding/ui/records.py": 1,  # every record of a district and month (ZIP of CSVs)
    "safeguarding/ui/views.py": 1,  # the figures (CSV, suppressed)
    "safeguarding/ui/data_ui.py": 1,  # an import template (CSV, header only)
    "safeguarding/ui/review_ui.py": 2,  # the board pack and its rebuilds (PDF, PowerPoint)
}


def test_every_download_button_is_one_these_tests_cover():
    found = {}
    sources = [*ROOT.glob("pages/*.py"), *ROOT.glob("safeguarding/**/*.py"), ROOT / "dashboard.py"]
    for path in sources:
        count = path.read_text(encoding="utf-8").count("st.download_button(")
        if count:
            found[str(path.relative_to(ROOT))] = count
    assert found == DOWNLOAD_BUTTONS


def test_the_records_csv_has_the_formula_references_as_text(hostile_db, tmp_path):
    build = auth_ui.records_csv(
        access.DEMO_SCOPE,
        hostile.FORMULA_METRIC,
        hostile.FORMULA_DISTRICT,
        MONTH,
        to_bytes=records._csv,
        database=hostile_db,
        audit_path=str(tmp_path / "audit.duckdb"),
    )
    found = assert_no_formula(build())
    for formula in hostile.FORMULAS:
        assert "'" + formula in found


def test_the_plain_records_csv_of_the_door_has_them_as_text_too(hostile_db, tmp_path):
    build = auth_ui.records_csv(
        access.DEMO_SCOPE,
        hostile.FORMULA_METRIC,
        hostile.FORMULA_DISTRICT,
        MONTH,
        database=hostile_db,
        audit_path=str(tmp_path / "audit.duckdb"),
    )
    assert "'" + hostile.FORMULAS[0] in assert_no_formula(build())


def test_every_csv_in_the_all_records_zip_has_no_formula(hostile_db, tmp_path):
    fetch = auth_ui.records_fetcher(
        "download",
        scope=access.DEMO_SCOPE,
        database=hostile_db,
        audit_path=str(tmp_path / "audit.duckdb"),
    )
    forces = sorted(set(access.district_forces(store.reader(hostile_db)).values()))
    data = records._all_records_zip(fetch, hostile.FORMULA_DISTRICT, MONTH, forces)()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if n.endswith(".csv")]
        assert len(names) >= 10
        texts = {n: archive.read(n) for n in names}
    for body in texts.values():
        assert_no_formula(body)
    assert "'" + hostile.FORMULAS[0] in cells(texts[f"{hostile.FORMULA_METRIC}.csv"])


def test_the_figures_csv_has_formula_area_names_as_text_and_numbers_as_numbers(hostile_db):
    metric = registry.metrics()["rso_caseload_per_officer"]
    frame = targets.figures(store.reader(hostile_db), metric_id=metric.id)
    frame = frame.assign(district=frame["district"].replace({"Leeds": "=HYPERLINK(1)"}))
    forces = sorted(set(access.district_forces(store.reader(hostile_db)).values()))
    data = views.figures_csv(metric, frame, forces)
    found = assert_no_formula(data)
    assert "'=HYPERLINK(1)" in found
    parsed = pd.read_csv(io.BytesIO(data))
    assert pd.api.types.is_numeric_dtype(parsed[f"Figure ({metric.unit})"])


@pytest.mark.parametrize("table", contract.IMPORT_TABLES)
def test_the_import_templates_have_no_formula(table):
    assert_no_formula(contract.template_csv(table).encode("utf-8"))


def test_records_downloads_are_named_records_so_the_server_serves_them_once():
    assert auth_ui.records_file_name("x_Leeds_2014-08.csv") == "records_x_Leeds_2014-08.csv"
    assert auth_ui.records_file_name("records_a b.zip") == "records_a_b.zip"


# --- the export for re-import stays exact -------------------------------------------------------


def test_the_export_for_re_import_keeps_every_reference_exactly(hostile_db, tmp_path):
    out = tmp_path / "missing_reports.csv"
    imports.export_csv(store.reader(hostile_db), "missing_reports", out)
    exported = pd.read_csv(out, dtype=str, keep_default_na=False)
    refs = set(exported["report_ref"])
    for formula in hostile.FORMULAS:
        assert formula in refs, formula
        assert "'" + formula not in refs


def test_only_ascii_digits_make_a_plain_number_that_is_left_as_it_is():
    # A sign then other scripts' digits is text, and is neutralised like any other.
    assert downloads.neutralise_cell("-12.5") == "-12.5"
    assert downloads.neutralise_cell("-\u0665") == "'-\u0665"

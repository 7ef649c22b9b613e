"""The board pack: its figures and withheld cells in the PDF's text and the PowerPoint's tables,
the snapshot identifier, and rebuilding a pack exactly from the kept figures.

The hand-made dataset (force West Yorkshire; Calderdale, Kirklees), Q3 2024:

* caseload per offender manager (target 50): Kirklees 95, 96, 97.6 a month -> 96.2, not met;
  Calderdale 60 -> 60.0; the force 80 -> 80.0.
* children held overnight (a count, no target): Calderdale 1 a month (3 in the quarter) -> "<5";
  Kirklees 4, 5, 6 -> 15, not small, but the only other district, so withheld as "[c]" (the force
  total less Kirklees would give Calderdale away); the force 5, 6, 7 -> 6 a month, shown.
  Q2 2024: 10 a month everywhere (20 for the force), shown.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import json
import re

import handmade
import numpy as np
import pytest
from pptx import Presentation
from pypdf import PdfReader

from safeguarding import actions, charts, figure_cache, pack, registry, store
from safeguarding.pack import charts as pack_charts

CASELOAD = "rso_caseload_per_officer"
DETAINED = "children_detained_overnight"
FORCE = "West Yorkshire"
TODAY = dt.date(2024, 11, 20)
Q3 = [dt.date(2024, m, 1) for m in (7, 8, 9)]
Q2 = [dt.date(2024, m, 1) for m in (4, 5, 6)]
Q3_2023 = [dt.date(2023, m, 1) for m in (7, 8, 9)]

VALUES = {
    (CASELOAD, "Kirklees"): ([95.0, 96.0, 97.6], [91.0] * 3, [88.0] * 3),
    (CASELOAD, "Calderdale"): ([60.0] * 3, [62.0] * 3, [58.0] * 3),
    (CASELOAD, FORCE): ([80.0] * 3, [80.0] * 3, [80.0] * 3),
    (DETAINED, "Calderdale"): ([1.0] * 3, [10.0] * 3, [10.0] * 3),
    (DETAINED, "Kirklees"): ([4.0, 5.0, 6.0], [10.0] * 3, [10.0] * 3),
    (DETAINED, FORCE): ([5.0, 6.0, 7.0], [20.0] * 3, [20.0] * 3),
}


def build(path) -> None:
    with store.writer(path, fresh=True) as con:
        for district in ("Calderdale", "Kirklees"):
            con.execute("insert into districts values ($d, $f)", {"d": district, "f": FORCE})
        con.execute(
            """
            insert into recommendations values
                ('WY-CPI14-08', 'West Yorkshire', '2014 child protection inspection',
                 date '2014-09-01', 'Review with partners the detention of children in custody.',
                 'Head of Criminal Justice', date '2014-12-01', 'in_progress', null, null,
                 'children_detained_overnight')
            """
        )
        store.set_meta(con, as_at="2024-09-30", source="test")
    handmade.add_targets(path, [(CASELOAD, None, "2014-01-01", None, 50, None)])
    rows = []
    for (metric_id, area), periods in VALUES.items():
        for months, values in zip((Q3, Q2, Q3_2023), periods, strict=True):
            for month, value in zip(months, values, strict=True):
                denominator = 10.0 if metric_id == CASELOAD else 1.0
                rows.append((metric_id, area, month, value * denominator, denominator, value))
    handmade.add_figures(path, rows=rows)
    actions.write(
        path,
        actions.add,
        quarter="2024Q3",
        text="Why is the Kirklees caseload so high?",
        owner="Kirklees district commander",
        metric_id=CASELOAD,
        district="Kirklees",
        due_date=dt.date(2024, 11, 1),
        raised_on=dt.date(2024, 10, 15),
    )


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "pack.duckdb"
    build(path)
    return str(path)


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pptx_tables(data: bytes) -> list[list[list[str]]]:
    deck = Presentation(io.BytesIO(data))
    out = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_table:
                out.append([[cell.text for cell in row.cells] for row in shape.table.rows])
    return out


def slide_texts(data: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(data))
    return [
        "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
        for slide in deck.slides
    ]


def snapshot_of(db: str, today: dt.date = TODAY) -> pack.Snapshot:
    return pack.new_snapshot(pack.build_content(store.reader(db), "2024Q3", today=today))


def test_the_pdf_text_holds_the_quarter_figures_and_the_withheld_cells(db):
    snapshot = snapshot_of(db)
    pages = pdf_text(pack.to_pdf(snapshot, with_charts=False))
    text = "\n".join(pages)
    scorecard = next(p for p in pages if p.startswith("Scorecard, Q3 2024"))
    assert "60.0 ✗ Not met 96.2 ✗ Not met 80.0 ✗ Not met" in scorecard
    # A withheld figure carries no status: "[c] – No target" would be harmless here, but
    # "[c] ✓ Met" elsewhere says how the withheld count stands against its target.
    assert "<5 [c] 6 – No target" in scorecard
    # The theme section's table: Q3, Q2, Q3 2023, change, target, status, SPC.
    assert (
        "Calderdale <5 10 10 not shown (small numbers) none not shown (small numbers) not "
        "shown (small numbers)"
    ) in text.replace("\n", " ")
    assert "Kirklees 96.2 91.0 88.0 worsened from 91.0 50.0 ✗ Not met" in text
    assert (
        "Kirklees: sex offenders per offender manager 96.2 in Q3 2024 against a target of 50.0 "
        "(not met)"
    ) in text.replace("\n", " ")
    assert "Why is the Kirklees caseload so high?" in text
    assert "⚠ Overdue (in progress, due 1 December 2014)" in text.replace("\n", " ")


def test_without_the_dejavu_font_the_pdf_still_builds_with_plain_symbols(db, monkeypatch):
    monkeypatch.setattr(pack.pdf, "FONT_DIRS", ())
    pages = pdf_text(pack.to_pdf(snapshot_of(db), with_charts=False))
    scorecard = next(p for p in pages if p.startswith("Scorecard, Q3 2024"))
    assert "60.0 X Not met 96.2 X Not met 80.0 X Not met" in scorecard
    assert "<5 [c] 6 - No target" in scorecard


def test_every_pdf_page_carries_the_as_at_date_and_the_snapshot_identifier(db):
    snapshot = snapshot_of(db)
    pages = pdf_text(pack.to_pdf(snapshot, with_charts=False))
    assert len(pages) > 5
    for number, page in enumerate(pages, start=1):
        assert f"Data as at 30 September 2024 · Snapshot {snapshot.short_id}" in page
        assert f"Page {number} of {len(pages)}" in page
    assert snapshot.snapshot_id in pages[0]


def test_the_pptx_tables_hold_the_quarter_figures_and_the_withheld_cells(db):
    snapshot = snapshot_of(db)
    tables = pptx_tables(pack.to_pptx(snapshot, with_charts=False))
    scorecard = next(t for t in tables if t[0][0] == "Metric")
    assert scorecard[0] == ["Metric", "Calderdale", "Kirklees", FORCE]
    assert scorecard[1] == [
        "Sex offenders per offender manager (offenders per FTE; target 50.0)",
        "60.0 ✗ Not met",
        "96.2 ✗ Not met",
        "80.0 ✗ Not met",
    ]
    assert scorecard[2][1:] == ["<5", "[c]", "6 – No target"]
    detained = next(t for t in tables if t[0][0] == "Area" and t[1][1] == "<5")
    assert detained[1][:5] == ["Calderdale", "<5", "10", "10", "not shown (small numbers)"]
    assert detained[3][:2] == [FORCE, "6"]
    log = next(t for t in tables if t[0][0] == "No.")
    assert log[1][3] == "Why is the Kirklees caseload so high?"
    assert log[1][6] == "⚠ Overdue (open)"


def test_every_slide_carries_the_as_at_date_and_the_snapshot_identifier(db):
    snapshot = snapshot_of(db)
    texts = slide_texts(pack.to_pptx(snapshot, with_charts=False))
    assert len(texts) > 5
    for text in texts:
        assert f"Data as at 30 September 2024 · Snapshot {snapshot.short_id}" in text


def test_the_same_data_gives_the_same_snapshot_identifier(db):
    first = snapshot_of(db)
    again = snapshot_of(db)
    assert first.snapshot_id == again.snapshot_id
    assert len(first.snapshot_id) == 64 and first.short_id == first.snapshot_id[:12]


def test_a_changed_figure_gives_a_different_snapshot_identifier(db, tmp_path):
    changed = tmp_path / "changed.duckdb"
    store.copy_database(db, changed)
    with store.figures_writer(changed) as con:
        con.execute(
            "update metric_values set value = 97.7 where metric_id = $m and district = "
            "'Kirklees' and month = date '2024-09-01'",
            {"m": CASELOAD},
        )
    assert snapshot_of(db).snapshot_id != snapshot_of(str(changed)).snapshot_id


def test_a_new_action_or_a_later_as_at_date_gives_a_different_snapshot_identifier(db, tmp_path):
    before = snapshot_of(db).snapshot_id
    actions.write(
        db, actions.add, quarter="2024Q3", text="Another question.", owner="Head of Crime"
    )
    after_action = snapshot_of(db).snapshot_id
    with store.writer(db) as con:
        store.set_meta(con, as_at="2024-10-31")
    after_as_at = snapshot_of(db).snapshot_id
    assert len({before, after_action, after_as_at}) == 3


def test_an_action_falling_overdue_changes_the_pack_and_so_its_identifier(db):
    # The action is due 1 November 2024: on 31 October it is not overdue, on 2 November it is.
    assert snapshot_of(db, dt.date(2024, 10, 31)).snapshot_id != snapshot_of(db).snapshot_id


def test_a_kept_pack_is_rebuilt_exactly_after_the_data_has_changed(db):
    first, new = pack.issue(db, "2024Q3", created_by="PCC office", today=TODAY)
    assert new
    pdf_then = pdf_text(pack.to_pdf(first, with_charts=False))
    pptx_then = pptx_tables(pack.to_pptx(first, with_charts=False))

    with store.figures_writer(db) as con:
        con.execute(
            "update metric_values set value = 40, numerator = 40 * denominator "
            "where metric_id = $m and district = 'Kirklees'",
            {"m": CASELOAD},
        )
    actions.write(db, actions.close, 1, response="Posts filled.", closed_on=TODAY)
    current, new = pack.issue(db, "2024Q3", created_by="PCC office", today=TODAY)
    assert new and current.snapshot_id != first.snapshot_id
    assert "40.0 ✓ Met" in "\n".join(pdf_text(pack.to_pdf(current, with_charts=False)))

    rebuilt = pack.load(store.reader(db), first.short_id)
    assert rebuilt.snapshot_id == first.snapshot_id
    assert rebuilt.created_at == first.created_at and rebuilt.created_by == "PCC office"
    assert pdf_text(pack.to_pdf(rebuilt, with_charts=False)) == pdf_then
    assert pptx_tables(pack.to_pptx(rebuilt, with_charts=False)) == pptx_then
    assert pack.snapshot_id(rebuilt.content) == first.snapshot_id


def test_issuing_the_same_figures_again_keeps_the_first_presented_on_date(db):
    first, new = pack.issue(db, "2024Q3", today=TODAY)
    again, new_again = pack.issue(db, "2024Q3", today=TODAY)
    assert new and not new_again
    assert again.snapshot_id == first.snapshot_id and again.created_at == first.created_at
    kept = pack.listing(store.reader(db))
    assert kept["short_id"].tolist() == [first.short_id]


@pytest.mark.parametrize(
    "ref, message",
    [("abc", "at least the first 6"), ("not-hex!", "not a snapshot identifier")],
)
def test_a_malformed_snapshot_reference_is_a_clear_error(db, ref, message):
    with pytest.raises(pack.PackError, match=message):
        pack.load(store.reader(db), ref)


def test_an_unknown_snapshot_is_a_clear_error(db):
    with pytest.raises(pack.PackError, match="No pack with snapshot 'abcdef123456'"):
        pack.load(store.reader(db), "abcdef123456")


def test_a_quarter_without_complete_figures_is_refused(db):
    with pytest.raises(pack.PackError, match="No complete figures for Q4 2024"):
        pack.build_content(store.reader(db), "2024Q4", today=TODAY)


def test_with_several_forces_the_pack_must_name_one(db):
    with store.writer(db) as con:
        con.execute("insert into districts values ('Salford', 'Greater Manchester')")
    with pytest.raises(pack.PackError, match="holds 2 forces"):
        pack.build_content(store.reader(db), "2024Q3", today=TODAY)
    content = pack.build_content(store.reader(db), "2024Q3", force=FORCE, today=TODAY)
    assert content["units"] == ["Calderdale", "Kirklees", FORCE]


def test_chart_points_of_withheld_figures_are_left_out(db):
    content = pack.build_content(store.reader(db), "2024Q3", today=TODAY)
    frame = pack.chart_frame(content, DETAINED)
    calderdale = frame[frame["district"] == "Calderdale"]
    assert calderdale["withheld"].any()
    assert calderdale.loc[calderdale["withheld"], "value"].isna().all()
    caseload = pack.chart_frame(content, CASELOAD)
    assert not caseload["withheld"].any() and caseload["value"].notna().all()


# --- the full pack on the demo data, with charts (drawn once for the module) -----------------


PROGRESS: list[tuple[int, int, str]] = []


@pytest.fixture(scope="module")
def demo_pack(demo_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("pack") / "demo.duckdb"
    store.copy_database(demo_db_path, path)
    # The same demo gives the same snapshot, whose charts an earlier test may have drawn and kept
    # in this process: start from nothing kept, so the progress of drawing them is seen.
    pack_charts._CHART_CACHE.clear()
    figure_cache.clear()
    PROGRESS.clear()
    snapshot, _, pdf = pack.make(
        path,
        "2024Q3",
        "pdf",
        created_by="test",
        today=dt.date(2025, 1, 10),
        progress=lambda done, total, what: PROGRESS.append((done, total, what)),
    )
    return snapshot, pdf, pack.to_pptx(snapshot)


@pytest.mark.slow
def test_the_demo_pack_has_an_spc_chart_for_every_metric_with_alt_text(demo_pack):
    snapshot, pdf, _ = demo_pack
    charted = {m for m, points in snapshot.content["series"].items() if points}
    reader = PdfReader(io.BytesIO(pdf))
    images = sum(len(page.images) for page in reader.pages)
    assert images == len(charted) == len(registry.metrics())


@pytest.mark.slow
def test_pptx_trend_slides_hold_native_charts_whose_series_are_the_snapshot_figures(demo_pack):
    snapshot, _, pptx = demo_pack
    content = snapshot.content
    deck = Presentation(io.BytesIO(pptx))
    pictures = [shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == 13]
    assert pictures == []
    charted = [(slide, shape) for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert len(charted) == len(registry.metrics())
    titles = {m["title"]: m for m in content["metrics"]}
    for slide, shape in charted:
        metric = titles[slide.shapes.title.text]
        points = [p for p in content["series"][metric["id"]]]
        months = sorted({p["month"] for p in points})
        chart = shape.chart
        assert len(list(chart.plots[0].categories)) == len(months)
        for series in chart.plots[0].series:
            if series.name == "Target":
                expected = {p["month"]: p["target"] for p in points}
            else:
                expected = {
                    p["month"]: (None if p["withheld"] else p["value"])
                    for p in points
                    if p["district"] == series.name
                }
            wanted = [expected.get(m) for m in months]
            got = list(series.values)
            assert got == pytest.approx(wanted, abs=1e-9), (metric["id"], series.name)
        alt = shape._element.nvGraphicFramePr.cNvPr.get("descr")
        assert alt.startswith("Line charts") and metric["title"].lower() in alt
        assert alt in slide.notes_slide.notes_text_frame.text


@pytest.mark.slow
def test_the_demo_packs_exceptions_take_at_most_two_pages_and_two_slides(demo_pack):
    snapshot, pdf, pptx = demo_pack
    assert len(snapshot.content["exceptions"]) > pack.sections.LEAD_EXCEPTIONS
    pages = pdf_text(pdf)
    firsts = [page.splitlines()[0] for page in pages]
    start = firsts.index("Exceptions, most serious first")
    following = firsts[start + 1]
    assert following.startswith("The other ")
    assert firsts[start + 2] == "Offender management"
    led = pages[start]
    assert led.count("[Tier ") == pack.sections.LEAD_EXCEPTIONS
    titles = slide_texts(pptx)
    assert sum(t.splitlines()[0].startswith(("Exceptions", "The other ")) for t in titles) == 2
    assert not any("exceptions" in t.splitlines()[0] and ":" in t.splitlines()[0] for t in titles)


def test_withheld_figures_are_never_exceptions_and_carry_no_status_or_signal(db):
    content = pack.build_content(store.reader(db), "2024Q3", today=TODAY)
    withheld = [r for r in content["rows"] if r["withheld"]]
    assert {(r["metric_id"], r["district"]) for r in withheld} == {
        (DETAINED, "Calderdale"),
        (DETAINED, "Kirklees"),
    }
    for row in withheld:
        assert row["status_text"] == row["spc_text"] == row["change_text"]
        assert row["status_text"] == "not shown (small numbers)"
    listed = {(e["metric_id"], e["district"]) for e in content["exceptions"]}
    assert not listed & {(r["metric_id"], r["district"]) for r in withheld}


def test_the_cover_names_the_data_source_without_nested_brackets(db):
    lines = pack.cover_lines(snapshot_of(db))
    assert lines[1] == "Data as at 30 September 2024 · force records"


@pytest.mark.slow
def test_the_demo_pack_has_every_section_in_order(demo_pack):
    snapshot, pdf, _ = demo_pack
    pages = pdf_text(pdf)
    firsts = [page.splitlines()[0] for page in pages]
    order = [
        "Quarterly outcome review: board pack",
        "Scorecard, Q3 2024 (July to September 2024)",
        "Exceptions, most serious first",
        "Offender management",
        "Missing children",
        "Digital forensics",
        "Investigations and conferences",
        "Custody and resourcing",
        "Action log",
        "Inspection recommendations",
        "Notes on data and definitions",
    ]
    positions = [firsts.index(title) for title in order]
    assert positions == sorted(positions)
    assert all(f"Snapshot {snapshot.short_id}" in page for page in pages)
    # The demo's one recommendation still in progress is long overdue.
    assert "⚠ Overdue (in progress, due 1 December 2014)" in "\n".join(pages).replace("\n", " ")


# --- the charts: each figure built once, the page builder's figure, drawn with its alt text ---


def page_builder_chart(content: dict, metric: dict):
    """A pack chart as the pages' builder draws it (``charts.trend_small_multiples``), laid out
    for paper as the pack lays it out: what the pack's own builder must give."""
    labels = content["labels"]
    frame = pack.chart_frame(content, metric["id"])
    if frame.empty or frame["value"].isna().all():
        return None
    hidden = pack.charts.all_withheld(frame, content["units"])
    units = [u for u in content["units"] if u not in hidden]
    frame = frame[frame["district"].isin(units)]
    title = (
        f"{metric['title']} ({metric['unit']}), {labels['chart_from']} to {labels['last_month']}"
    )
    if hidden:
        title += f"<br><sup>{pack.charts.withheld_words(hidden).strip()}</sup>"
    fig = charts.trend_small_multiples(
        frame.drop(columns=["withheld"]),
        title=title,
        measure=pack.charts.measure_of(metric),
        units=units,
        forces=content["forces"],
    )
    fig.update_yaxes(title_text=None)
    fig.update_layout(margin=dict(l=40, r=20, t=100, b=90))
    return fig


MIDNIGHT = re.compile(r"^(\d{4}-\d\d-\d\d)T00:00:00(\.0+)?$")


def plain(value):
    """A figure's JSON with only what plotly.js reads: typed arrays as lists (NaN as None),
    midnight timestamps as dates, empty settings dropped."""
    if isinstance(value, dict):
        if set(value) == {"dtype", "bdata"}:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            return [None if v != v else v for v in array.tolist()]
        out = {k: plain(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ({}, None)}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str) and (match := MIDNIGHT.match(value)):
        return match.group(1)
    return value


def assert_page_builders_figures(content: dict) -> None:
    figure_cache.clear()
    built = pack.chart_figures(content)
    expected = [(m["id"], page_builder_chart(content, m)) for m in content["metrics"]]
    expected = [(m, fig) for m, fig in expected if fig is not None]
    assert [m for m, _, _ in built] == [m for m, _ in expected]
    for (metric_id, fig, _), (_, page_fig) in zip(built, expected, strict=True):
        assert plain(json.loads(json.dumps(fig))) == plain(json.loads(page_fig.to_json())), (
            metric_id
        )


def test_the_pack_charts_are_the_page_builders_figures(db):
    content = pack.build_content(store.reader(db), "2024Q3", today=TODAY)
    assert_page_builders_figures(content)
    # A panel whose points are all withheld is left out and named under the title.
    for point in content["series"][DETAINED]:
        if point["district"] == "Calderdale":
            point["withheld"] = True
    assert_page_builders_figures(content)
    fig = next(f for m, f, _ in pack.chart_figures(content) if m == DETAINED)
    assert "Not drawn: Calderdale" in fig["layout"]["title"]["text"]
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["Kirklees", FORCE]


@pytest.mark.slow
def test_the_demo_packs_charts_are_the_page_builders_figures(demo_pack):
    snapshot, _, _ = demo_pack
    assert_page_builders_figures(snapshot.content)


def test_each_chart_figure_is_built_once_per_snapshot(db):
    content = pack.build_content(store.reader(db), "2024Q3", today=TODAY)
    figure_cache.clear()
    first = pack.chart_figures(content)
    misses = figure_cache.stats()["misses"]
    again = pack.chart_figures(content)
    assert figure_cache.stats()["misses"] == misses
    assert all(a[1] is b[1] for a, b in zip(first, again, strict=True))
    # Another snapshot (a point changed) has figures of its own.
    content["series"][CASELOAD][0]["value"] = 1.0
    before = {m: fig for m, fig, _ in first}
    after = {m: fig for m, fig, _ in pack.chart_figures(content)}
    assert after[CASELOAD] is not before[CASELOAD]
    assert after[CASELOAD]["data"] != before[CASELOAD]["data"]


def figure_alt_texts(pdf: bytes) -> list[str]:
    """The alt text of every figure in the PDF's structure tree, in reading order."""
    found: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif hasattr(node, "keys"):
            if node.get("/S") == "/Figure":
                found.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])

    walk(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"])
    return found


@pytest.mark.slow
def test_the_demo_pdf_has_one_picture_per_chart_with_its_alt_text(demo_pack):
    snapshot, pdf, _ = demo_pack
    drawn = pack.chart_figures(snapshot.content)
    assert len(drawn) == len(registry.metrics())
    assert figure_alt_texts(pdf) == [alt for _, _, alt in drawn]
    per_page = [len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages]
    assert sum(per_page) == len(drawn) and max(per_page) == 1


@pytest.mark.slow
def test_making_the_demo_pack_reports_each_step_and_each_chart(demo_pack):
    snapshot, _, _ = demo_pack
    charted = len(pack.chart_figures(snapshot.content))
    dones = [done for done, _, _ in PROGRESS]
    assert dones == sorted(dones)
    assert PROGRESS[0][2] == "Gathering the figures"
    assert PROGRESS[-1] == (charted + 3, charted + 3, "Done")
    drawn = [what for _, _, what in PROGRESS if what.endswith(" drawn")]
    assert drawn == [f"Chart {n} of {charted} drawn" for n in range(1, charted + 1)]
    assert "Laying out the PDF" in [what for _, _, what in PROGRESS]


# --- one force's pack on a database of several forces ----------------------------------------


def districts_of(db: str) -> dict[str, list[str]]:
    rows = store.reader(db).execute("select district, force from districts").fetchall()
    out: dict[str, list[str]] = {}
    for district, force in rows:
        out.setdefault(force, []).append(district)
    return out


def test_each_forces_pack_holds_that_force_only_and_has_its_own_identifier(three_forces_path):
    areas = districts_of(three_forces_path)
    assert len(areas) == 3
    ids = set()
    for force, districts in areas.items():
        content = pack.build_content(
            store.reader(three_forces_path), "2015Q1", force=force, today=TODAY
        )
        assert content["force"] == force
        assert content["units"] == [*sorted(districts), force]
        shown = {f["district"] for f in content["figures"]}
        shown |= {p["district"] for points in content["series"].values() for p in points}
        shown |= {e["district"] for e in content["exceptions"]}
        assert shown == {*districts, force}
        assert {a["district"] for a in content["actions"]} <= {None, *districts, force}
        # Everything but the metric catalogue, which is the same for every force (the title,
        # the definition, and the inspection finding behind each metric, not shown in the pack).
        text = pack.canonical({k: v for k, v in content.items() if k != "metrics"}).decode()
        for other, other_districts in areas.items():
            if other != force:
                assert not [d for d in other_districts if d in text], (force, other)
        snapshot = pack.new_snapshot(content)
        assert force in pack.cover_lines(snapshot)[0]
        ids.add(snapshot.snapshot_id)
    assert len(ids) == 3


def test_a_pack_on_several_forces_must_name_a_known_one(three_forces_path):
    with pytest.raises(pack.PackError, match="holds 3 forces"):
        pack.build_content(store.reader(three_forces_path), "2015Q1", today=TODAY)
    with pytest.raises(pack.PackError, match="No force called 'Force 09'"):
        pack.build_content(store.reader(three_forces_path), "2015Q1", force="Force 09", today=TODAY)


def test_kept_packs_are_listed_by_force(three_forces_path, tmp_path):
    db = tmp_path / "three.duckdb"
    store.copy_database(three_forces_path, db)
    wy, _ = pack.issue(db, "2015Q1", force="West Yorkshire", today=TODAY)
    f02, _ = pack.issue(db, "2015Q1", force="Force 02", today=TODAY)
    assert wy.snapshot_id != f02.snapshot_id
    con = store.reader(db)
    assert pack.listing(con, "2015Q1", force="Force 02")["short_id"].tolist() == [f02.short_id]
    assert pack.listing(con, force="West Yorkshire")["force"].tolist() == ["West Yorkshire"]
    assert pack.listing(con, "2015Q1", force="Force 03").empty
    assert len(pack.listing(con, "2015Q1")) == 2


@pytest.mark.slow
def test_pictures_prepared_while_drawing_give_the_same_pdf(demo_pack):
    snapshot, pdf, _ = demo_pack
    drawn = pack.render_charts(snapshot)
    assert all(chart.picture is not None for chart in drawn.values())
    pack._CHART_CACHE[snapshot.snapshot_id] = {
        metric_id: dataclasses.replace(chart, picture=None) for metric_id, chart in drawn.items()
    }
    try:
        assert pack.to_pdf(snapshot) == pdf
    finally:
        pack._CHART_CACHE[snapshot.snapshot_id] = drawn

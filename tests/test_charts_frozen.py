"""The page charts draw exactly what they drew before they were made faster (tests/figure_freeze.py
holds the frozen figures and says how to regenerate them when a change is intended)."""

from __future__ import annotations

import copy
import json

import pytest

from figure_freeze import FIGURES_DIR, as_json, figures, plain_values, same_drawing


@pytest.fixture(scope="module")
def built(demo_db_path):
    from safeguarding import store

    con = store.reader(demo_db_path)
    return {name: as_json(build()) for name, build in figures(con)}


def _frozen(name: str) -> dict:
    return json.loads((FIGURES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def test_every_frozen_figure_is_still_built(built):
    assert sorted(built) == sorted(p.stem for p in FIGURES_DIR.glob("*.json"))


def test_every_figure_draws_as_frozen(built):
    differ = [name for name, now in built.items() if not same_drawing(now, _frozen(name))]
    assert differ == []


def test_a_changed_point_name_or_colour_is_seen():
    figure = _frozen("detail_spc_misper_high_risk_attended_60m")
    moved = copy.deepcopy(figure)
    ys = plain_values(moved["data"][0]["y"])
    moved["data"][0]["y"] = [*ys[:3], (ys[3] or 0) + 1, *ys[4:]]
    renamed = copy.deepcopy(figure)
    renamed["data"][-1]["name"] = "Something else"
    recoloured = copy.deepcopy(figure)
    recoloured["data"][0]["line"]["color"] = "#ff0000"
    for changed in (moved, renamed, recoloured):
        assert not same_drawing(changed, figure)


def test_two_traces_of_one_style_draw_as_one_trace_with_a_gap():
    style = {"type": "scatter", "mode": "lines", "name": "Process limits", "line": {"dash": "dot"}}
    apart = {
        "data": [
            {**style, "x": [1, 2], "y": [5, 6], "showlegend": True},
            {**style, "x": [1, 2], "y": [1, 2], "showlegend": False},
        ],
        "layout": {},
    }
    merged = {"data": [{**style, "x": [1, 2, None, 1, 2], "y": [5, 6, None, 1, 2]}], "layout": {}}
    assert same_drawing(apart, merged)
    shifted = copy.deepcopy(merged)
    shifted["data"][0]["y"][4] = 3
    assert not same_drawing(apart, shifted)


def test_a_date_is_the_same_point_however_plotly_wrote_it():
    def line(xs):
        return {"data": [{"type": "scatter", "mode": "lines", "x": xs, "y": [1, 2]}]}

    arrays = line(["2014-01-01T00:00:00.000000", "2014-02-01T00:00:00.000000"])
    stamps = line(["2014-01-01T00:00:00", "2014-02-01T00:00:00"])
    assert same_drawing(arrays, stamps)
    assert not same_drawing(stamps, line(["2014-01-01T00:00:00", "2014-03-01T00:00:00"]))


def test_a_last_digit_of_floating_point_draws_the_same_and_a_visible_change_does_not():
    def line(ys):
        return {"data": [{"type": "scatter", "mode": "lines", "x": [1, 2], "y": ys}]}

    assert same_drawing(line([5.201911807969518, 59.94746740990784]),
                        line([5.201911807969519, 59.94746740990783]))  # fmt: skip
    assert not same_drawing(line([5.2019, 59.9475]), line([5.2020, 59.9475]))
    assert not same_drawing(line([5.2, 59.9]), line([5.2, None]))

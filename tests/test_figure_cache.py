"""The per-process figure cache: built once per data version and inputs, bounded, never stale."""

from __future__ import annotations

import pytest

from safeguarding import figure_cache


@pytest.fixture(autouse=True)
def _fresh():
    figure_cache.clear()
    yield
    figure_cache.clear()


def test_a_value_is_built_once_per_version_and_inputs():
    calls = []

    def build():
        calls.append(1)
        return {"n": len(calls)}

    first = figure_cache.memo("trend", 1, ("m", "Leeds"), build)
    again = figure_cache.memo("trend", 1, ("m", "Leeds"), build)
    assert first is again
    assert calls == [1]
    assert figure_cache.stats() == {"hits": 1, "misses": 1, "entries": 1}


def test_a_new_data_version_or_other_inputs_build_afresh():
    built = []
    figure_cache.memo("trend", 1, ("m", "Leeds"), lambda: built.append("a") or "a")
    figure_cache.memo("trend", 2, ("m", "Leeds"), lambda: built.append("b") or "b")
    figure_cache.memo("trend", 2, ("m", "Kirklees"), lambda: built.append("c") or "c")
    figure_cache.memo("funnel", 2, ("m", "Kirklees"), lambda: built.append("d") or "d")
    assert built == ["a", "b", "c", "d"]


def test_the_cache_is_bounded_and_drops_the_least_recently_used(monkeypatch):
    monkeypatch.setattr(figure_cache, "MAX_ENTRIES", 3)
    for i in range(3):
        figure_cache.memo("f", 1, i, lambda i=i: i)
    figure_cache.memo("f", 1, 0, lambda: "rebuilt")  # 0 is now the most recent
    figure_cache.memo("f", 1, 3, lambda: 3)  # drops 1, the least recent
    assert figure_cache.stats()["entries"] == 3
    assert figure_cache.memo("f", 1, 0, lambda: "rebuilt") == 0
    assert figure_cache.memo("f", 1, 1, lambda: "rebuilt") == "rebuilt"


def test_a_failed_build_stores_nothing():
    def broken():
        raise ValueError("no data")

    with pytest.raises(ValueError):
        figure_cache.memo("f", 1, "x", broken)
    assert figure_cache.stats()["entries"] == 0
    assert figure_cache.memo("f", 1, "x", lambda: "ok") == "ok"

"""Most similar groups as data, and the peer comparisons, on tiny hand-made databases."""

from __future__ import annotations

import datetime as dt

import duckdb
import handmade
import pandas as pd
import pytest
from handmade import TINY_FORCES
from scipy import stats

from safeguarding import peers, registry, store
from safeguarding.paths import ROOT
from safeguarding.quarters import Period

from cli_runner import run

FORCES = TINY_FORCES
MONTH = dt.date(2024, 3, 1)


def problems(text: str, known=FORCES) -> list[str]:
    with pytest.raises(peers.PeerGroupError) as caught:
        peers.parse(text, known, file="msg.csv")
    return [str(p) for p in caught.value.problems]


# --- the file ------------------------------------------------------------------------------------


def test_a_valid_file_gives_its_pairs_and_groups_need_not_be_symmetric():
    frame = peers.parse("force,peer\nForce A,Force B\nForce A,Force C\nForce B,Force C\n", FORCES)
    assert frame.values.tolist() == [
        ["Force A", "Force B"],
        ["Force A", "Force C"],
        ["Force B", "Force C"],
    ]


def test_columns_may_come_in_any_order_and_case_and_blank_lines_are_skipped():
    frame = peers.parse("Peer,FORCE\nForce B,Force A\n\n", FORCES)
    assert frame.values.tolist() == [["Force A", "Force B"]]


def test_an_unknown_force_is_named_with_its_line_and_column():
    found = problems("force,peer\nForce A,Force B\nForce A,Force Z\nForse B,Force A\n")
    assert found == [
        "msg.csv, line 3, column peer: 'Force Z' is not a force in the database (forces come "
        "from the districts table; check the spelling)",
        "msg.csv, line 4, column force: 'Forse B' is not a force in the database (forces come "
        "from the districts table; check the spelling)",
    ]


def test_a_force_in_its_own_group_is_refused():
    assert problems("force,peer\nForce A,Force A\n") == [
        "msg.csv, line 2, column peer: 'Force A' is listed in its own group"
    ]


def test_a_pair_listed_twice_names_the_first_line():
    assert problems("force,peer\nForce A,Force B\nForce C,Force A\nForce A,Force B\n") == [
        "msg.csv, line 4, column peer: 'Force B' is already in the group of 'Force A' (line 2)"
    ]


def test_more_than_seven_peers_is_refused_on_every_line_past_the_seventh():
    known = [f"F{i}" for i in range(10)]
    text = "force,peer\n" + "".join(f"F0,F{i}\n" for i in range(1, 10))
    found = problems(text, known)
    assert [p.split(":")[0] for p in found] == [
        "msg.csv, line 9, column peer",
        "msg.csv, line 10, column peer",
    ]
    assert "'F0' has more than 7 peers" in found[0]
    # seven is allowed
    assert len(peers.parse("force,peer\n" + "".join(f"F0,F{i}\n" for i in range(1, 8)), known)) == 7


def test_a_wrong_header_blank_values_and_short_lines_are_reported_together():
    assert problems("force,neighbour\nForce A,Force B\n") == [
        "msg.csv, line 1: missing column(s) peer; unexpected column(s) neighbour: expected "
        "force,peer"
    ]
    assert problems("force,peer\nForce A,\nForce B\n") == [
        "msg.csv, line 2, column peer: peer must not be blank",
        "msg.csv, line 3: 1 values; the header has 2",
    ]
    assert problems("") == ["msg.csv, line 1: the file is empty; expected force,peer"]


def test_loading_replaces_the_groups_and_a_bad_file_changes_nothing(tiny_forces, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("force,peer\nForce A,Force B\nForce A,Force C\nForce C,Force B\n")
    assert peers.load(good, tiny_forces) == 3
    assert peers.groups(store.reader(tiny_forces)) == {
        "Force A": ["Force B", "Force C"],
        "Force C": ["Force B"],
    }
    bad = tmp_path / "bad.csv"
    bad.write_text("force,peer\nForce B,Force A\nForce B,Force B\n")
    with pytest.raises(peers.PeerGroupError, match="nothing was loaded"):
        peers.load(bad, tiny_forces)
    assert peers.groups(store.reader(tiny_forces))["Force A"] == ["Force B", "Force C"]
    assert "Force B" not in peers.groups(store.reader(tiny_forces))


def test_the_schema_refuses_a_force_in_its_own_group_by_any_path(tiny_forces):
    con = duckdb.connect(tiny_forces)
    try:
        with pytest.raises(duckdb.ConstraintException):
            con.execute("insert into peer_groups values ('Force A', 'Force A')")
    finally:
        con.close()


def test_the_cli_loads_lists_and_refuses_with_line_and_column(tiny_forces, tmp_path, capsys):
    good = tmp_path / "msg.csv"
    good.write_text("force,peer\nForce A,Force B\nForce B,Force C\n")
    code, out, _ = run(capsys, "peers", "load", str(good), "--db", tiny_forces)
    assert code == 0 and "Loaded 2 peer pairs" in out
    code, out, _ = run(capsys, "peers", "list", "--db", tiny_forces, "--format", "csv")
    assert code == 0
    rows = out.strip().splitlines()
    assert rows[0] == "force,peers,group,in the group of"
    assert rows[1:] == [
        "Force A,1,Force B,(none)",
        "Force B,1,Force C,Force A",
        "Force C,0,(no group),Force B",
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("force,peer\nForce A,Force Q\n")
    code, _, err = run(capsys, "peers", "load", str(bad), "--db", tiny_forces)
    assert code == 2
    assert "bad.csv, line 2, column peer: 'Force Q' is not a force" in err
    assert peers.groups(store.reader(tiny_forces)) == {
        "Force A": ["Force B"],
        "Force B": ["Force C"],
    }


def test_every_peers_command_is_documented():
    text = (ROOT / "docs" / "peers.md").read_text(encoding="utf-8")
    for command in ("load", "list", "compare"):
        assert f"python -m safeguarding peers {command} " in text, command


# --- demo groups ---------------------------------------------------------------------------------


def test_demo_groups_are_the_nearest_in_size_at_most_seven_and_not_always_symmetric():
    sizes = {f"F{i:02d}": float(2**i) for i in range(1, 13)}
    frame = peers.demo_groups(sizes)
    grouped = frame.groupby("force")["peer"].apply(list).to_dict()
    assert all(len(g) == 7 for g in grouped.values())
    assert grouped["F01"] == ["F02", "F03", "F04", "F05", "F06", "F07", "F08"]
    assert sorted(grouped["F06"]) == ["F02", "F03", "F04", "F05", "F07", "F08", "F09"]
    assert "F08" in grouped["F01"] and "F01" not in grouped["F08"]
    assert frame.equals(peers.demo_groups(dict(reversed(list(sizes.items())))))


def test_with_fewer_than_eight_forces_every_other_force_is_a_peer():
    frame = peers.demo_groups({"A": 1.0, "B": 2.0, "C": 3.0})
    assert frame.values.tolist() == [["A", "B"], ["A", "C"], ["B", "A"], ["B", "C"]] + [
        ["C", "A"],
        ["C", "B"],
    ]
    assert peers.demo_groups({"Only": 1.0}).empty


# --- comparisons, worked by hand -----------------------------------------------------------------

# High-risk missing children attended within 60 minutes (a proportion, higher is better):
#   A 45/50 = 90%, B 80/100 = 80%, C 140/200 = 70%.
ATTENDED = pd.DataFrame(
    {
        "force": FORCES,
        "numerator": [45.0, 80.0, 140.0],
        "denominator": [50.0, 100.0, 200.0],
        "value": [90.0, 80.0, 70.0],
    }
)
ATTENDED_METRIC = registry.get("misper_high_risk_attended_60m")
# Offenders per offender manager (a ratio, lower is better): A 500/5 = 100, B 232/4 = 58,
# C 300/6 = 50.
CASELOAD = pd.DataFrame(
    {
        "force": FORCES,
        "numerator": [500.0, 232.0, 300.0],
        "denominator": [5.0, 4.0, 6.0],
        "value": [100.0, 58.0, 50.0],
    }
)


def test_a_proportion_against_its_group_as_a_simple_mean_and_pooled():
    c = peers.compare(ATTENDED, ATTENDED_METRIC, "Force A", FORCES[1:])
    assert c.value == 90.0
    # group B and C: mean (80 + 70) / 2 = 75; pooled (80 + 140) / (100 + 200) = 73.33%
    assert c.group.mean == pytest.approx(75.0)
    assert c.group.pooled == pytest.approx(100 * 220 / 300)
    # all forces: mean (90 + 80 + 70) / 3 = 80; pooled 265 / 350 = 75.71%
    assert c.national.mean == pytest.approx(80.0)
    assert c.national.pooled == pytest.approx(100 * 265 / 350)
    assert c.group.mean_label.startswith("Simple mean of the forces' rates")
    assert c.group.pooled_label.startswith("Pooled: total numerator / total denominator")
    assert (c.rank, c.ranked, c.group_rank, c.group_ranked) == (1, 3, 1, 3)


def test_a_ratio_where_lower_is_better_ranks_the_lowest_first_and_groups_are_one_way():
    metric = registry.get("rso_caseload_per_officer")
    a = peers.compare(CASELOAD, metric, "Force A", ["Force B", "Force C"])
    # group: mean (58 + 50) / 2 = 54; pooled (232 + 300) / (4 + 6) = 53.2
    assert a.group.mean == pytest.approx(54.0)
    assert a.group.pooled == pytest.approx(53.2)
    # all: mean 208 / 3 = 69.33; pooled 1032 / 15 = 68.8
    assert a.national.mean == pytest.approx(208 / 3)
    assert a.national.pooled == pytest.approx(68.8)
    assert a.rank == 3 and a.table["force"].tolist() == ["Force C", "Force B", "Force A"]
    b = peers.compare(CASELOAD, metric, "Force B", ["Force A"])
    assert (b.group.mean, b.group.pooled, b.group.forces) == (100.0, 100.0, 1)
    assert b.group_rank == 1 and b.group_ranked == 2


def test_a_median_is_never_pooled_only_its_mean_of_medians_shown():
    frame = CASELOAD.assign(value=[30.0, 40.0, 50.0], numerator=[600.0, 800.0, 1000.0])
    c = peers.compare(frame, registry.get("iioc_turnaround_days"), "Force A", FORCES[1:])
    assert c.group.mean == pytest.approx(45.0)
    assert c.group.pooled is None and c.national.pooled is None
    assert "a median cannot be pooled" in c.group.pooled_label
    assert c.group.mean_label == (
        "Mean of the forces' medians (a median cannot be pooled from medians)"
    )
    assert c.position.verdict == peers.NO_FUNNEL


def test_a_force_without_a_figure_is_left_out_of_means_and_ranks():
    frame = ATTENDED.copy()
    frame.loc[1, "value"] = float("nan")
    c = peers.compare(frame, registry.get("misper_high_risk_attended_60m"), "Force C", FORCES[:2])
    assert c.group.mean == 90.0 and c.group.forces == 1
    assert c.group.pooled == pytest.approx(90.0)
    assert (c.rank, c.ranked) == (2, 2)


def test_position_on_the_funnel_is_the_exact_binomial_test_and_says_too_few_forces():
    c = peers.compare(ATTENDED, ATTENDED_METRIC, "Force A", FORCES[1:])
    centre = 265 / 350
    # Force A's 45 of 50: the upper tail P(X >= 45) under Binomial(50, centre)
    tail = stats.binom.sf(44, 50, centre)
    assert 0.001 / 2 < tail < 0.05 / 2  # beyond the 95% limit, within the 99.8% one
    assert c.position.flag == "above_95"
    assert c.position.verdict == peers.WEAK_SIGNAL
    assert "better than the forces' average" in c.position.words
    assert c.position.overdispersion == (
        "3 forces: too few to estimate overdispersion; limits are unadjusted"
    )
    assert c.position.centre == pytest.approx(100 * centre)


def test_signal_and_position_reads_the_force_rows_and_the_spc_verdict(tiny_forces, capsys):
    with handmade.figures_connection(tiny_forces) as con:
        for row in ATTENDED.itertuples():
            con.execute(
                "insert into metric_values values ($m, $f, $month, $n, $d, $v)",
                {
                    "m": "misper_high_risk_attended_60m",
                    "f": row.force,
                    "month": MONTH,
                    "n": row.numerator,
                    "d": row.denominator,
                    "v": row.value,
                },
            )
        con.execute(
            "insert into metric_signals (metric_id, district, month, value, period, provisional,"
            " variation, assurance) values ('misper_high_risk_attended_60m', 'Force A', $month,"
            " 90, 1, false, 'improvement_high', 'inconsistent')",
            {"month": MONTH},
        )
    with store.writer(tiny_forces) as con:
        peers.replace(con, pd.DataFrame({"force": ["Force A"] * 2, "peer": FORCES[1:]}))
    table = peers.signal_and_position(store.reader(tiny_forces), "Force A", Period.month(MONTH))
    row = table.set_index("metric_id").loc["misper_high_risk_attended_60m"]
    assert row["Figure"] == "90.0%"
    assert row["Group (mean)"] == "75.0%" and row["Group (pooled)"] == "73.3%"
    assert row["All forces (mean)"] == "80.0%" and row["All forces (pooled)"] == "75.7%"
    assert row["Rank of all forces"] == "1st of 3 (best)"
    assert row["SPC: variation"] == "Special cause: improvement (higher is better)"
    assert row["SPC: assurance"] == "May or may not meet the target"
    assert row["Position"] == peers.WEAK_SIGNAL
    code, out, _ = run(
        capsys, "peers", "compare", "Force A", "--month", "2024-03", "--db", tiny_forces,
        "--format", "csv",
    )  # fmt: skip
    assert code == 0 and "90.0%,Special cause: improvement" in out and ",73.3%," in out
    code, _, err = run(capsys, "peers", "compare", "Force Q", "--month", "2024-03", "--db",
                       tiny_forces)  # fmt: skip
    assert code == 2 and "No force called 'Force Q'" in err


# --- charts --------------------------------------------------------------------------------------


def many_forces(n: int = 43) -> pd.DataFrame:
    """n forces of growing size whose attendance rates spread more than chance allows."""
    den = [40.0 + 15 * i for i in range(n)]
    rate = [0.70 + 0.25 * ((i * 7) % n) / n for i in range(n)]
    num = [round(d * r) for d, r in zip(den, rate, strict=True)]
    return pd.DataFrame(
        {
            "force": [f"Force {i:02d}" for i in range(n)],
            "numerator": num,
            "denominator": den,
            "value": [100 * a / b for a, b in zip(num, den, strict=True)],
        }
    )


def test_the_ranked_chart_marks_the_force_and_its_group_and_its_alt_text_says_where_it_is():
    from safeguarding import peer_charts

    c = peers.compare(CASELOAD, registry.get("rso_caseload_per_officer"), "Force A", FORCES[1:2])
    fig = peer_charts.ranked_figure(c, period_label="March 2024")
    bars = {t.meta["member"]: list(t.y) for t in fig.data if t.type == "bar"}
    assert bars == {"other": ["Force C"], "group": ["Force B"], "this force": ["Force A"]}
    assert fig.layout.yaxis.categoryarray == ("Force A", "Force B", "Force C")  # best at the top
    lines = [t.name for t in fig.data if t.type == "scatter"]
    assert lines == ["Group mean (58.0)", "All forces mean (69.3)"]
    assert peer_charts.ranked_alt(c, period_label="March 2024") == (
        "Ranked bar chart of 3 forces on sex offenders per offender manager in March 2024, best "
        "first: Force A is 3rd of 3 at 100.0; its most similar group (1 force) averages 58.0; "
        "all forces average 69.3. Best Force C (50.0), last Force A (100.0). The figures are in "
        "the table below."
    )
    table = peer_charts.ranked_table(c)
    assert table["Force"].tolist() == ["Force C", "Force B", "Force A"]
    assert table["Peer"].tolist() == ["", "Most similar group", "This force"]


def test_with_43_forces_the_funnel_is_adjusted_for_overdispersion_and_says_so():
    from safeguarding import peer_charts

    frame = many_forces()
    c = peers.compare(frame, ATTENDED_METRIC, "Force 10", ["Force 11", "Force 12"])
    assert c.position.overdispersion.startswith("43 forces: limits widened for overdispersion")
    fig = peer_charts.funnel_figure(c, period_label="March 2024")
    assert fig.layout.meta["adjusted"] is True
    notes = [a.text for a in fig.layout.annotations]
    assert any(n.startswith("43 forces: limits widened for overdispersion") for n in notes)
    marked = {t.meta["member"]: sorted(t.x) for t in fig.data if "member" in (t.meta or {})}
    assert marked == {"group": [205.0, 220.0], "this force": [190.0]}
    alt = peer_charts.funnel_alt(c, period_label="March 2024")
    assert alt.startswith("Funnel plot of 43 forces on high-risk missing children attended")
    assert "43 forces: limits widened for overdispersion" in alt
    assert f"Force 10: {c.position.words.lower()}" in alt
    funnel_rows = peer_charts.funnel_table(c)
    assert len(funnel_rows) == 43 and set(funnel_rows["Against the limits"]) <= {
        "Within the limits",
        "Above the 95% limit",
        "Below the 95% limit",
        "Above the 99.8% limit",
        "Below the 99.8% limit",
    }


def test_a_median_has_no_funnel_plot():
    from safeguarding import peer_charts

    frame = CASELOAD.assign(value=[30.0, 40.0, 50.0])
    c = peers.compare(frame, registry.get("iioc_turnaround_days"), "Force A", FORCES[1:])
    assert peer_charts.funnel_figure(c, period_label="March 2024") is None


def test_a_quarter_pools_each_forces_months_before_comparing(tiny_forces):
    # Force A: 9/10, 1/10, 10/10 in Q1 2024 -> 20/30 = 66.7%; Force B: 5/10 each month -> 50%.
    months = [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    with handmade.figures_connection(tiny_forces) as con:
        for force, counts in (("Force A", (9, 1, 10)), ("Force B", (5, 5, 5))):
            for month, n in zip(months, counts, strict=True):
                con.execute(
                    "insert into metric_values values ('misper_high_risk_attended_60m', $f, $m,"
                    " $n, 10, 10 * $n)",
                    {"f": force, "m": month, "n": n},
                )
    con = store.reader(tiny_forces)
    frame = peers.force_figures(
        con, Period.quarter("2024Q1"), metric_id="misper_high_risk_attended_60m"
    ).set_index("force")
    assert frame.loc["Force A", "value"] == pytest.approx(100 * 20 / 30)
    assert frame.loc["Force B", "value"] == pytest.approx(50.0)
    (c,) = peers.comparisons(con, "Force A", Period.quarter("2024Q1"))
    assert c.national.mean == pytest.approx((100 * 20 / 30 + 50) / 2)
    assert c.national.pooled == pytest.approx(100 * 35 / 60)

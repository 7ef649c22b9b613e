"""The frozen backtest: scorecard and signals of two demo quarters, as committed CSV files.

tests/test_backtest.py compares what the code computes now with tests/expected/*.csv, so any
change to a figure, a target status or an SPC signal shows up as a failing test with the rows
that differ. When a change of figures is intended, regenerate the files on purpose and commit
them with the change that explains why:

    python tests/backtest.py --write

(run from anywhere; it builds the same demo database as the tests: seed 2014, data to December
2025). Without --write it compares and prints the differences.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

EXPECTED_DIR = Path(__file__).resolve().parent / "expected"
# A fixed seed and last month keep every test's demo data identical whatever today's date is
# (tests/conftest.py builds the shared demo database with these too).
DEMO_SEED = 2014
DEMO_LAST_MONTH = dt.date(2025, 12, 1)

# The inspection's quarter (the August 2014 caseload finding) and one after the forensic unit's
# expansion, when most series have rebased and several signal.
QUARTERS = {
    "2014-Q3": [dt.date(2014, 7, 1), dt.date(2014, 8, 1), dt.date(2014, 9, 1)],
    "2021-Q2": [dt.date(2021, 4, 1), dt.date(2021, 5, 1), dt.date(2021, 6, 1)],
}
SCORECARD_COLUMNS = [
    "metric_id",
    "district",
    "month",
    "numerator",
    "denominator",
    "value",
    "target",
    "status",
    "text",
]
SIGNAL_COLUMNS = [
    "metric_id",
    "district",
    "month",
    "value",
    "mean",
    "lpl",
    "upl",
    "period",
    "provisional",
    "point_type",
    "variation",
    "assurance",
]


def _months_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["month"] = pd.to_datetime(out["month"]).dt.strftime("%Y-%m")
    return out


def scorecard_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    from safeguarding import scorecard

    parts = [
        scorecard.scorecard(con, month)[SCORECARD_COLUMNS]
        for months in QUARTERS.values()
        for month in months
    ]
    return _months_text(pd.concat(parts, ignore_index=True))


def signals_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    months = [month for months in QUARTERS.values() for month in months]
    frame = con.execute(
        f"select {', '.join(SIGNAL_COLUMNS)} from metric_signals "
        "where list_contains($months, month) order by metric_id, district, month",
        {"months": months},
    ).df()
    return _months_text(frame)


def outputs(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """File name -> frame, for every frozen output."""
    return {"scorecard.csv": scorecard_frame(con), "signals.csv": signals_frame(con)}


def read_expected(name: str) -> pd.DataFrame:
    # keep_default_na=False with explicit "" as missing: a status such as "none" stays a string.
    return pd.read_csv(EXPECTED_DIR / name, keep_default_na=False, na_values=[""])


def normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as it reads back from CSV, so computed and frozen frames compare like for like."""
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as buffer:
        frame.to_csv(buffer, index=False)
        buffer.seek(0)
        return pd.read_csv(buffer, keep_default_na=False, na_values=[""])


def differences(name: str, computed: pd.DataFrame) -> str:
    """'' when the computed frame equals the frozen file, else the rows that differ."""
    expected = read_expected(name)
    actual = normalised(computed)
    if list(actual.columns) != list(expected.columns):
        return f"{name}: columns {list(actual.columns)} != frozen {list(expected.columns)}"
    keys = ["metric_id", "district", "month"]
    merged = expected.merge(
        actual, on=keys, how="outer", suffixes=("_frozen", "_now"), indicator=True
    )
    # A metric added since the files were frozen has rows of its own (proved by its golden test);
    # the frozen metrics' rows must not change, nor any of them go missing or appear.
    frozen_metrics = set(expected["metric_id"])
    merged = merged[merged["metric_id"].isin(frozen_metrics)]
    lines = []
    for _, row in merged[merged["_merge"] != "both"].iterrows():
        side = "only frozen" if row["_merge"] == "left_only" else "only computed"
        lines.append(f"{name}: {side}: {row['metric_id']} {row['district']} {row['month']}")
    both = merged[merged["_merge"] == "both"]
    for column in (c for c in expected.columns if c not in keys):
        frozen, now = both[f"{column}_frozen"], both[f"{column}_now"]
        same = (frozen == now) | (frozen.isna() & now.isna())
        for index in both.index[~same]:
            row = both.loc[index]
            lines.append(
                f"{name}: {row['metric_id']} {row['district']} {row['month']} {column}: "
                f"frozen {frozen[index]!r}, now {now[index]!r}"
            )
    return "\n".join(lines)


def build_demo(path: Path) -> duckdb.DuckDBPyConnection:
    from safeguarding import demo, store

    with store.writer(path, fresh=True) as con:
        demo.build(con, seed=DEMO_SEED, last_month=DEMO_LAST_MONTH)
    return store.reader(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="overwrite tests/expected/*.csv")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        con = build_demo(Path(folder) / "demo.duckdb")
        frames = outputs(con)
        con.close()
    if args.write:
        EXPECTED_DIR.mkdir(exist_ok=True)
        for name, frame in frames.items():
            frame.to_csv(EXPECTED_DIR / name, index=False)
            print(f"wrote {EXPECTED_DIR / name} ({len(frame)} rows)")
        return 0
    report = "\n".join(filter(None, (differences(n, f) for n, f in frames.items())))
    print(report or "The backtest matches the frozen files.")
    return 1 if report else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())

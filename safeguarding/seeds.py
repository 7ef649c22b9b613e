"""The seeds: what a new database starts with besides its records.

* default targets (``data/targets.csv``; force-wide rows apply to every force) and the SPC rebase
  register (``data/rebases.csv``, the demo's process changes as a performance board would record
  them) go into the app-state store, once: a store that has been seeded is never seeded again, so
  rebuilding the records (``demo --force``) keeps what people changed;
* the inspection's recommendations (``data/recommendations.csv``) are records of the report,
  loaded into the records file with the records; their progress is app state.

The demo generator (``demo.py``) calls these; so does any real force's first start.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable

import duckdb
import pandas as pd

from safeguarding import registry
from safeguarding.appstore import AppStore
from safeguarding.paths import DATA_DIR, REBASES_FILE, TARGETS_FILE

RECOMMENDATIONS_FILE = DATA_DIR / "recommendations.csv"
SEEDED_KEY = "seeded_at"
SEED_BY = "seed (data/targets.csv)"


def default_targets() -> pd.DataFrame:
    with open(TARGETS_FILE, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    frame = pd.DataFrame(rows)
    for name in ("district", "effective_to", "note"):
        frame[name] = frame[name].replace("", None)
    frame["target"] = frame["target"].astype(float)
    return frame[["metric_id", "district", "effective_from", "effective_to", "target", "note"]]


def rebases(units: list[str], forces: list[str], last_month: dt.date) -> pd.DataFrame:
    """The rebase register for every area with the metric; rebases after the last month are
    left out (there are no figures to start a period with)."""
    frame = pd.read_csv(REBASES_FILE, dtype=str, keep_default_na=False)
    rows: list[dict[str, str]] = []
    for rec in frame.to_dict("records"):
        month = dt.date.fromisoformat(rec["month"])
        if month > last_month:
            continue
        areas = forces if registry.get(rec["metric_id"]).scope == "force" else units + forces
        rows.extend({**rec, "district": area} for area in areas)
    columns = ["metric_id", "district", "month", "reason", "agreed_by", "agreed_on"]
    return pd.DataFrame(rows, columns=columns)


def seed_app_state(
    app: AppStore, units: list[str], forces: list[str], last_month: dt.date
) -> dict[str, int]:
    """Seed the targets and rebases unless this store was seeded before; rows seeded."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with app.write() as tx:
        if tx.one("select value from meta where key = :k", {"k": SEEDED_KEY}):
            return {"targets": 0, "rebases": 0}
        targets = default_targets()
        tx.executemany(
            """
            insert into targets (metric_id, district, effective_from, effective_to, target,
                                 note, set_by, set_at)
            values (:metric_id, :district, :effective_from, :effective_to, :target, :note,
                    :set_by, :set_at)
            """,
            [{**r, "set_by": SEED_BY, "set_at": now} for r in targets.to_dict("records")],
        )
        tx.executemany(
            """
            insert into target_changes (changed_at, changed_by, reason, metric_id, district,
                                        effective_from, effective_to, target)
            values (:at, :by, 'Default target', :metric_id, :district, :effective_from,
                    :effective_to, :target)
            """,
            [{**r, "at": now, "by": SEED_BY} for r in targets.to_dict("records")],
        )
        register = rebases(units, forces, last_month)
        tx.executemany(
            """
            insert or ignore into rebases (metric_id, district, month, reason, agreed_by,
                                           agreed_on)
            values (:metric_id, :district, :month, :reason, :agreed_by, :agreed_on)
            """,
            register.to_dict("records"),
        )
        tx.execute(
            "insert into meta (key, value) values (:k, :v)", {"k": SEEDED_KEY, "v": str(now)}
        )
    return {"targets": len(targets), "rebases": len(register)}


def load_recommendations(
    con: duckdb.DuckDBPyConnection,
    forces: list[str],
    as_at: dt.date,
    *,
    tag: Callable[[str], str],
) -> None:
    """The inspection recommendations, for every force, as records (``tag`` prefixes refs)."""
    frame = pd.read_csv(RECOMMENDATIONS_FILE, dtype=str, keep_default_na=False)
    rows = []
    for force in forces:
        for rec in frame.to_dict("records"):
            row = {
                **rec,
                "force": force,
                "recommendation_ref": f"{tag(force)}-{rec['recommendation_ref']}",
            }
            completed = rec["completed_on"] or None
            # a completion after the data's as-at date has not happened yet
            if completed and dt.date.fromisoformat(completed) > as_at:
                row["completed_on"] = None
                row["status"] = "in_progress"
            elif not completed:
                row["completed_on"] = None
            rows.append(row)
    out = pd.DataFrame(rows).replace({"": None})
    con.register("incoming", out)
    try:
        cols = ", ".join(out.columns)
        con.execute(f"insert into recommendations ({cols}) select {cols} from incoming")
    finally:
        con.unregister("incoming")

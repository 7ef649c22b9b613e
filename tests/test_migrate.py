"""An older database keeps what people wrote: first start carries it into the app-state store.

The older layout is frozen in tests/golden/schema_before_app_state.sql (the schema as it was
before the app state had its own store): actions, rebases, targets, packs and the import audit
were tables in the records file, metric_values and metric_signals too, and the access log was a
DuckDB file of its own (``<db>.audit.duckdb``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from safeguarding import (
    actions,
    appstore,
    audit,
    imports,
    metrics,
    pack,
    rebases,
    signals,
    store,
    targets,
)

GOLDEN = Path(__file__).parent / "golden"
JAN, MAR = dt.date(2024, 1, 1), dt.date(2024, 3, 1)
SNAPSHOT = "ab" * 32


def build_old_database(path: Path) -> None:
    """A database in the layout before the app-state store, with something of everything."""
    con = duckdb.connect(str(path))
    con.execute((GOLDEN / "schema_before_app_state.sql").read_text(encoding="utf-8"))
    con.execute((GOLDEN / "tiny.sql").read_text(encoding="utf-8"))
    con.execute(
        """
        insert into meta values ('first_month', '2024-01-01'), ('last_month', '2024-03-01'),
                                ('as_at', '2024-03-31'), ('source', 'import');
        insert into targets values
            ('misper_return_interview_72h', null, date '2014-01-01', null, 90, 'force plan'),
            ('misper_return_interview_72h', 'Northdale', date '2024-02-01', null, 60, null);
        insert into rebases values
            ('misper_return_interview_72h', 'Northdale', date '2024-02-01', 'New team',
             'Board', date '2024-03-05');
        insert into actions values
            (1, 'misper_return_interview_72h', 'Northdale', '2024Q1', date '2024-04-02',
             'Why so few interviews?', 'District commander', date '2024-05-01', 'open', null,
             null),
            (2, null, null, '2024Q1', date '2024-04-02', 'Report the backlog.', 'Head of Crime',
             null, 'closed', 'Reported.', date '2024-04-20');
        insert into imports values
            (1, timestamp '2024-04-01 09:00', 'analyst', 'missing.csv', repeat('c', 64),
             'missing_reports', 10, 0, 0, 'loaded', '10 inserted');
        """
    )
    con.execute(
        "insert into packs values ($id, '2024Q1', 'Testshire', date '2024-03-31', "
        "timestamp '2024-04-10 10:00', 'PCC office', $content)",
        {"id": SNAPSHOT, "content": '{"quarter": "2024Q1", "force": "Testshire"}'},
    )
    metrics.refresh(con, JAN, MAR)  # the figures and signals, as the older code kept them
    signals.refresh(con)
    con.close()
    log = duckdb.connect(str(path.with_suffix(".audit.duckdb")))
    log.execute(
        """
        create table access_log (
            entry_id integer primary key, logged_at_utc timestamp not null,
            user_id varchar not null, role varchar not null, action varchar not null,
            metric_id varchar, district varchar, month date, rows integer, detail varchar
        );
        insert into access_log values
            (1, timestamp '2024-04-03 08:00', 'lead@force.example', 'district_lead', 'view',
             'misper_return_interview_72h', 'Northdale', date '2024-02-01', 3, null);
        """
    )
    log.close()


def old_figures(path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            t: con.execute(f"select * from {t} order by all").df()
            for t in ("metric_values", "metric_signals")
        }
    finally:
        con.close()


def test_first_start_on_an_older_database_keeps_everything_people_wrote(tmp_path, monkeypatch):
    monkeypatch.delenv("SAFEGUARDING_AUDIT", raising=False)
    monkeypatch.delenv("SAFEGUARDING_APP_STATE", raising=False)
    path = tmp_path / "old.duckdb"
    build_old_database(path)
    before = old_figures(path)

    con = store.reader(path)  # first start

    log = actions.listing(con)
    assert list(log["action_id"]) == [1, 2]
    assert list(log["text"]) == ["Why so few interviews?", "Report the backlog."]
    assert log.loc[1, "closed_on"] == dt.date(2024, 4, 20)
    register = rebases.listing(con)
    assert list(register["reason"]) == ["New team"]
    kept = targets.current(con)
    assert sorted(kept["target"]) == [60.0, 90.0]
    assert list(pack.listing(con)["snapshot_id"]) == [SNAPSHOT]
    assert list(imports.history(con)["file_name"]) == ["missing.csv"]
    entries = audit.recent(audit.default_path(path))
    assert list(entries["user_id"]) == ["lead@force.example"]
    # The figures are carried over exactly, and statuses still use the migrated targets.
    for table, frame in before.items():
        now = con.execute(f"select * from {table} order by all").df()
        pd.testing.assert_frame_equal(now, frame)
    northdale = targets.figures(
        con, metric_id="misper_return_interview_72h", districts=["Northdale"]
    )
    assert list(northdale["target"]) == [90.0, 60.0, 60.0]


def test_the_migration_runs_once_and_new_writes_follow_the_old_ones(tmp_path, monkeypatch):
    monkeypatch.delenv("SAFEGUARDING_AUDIT", raising=False)
    monkeypatch.delenv("SAFEGUARDING_APP_STATE", raising=False)
    path = tmp_path / "old.duckdb"
    build_old_database(path)
    store.reader(path)
    appstore.forget()  # as a second dashboard process would open it
    new_id = actions.write(
        path, actions.add, quarter="2024Q2", text="Follow up.", owner="Head of Crime"
    )
    assert new_id == 3
    assert len(actions.listing(store.reader(path))) == 3
    assert len(rebases.listing(store.reader(path))) == 1


def test_a_database_built_today_needs_no_migration(demo_db_path):
    app = appstore.open(demo_db_path)
    with app.read() as tx:
        note = tx.one("select value from meta where key = 'migrated_at'")
    assert "{}" in note  # nothing to carry over

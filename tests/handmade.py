"""Hand-made figures and targets for tests that need exact numbers rather than demo data.

Figures live in the figures file and targets in the app-state store, so a fixture writes each
where the dashboard keeps it, then lets the refresh mirror the targets beside the figures.
"""

from __future__ import annotations

from safeguarding import appstore, refresh, store

# The forces of the tiny three-force database (conftest's tiny_forces fixture).
TINY_FORCES = ["Force A", "Force B", "Force C"]


def add_targets(path, rows: list[tuple]) -> None:
    """rows: (metric_id, district or None, effective_from, effective_to or None, target, note)."""
    with appstore.open(path).write() as tx:
        for metric_id, district, start, end, target, note in rows:
            tx.execute(
                "insert into targets (metric_id, district, effective_from, effective_to, target, "
                "note, set_by) values (:m, :d, :f, :t, :v, :n, 'test')",
                {"m": metric_id, "d": district, "f": start, "t": end, "v": target, "n": note},
            )


def add_figures(path, sql: str | None = None, rows: list[tuple] = ()) -> None:
    """Mirror the app state into the figures file, then insert into metric_values (an
    ``insert`` statement, or rows of metric_id, district, month, numerator, denominator, value)."""
    with store.figures_writer(path) as con:
        refresh.after_records(con, tables=set())
        if sql:
            con.execute(sql)
        for row in rows:
            con.execute("insert into metric_values values (?, ?, ?, ?, ?, ?)", list(row))


def figures_connection(path):
    """A figures writer with the app state mirrored, for fixtures that insert by hand."""
    return _Mirrored(path)


class _Mirrored:
    def __init__(self, path) -> None:
        self._cm = store.figures_writer(path)

    def __enter__(self):
        con = self._cm.__enter__()
        refresh.after_records(con, tables=set())
        return con

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)

"""Small typed helpers for queries that always return exactly one row (counts, min/max)."""

from __future__ import annotations

from typing import Any

import duckdb


def one(
    con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any] | None = None
) -> tuple[Any, ...]:
    """The single row of an aggregate query; a query that returns none is a bug, said loudly."""
    row = con.execute(query, params or {}).fetchone()
    if row is None:
        raise LookupError(f"expected one row, got none from: {query.strip()[:200]}")
    return row


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any] | None = None) -> Any:
    """The first value of the single row of an aggregate query (e.g. ``select count(*) ...``)."""
    return one(con, query, params)[0]

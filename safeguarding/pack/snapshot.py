"""The snapshot: a pack's document under the SHA-256 of the figures it shows, and keeping and
finding it again, so a pack can be rebuilt exactly from the kept figures."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from safeguarding import actions, appstore, recommendations, store
from safeguarding.pack.content import build_content
from safeguarding.pack.errors import PackError
from safeguarding.quarters import Period
from safeguarding.review import day_label

SHORT_ID_LENGTH = 12

# The fields of each record that the snapshot identifier covers: every stored column (raw data,
# not wording) and whether it was overdue on the day. A recommendation's force is covered once,
# by the pack's own force.
ACTION_FIELDS = (*actions.COLUMNS, "overdue")
RECOMMENDATION_FIELDS = (*(c for c in recommendations.COLUMNS if c != "force"), "overdue")


# --- the snapshot identifier -----------------------------------------------------------------


def hashed_part(content: dict[str, Any]) -> dict[str, Any]:
    """What the snapshot identifier covers: the raw figures shown and the as-at date."""
    return {
        "as_at": content["as_at"],
        "quarter": content["quarter"],
        "force": content["force"],
        "rule": [content["rule"]["low"], content["rule"]["high"]],
        "figures": content["figures"],
        "series": content["series"],
        "actions": [{k: a[k] for k in ACTION_FIELDS} for a in content["actions"]],
        "recommendations": [
            {k: r[k] for k in RECOMMENDATION_FIELDS} for r in content["recommendations"]
        ],
    }


def canonical(payload: Any) -> bytes:
    """Sorted-key, compact JSON in UTF-8: one byte string for one set of figures."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def snapshot_id(content: dict[str, Any]) -> str:
    """The SHA-256 (hex) of the canonical serialisation of the figures a pack shows."""
    return hashlib.sha256(canonical(hashed_part(content))).hexdigest()


# --- keeping and finding packs ---------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """A pack's document, its identifier and when it was first built ("as presented on")."""

    snapshot_id: str
    quarter: str
    force: str | None
    as_at: str | None
    created_at: dt.datetime
    created_by: str | None
    content: dict[str, Any]

    @property
    def short_id(self) -> str:
        return self.snapshot_id[:SHORT_ID_LENGTH]

    @property
    def presented_on(self) -> str:
        return day_label(self.created_at.date())

    @property
    def as_at_text(self) -> str:
        return day_label(dt.date.fromisoformat(self.as_at)) if self.as_at else "unknown"

    @property
    def footer(self) -> str:
        return (
            f"Data as at {self.as_at_text} · Snapshot {self.short_id} · "
            f"{self.content['labels']['quarter']} board pack, presented on {self.presented_on}"
        )

    def file_name(self, fmt: str) -> str:
        return f"board-pack-{self.quarter}-{self.short_id}.{fmt}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def new_snapshot(content: dict[str, Any], *, created_by: str | None = None) -> Snapshot:
    """A snapshot of a document just built (not yet kept)."""
    return Snapshot(
        snapshot_id=snapshot_id(content),
        quarter=content["quarter"],
        force=content["force"],
        as_at=content["as_at"],
        created_at=_now(),
        created_by=created_by,
        content=content,
    )


def keep(con, snapshot: Snapshot) -> Snapshot:
    """Store a snapshot in the app-state store (``con``: a records connection or an app-state
    transaction) unless one with its id is kept already; returns the kept one, so a pack built
    again from the same figures keeps its first date."""
    row = {
        "id": snapshot.snapshot_id,
        "quarter": snapshot.quarter,
        "force": snapshot.force,
        "as_at": snapshot.as_at,
        "created_at": snapshot.created_at,
        "created_by": snapshot.created_by,
        "content": canonical(snapshot.content).decode("utf-8"),
    }
    sql = """
        insert or ignore into packs
            (snapshot_id, quarter, force, as_at, created_at, created_by, content)
        values (:id, :quarter, :force, :as_at, :created_at, :created_by, :content)
    """
    if isinstance(con, appstore.Session):
        con.execute(sql, row)
    else:
        with appstore.for_connection(con).write() as tx:
            tx.execute(sql, row)
    return load(con, snapshot.snapshot_id)


def find(con, snapshot_ref: str) -> Snapshot | None:
    """The kept snapshot whose id is or starts with ``snapshot_ref``; None if there is none."""
    ref = snapshot_ref.strip().lower()
    if len(ref) < 6 or any(c not in "0123456789abcdef" for c in ref):
        raise PackError(
            f"'{snapshot_ref}' is not a snapshot identifier: give at least the first 6 of its "
            "hexadecimal digits, as printed on the pack."
        )
    with appstore.session(con) as tx:
        rows = tx.rows(
            """
            select snapshot_id, quarter, force, as_at, created_at, created_by, content
            from packs where substr(snapshot_id, 1, :n) = :ref
            """,
            {"ref": ref, "n": len(ref)},
        )
    if len(rows) > 1:
        raise PackError(f"'{snapshot_ref}' matches {len(rows)} packs; give more digits.")
    if not rows:
        return None
    row = rows[0]
    return Snapshot(
        snapshot_id=row["snapshot_id"],
        quarter=row["quarter"],
        force=row["force"],
        as_at=row["as_at"],
        created_at=dt.datetime.fromisoformat(row["created_at"]),
        created_by=row["created_by"],
        content=json.loads(row["content"]),
    )


def load(con, snapshot_ref: str) -> Snapshot:
    """The kept snapshot ``snapshot_ref`` (full id or a prefix); PackError if none."""
    found = find(con, snapshot_ref)
    if found is None:
        raise PackError(
            f"No pack with snapshot '{snapshot_ref}' is kept in this database. List the kept "
            "packs with: python -m safeguarding packs"
        )
    return found


def listing(con, quarter: str | None = None, *, force: str | None = None) -> pd.DataFrame:
    """Kept packs (of a quarter, of a force, or all), newest first: snapshot_id, short_id,
    quarter, force, as_at, created_at, created_by."""
    columns = ["snapshot_id", "quarter", "force", "as_at", "created_at", "created_by"]
    with appstore.session(con) as tx:
        frame = tx.frame(
            f"""
            select {", ".join(columns)} from packs
            where (:quarter is null or quarter = :quarter) and (:force is null or force = :force)
            order by created_at desc, snapshot_id
            """,
            {"quarter": quarter, "force": force},
            timestamps=("as_at", "created_at"),
        )
    frame.insert(1, "short_id", frame["snapshot_id"].str[:SHORT_ID_LENGTH])
    return frame


def issue(
    path: str | os.PathLike[str] | None,
    quarter: str | Period,
    *,
    force: str | None = None,
    created_by: str | None = None,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Snapshot, bool]:
    """Build a quarter's pack document from the current data and keep it; ``progress(what)``
    is told as each of the two steps starts.

    Returns (snapshot, new): ``new`` is False when a pack with the same figures was kept before,
    in which case that pack (with its first "presented on" date) is returned.
    """
    if progress is not None:
        progress("Gathering the figures")
    content = build_content(store.reader(path), quarter, force=force, today=today)
    snapshot = new_snapshot(content, created_by=created_by)
    if progress is not None:
        progress("Keeping the snapshot")
    return keep_issued(path, snapshot)


def keep_issued(path: str | os.PathLike[str] | None, snapshot: Snapshot) -> tuple[Snapshot, bool]:
    """Keep a snapshot just built unless one with its figures is kept already: (the kept
    snapshot, whether it is new)."""
    existing = find(store.reader(path), snapshot.snapshot_id)
    if existing is not None:
        return existing, False
    with appstore.open(path).write() as tx:
        kept = keep(tx, snapshot)
    new = kept.created_at == snapshot.created_at and kept.created_by == snapshot.created_by
    return kept, new

"""Setting targets: checked, applied in one app-state transaction (all or none), then the
figures' targets and assurance refreshed at once, so every status follows the change.

Kept apart from ``safeguarding.targets`` (which says which target is in force and whether a figure
meets it) because the refresh pipeline reads targets: the module that reads them cannot also be
the one that starts a refresh.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from safeguarding import appstore, store, targets


def _districts(database) -> list[tuple[str, str]]:
    """(district, force) of every district, from the records beside the app state."""
    return (
        store.reader(database)
        .execute("select district, force from districts order by force, district")
        .fetchall()
    )


def areas(database, rows: list[tuple[str, str]] | None = None) -> list[str]:
    """Every district and force row a target can name."""
    rows = _districts(database) if rows is None else rows
    return [r[0] for r in rows] + list(dict.fromkeys(r[1] for r in rows))


def set_targets(
    path: str | os.PathLike[str] | None,
    changes: list[targets.Change],
    *,
    by: str | None,
    forces: frozenset[str] | None = None,
) -> list[targets.Change]:
    """Check and apply changes in one transaction (all or none), then refresh the figures' targets
    and assurance. Returns the changes as applied (``changed`` False for one already so).

    ``forces``: the forces the person making them may set targets for (``Scope.target_forces``);
    None for every force."""
    by = targets.check_by(by)
    app = appstore.open(path)
    rows = _districts(app.database)
    known = areas(app.database, rows)
    checked = [targets.check(c, known) for c in changes]
    if forces is not None:
        _within(rows, checked, forces)
    with app.write() as tx:
        applied = [replace(c, changed=targets.apply(tx, c, by=by)) for c in checked]
    if any(c.changed for c in applied):
        store.refresh_figures(path)
    return applied


def _within(
    rows: list[tuple[str, str]], changes: list[targets.Change], forces: frozenset[str]
) -> None:
    """TargetError listing every change that reaches beyond ``forces`` (``rows``: every
    (district, force))."""
    force_of = {district: force for district, force in rows} | {f: f for _, f in rows}
    own = ", ".join(sorted(forces)) or "no force"
    problems = []
    for change in changes:
        where = f"{change.where}: " if change.where else ""
        if change.district is None:
            problems.append(
                f"{where}A target for {targets.FORCE_WIDE.lower()} applies to every force in "
                f"this database, and your access covers {own}: name the area (the force, or "
                "one of its districts)."
            )
        elif force_of.get(change.district) not in forces:
            problems.append(
                f"{where}{change.district} is {force_of.get(change.district)}'s; your access "
                f"covers the targets of {own}."
            )
    if problems:
        raise targets.TargetError("\n".join(problems))


def set_target(
    path: str | os.PathLike[str] | None,
    *,
    by: str,
    forces: frozenset[str] | None = None,
    **fields: Any,
) -> targets.Change:
    """Set one target (see :class:`safeguarding.targets.Change` for the fields)."""
    fields.setdefault("effective_to", None)
    fields.setdefault("district", None)
    return set_targets(path, [targets.Change(**fields)], by=by, forces=forces)[0]


def import_csv(
    path: str | os.PathLike[str] | None,
    data: bytes,
    file_name: str,
    *,
    by: str,
    forces: frozenset[str] | None = None,
) -> list[targets.Change]:
    """Validate a targets CSV and apply every row in one transaction (or none, with the
    problems)."""
    app = appstore.open(path)
    changes = targets.read_csv(data, file_name, areas(app.database))
    return set_targets(path, changes, by=by, forces=forces)

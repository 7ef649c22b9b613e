"""Commands for the force's own targets, and for rebuilding the figures.

targets list [--metric ID]            the targets as they stand
targets history [--metric ID]         every change: who, when, why, what it replaced
targets set METRIC VALUE --from DATE --reason TEXT [--district AREA] [--to DATE] [--by NAME]
targets withdraw METRIC --from DATE --reason TEXT [--district AREA] [--to DATE]
targets import FILE [--by NAME]       a validated CSV of changes, all or none
refresh                               rebuild every figure from the records and app state
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from safeguarding import appstore, refresh, store, target_setting, targets
from safeguarding.cli_common import CommandError, date_arg, number_arg, print_frame, reader, who


def _known_metric(args) -> None:
    """An unknown --metric is an error, not an empty list."""
    if args.metric_id is None:
        return
    from safeguarding import registry

    try:
        registry.get(args.metric_id)
    except registry.UnknownMetricError as exc:
        raise CommandError(str(exc)) from None


def cmd_targets_list(args) -> None:
    reader(args)
    _known_metric(args)
    frame = targets.current(appstore.open(args.db), args.metric_id)
    print_frame(frame, args.format)


def cmd_targets_history(args) -> None:
    reader(args)
    _known_metric(args)
    frame = targets.changes(appstore.open(args.db), args.metric_id)
    frame["changed_at"] = pd.to_datetime(frame["changed_at"]).dt.strftime("%Y-%m-%d %H:%M")
    print_frame(frame, args.format)


def _change(args, value: float | None) -> targets.Change:
    return targets.Change(
        metric_id=args.metric_id,
        district=args.district,
        effective_from=args.effective_from,
        effective_to=args.effective_to,
        target=value,
        reason=args.reason,
        note=getattr(args, "note", None),
    )


def _apply(args, changes: list[targets.Change]) -> list[targets.Change]:
    reader(args)  # a clear message if there is no database
    started = time.perf_counter()
    try:
        applied = target_setting.set_targets(args.db, changes, by=who(args))
    except targets.TargetError as exc:
        raise CommandError(str(exc)) from None
    seconds = time.perf_counter() - started
    changed = sum(c.changed for c in applied)
    same = len(applied) - changed
    already = f"; {same} already as given, left as they were" if same else ""
    print(
        f"Saved {changed} target change(s) in {seconds:.1f} s{already}; statuses and assurance "
        "follow."
    )
    return applied


def cmd_targets_set(args) -> None:
    change = _apply(args, [_change(args, args.value)])[0]
    where = change.district or targets.FORCE_WIDE
    until = change.effective_to or "further notice"
    print(
        f"{change.metric_id} for {where}: {change.target:g} "
        f"from {change.effective_from} to {until}."
    )


def cmd_targets_withdraw(args) -> None:
    change = _apply(args, [_change(args, None)])[0]
    until = f" to {change.effective_to}" if change.effective_to else ""
    if change.district:
        print(
            f"{change.metric_id} for {change.district}: no target "
            f"from {change.effective_from}{until}."
        )
    else:
        print(
            f"{change.metric_id}: the force-wide target withdrawn from {change.effective_from}"
            f"{until}; a district or force with a target of its own keeps it."
        )


def cmd_targets_import(args) -> None:
    path = Path(args.file)
    if not path.exists():
        raise CommandError(f"No file at {path}.")
    if not path.is_file():
        raise CommandError(f"{path} is a folder, not a file: name the CSV file in it.")
    reader(args)
    areas = target_setting.areas(appstore.open(args.db).database)
    try:
        changes = targets.read_csv(path.read_bytes(), path.name, areas)
    except targets.TargetError as exc:
        raise CommandError(f"Nothing was changed.\n{exc}") from None
    _apply(args, changes)


def cmd_refresh(args) -> None:
    reader(args)
    started = time.perf_counter()
    with store.figures_writer(args.db) as con:
        refresh.after_records(con, tables=None)
    print(f"Rebuilt every figure and signal in {time.perf_counter() - started:.1f} s.")


def add_commands(sub, common) -> None:
    p = sub.add_parser("targets", help="the force's targets: list, history, set, withdraw, import")
    cmds = p.add_subparsers(dest="targets_command", required=True, metavar="ACTION")
    for name, func, text in (
        ("list", cmd_targets_list, "the targets as they stand"),
        ("history", cmd_targets_history, "every change to the targets: who, when and why"),
    ):
        q = cmds.add_parser(name, parents=[common], help=text)
        q.add_argument("--metric", dest="metric_id", metavar="ID")
        q.add_argument("--format", choices=("table", "csv"), default="table")
        q.set_defaults(func=func)
    for name, func, text in (
        ("set", cmd_targets_set, "set or change a target from a date"),
        ("withdraw", cmd_targets_withdraw, "have no target from a date"),
    ):
        q = cmds.add_parser(name, parents=[common], help=text)
        q.add_argument("metric_id", metavar="METRIC")
        if name == "set":
            q.add_argument("value", type=number_arg, metavar="VALUE", help="the target")
            q.add_argument("--note", help="a note shown with the target")
        q.add_argument("--district", help="a district or force name (default: every one)")
        q.add_argument(
            "--from", dest="effective_from", type=date_arg, required=True, metavar="YYYY-MM-DD"
        )
        q.add_argument("--to", dest="effective_to", type=date_arg, metavar="YYYY-MM-DD")
        q.add_argument("--reason", required=True, help="why (kept in the history)")
        q.add_argument("--by", help="who is changing it (default: your user name)")
        q.set_defaults(func=func)
    q = cmds.add_parser("import", parents=[common], help="apply a CSV of target changes")
    q.add_argument(
        "file", metavar="FILE", help=f"CSV with columns {', '.join(targets.CSV_COLUMNS)}"
    )
    q.add_argument("--by", help="who is changing them (default: your user name)")
    q.set_defaults(func=cmd_targets_import)

    p = sub.add_parser(
        "refresh", parents=[common], help="rebuild every figure and signal (after a crash)"
    )
    p.set_defaults(func=cmd_refresh)

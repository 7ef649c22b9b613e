"""Command line for the records and their figures: demo, metric, scorecard, signals, rebase.

Registered on the main parser by safeguarding.cli (``add_commands``), which imports this module
only when one of these commands is asked for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import pandas as pd

from safeguarding import appstore, demo, metrics, rebases, registry, signals, spc, store, targets
from safeguarding.cli_common import (
    CommandError,
    date_arg,
    month_arg,
    positive_arg,
    print_frame,
    reader,
)
from safeguarding.formatting import figure_and_target
from safeguarding.paths import db_path


def cmd_demo(args) -> None:
    if args.to is not None:
        problem = demo.last_month_problem(args.to)
        if problem:
            raise CommandError(problem)
    path = db_path(args.db)
    if path.exists():
        if not args.force:
            raise CommandError(f"{path} already exists. Add --force to replace it with demo data.")
        con = store.reader(path)
        source = store.meta(con).get("source")
        if source != "demo":
            raise CommandError(
                f"{path} holds imported data (source: {source}); it will not be replaced by demo "
                "data. Move or delete it yourself if that is really what you want."
            )
        _say_what_goes(path, drop_app_state=args.drop_app_state)
    if args.drop_app_state:
        _drop_app_state(path)
    started = time.perf_counter()
    with store.writer(path, fresh=True) as con:
        counts = demo.build(
            con,
            seed=args.seed,
            forces=args.forces,
            last_month=args.to,
            progress=demo.TerminalProgress(),
        )
    seconds = time.perf_counter() - started
    print(
        f"Built demo database {path} in {seconds:.1f} s (seed {args.seed}, {args.forces} force(s))"
    )
    for table, count in counts.items():
        print(f"  {table:<22} {count:>12,} rows")


def _app_state_counts(path) -> dict[str, int]:
    app = appstore.open(path)
    with app.read() as tx:
        return {t: tx.one(f"select count(*) from {t}") for t in APP_STATE_TABLES}


# What people wrote, as the user knows it: (table, words)
APP_STATE_TABLES = {
    "actions": "actions",
    "packs": "board packs",
    "targets": "target rows",
    "target_changes": "target changes",
    "rebases": "rebases",
    "recommendation_progress": "recommendation updates",
    "imports": "import audit entries",
    "access_log": "access log entries",
}


def _say_what_goes(path, *, drop_app_state: bool) -> None:
    """Before replacing a demo database, say what will be removed and what is kept."""
    counts = _app_state_counts(path)
    written = ", ".join(f"{n:,} {APP_STATE_TABLES[t]}" for t, n in counts.items() if n)
    print(f"Replacing the demo records in {path} (the records and the figures are rebuilt).")
    if drop_app_state:
        print(
            f"Removing what people wrote ({appstore.default_path(path)}): {written or 'nothing'}."
        )
    else:
        print(
            f"Keeping what people wrote ({written or 'nothing yet'}); "
            "add --drop-app-state to remove it as well."
        )


def _drop_app_state(path) -> None:
    target = appstore.default_path(path)
    appstore.forget()
    for suffix in ("", "-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    # A new, empty store: nothing to carry over from the records being replaced.
    with appstore.at(target).write(bump=False) as tx:
        tx.execute(
            "insert into meta (key, value) values ('migrated_at', 'dropped by demo --force')"
        )


def cmd_metric(args) -> None:
    try:
        metric = registry.get(args.metric_id)
    except registry.UnknownMetricError as exc:
        raise CommandError(str(exc)) from None
    if args.from_month and args.to_month and args.from_month > args.to_month:
        raise CommandError("--from must not be after --to")
    con = reader(args)
    frame = metrics.frame(con, metric.id, from_month=args.from_month, to_month=args.to_month)
    if frame.empty:
        raise CommandError(f"No figures for {metric.id} in that period.")
    frame["month"] = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
    print_frame(frame, args.format)


def cmd_scorecard(args) -> None:
    con = reader(args)
    frame = targets.figures(con, from_month=args.month, to_month=args.month)
    if frame.empty:
        as_at = store.meta(con).get("as_at", "unknown")
        raise CommandError(f"No figures for {args.month:%Y-%m}; the data runs to {as_at}.")
    known = registry.metrics()
    order = {metric_id: i for i, metric_id in enumerate(known)}
    frame = frame.sort_values(
        ["metric_id", "district"], key=lambda s: s.map(order) if s.name == "metric_id" else s
    )
    # Figure and target at the places that decide the status (docs/statistics.md, Rounding).
    pairs = [
        figure_and_target(v, t, s, known[m])
        for v, t, s, m in zip(
            frame["value"], frame["target"], frame["status"], frame["metric_id"], strict=True
        )
    ]
    out = pd.DataFrame(
        {
            "metric": frame["metric_id"],
            "district": frame["district"],
            "value": [v for v, _ in pairs],
            "target": [t for _, t in pairs],
            "status": [
                f"{targets.STATUS_SYMBOLS[s]} {targets.STATUS_WORDS[s]}" for s in frame["status"]
            ],
        }
    )
    spc_rows = signals.for_month(con, args.month).set_index(["metric_id", "district"])
    keys = list(zip(frame["metric_id"], frame["district"], strict=True))
    out["variation"] = [_words(spc_rows, k, "variation", signals.ICON_WORDS) for k in keys]
    out["assurance"] = [_words(spc_rows, k, "assurance", signals.ASSURANCE_WORDS) for k in keys]
    print_frame(out, args.format)


def _words(rows: pd.DataFrame, key: tuple[str, str], column: str, words: dict) -> str:
    if key not in rows.index:
        return "no SPC (no figure)"
    value = rows.at[key, column]
    if pd.isna(value):
        # no figure this month gives no variation; a figure without a target gives no assurance
        return words.get(None, "no figure this month")
    return words[value]


def cmd_signals(args) -> None:
    """Each metric x district's SPC verdict for a month, with the sentence the charts carry."""
    con = reader(args)
    if args.metric_id:
        try:
            registry.get(args.metric_id)
        except registry.UnknownMetricError as exc:
            raise CommandError(str(exc)) from None
    rows = signals.for_month(con, args.month)
    if args.metric_id:
        rows = rows[rows["metric_id"] == args.metric_id]
    if rows.empty:
        as_at = store.meta(con).get("as_at", "unknown")
        raise CommandError(f"No signals for {args.month:%Y-%m}; the data runs to {as_at}.")
    known = registry.metrics()
    out = []
    for r in rows.itertuples():
        metric = known[r.metric_id]
        series = signals.series(con, r.metric_id, districts=[r.district], to_month=args.month)
        series = series[series["value"].notna()]
        summary = (
            spc.alt_text(
                spc.summarise(series, improvement=metric.improvement),
                title=metric.title,
                measure=metric,
                district=r.district,
            )
            if not series.empty
            else f"{r.district}, {metric.title}: no figure."
        )
        out.append(
            {
                "metric": r.metric_id,
                "district": r.district,
                "variation": signals.ICON_WORDS.get(r.variation, "no figure"),
                "assurance": signals.ASSURANCE_WORDS.get(
                    None if pd.isna(r.assurance) else r.assurance
                ),
                "provisional": "provisional" if r.provisional else "",
                "summary": summary,
            }
        )
    print_frame(pd.DataFrame(out), args.format)


def _rebase_fields(args) -> dict:
    try:
        registry.get(args.metric_id)
    except registry.UnknownMetricError as exc:
        raise CommandError(str(exc)) from None
    reader(args)  # a clear message if there is no database
    return {"metric_id": args.metric_id, "district": args.district, "month": args.month}


def cmd_rebase_add(args) -> None:
    fields = _rebase_fields(args)
    try:
        rebases.record(
            args.db,
            **fields,
            reason=args.reason,
            agreed_by=args.agreed_by,
            agreed_on=args.agreed_on,
        )
    except rebases.RebaseError as exc:
        raise CommandError(str(exc)) from None
    print(
        f"Recorded: {args.metric_id} in {args.district} starts a new period in "
        f"{args.month:%Y-%m}; its limits and signals have been recalculated."
    )


def cmd_rebase_remove(args) -> None:
    fields = _rebase_fields(args)
    try:
        rebases.withdraw(args.db, **fields)
    except rebases.RebaseError as exc:
        raise CommandError(str(exc)) from None
    print(f"Removed the rebase of {args.metric_id} in {args.district} at {args.month:%Y-%m}.")


def cmd_rebase_list(args) -> None:
    con = reader(args)
    frame = rebases.listing(con, args.metric_id)
    for column in ("month", "agreed_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.strftime(
            "%Y-%m" if column == "month" else "%Y-%m-%d"
        )
    print_frame(frame, args.format)


def add_commands(sub, common: argparse.ArgumentParser) -> None:
    """Register demo, metric, scorecard, signals and rebase on the main parser's subcommands."""
    p = sub.add_parser("demo", parents=[common], help="build a database of demo data")
    p.add_argument("--seed", type=int, default=2014, help="random seed (default 2014)")
    p.add_argument("--forces", type=positive_arg, default=1, help="number of forces (default 1)")
    p.add_argument(
        "--to", type=month_arg, metavar="YYYY-MM", help="last month (default: last complete month)"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing demo database's records (keeps actions, packs, targets...)",
    )
    p.add_argument(
        "--drop-app-state",
        action="store_true",
        help="with --force: also remove what people wrote (actions, packs, targets, logs)",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("metric", parents=[common], help="print one metric's monthly figures")
    p.add_argument("metric_id", metavar="ID", help="metric id, e.g. rso_caseload_per_officer")
    p.add_argument("--from", dest="from_month", type=month_arg, metavar="YYYY-MM")
    p.add_argument("--to", dest="to_month", type=month_arg, metavar="YYYY-MM")
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.set_defaults(func=cmd_metric)

    p = sub.add_parser("scorecard", parents=[common], help="every metric and district for a month")
    p.add_argument("--month", type=month_arg, required=True, metavar="YYYY-MM")
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.set_defaults(func=cmd_scorecard)

    p = sub.add_parser("signals", parents=[common], help="SPC signals of every metric for a month")
    p.add_argument("--month", type=month_arg, required=True, metavar="YYYY-MM")
    p.add_argument("--metric", dest="metric_id", metavar="ID", help="one metric only")
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.set_defaults(func=cmd_signals)

    p = sub.add_parser("rebase", help="the SPC rebase register (where limits are recalculated)")
    rebase = p.add_subparsers(dest="rebase_command", required=True, metavar="ACTION")
    q = rebase.add_parser("list", parents=[common], help="list recorded rebases")
    q.add_argument("--metric", dest="metric_id", metavar="ID")
    q.add_argument("--format", choices=("table", "csv"), default="table")
    q.set_defaults(func=cmd_rebase_list)
    for action, func, text in (
        ("add", cmd_rebase_add, "record a rebase (limits recalculated from MONTH)"),
        ("remove", cmd_rebase_remove, "withdraw a rebase recorded in error"),
    ):
        q = rebase.add_parser(action, parents=[common], help=text)
        q.add_argument("metric_id", metavar="METRIC")
        q.add_argument("district", metavar="DISTRICT", help="district or force name")
        q.add_argument(
            "month", type=month_arg, metavar="YYYY-MM", help="first month of the new period"
        )
        if action == "add":
            q.add_argument("--reason", required=True, help="why the process changed")
            q.add_argument("--agreed-by", required=True, help="who agreed the recalculation")
            q.add_argument(
                "--agreed-on",
                type=date_arg,
                default=dt.date.today(),
                metavar="YYYY-MM-DD",
                help="when it was agreed (default: today)",
            )
        q.set_defaults(func=func)

"""Command line for the quarterly review: board packs, the action log, recommendations.

    python -m safeguarding pack --quarter 2024Q3 --format pdf --out pack.pdf
    python -m safeguarding pack --snapshot 1a2b3c4d5e6f --format pptx --out pack.pptx
    python -m safeguarding packs
    python -m safeguarding actions list --quarter 2024Q3
    python -m safeguarding actions add --quarter 2024Q3 --text "..." --owner "..." [--metric ID]
    python -m safeguarding actions update 3 --status in_progress --response "..."
    python -m safeguarding actions close 3 --response "..."
    python -m safeguarding recommendations list [--overdue]
    python -m safeguarding recommendations update WY-CPI14-08 --status completed --evidence "..."

``add_commands`` is called by ``safeguarding.cli.build_parser``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from safeguarding import actions, registry
from safeguarding.cli_common import CommandError, date_arg, print_frame, reader, who
from safeguarding.formatting import parse_quarter
from safeguarding.paths import db_path, not_a_database
from safeguarding.quarters import Period

if TYPE_CHECKING:
    import pandas as pd

# The choices of --format and --status, written here so that registering these commands does not
# import the pack renderer or the recommendations tracker (and the chart and statistics libraries
# behind them): ``actions add`` starts in a fraction of a second. tests/test_cli_lazy.py checks
# they are pack.FORMATS and recommendations.STATUSES.
PACK_FORMATS = ("pdf", "pptx")
RECOMMENDATION_STATUSES = ("open", "in_progress", "completed")


def _quarter(text: str) -> str:
    try:
        first, _ = parse_quarter(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return Period.quarter_of(first).code


def _existing(args) -> str:
    """The database path, which must exist: a write to a mistyped path must not create one."""
    path = db_path(args.db)
    if not path.exists():
        raise CommandError(
            f"No database at {path}. Build one with: python -m safeguarding demo --db {path}"
        )
    problem = not_a_database(path)
    if problem:
        raise CommandError(problem)
    return str(path)


def _dates_as_text(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = [v.isoformat() if isinstance(v, dt.date) else "" for v in out[column]]
    return out


# --- packs -----------------------------------------------------------------------------------


def _pack_force(path: str, name: str | None) -> str:
    """The force a new pack is for: --force, or the database's only force."""
    from safeguarding import store

    con = store.reader(path)
    forces = [
        r[0] for r in con.execute("select distinct force from districts order by 1").fetchall()
    ]
    if not forces:
        raise CommandError("The database has no districts: load data or rebuild the demo first.")
    if name is None:
        if len(forces) > 1:
            shown = ", ".join(forces[:5]) + (
                f" and {len(forces) - 5} more" if len(forces) > 5 else ""
            )
            raise CommandError(
                f"This database holds {len(forces)} forces ({shown}): say which one the pack is "
                f"for with --force, e.g. --force '{forces[0]}'."
            )
        return forces[0]
    if name not in forces:
        near = [f for f in forces if name.lower() in f.lower()]
        hint = f" Did you mean {', '.join(near[:5])}?" if near else ""
        listed = ", ".join(forces[:10]) + (
            f" and {len(forces) - 10} more" if len(forces) > 10 else ""
        )
        raise CommandError(f"No force called '{name}' in {path}.{hint} Forces: {listed}.")
    return name


def _writable(out: Path) -> None:
    """CommandError now, before a pack is built and kept, if ``out`` cannot be written."""
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(dir=out.parent, prefix=".pack-", delete=True):
            pass
        if out.exists():
            with open(out, "r+b"):
                pass
    except OSError as exc:
        raise CommandError(f"Cannot write {out}: {exc.strerror}") from None


def cmd_pack(args) -> None:
    from safeguarding import demo, pack, store

    if not args.snapshot and not args.quarter:
        raise CommandError("Give --quarter (e.g. 2024Q3) or --snapshot ID.")
    path = _existing(args)
    out = Path(args.out)
    if not out.parent.exists():
        raise CommandError(f"The folder {out.parent} does not exist.")
    # Said before the pack is built (a minute with charts), not after.
    if out.is_dir():
        raise CommandError(f"{out} is a folder: give the file to write, e.g. {out / 'pack.pdf'}.")
    _writable(out)
    created_by = who(args) if args.by else None  # checked as every --by is
    bar = demo.TerminalProgress()
    try:
        if args.snapshot:
            snapshot = pack.load(store.reader(path), args.snapshot)
            if args.quarter and args.quarter != snapshot.quarter:
                raise CommandError(
                    f"Snapshot {snapshot.short_id} is the pack for {snapshot.quarter}, not "
                    f"{args.quarter}."
                )
            if args.force_name and args.force_name != snapshot.force:
                raise CommandError(
                    f"Snapshot {snapshot.short_id} is the pack of {snapshot.force}, not "
                    f"{args.force_name}."
                )
            new = False
            data = pack.render(snapshot, args.format, with_charts=not args.no_charts, progress=bar)
        else:
            force = _pack_force(path, args.force_name)
            snapshot, new, data = pack.make(
                path,
                args.quarter,
                args.format,
                force=force,
                created_by=created_by,
                with_charts=not args.no_charts,
                progress=bar,
            )
    except pack.PackError as exc:
        raise CommandError(str(exc)) from None
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise CommandError(f"Cannot write {out}: {exc.strerror}") from None
    label = snapshot.content["labels"]["quarter_long"]
    if args.snapshot:
        history = f"rebuilt exactly as presented on {snapshot.presented_on}"
    elif new:
        history = "a new snapshot, kept so this pack can be rebuilt exactly"
    else:
        history = f"the same figures as the pack first presented on {snapshot.presented_on}"
    print(
        f"Wrote {out} ({len(data) / 1e6:.1f} MB): board pack of {snapshot.force} for {label}, "
        f"snapshot {snapshot.short_id}, data as at {snapshot.as_at_text}; {history}."
    )
    print(f"Snapshot {snapshot.snapshot_id}")


def cmd_packs(args) -> None:
    import pandas as pd

    from safeguarding import pack

    con = reader(args)
    frame = pack.listing(con, args.quarter)
    frame["as_at"] = [v.date().isoformat() if pd.notna(v) else "" for v in frame["as_at"]]
    frame["created_at"] = [f"{v:%Y-%m-%d %H:%M} UTC" for v in frame["created_at"]]
    print_frame(frame.drop(columns=["snapshot_id"]), args.format)


# --- actions ---------------------------------------------------------------------------------


def _action_table(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    if frame.empty:
        return frame
    out = pd.DataFrame(
        {
            "id": frame["action_id"],
            "quarter": frame["quarter"],
            "metric": frame["metric_id"].fillna(""),
            "district": frame["district"].fillna(""),
            "owner": frame["owner"],
            "due": frame["due_date"],
            "status": [
                actions.status_text(s, bool(o))
                for s, o in zip(frame["status"], frame["overdue"], strict=True)
            ],
            "text": frame["text"],
            "response": frame["response"].fillna(""),
            "closed_on": frame["closed_on"],
        }
    )
    if "carried_forward" in frame:
        out.insert(2, "carried_forward", ["yes" if c else "" for c in frame["carried_forward"]])
    return _dates_as_text(out, ("due", "closed_on"))


def cmd_actions_list(args) -> None:
    con = reader(args)
    try:
        frame = actions.for_review(con, args.quarter) if args.quarter else actions.listing(con)
        if args.status:
            frame = frame[frame["status"] == args.status]
    except actions.ActionError as exc:
        raise CommandError(str(exc)) from None
    if args.overdue and not frame.empty:
        frame = frame[frame["overdue"]]
    print_frame(_action_table(frame), args.format)


def _run(path: str, func, *args, **kwargs):
    try:
        return actions.write(path, func, *args, **kwargs)
    except actions.ActionError as exc:
        raise CommandError(str(exc)) from None


def cmd_actions_add(args) -> None:
    path = _existing(args)
    action_id = _run(
        path,
        actions.add,
        quarter=args.quarter,
        text=args.text,
        owner=args.owner,
        metric_id=args.metric_id,
        district=args.district,
        due_date=args.due,
        raised_on=args.raised_on,
    )
    print(f"Recorded action {action_id} for {args.quarter}, owner {args.owner.strip()}.")


def cmd_actions_update(args) -> None:
    path = _existing(args)
    changes = {
        name: getattr(args, name)
        for name in ("text", "owner", "status", "response", "metric_id", "district")
        if getattr(args, name) is not None
    }
    if args.due is not None:
        changes["due_date"] = args.due
    if not changes:
        raise CommandError("Nothing to change: give at least one of the options.")
    saved = _run(path, actions.update, args.action_id, **changes)
    print(f"Updated action {args.action_id}: {actions.STATUS_WORDS[saved['status']].lower()}.")


def cmd_actions_close(args) -> None:
    from safeguarding.review import day_label

    path = _existing(args)
    saved = _run(path, actions.close, args.action_id, response=args.response, closed_on=args.on)
    print(f"Closed action {args.action_id} on {day_label(saved['closed_on'])}.")


# --- recommendations -------------------------------------------------------------------------


def cmd_recommendations_list(args) -> None:
    import pandas as pd

    from safeguarding import recommendations

    con = reader(args)
    frame = recommendations.listing(con, force=args.force_name)
    if args.overdue:
        frame = frame[frame["overdue"]]
    out = pd.DataFrame(
        {
            "ref": frame["recommendation_ref"],
            "owner": frame["owner"],
            "due": frame["due_date"],
            "progress": frame["progress"],
            "linked_metrics": [", ".join(ids) for ids in frame["metric_ids"]],
            "text": frame["text"],
        }
    )
    print_frame(_dates_as_text(out, ("due",)), args.format)


def cmd_recommendations_update(args) -> None:
    from safeguarding import recommendations

    path = _existing(args)
    changes = {
        name: getattr(args, name)
        for name in ("status", "evidence", "completed_on", "owner")
        if getattr(args, name) is not None
    }
    if args.due is not None:
        changes["due_date"] = args.due
    if not changes:
        raise CommandError("Nothing to change: give at least one of the options.")
    try:
        saved = recommendations.save(path, args.ref, **changes)
    except recommendations.RecommendationError as exc:
        raise CommandError(str(exc)) from None
    print(
        f"Updated {args.ref}: {recommendations.progress_text(saved, dt.date.today())}. "
        "The on-time figures and SPC signals have been recalculated."
    )


# --- the parser ------------------------------------------------------------------------------


def _metric_id(text: str) -> str:
    try:
        return registry.get(text).id
    except registry.UnknownMetricError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_commands(sub, common: argparse.ArgumentParser) -> None:
    """Add pack, packs, actions and recommendations to the CLI's subcommands."""
    p = sub.add_parser(
        "pack", parents=[common], help="write a quarter's board pack (PDF or PowerPoint)"
    )
    p.add_argument("--quarter", type=_quarter, metavar="YYYYQn", help="the quarter, e.g. 2024Q3")
    p.add_argument("--format", choices=PACK_FORMATS, required=True)
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    p.add_argument(
        "--snapshot",
        metavar="ID",
        help="rebuild the pack kept with this snapshot id (as presented), not from today's data",
    )
    p.add_argument(
        "--force",
        dest="force_name",
        metavar="NAME",
        help="the force the pack is for (needed when the database holds several)",
    )
    p.add_argument("--by", metavar="NAME", help="who is issuing the pack (kept with it)")
    p.add_argument(
        "--no-charts", action="store_true", help="leave out the charts (no Chromium needed)"
    )
    p.set_defaults(func=cmd_pack)

    p = sub.add_parser("packs", parents=[common], help="list the board packs kept")
    p.add_argument("--quarter", type=_quarter, metavar="YYYYQn")
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.set_defaults(func=cmd_packs)

    p = sub.add_parser("actions", help="the accountability meeting's action log")
    action = p.add_subparsers(dest="actions_command", required=True, metavar="ACTION")
    q = action.add_parser("list", parents=[common], help="list actions")
    q.add_argument(
        "--quarter", type=_quarter, metavar="YYYYQn", help="a review: its own and carried forward"
    )
    q.add_argument("--status", choices=actions.STATUSES)
    q.add_argument("--overdue", action="store_true", help="overdue actions only")
    q.add_argument("--format", choices=("table", "csv"), default="table")
    q.set_defaults(func=cmd_actions_list)

    q = action.add_parser("add", parents=[common], help="record a question or action")
    q.add_argument("--quarter", type=_quarter, required=True, metavar="YYYYQn")
    q.add_argument("--text", required=True, help="the question or action")
    q.add_argument("--owner", required=True, help="who is to answer it")
    q.add_argument("--metric", dest="metric_id", type=_metric_id, metavar="ID")
    q.add_argument("--district", metavar="NAME", help="district or force")
    q.add_argument("--due", type=date_arg, metavar="YYYY-MM-DD")
    q.add_argument("--raised-on", type=date_arg, metavar="YYYY-MM-DD", help="default: today")
    q.set_defaults(func=cmd_actions_add)

    q = action.add_parser("update", parents=[common], help="change an action")
    q.add_argument("action_id", type=int, metavar="ID")
    q.add_argument("--text")
    q.add_argument("--owner")
    q.add_argument("--due", type=date_arg, metavar="YYYY-MM-DD")
    q.add_argument("--status", choices=("open", "in_progress"), help="close with 'close'")
    q.add_argument("--response", help="the owner's response so far")
    q.add_argument("--metric", dest="metric_id", type=_metric_id, metavar="ID")
    q.add_argument("--district", metavar="NAME")
    q.set_defaults(func=cmd_actions_update)

    q = action.add_parser("close", parents=[common], help="close an action with its response")
    q.add_argument("action_id", type=int, metavar="ID")
    q.add_argument("--response", required=True, help="what was done")
    q.add_argument("--on", type=date_arg, metavar="YYYY-MM-DD", help="default: today")
    q.set_defaults(func=cmd_actions_close)

    p = sub.add_parser("recommendations", help="the inspection recommendations tracker")
    rec = p.add_subparsers(dest="recommendations_command", required=True, metavar="ACTION")
    q = rec.add_parser("list", parents=[common], help="list recommendations, overdue first")
    q.add_argument("--overdue", action="store_true", help="overdue ones only")
    q.add_argument("--force", dest="force_name", metavar="NAME")
    q.add_argument("--format", choices=("table", "csv"), default="table")
    q.set_defaults(func=cmd_recommendations_list)

    q = rec.add_parser("update", parents=[common], help="record progress on a recommendation")
    q.add_argument("ref", metavar="REF", help="e.g. WY-CPI14-08")
    q.add_argument("--status", choices=RECOMMENDATION_STATUSES)
    q.add_argument("--evidence", help="what was done, and where the proof is")
    q.add_argument("--completed-on", type=date_arg, metavar="YYYY-MM-DD")
    q.add_argument("--owner")
    q.add_argument("--due", type=date_arg, metavar="YYYY-MM-DD")
    q.set_defaults(func=cmd_recommendations_update)

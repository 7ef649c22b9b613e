"""Command line for most similar groups and peer comparisons.

    python -m safeguarding peers load FILE          replace every group with FILE's (force,peer);
                                                    the import ``import peer_groups FILE``
    python -m safeguarding peers list               each force's group, and who counts it a peer
    python -m safeguarding peers compare FORCE --month YYYY-MM
                                                    signal and position of every metric

Registered on the main parser by safeguarding.cli (``add_commands``).
"""

from __future__ import annotations

import argparse

from safeguarding import peers, store
from safeguarding.cli_common import CommandError, month_arg, print_frame, reader, who
from safeguarding.quarters import Period


def cmd_load(args) -> None:
    """The same import as ``import peer_groups FILE`` (audited), with its own words."""
    try:
        count = peers.load(args.file, args.db, by=who(args))
    except peers.PeerGroupError as exc:
        raise CommandError(f"{args.file} was not loaded: {exc}") from None
    except store.StoreError as exc:
        raise CommandError(str(exc)) from None
    con = reader(args)
    grouped = len(peers.groups(con))
    print(f"Loaded {count:,} peer pairs from {args.file}: {grouped} force(s) have a group.")


def cmd_list(args) -> None:
    frame = peers.listing(reader(args))
    print_frame(frame, args.format)


def cmd_compare(args) -> None:
    con = reader(args)
    known = peers.forces(con)
    if args.force not in known:
        raise CommandError(f"No force called '{args.force}'. The forces are {', '.join(known)}.")
    frame = peers.signal_and_position(con, args.force, Period.month(args.month))
    if frame.empty:
        raise CommandError(f"No figures for {args.month:%Y-%m}.")
    print_frame(frame.drop(columns=["metric_id"]), args.format)


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("peers", help="most similar groups (peer forces) and peer comparisons")
    action = p.add_subparsers(dest="peers_command", required=True, metavar="ACTION")
    q = action.add_parser("load", parents=[common], help="replace the peer groups with a file's")
    q.add_argument("file", metavar="FILE", help="CSV with columns force,peer (see docs/peers.md)")
    q.add_argument("--by", metavar="NAME", help="who is loading it (default: your user name)")
    q.set_defaults(func=cmd_load)
    q = action.add_parser("list", parents=[common], help="each force's most similar group")
    q.add_argument("--format", choices=("table", "csv"), default="table")
    q.set_defaults(func=cmd_list)
    q = action.add_parser(
        "compare", parents=[common], help="a force against its group and all forces, every metric"
    )
    q.add_argument("force", metavar="FORCE")
    q.add_argument("--month", type=month_arg, required=True, metavar="YYYY-MM")
    q.add_argument("--format", choices=("table", "csv"), default="table")
    q.set_defaults(func=cmd_compare)

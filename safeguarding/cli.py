"""Command line: safeguarding COMMAND ... or python -m safeguarding COMMAND ... (each takes --db).

The commands live in five modules, each registering its own on the main parser with
``add_commands(sub, common)``: cli_records (the records and their figures), cli_review (packs,
actions, recommendations), cli_data (data in and out), cli_peers and cli_targets. GROUPS below
names the commands each registers. A run imports only the module of the command asked for, so
a quick command (``actions add``) does not first import the chart, statistics and export
libraries that others need; the full parser (every module) is built only for the top-level help
or a command that is not known.

Adding a command: register it in its module's ``add_commands`` and add its name to that
module's entry in GROUPS (tests/test_cli_lazy.py fails if the two disagree).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from safeguarding.paths import DB_ENV_VAR

# What argparse calls the program in usage lines: the installed command, or the module form
# when run as ``python -m safeguarding`` (safeguarding/__main__.py passes that).
PROG = "safeguarding"
MODULE_PROG = "python -m safeguarding"


def _records(sub, common) -> None:
    from safeguarding import cli_records

    cli_records.add_commands(sub, common)


def _review(sub, common) -> None:
    from safeguarding import cli_review

    cli_review.add_commands(sub, common)


def _data(sub, common) -> None:
    from safeguarding import cli_data

    cli_data.add_commands(sub, common)


def _peers(sub, common) -> None:
    from safeguarding import cli_peers

    cli_peers.add_commands(sub, common)


def _targets(sub, common) -> None:
    from safeguarding import cli_targets

    cli_targets.add_commands(sub, common)


# (the top-level commands a module registers, in the order the help lists them; its registrar)
GROUPS: tuple[tuple[tuple[str, ...], Callable[..., None]], ...] = (
    (("demo", "metric", "scorecard", "signals", "rebase"), _records),
    (("pack", "packs", "actions", "recommendations"), _review),
    (("template", "export", "import", "contract", "imports"), _data),
    (("peers",), _peers),
    (("targets", "refresh"), _targets),
)


def build_parser(command: str | None = None, *, prog: str = PROG) -> argparse.ArgumentParser:
    """The parser; with ``command``, only the module registering that command is imported and
    its commands registered (the full parser if no module registers it)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Safeguarding performance dashboard: data, metrics and exports.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        help=f"database file (default: ${DB_ENV_VAR} or data/safeguarding.duckdb)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = [register for names, register in GROUPS if command in names]
    for register in wanted or [register for _, register in GROUPS]:
        register(sub, common)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (its first word that is not an option), if any."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: list[str] | None = None, *, prog: str = PROG) -> int:
    from safeguarding.cli_common import CommandError

    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(_command(argv), prog=prog)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        # Every write is all or nothing; a change of targets or rebases already saved when its
        # refresh was stopped has its figures caught up on the next read (store.catch_up).
        print(
            "stopped: whatever was not yet saved was not stored; a change already saved is kept "
            "and the figures catch up with it when next read",
            file=sys.stderr,
        )
        return 130
    return 0

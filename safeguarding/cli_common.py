"""What every command-line module shares: the user-error exception, argument types, the
database reader and table printing. Its own module so that safeguarding.cli, cli_data and
cli_review all import it, and none of them needs to import another. It imports nothing heavy at
module level (the data libraries come with the function that needs them), so a command that
needs none of them starts quickly."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb
    import pandas as pd


class CommandError(Exception):
    """A problem the user can fix; printed without a traceback, exit code 2."""


def month_arg(text: str) -> dt.date:
    from safeguarding.formatting import parse_month

    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def date_arg(text: str) -> dt.date:
    # Only YYYY-MM-DD: Python's own parser would also take 20240731 and week dates (2024W311).
    from safeguarding.formatting import parse_date

    try:
        return parse_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2024-07-31") from None


def number_arg(text: str) -> float:
    """A plain, finite decimal number (not 9_2, nan or inf)."""
    from safeguarding.formatting import parse_number

    try:
        return parse_number(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


MAX_COUNT = 1_000_000  # a count asked for (--limit): beyond it no listing has rows to show


def positive_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    if value > MAX_COUNT:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_COUNT:,}")
    return value


def print_frame(frame: pd.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        from safeguarding import downloads

        # For people (a spreadsheet may open it); `export` writes rows exactly for re-import.
        sys.stdout.write(downloads.csv_bytes(frame).decode("utf-8"))
    else:
        # A missing value is blank, as in the pages and the CSV: not pandas' NaN or None.
        shown = frame.astype(object).where(frame.notna(), "")
        print(shown.to_string(index=False) if len(frame) else "(no rows)")


def reader(args) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the database named by --db (or the default)."""
    from safeguarding import store

    try:
        # A change of targets, rebases or progress whose refresh was stopped is caught up first,
        # so what is printed follows it.
        store.catch_up(args.db)
        return store.reader(args.db)
    except store.StoreError as exc:
        raise CommandError(str(exc)) from None


def who(args) -> str | None:
    """Who is making a change: --by, else the user name of this login (None where the system
    has no name for it, as in a bare container: the command then says who must be named)."""
    if args.by:
        from safeguarding import characters

        # Stored and printed beside every change: held to the rule for words people type.
        problem = characters.words_problem(
            args.by.strip(), "name given with --by", characters.MAX_NAME
        )
        if problem:
            raise CommandError(problem)
        return args.by.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None

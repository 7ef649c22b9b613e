"""What every command-line module shares: the user-error exception, argument types, the
database reader and table printing. Its own module so that safeguarding.cli, cli_data and
cli_review all import it, and none of them needs to import another."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import duckdb
import pandas as pd

from safeguarding import downloads, store
from safeguarding.formatting import parse_month


class CommandError(Exception):
    """A problem the user can fix; printed without a traceback, exit code 2."""


def month_arg(text: str) -> dt.date:
    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2024-07-31") from None


def positive_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def print_frame(frame: pd.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        # For people (a spreadsheet may open it); `export` writes rows exactly for re-import.
        sys.stdout.write(downloads.csv_bytes(frame).decode("utf-8"))
    else:
        print(frame.to_string(index=False) if len(frame) else "(no rows)")


def reader(args) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the database named by --db (or the default)."""
    try:
        return store.reader(args.db)
    except store.StoreError as exc:
        raise CommandError(str(exc)) from None

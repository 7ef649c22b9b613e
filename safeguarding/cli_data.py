"""Command line for data in and out: template, export, import, contract, imports (the audit).

Registered on the main parser by safeguarding.cli (``add_commands``). Every user mistake (unknown
table, missing file, a file with errors) ends in a plain message and exit code 2, never a
traceback; problems in a file are printed as a table of line, column, value and message.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

from safeguarding import contract, imports
from safeguarding.cli_common import CommandError, positive_arg, print_frame, reader, who
from safeguarding.paths import db_path


def _table(name: str) -> contract.TableContract:
    try:
        return contract.get(name)
    except contract.UnknownTableError as exc:
        raise CommandError(str(exc)) from None


def _write_text(text: str, out: str | None) -> None:
    if out:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)


def cmd_template(args) -> None:
    _write_text(contract.template_csv(_table(args.table).name), args.out)
    if args.out:
        print(f"Wrote the {args.table} template (header only) to {args.out}", file=sys.stderr)


def cmd_export(args) -> None:
    table = _table(args.table)
    con = reader(args)
    if args.out:
        try:
            count = imports.export_csv(con, table.name, args.out)
        except Exception as exc:  # duckdb reports an unwritable path as an IOException
            raise CommandError(f"Cannot write {args.out}: {exc}") from None
        print(f"Exported {count:,} {table.name} rows to {args.out}", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / f"{table.name}.csv"
        imports.export_csv(con, table.name, target)
        with open(target, encoding="utf-8") as handle:
            shutil.copyfileobj(handle, sys.stdout)


QUERIES_SHOWN = 20  # in the table format; every listed query is in --format csv


def _print_problems(report: imports.Report, fmt: str) -> None:
    """Errors in full (up to imports.MAX_LISTED); queries, which do not stop a load, in brief."""
    if report.problems.empty:
        return
    if fmt == "csv":
        # For people, as every --format csv listing: a value that would start a formula is
        # written as text (a file's cells are exactly what the problems quote).
        print_frame(report.problems, "csv")
        return
    problems = report.problems
    errors = problems[problems["severity"] == "error"]
    queries = problems[problems["severity"] == "query"]
    shown = pd.concat([errors, queries.head(QUERIES_SHOWN)])
    table = shown[["line", "column", "value", "severity", "message"]].copy()
    table["line"] = table["line"].astype("string").fillna("")
    print(f"Problems in {report.file_name}:")
    print(table.to_string(index=False))
    if report.listed_note:
        print(report.listed_note)
    hidden = report.queries - min(len(queries), QUERIES_SHOWN)
    if hidden > 0:
        print(
            f"... and {hidden:,} more queries (list them all with --format csv; once loaded, "
            "they are on the Data quality page)."
        )


def _import_force(args, live: Path, table: contract.TableContract) -> str | None:
    """The force the file is for: --force, which a database of several forces needs for a
    table that names districts (its file may hold that force's districts only)."""
    if not live.exists():
        return args.force
    forces = sorted(set(imports.forces_of(reader(args)).values()))
    if args.force:
        if args.force not in forces:
            listed = f"the forces are: {', '.join(forces)}" if forces else "it has no districts yet"
            raise CommandError(f"There is no force called '{args.force}' in {live} ({listed}).")
        return args.force
    names_districts = table.name == "districts" or any(c.district_ref for c in table.columns)
    if names_districts and len(forces) > 1:
        raise CommandError(
            f"This database holds {len(forces)} forces ({', '.join(forces)}). Add --force NAME "
            f"to say which force's file this is: only that force's districts are accepted."
        )
    return None


def cmd_import(args) -> None:
    if args.table == imports.PEER_TABLE:
        _import_peer_groups(args)
        return
    table = _table(args.table)
    path = Path(args.file)
    try:
        file_name, data = imports.read_path(path)
    except FileNotFoundError:
        raise CommandError(f"No file at {path}.") from None
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
    live = db_path(args.db)
    if not live.exists() and not args.create:
        raise CommandError(
            f"No database at {live}. Add --create to start an empty one (then import the "
            "districts file first), or build the demo with: python -m safeguarding demo"
        )
    if args.check and not live.exists():
        raise CommandError(f"No database at {live} to check the file against.")
    force = _import_force(args, live, table)
    if args.check:
        try:
            report = imports.check(live, table.name, data, file_name, force=force)
        except imports.UnknownForceError as exc:
            raise CommandError(str(exc)) from None
        _print_problems(report, args.format)
        if not report.ok:
            raise CommandError(report.summary())
        print(report.summary())
        return
    try:
        result = imports.import_file(live, table.name, data, file_name, by=who(args), force=force)
    except imports.UnknownForceError as exc:
        raise CommandError(str(exc)) from None
    _print_problems(result.report, args.format)
    if result.outcome == "rejected":
        raise CommandError(
            f"{result.report.summary()} The database is unchanged "
            f"(recorded as import {result.import_id})."
        )
    queries = (
        f" {result.report.queries:,} queries are listed on the Data quality page."
        if result.report.queries
        else ""
    )
    if result.outcome == "unchanged":
        print(
            f"{file_name}: every record is already stored exactly as in the file; nothing "
            f"changed (import {result.import_id}).{queries}"
        )
    else:
        print(
            f"Loaded {file_name} into {table.name}: {result.inserted:,} inserted, "
            f"{result.updated:,} updated, {result.unchanged:,} unchanged "
            f"(import {result.import_id}). The figures have been recalculated.{queries}"
        )


def _import_peer_groups(args) -> None:
    """Most similar groups: every force's, so --force does not apply; the file replaces them."""
    path = Path(args.file)
    if args.force:
        raise CommandError(
            "Peer groups are every force's, not one force's: load them without --force."
        )
    if not path.is_file():
        raise CommandError(f"No file at {path}.")
    live = db_path(args.db)
    if not live.exists():
        raise CommandError(
            f"No database at {live}: load the districts first (forces come from them)."
        )
    if args.check:
        report = imports.check(live, imports.PEER_TABLE, path, path.name)
        _print_problems(report, args.format)
        if not report.ok:
            raise CommandError(report.summary())
        print(report.summary())
        return
    result = imports.import_file(live, imports.PEER_TABLE, path, path.name, by=who(args))
    _print_problems(result.report, args.format)
    if result.outcome == "rejected":
        raise CommandError(
            f"{result.report.summary()} The peer groups are unchanged "
            f"(recorded as import {result.import_id})."
        )
    if result.outcome == "unchanged":
        print(
            f"{path.name}: the peer groups are already exactly as in the file; nothing changed "
            f"(import {result.import_id})."
        )
    else:
        print(f"Loaded {path.name} into peer_groups: {result.message} (import {result.import_id}).")


def cmd_contract(args) -> None:
    _write_text(contract.markdown(), args.out)
    if args.out:
        print(f"Wrote the data contract to {args.out}", file=sys.stderr)


def cmd_imports(args) -> None:
    frame = imports.history(reader(args), limit=args.limit)
    if frame.empty:
        print("(no imports yet)")
        return
    frame["imported_at"] = pd.to_datetime(frame["imported_at"]).dt.strftime("%Y-%m-%d %H:%M")
    frame["sha256"] = frame["sha256"].str[:12]
    if args.format == "csv":
        print_frame(frame, "csv")  # file names and names are outside text: formulas neutralised
    else:
        print(frame.fillna("").to_string(index=False))


def add_commands(sub, common: argparse.ArgumentParser) -> None:
    """Register the data commands on the main parser's subcommands."""
    tables = ", ".join(contract.IMPORT_TABLES)

    # template and contract come from the schema alone; they take --db like every command, so a
    # script can pass the same options to each.
    p = sub.add_parser("template", parents=[common], help="an empty CSV (header only) for a table")
    p.add_argument("table", metavar="TABLE", help=f"one of: {tables}")
    p.add_argument("--out", metavar="FILE", help="write to FILE (default: standard output)")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("export", parents=[common], help="a table's stored rows as CSV")
    p.add_argument("table", metavar="TABLE", help=f"one of: {tables}")
    p.add_argument("--out", metavar="FILE", help="write to FILE (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "import", parents=[common], help="validate a CSV or .xlsx file and load it into a table"
    )
    p.add_argument(
        "table",
        metavar="TABLE",
        help=f"one of: {tables}, or {imports.PEER_TABLE} (a CSV replacing every peer group)",
    )
    p.add_argument("file", metavar="FILE", help="the .csv (UTF-8) or .xlsx file")
    p.add_argument("--by", metavar="NAME", help="who is importing (default: your user name)")
    p.add_argument(
        "--force",
        metavar="NAME",
        help="the force the file is for: only its districts are accepted (needed on a database "
        "of several forces)",
    )
    p.add_argument(
        "--check", action="store_true", help="only validate: report problems, load nothing"
    )
    p.add_argument(
        "--create", action="store_true", help="create an empty database if there is none"
    )
    p.add_argument("--format", choices=("table", "csv"), default="table", help="problem list")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "contract", parents=[common], help="the data contract (docs/data-contract.md) as Markdown"
    )
    p.add_argument("--out", metavar="FILE", help="write to FILE (default: standard output)")
    p.set_defaults(func=cmd_contract)

    p = sub.add_parser("imports", parents=[common], help="the import audit, newest first")
    p.add_argument("--limit", type=positive_arg, default=50, help="how many (default 50)")
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.set_defaults(func=cmd_imports)

"""Import a CSV or Excel extract into one table: validate everything, then load all or nothing.

The steps, each vectorised in DuckDB so a million-row file takes seconds:

1. read: a CSV's bytes are checked for UTF-8 and NUL (the line of the first bad byte is
   reported), then DuckDB's own ``read_csv`` reads every value as text (strict quoting, faulty
   records into its rejects table), and each record's line is rebuilt from the blank lines,
   spanning values and rejects. Excel workbooks are judged by their zip directory and sheet
   dimensions first (a workbook that would inflate past the limits is refused unread), then
   streamed cell by cell with openpyxl, the spreadsheet row being the line;
2. validate against the contract (safeguarding.contract, generated from the schema): header, value
   counts, lengths, control characters, types, required values, allowed values, districts, dates
   in the future or before the earliest plausible date, the schema's CHECK rules (end before
   start and the like), references repeated in the file, all in one query. An import for one
   force (``force=``, a several-force database) accepts only that force's districts. These are
   **errors**: any one stops the whole file. The data-quality rules (safeguarding.quality) run
   too; they are **queries**: the rows load and are flagged;
3. load, only when there are no errors, inside ``store.writer`` (a copy of the database replaced
   atomically on success): update the records whose reference is stored and differs, insert the
   new ones, leave identical ones alone, move the data's period and as-at date forward, refresh
   the metric figures, and write the audit row, all in one transaction. A failure anywhere, or a
   killed process, leaves the live database exactly as it was; readers see the old data or the
   new, never half.

A rejected file is still audited, in a second small write that touches only the ``imports`` table.

The package follows those steps: ``read`` (bytes to rows of fields), ``validate`` (the contract's
rules, into a Report), ``load`` (the all-or-nothing write, the audit, the history and export);
``common`` holds what they share; ``worker`` runs a check or an import in a child process (the
Data page). Most similar groups (``peer_groups``) are an import too, with rules of their own and
replaced whole (``peer_load``). Callers use the names below, not the modules.
"""

from safeguarding.imports import load, peer_load
from safeguarding.imports import validate as _validate
from safeguarding.imports.common import (
    FILE_RULES,
    MAX_LISTED,
    PROBLEM_COLUMNS,
    Report,
    Result,
    describe,
)
from safeguarding.imports.load import (
    ACTIVITY_DATE,
    AUDIT_COLUMNS,
    export_csv,
    history,
    last_loaded,
)
from safeguarding.imports.read import read_path
from safeguarding.imports.validate import (
    MAX_DISTRICTS_NAMED,
    UnknownForceError,
    forces_of,
    validate,
)

PEER_TABLE = peer_load.TABLE  # most similar groups: replaced whole, by their own rules


def check(db, table: str, data, file_name: str, **kwargs) -> Report:
    """Validate a file for ``table`` against the live database, writing nothing (see
    validate.check; peer groups: peer_load.check)."""
    if table == PEER_TABLE:
        return peer_load.check(db, data, file_name)
    return _validate.check(db, table, data, file_name, **kwargs)


def import_file(db, table: str, data, file_name: str, **kwargs) -> Result:
    """Validate and load a file into ``table``, all or nothing, audited (see load.import_file;
    peer groups, which a file replaces whole: peer_load.import_file)."""
    if table == PEER_TABLE:
        return peer_load.import_file(
            db, data, file_name, by=kwargs.get("by"), now=kwargs.get("now")
        )
    return load.import_file(db, table, data, file_name, **kwargs)


__all__ = [
    "ACTIVITY_DATE",
    "AUDIT_COLUMNS",
    "FILE_RULES",
    "MAX_DISTRICTS_NAMED",
    "MAX_LISTED",
    "PEER_TABLE",
    "PROBLEM_COLUMNS",
    "Report",
    "Result",
    "UnknownForceError",
    "check",
    "describe",
    "export_csv",
    "forces_of",
    "history",
    "import_file",
    "last_loaded",
    "read_path",
    "validate",
]

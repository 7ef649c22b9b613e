"""Where the project's files live, so every entry point agrees.

In a checkout the metric SQL, schema and default data are the top-level ``queries/`` and
``data/`` folders beside the package (an editable install points here too). An installed wheel
carries copies of them inside the package, in ``safeguarding/_resources`` (see pyproject.toml),
so the package works from any folder.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT = PACKAGE_DIR.parent
RESOURCES = PACKAGE_DIR / "_resources"


def _is_checkout(root: Path) -> bool:
    return (root / "queries" / "metrics.toml").is_file() and (
        root / "data" / "schema.sql"
    ).is_file()


IN_CHECKOUT = _is_checkout(CHECKOUT)
ROOT = CHECKOUT if IN_CHECKOUT else RESOURCES
DATA_DIR = ROOT / "data"
QUERIES_DIR = ROOT / "queries"
SCHEMA_FILE = DATA_DIR / "schema.sql"
TARGETS_FILE = DATA_DIR / "targets.csv"
REBASES_FILE = DATA_DIR / "rebases.csv"
REGISTRY_FILE = QUERIES_DIR / "metrics.toml"
DB_ENV_VAR = "SAFEGUARDING_DB"


def _user_data_dir() -> Path:
    # The XDG base directory convention (freedesktop.org), which most Linux tools follow.
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "safeguarding"


# In a checkout the database sits in data/ (git-ignored); an installed package must not write
# inside site-packages, so it keeps one database per user wherever it is run from.
DEFAULT_DB = (
    DATA_DIR / "safeguarding.duckdb" if IN_CHECKOUT else _user_data_dir() / "safeguarding.duckdb"
)


def db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The database file: the path given, else $SAFEGUARDING_DB, else the default above."""
    if path:
        return Path(path)
    env = os.environ.get(DB_ENV_VAR)
    if env:
        return Path(env)
    if not IN_CHECKOUT:
        DEFAULT_DB.parent.mkdir(parents=True, exist_ok=True)
    return DEFAULT_DB


DUCKDB_MAGIC = b"DUCK"  # bytes 8 to 11 of every DuckDB database file


def not_a_database(path: Path) -> str | None:
    """Why an existing ``path`` cannot be this dashboard's database (a folder, a file of another
    kind), or None. Read from its first bytes, so a command that only writes app state can say
    so without opening DuckDB."""
    if path.is_dir():
        return f"{path} is a folder, not a database file: give the .duckdb file in it."
    if path.exists():
        with open(path, "rb") as f:
            head = f.read(12)
        if head[8:12] != DUCKDB_MAGIC:
            return f"{path} is not a DuckDB database file (the dashboard's database is one)."
    return None

"""Where the project's files live, so every entry point agrees."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
QUERIES_DIR = ROOT / "queries"
SCHEMA_FILE = DATA_DIR / "schema.sql"
TARGETS_FILE = DATA_DIR / "targets.csv"
REBASES_FILE = DATA_DIR / "rebases.csv"
REGISTRY_FILE = QUERIES_DIR / "metrics.toml"
DEFAULT_DB = DATA_DIR / "safeguarding.duckdb"
DB_ENV_VAR = "SAFEGUARDING_DB"


def db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The database file: the path given, else $SAFEGUARDING_DB, else data/safeguarding.duckdb."""
    if path:
        return Path(path)
    env = os.environ.get(DB_ENV_VAR)
    return Path(env) if env else DEFAULT_DB

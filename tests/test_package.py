"""The wheel is a working package on its own: it carries the metric SQL, the schema and the
default data, has the ``safeguarding`` command, and runs from a folder with no checkout in it.

Builds the wheel with the locked build backend (hatchling, from requirements-dev.lock, which
./dev installs); skipped where the backend is not installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from safeguarding.paths import ROOT

pytest.importorskip("hatchling", reason="the build backend comes with requirements-dev.lock")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (built,) = out.glob("*.whl")
    return built


def test_the_wheel_carries_the_queries_schema_and_default_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = [f"queries/{p.name}" for p in (ROOT / "queries").iterdir()]
    wanted += [
        f"data/{n}" for n in ("schema.sql", "targets.csv", "rebases.csv", "recommendations.csv")
    ]
    missing = [w for w in wanted if f"safeguarding/_resources/{w}" not in names]
    assert missing == []
    assert not any(n.endswith(".duckdb") for n in names)


def test_the_wheel_declares_the_safeguarding_command_and_its_dependencies(wheel):
    archive = zipfile.ZipFile(wheel)
    info = next(n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt"))
    assert "safeguarding = safeguarding.cli:main" in archive.read(info).decode()
    meta = archive.read(info.replace("entry_points.txt", "METADATA")).decode()
    assert "Requires-Dist: duckdb>=2.0" in meta
    assert "Requires-Dist: pytest>=9.0; extra == 'dev'" in meta


def test_the_installed_package_runs_from_another_folder(wheel, tmp_path, demo_db_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    env.pop("SAFEGUARDING_DB", None)
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import safeguarding.paths as p; print(p.IN_CHECKOUT, p.QUERIES_DIR, p.db_path())",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert where[0] == "False"
    assert Path(where[1]).is_relative_to(site)
    assert Path(where[2]) == tmp_path / "xdg" / "safeguarding" / "safeguarding.duckdb"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "safeguarding",
            "scorecard",
            "--month",
            "2014-08",
            "--db",
            demo_db_path,
            "--format",
            "csv",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "rso_caseload_per_officer,Kirklees" in done.stdout

"""The command line imports only what the command asked for needs, and names itself rightly.

A command runs in a fresh process; importing every library of the package before a quick write
(an action added from a script) would cost several times the write itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from safeguarding import cli, cli_review, pack, recommendations

from cli_runner import run

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "numpy", "scipy", "plotly", "streamlit", "kaleido", "fpdf", "pptx", "openpyxl")
# An action about no district is an app-state write alone: not even DuckDB is loaded for it.
WITHOUT_DISTRICT = (*HEAVY, "duckdb")


def test_each_group_names_the_commands_its_module_registers_in_the_order_of_the_help():
    whole = cli.build_parser()
    listed = list(whole._subparsers._group_actions[0].choices)
    assert listed == [name for names, _ in cli.GROUPS for name in names]
    for names, _ in cli.GROUPS:
        for name in names:
            alone = cli.build_parser(name)
            assert list(alone._subparsers._group_actions[0].choices) == list(names)


def test_an_unknown_or_missing_command_gets_the_full_parser():
    listed = [name for names, _ in cli.GROUPS for name in names]
    for command in (None, "no-such-command"):
        assert list(cli.build_parser(command)._subparsers._group_actions[0].choices) == listed


def test_the_choices_written_in_cli_review_are_the_packs_and_the_trackers():
    assert cli_review.PACK_FORMATS == pack.FORMATS
    assert cli_review.RECOMMENDATION_STATUSES == recommendations.STATUSES


def test_adding_an_action_in_a_fresh_process_imports_no_data_or_chart_library(
    demo_db_path, tmp_path
):
    from safeguarding import store

    db = store.copy_database(demo_db_path, tmp_path / "copy.duckdb")
    script = f"""
import json, sys
from safeguarding import cli
code = cli.main(["actions", "add", "--db", {str(db)!r}, "--quarter", "2024Q3",
                 "--text", "Fresh process", "--owner", "Tester"])
loaded = {{m.split(".")[0] for m in sys.modules}}
print(json.dumps([code, sorted(loaded & set({WITHOUT_DISTRICT!r}))]))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    code, heavy = json.loads(done.stdout.strip().splitlines()[-1])
    assert code == 0
    assert "Recorded action" in done.stdout
    assert heavy == []


def test_an_action_about_a_district_still_checks_the_district_against_the_records(
    demo_db_path, tmp_path, capsys
):
    from safeguarding import store

    db = store.copy_database(demo_db_path, tmp_path / "copy.duckdb")
    base = ["actions", "add", "--db", str(db), "--quarter", "2024Q3", "--text", "T"]
    code, _, err = run(capsys, *base, "--owner", "Tester", "--district", "Leeds")
    assert code == 0, err
    code, _, err = run(capsys, *base, "--owner", "Tester", "--district", "Leeds North")
    assert code != 0 and "'Leeds North' is not a district or force" in err


@pytest.mark.parametrize(
    ("argv", "prog"),
    [
        ([sys.executable, "-m", "safeguarding", "--help"], "python -m safeguarding"),
        (
            [sys.executable, "-m", "safeguarding", "actions", "add", "--help"],
            "python -m safeguarding",
        ),
    ],
)
def test_run_as_a_module_the_help_says_so(argv, prog):
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.startswith(f"usage: {prog} ")


def test_run_as_the_installed_command_the_help_names_it(capsys):
    # The console script ([project.scripts] safeguarding = "safeguarding.cli:main") calls main().
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("usage: safeguarding ")
    code, out, _ = run(capsys, "peers", "load", "--help")
    assert out.startswith("usage: safeguarding peers load ")
    assert "python -m" not in out


def test_the_installed_command_is_the_cli_main():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'safeguarding = "safeguarding.cli:main"' in text

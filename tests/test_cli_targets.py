"""The targets commands, the refresh command, and `demo --force` keeping what people wrote."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from safeguarding import actions, store, target_setting, targets

from cli_runner import run

METRIC = "misper_return_interview_72h"


@pytest.fixture
def db(demo_db_path, tmp_path) -> str:
    return str(store.copy_database(demo_db_path, tmp_path / "demo.duckdb"))


def leeds_december(db: str) -> pd.Series:
    frame = targets.figures(store.reader(db), metric_id=METRIC, districts=["Leeds"])
    return frame[frame["month"] == pd.Timestamp("2025-12-01")].iloc[0]


def test_a_target_set_from_the_command_line_changes_the_status_and_is_in_the_history(capsys, db):
    code, out, err = run(
        capsys, "targets", "set", METRIC, "99.5", "--district", "Leeds", "--from", "2025-07-01",
        "--reason", "Stretch target for Leeds", "--by", "Chief Constable", "--db", db,
    )  # fmt: skip
    assert code == 0, err
    assert "99.5 from 2025-07-01" in out
    row = leeds_december(db)
    assert (row["target"], row["status"]) == (99.5, "not_met")
    signal = (
        store.reader(db)
        .execute(
            "select target from metric_signals where metric_id = $m and district = 'Leeds' "
            "and month = date '2025-12-01'",
            {"m": METRIC},
        )
        .fetchone()[0]
    )
    assert signal == 99.5  # assurance is worked out against the new target too
    code, out, _ = run(
        capsys, "targets", "history", "--metric", METRIC, "--db", db, "--format", "csv"
    )
    latest = out.splitlines()[1]
    assert (
        "Chief Constable" in latest and "Stretch target for Leeds" in latest and "Leeds" in latest
    )


def test_withdrawing_a_target_leaves_no_target_from_that_date(capsys, db):
    code, _, err = run(
        capsys, "targets", "withdraw", METRIC, "--from", "2025-01-01", "--reason", "Under review",
        "--db", db,
    )  # fmt: skip
    assert code == 0, err
    assert leeds_december(db)["status"] == "no_target"
    earlier = targets.figures(store.reader(db), metric_id=METRIC, districts=["Leeds"])
    assert earlier[earlier["month"] == pd.Timestamp("2024-12-01")].iloc[0]["target"] == 90.0


def test_a_targets_file_with_a_bad_row_names_file_line_and_column_and_changes_nothing(
    capsys, db, tmp_path
):
    before = targets.current(store.reader(db))
    bad = tmp_path / "targets.csv"
    bad.write_text(
        "metric_id,district,effective_from,effective_to,target,reason\n"
        f"{METRIC},,2025-01-01,,93,Plan\n"
        f"{METRIC},Atlantis,2025-01-01,,93,Plan\n"
        f"{METRIC},,2025-13-01,,93,Plan\n"
        f"{METRIC},,2025-01-01,,lots,Plan\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "targets", "import", str(bad), "--db", db)
    assert code == 2
    assert "targets.csv, line 3, column district: 'Atlantis' is not a district or force" in err
    assert "targets.csv, line 4, column effective_from: '2025-13-01' is not a date" in err
    assert "targets.csv, line 5, column target: 'lots' is not a number" in err
    assert targets.current(store.reader(db)).equals(before)


def test_a_good_targets_file_applies_every_row(capsys, db, tmp_path):
    logged = len(targets.changes(store.reader(db)))
    good = tmp_path / "targets.csv"
    good.write_text(
        "metric_id,district,effective_from,effective_to,target,reason\n"
        f"{METRIC},Leeds,2025-01-01,2025-12-31,80,Leeds plan\n"
        "rso_caseload_per_officer,,2025-06-01,,45,Lower caseload standard\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "targets", "import", str(good), "--db", db, "--by", "PCC office")
    assert code == 0, err
    assert "Saved 2 target change(s)" in out
    assert leeds_december(db)["target"] == 80.0
    assert len(targets.changes(store.reader(db))) == logged + 2
    who = set(targets.changes(store.reader(db)).head(2)["changed_by"])
    assert who == {"PCC office"}


def test_a_target_that_comes_from_the_records_is_refused_with_the_reason(capsys, db):
    code, _, err = run(
        capsys, "targets", "set", "specialist_investigators_fte", "10", "--from", "2025-01-01",
        "--reason", "x", "--db", db,
    )  # fmt: skip
    assert code == 2 and "number of funded posts" in err


def test_demo_force_keeps_what_people_wrote_unless_asked_and_says_so(capsys, tmp_path):
    path = str(tmp_path / "demo.duckdb")
    assert run(capsys, "demo", "--db", path, "--to", "2015-03")[0] == 0
    actions.write(path, actions.add, quarter="2015Q1", text="Keep me", owner="Chair")
    target_setting.set_target(
        path, by="Chief", metric_id=METRIC, effective_from=dt.date(2015, 1, 1), target=70.0,
        reason="Kept",
    )  # fmt: skip
    code, out, _ = run(capsys, "demo", "--db", path, "--to", "2015-03", "--force")
    assert code == 0
    assert "Keeping what people wrote (1 actions" in out
    assert "--drop-app-state" in out
    assert list(actions.listing(store.reader(path))["text"]) == ["Keep me"]
    assert 70.0 in set(targets.current(store.reader(path))["target"])

    code, out, _ = run(
        capsys, "demo", "--db", path, "--to", "2015-03", "--force", "--drop-app-state"
    )
    assert code == 0
    assert "Removing what people wrote" in out and "1 actions" in out
    assert actions.listing(store.reader(path)).empty
    assert 70.0 not in set(targets.current(store.reader(path))["target"])  # seeds again
    assert 90.0 in set(targets.current(store.reader(path))["target"])


def test_refresh_rebuilds_the_same_figures(capsys, db):
    before = store.reader(db).execute("select * from metric_signals order by all").df()
    code, out, err = run(capsys, "refresh", "--db", db)
    assert code == 0, err
    after = store.reader(db).execute("select * from metric_signals order by all").df()
    pd.testing.assert_frame_equal(before, after)


def test_a_percentage_target_above_100_is_refused(capsys, db):
    code, _, err = run(
        capsys, "targets", "set", METRIC, "150", "--from", "2025-01-01", "--reason", "x",
        "--db", db,
    )  # fmt: skip
    assert code == 2 and "its target must be 0 to 100" in err


HEADER = "metric_id,district,effective_from,effective_to,target,reason\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            f"{HEADER}{METRIC},Leeds,2025-01-01,,85,raised, after review\n",
            "line 2: has 7 values, but the header has 6 columns",
        ),
        (f"{HEADER}{METRIC},Leeds,2025-01-01,,85\n", "line 2: has 5 values"),
        (
            HEADER.replace("\n", ",comment\n") + f"{METRIC},Leeds,2025-01-01,,85,Plan,x\n",
            "line 1: 'comment' is not a column of a targets file",
        ),
        (
            HEADER.replace("\n", ",target\n") + f"{METRIC},Leeds,2025-01-01,,85,Plan,95\n",
            "line 1: 'target' appears more than once in the header",
        ),
        (
            f'{HEADER}{METRIC},Leeds,2025-01-01,,85,"Plan\n',
            "line 2: could not be read as CSV",
        ),
        (
            f'{HEADER}{METRIC},Leeds,2025-01-01,,85,"Plan"ned\n',
            "line 2: could not be read as CSV",
        ),
        (
            f"{HEADER}{METRIC},Le\u200beds,2025-01-01,,85,Plan\n",
            "line 2, column district: contains an invisible or control character (U+200B)",
        ),
        (
            f"{HEADER}{METRIC},Leeds,2025-01-01,,85,Plan\n{METRIC},Leeds,2025-01-01,,90,Again\n",
            f"line 3: sets the target for {METRIC}, Leeds, from 2025-01-01 again (first on line 2)",
        ),
        ("\n", "no header"),
    ],
    ids=[
        "unquoted comma",
        "short row",
        "unknown column",
        "repeated column",
        "unclosed quote",
        "stray quote",
        "invisible character",
        "same change twice",
        "no header",
    ],
)
def test_a_malformed_targets_file_is_refused_whole_with_where(capsys, db, tmp_path, body, message):
    """A row that does not fit its header is never read as if it did (an unquoted comma would
    otherwise move the reason, or a short row withdraw a target), and nothing is stored."""
    before = targets.current(store.reader(db))
    logged = len(targets.changes(store.reader(db)))
    bad = tmp_path / "targets.csv"
    bad.write_text(body, encoding="utf-8")
    code, _, err = run(capsys, "targets", "import", str(bad), "--db", db)
    assert code == 2
    assert f"targets.csv{', ' if 'line' in message else ': '}{message}" in err
    assert targets.current(store.reader(db)).equals(before)
    assert len(targets.changes(store.reader(db))) == logged


def test_a_targets_file_keeps_line_numbers_past_a_value_on_two_lines_and_skips_blank_lines(
    capsys, db, tmp_path
):
    good = tmp_path / "targets.csv"
    good.write_bytes(
        (
            HEADER.replace("\n", "\r\n")
            + f'{METRIC},Leeds,2025-01-01,,85,"Agreed at the\r\nJanuary meeting"\r\n'
            + "\r\n,,,,,\r\n"
            + f"{METRIC},Atlantis,2025-01-01,,85,Plan\r\n"
        ).encode("utf-8")
    )
    code, _, err = run(capsys, "targets", "import", str(good), "--db", db)
    assert code == 2
    assert "targets.csv, line 6, column district: 'Atlantis' is not a district or force" in err


def test_a_reason_with_an_invisible_character_is_refused_and_nothing_changes(db):
    before = targets.current(store.reader(db))
    with pytest.raises(targets.TargetError, match=r"The reason contains .* \(U\+202E\)"):
        target_setting.set_target(
            db,
            by="PCC office",
            metric_id=METRIC,
            effective_from=dt.date(2025, 1, 1),
            target=90.0,
            reason="Agreed \u202eat the meeting",
        )
    assert targets.current(store.reader(db)).equals(before)


def test_the_targets_listing_shows_a_missing_value_as_blank(capsys, db):
    """An open-ended target and one without a note read as blank cells, not NaN or None."""
    code, out, err = run(capsys, "targets", "list", "--db", db)
    assert code == 0, err
    assert "iioc_turnaround_days" in out  # the listing has the seeded targets
    assert "NaN" not in out and "None" not in out


def _state(db: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The targets as they stand, their history, and the figures' targets and statuses."""
    con = store.reader(db)
    return (
        targets.current(con),
        targets.changes(con),
        targets.figures(con, metric_id=METRIC)[["district", "month", "target", "status"]],
    )


def assert_unchanged(db: str, before) -> None:
    for was, now in zip(before, _state(db), strict=True):
        pd.testing.assert_frame_equal(was, now)


SET = ["targets", "set", METRIC, "85", "--reason", "Plan"]
WITHDRAW = ["targets", "withdraw", METRIC, "--reason", "Plan"]


@pytest.mark.parametrize(
    "args, message",
    [
        # A last date the day after which is no date at all once stopped the command with a
        # traceback.
        (
            [*SET, "--from", "2030-01-01", "--to", "9999-12-31"],
            "9999-12-31 is outside the dates a target can take (2000-01-01 to 2099-12-31",
        ),
        (
            [*WITHDRAW, "--from", "2025-01-01", "--to", "9999-12-31"],
            "9999-12-31 is outside the dates a target can take",
        ),
        ([*SET, "--from", "1066-10-14"], "1066-10-14 is outside the dates a target can take"),
        # Only YYYY-MM-DD and plain numbers: not the other forms Python would read.
        ([*SET, "--from", "2026W011"], "'2026W011' is not a date like 2024-07-31"),
        ([*SET, "--from", "20250401"], "'20250401' is not a date like 2024-07-31"),
        (["targets", "set", METRIC, "9_2", "--from", "2025-01-01", "--reason", "r"], "'9_2'"),
        (["targets", "set", METRIC, "nan", "--from", "2025-01-01", "--reason", "r"], "'nan'"),
        (["targets", "set", METRIC, "1e400", "--from", "2025-01-01", "--reason", "r"], "large"),
        (
            [
                "targets",
                "set",
                "misper_repeat_children",
                "1e308",
                "--from",
                "2025-01-01",
                "--reason",
                "r",
            ],
            "The target (1e+308) is larger than any figure of misper_repeat_children could be",
        ),  # fmt: skip
        # Who made a change is held to the same rule as the reason.
        (
            [*SET, "--from", "2025-01-01", "--by", "Eve\u202egnp.exe"],
            "invisible or control character (U+202E)",
        ),
        ([*SET, "--from", "2025-01-01", "--by", "Mallory\x1b[31m"], "(U+001B)"),
        ([*SET, "--from", "2025-01-01", "--by", "B" * 5000], "too long (5000 characters"),
        # A withdrawal that would change nothing says so instead of logging a change.
        (
            [*WITHDRAW, "--district", "Leeds", "--from", "2014-01-01"],
            "Leeds has no target of its own for misper_return_interview_72h from 2014-01-01 to "
            "withdraw: it follows the force-wide target then.",
        ),
        (
            [
                "targets",
                "withdraw",
                "iioc_backlog_over_30d",
                "--district",
                "Wakefield",
                "--from",
                "2025-01-01",
                "--to",
                "2025-03-31",
                "--reason",
                "r",
            ],
            "There is no target for iioc_backlog_over_30d (Wakefield) from 2025-01-01 to "
            "2025-03-31 to withdraw.",
        ),  # fmt: skip
    ],
)
def test_a_change_that_cannot_be_made_is_refused_in_words_and_nothing_changes(
    capsys, db, args, message
):
    before = _state(db)
    code, _, err = run(capsys, *args, "--db", db)
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err
    assert_unchanged(db, before)


@pytest.mark.parametrize(
    "row, message",
    [
        (f"{METRIC},,2025-04-01,9999-12-31,85,x", "line 2, column effective_to: 9999-12-31 is"),
        (f"{METRIC},,20250401,,85,x", "line 2, column effective_from: '20250401' is not a date"),
        (f"{METRIC},,2025W141,,85,x", "line 2, column effective_from: '2025W141' is not a date"),
        (f"{METRIC},,2025-04-01,,8_5,x", "line 2, column target: '8_5' is not a number"),
        (f"{METRIC},,2025-04-01,,\u0665\u0660,x", "line 2, column target: '٥٠' is not a number"),
        (f"{METRIC},,2025-04-01,,1e400,x", "line 2, column target: '1e400' is too large"),
        (f"{METRIC},,2025-04-01,2025-03-01,85,x", "line 2, column effective_to: The target ends"),
        (f"{METRIC},,2025-04-01,,85, ", "line 2, column reason: Say why"),
        ("nope,,2025-04-01,,85,x", "line 2, column metric_id: "),
        (
            f"{METRIC},Leeds,2014-01-01,,,x",
            "targets.csv, line 2: Leeds has no target of its own for",
        ),
        # Two rows for one metric and area whose dates overlap: what was stored depended on the
        # order of the lines.
        (
            f"{METRIC},,2025-06-01,,70,y\n{METRIC},,2025-04-01,2025-12-31,85,x",
            f"targets.csv, line 2: its dates for {METRIC}, All districts and the force "
            "(2025-06-01 to open-ended) overlap those on line 3 (2025-04-01 to 2025-12-31)",
        ),
    ],
)
def test_a_targets_file_row_that_cannot_be_applied_names_its_line_and_column(
    capsys, db, tmp_path, row, message
):
    before = _state(db)
    path = tmp_path / "targets.csv"
    path.write_text(f"{','.join(targets.CSV_COLUMNS)}\n{row}\n", encoding="utf-8")
    code, _, err = run(capsys, "targets", "import", str(path), "--db", db)
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err
    assert_unchanged(db, before)


def test_a_folder_given_as_a_targets_file_is_refused_in_words(capsys, db, tmp_path):
    code, _, err = run(capsys, "targets", "import", str(tmp_path), "--db", db)
    assert code == 2
    assert "is a folder, not a file" in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["list", "history"])
def test_listing_the_targets_of_an_unknown_metric_is_an_error_not_an_empty_list(
    capsys, db, command
):
    code, out, err = run(capsys, "targets", command, "--metric", "nope", "--db", db)
    assert code == 2
    assert "nope" in err and "(no rows)" not in out


def test_a_withdrawal_says_when_it_ends_and_what_a_force_wide_one_leaves(capsys, db):
    code, out, err = run(
        capsys, *WITHDRAW, "--from", "2025-01-01", "--to", "2025-03-31", "--db", db
    )
    assert code == 0, err
    assert (
        f"{METRIC}: the force-wide target withdrawn from 2025-01-01 to 2025-03-31; a district or "
        "force with a target of its own keeps it." in out
    )


def test_a_targets_files_name_that_could_reorder_text_is_shown_with_its_codes(capsys, db, tmp_path):
    path = tmp_path / "plan\u202etxt.csv"
    path.write_text(f"{','.join(targets.CSV_COLUMNS)}\nnope,,2025-04-01,,85,x\n", encoding="utf-8")
    code, _, err = run(capsys, "targets", "import", str(path), "--db", db)
    assert code == 2
    assert "plan<U+202E>txt.csv, line 2, column metric_id" in err
    assert "\u202e" not in err


def test_the_same_targets_file_twice_changes_nothing_the_second_time(capsys, db, tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(
        f"{','.join(targets.CSV_COLUMNS)}\n{METRIC},Leeds,2025-01-01,2025-12-31,80,Leeds plan\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "targets", "import", str(path), "--db", db)
    assert code == 0 and "Saved 1 target change(s)" in out, err
    before = _state(db)
    code, out, err = run(capsys, "targets", "import", str(path), "--db", db)
    assert code == 0, err
    assert "Saved 0 target change(s)" in out and "1 already as given, left as they were" in out
    assert_unchanged(db, before)  # no history row saying 80 replaced 80

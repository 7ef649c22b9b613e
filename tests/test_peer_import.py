"""Loading most similar groups is an import like any other: checked with file, line and column,
all or nothing, and audited, whether through ``peers load`` or ``import peer_groups``."""

from __future__ import annotations

import hashlib

import pytest
from handmade import TINY_FORCES

from safeguarding import imports, peers, store

from cli_runner import run

FORCES = TINY_FORCES


@pytest.fixture
def msg(tmp_path):
    def write(text: str | bytes, name: str = "msg.csv") -> str:
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return str(path)

    return write


GOOD = "force,peer\nForce A,Force B\nForce A,Force C\nForce C,Force B\n"


def audit(db: str):
    return imports.history(store.reader(db))


def test_peers_load_is_audited_with_who_file_sha_rows_outcome_and_message(tiny_forces, msg):
    path = msg(GOOD)
    assert peers.load(path, tiny_forces, by="A Analyst") == 3
    row = audit(tiny_forces).iloc[0]
    assert (row["table_name"], row["imported_by"], row["file_name"]) == (
        "peer_groups",
        "A Analyst",
        "msg.csv",
    )
    assert row["sha256"] == hashlib.sha256(GOOD.encode()).hexdigest()
    assert (row["outcome"], row["rows_inserted"], row["rows_rejected"]) == ("loaded", 3, 0)
    assert row["message"] == "3 peer pairs: 3 added, 0 removed, 0 kept"


def test_a_rejected_file_is_audited_and_changes_nothing(tiny_forces, msg):
    peers.load(msg(GOOD), tiny_forces)
    with pytest.raises(peers.PeerGroupError, match="msg.csv, line 3, column peer: 'Force Q'"):
        peers.load(msg("force,peer\nForce B,Force A\nForce B,Force Q\n"), tiny_forces)
    assert peers.groups(store.reader(tiny_forces)) == {
        "Force A": ["Force B", "Force C"],
        "Force C": ["Force B"],
    }
    row = audit(tiny_forces).iloc[0]
    assert (row["outcome"], row["rows_rejected"]) == ("rejected", 1)
    assert row["message"].startswith(
        "Rejected: 1 error on 1 line; nothing was loaded. First: msg.csv, line 3, column peer: "
        "'Force Q' is not a force in the database"
    )


def test_the_same_groups_again_are_unchanged_and_leave_the_files_alone(tiny_forces, msg):
    peers.load(msg(GOOD), tiny_forces)
    before = store.meta(store.reader(tiny_forces)).get("generation")
    result = imports.import_file(tiny_forces, imports.PEER_TABLE, msg(GOOD), "msg.csv")
    assert (result.outcome, result.inserted, result.unchanged) == ("unchanged", 0, 3)
    assert store.meta(store.reader(tiny_forces)).get("generation") == before
    assert list(audit(tiny_forces)["outcome"]) == ["unchanged", "loaded"]


def test_a_file_leaving_a_pair_out_removes_it_and_says_so(tiny_forces, msg):
    peers.load(msg(GOOD), tiny_forces)
    result = imports.import_file(
        tiny_forces, imports.PEER_TABLE, msg("force,peer\nForce A,Force B\n"), "msg.csv"
    )
    assert result.outcome == "loaded"
    assert result.message == "1 peer pairs: 0 added, 2 removed, 1 kept"
    assert peers.groups(store.reader(tiny_forces)) == {"Force A": ["Force B"]}


def test_the_report_lists_every_problem_with_line_column_and_rule(tiny_forces, msg):
    text = "force,peer\nForce A,Force A\nForce A,Force B\nForce A,Force B\n,Force C\n"
    report = imports.check(tiny_forces, imports.PEER_TABLE, msg(text), "msg.csv")
    assert not report.ok
    got = [(int(r.line), r.column, r.value, r.rule) for r in report.problems.itertuples()]
    assert got == [
        (2, "peer", "Force A", "own_group"),
        (4, "peer", "Force B", "duplicate_reference"),
        (5, "force", "", "missing_value"),
    ]
    assert report.rows == 4 and report.rows_with_errors == 3
    assert audit(tiny_forces).empty  # a check writes nothing, not even the audit


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tiny_forces, msg):
    path = msg(b"force,peer\nForce A,Force B\nForce \xe9,Force C\n")
    report = imports.check(tiny_forces, imports.PEER_TABLE, path, "msg.csv")
    assert [(int(r.line), r.rule) for r in report.problems.itertuples()] == [(3, "encoding")]
    assert "is not UTF-8 text (the byte 0xE9" in report.problems.iloc[0]["message"]


def test_import_peer_groups_on_the_cli_is_the_same_import(capsys, tiny_forces, msg):
    path = msg(GOOD)
    code, out, _ = run(capsys, "import", "peer_groups", path, "--db", tiny_forces, "--check")
    assert code == 0 and "3 records read; no errors" in out
    assert audit(tiny_forces).empty
    code, out, _ = run(capsys, "import", "peer_groups", path, "--db", tiny_forces, "--by", "b")
    assert code == 0
    assert "Loaded msg.csv into peer_groups: 3 peer pairs: 3 added, 0 removed" in out
    bad = msg("force,peer\nForce A,Force Q\n", "bad.csv")
    code, out, err = run(capsys, "import", "peer_groups", bad, "--db", tiny_forces)
    assert code == 2
    assert "'Force Q' is not a force in the database" in out
    assert "The peer groups are unchanged" in err
    code, out, _ = run(capsys, "imports", "--db", tiny_forces, "--format", "csv")
    lines = out.splitlines()
    assert ",bad.csv," in lines[1] and ",peer_groups," in lines[1] and ",rejected," in lines[1]
    assert ",b,msg.csv," in lines[2] and ",loaded," in lines[2]


def test_peers_load_on_the_cli_records_who_loaded_it(capsys, tiny_forces, msg):
    code, out, _ = run(capsys, "peers", "load", msg(GOOD), "--db", tiny_forces, "--by", "c")
    assert code == 0 and "Loaded 3 peer pairs" in out
    assert audit(tiny_forces).iloc[0]["imported_by"] == "c"


def test_peer_groups_take_no_force(capsys, tiny_forces, msg):
    argv = ["import", "peer_groups", msg(GOOD), "--db", tiny_forces, "--force", "Force A"]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "Peer groups are every force's" in err


def test_a_peer_file_keeps_its_line_numbers_past_a_quoted_value_on_two_lines(tiny_forces, msg):
    text = 'force,peer\n"Force\nA",Force B\nForce A,Force A\n'
    report = imports.check(tiny_forces, imports.PEER_TABLE, msg(text), "msg.csv")
    got = [(int(r.line), r.column, r.rule) for r in report.problems.itertuples()]
    # The two-line value is lines 2-3 (not a force); the next record is line 4, not line 3.
    assert got == [(2, "force", "unknown_force"), (4, "peer", "own_group")]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('force,peer\nForce A,"Force B\n', 2, "could not be read as CSV"),
        ('force,peer\nForce A,"Force B"x\nForce A,Force C\n', 2, "could not be read as CSV"),
        ("force,peer,peer\nForce A,Force B,Force C\n", 1, "named more than once: peer"),
    ],
    ids=["unclosed quote", "stray quote", "repeated column"],
)
def test_a_peer_file_with_broken_quoting_or_a_repeated_column_is_refused(
    tiny_forces, msg, text, line, words
):
    report = imports.check(tiny_forces, imports.PEER_TABLE, msg(text), "msg.csv")
    assert not report.ok
    first = report.problems.iloc[0]
    assert int(first["line"]) == line and words in first["message"]
    imports.import_file(tiny_forces, imports.PEER_TABLE, msg(GOOD), "msg.csv", by="t")
    before = peers.groups(store.reader(tiny_forces))
    result = imports.import_file(tiny_forces, imports.PEER_TABLE, msg(text), "msg.csv", by="t")
    assert result.outcome == "rejected"
    assert peers.groups(store.reader(tiny_forces)) == before
    assert before  # the good file's groups, still there

"""The review commands: pack (and rebuilding a kept pack), packs, actions, recommendations."""

from __future__ import annotations

import csv
import io

import pytest
from pptx import Presentation
from pypdf import PdfReader

from safeguarding import actions, store

from cli_runner import run


@pytest.fixture
def db(demo_db_path, tmp_path):
    path = tmp_path / "demo.duckdb"
    store.copy_database(demo_db_path, path)
    return str(path)


def snapshot_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("Snapshot "))[9:]


def pdf_pages(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_pack_writes_a_pdf_and_keeps_its_snapshot(capsys, db, tmp_path):
    out_file = tmp_path / "pack.pdf"
    code, out, err = run(
        capsys, "pack", "--db", db, "--quarter", "2024Q3", "--format", "pdf",
        "--out", str(out_file), "--by", "PCC office", "--no-charts",
    )  # fmt: skip
    assert code == 0, err
    sid = snapshot_line(out)
    assert len(sid) == 64
    assert "a new snapshot, kept" in out
    pages = pdf_pages(out_file)
    assert pages[0].startswith("Quarterly outcome review: board pack")
    assert all(f"Snapshot {sid[:12]}" in page for page in pages)
    code, out, _ = run(capsys, "packs", "--db", db, "--format", "csv")
    kept = list(csv.DictReader(io.StringIO(out)))
    assert [(r["short_id"], r["quarter"], r["created_by"]) for r in kept] == [
        (sid[:12], "2024Q3", "PCC office")
    ]


def test_a_character_the_pdfs_font_cannot_draw_is_written_as_its_code(capsys, db, tmp_path):
    # Such a character was left out of the PDF without a trace (a name in Japanese printed as
    # nothing); the PowerPoint, drawn by the viewer's fonts, keeps it as typed.
    code, _, err = run(
        capsys, "actions", "add", "--db", db, "--quarter", "2024Q3", "--raised-on", "2024-10-15",
        "--text", "Ask the Leeds 日本 desk", "--owner", "Chair",
    )  # fmt: skip
    assert code == 0, err
    out_file = tmp_path / "pack.pdf"
    code, _, err = run(
        capsys, "pack", "--db", db, "--quarter", "2024Q3", "--format", "pdf",
        "--out", str(out_file), "--no-charts",
    )  # fmt: skip
    assert code == 0, err
    text = " ".join(pdf_pages(out_file)).replace("\n", " ")
    assert "Ask the Leeds <U+65E5><U+672C> desk" in text


def test_a_kept_pack_is_rebuilt_from_its_snapshot_after_the_data_changes(capsys, db, tmp_path):
    first = tmp_path / "first.pdf"
    code, out, err = run(
        capsys, "pack", "--db", db, "--quarter", "2024Q3", "--format", "pdf",
        "--out", str(first), "--no-charts",
    )  # fmt: skip
    assert code == 0, err
    sid = snapshot_line(out)

    code, _, err = run(
        capsys, "actions", "add", "--db", db, "--quarter", "2024Q3",
        "--text", "Why did Calderdale's examinations slow down?", "--owner", "Head of Forensics",
    )  # fmt: skip
    assert code == 0, err

    rebuilt = tmp_path / "rebuilt.pptx"
    code, out, err = run(
        capsys, "pack", "--db", db, "--snapshot", sid[:10], "--format", "pptx",
        "--out", str(rebuilt), "--no-charts",
    )  # fmt: skip
    assert code == 0, err
    assert "rebuilt exactly as presented on" in out and snapshot_line(out) == sid
    texts = [
        shape.text_frame.text
        for slide in Presentation(str(rebuilt)).slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    assert not any("Calderdale's examinations" in t for t in texts)

    again = tmp_path / "again.pdf"
    code, out, _ = run(
        capsys, "pack", "--db", db, "--snapshot", sid, "--format", "pdf", "--out", str(again),
        "--no-charts",
    )  # fmt: skip
    assert code == 0
    assert pdf_pages(again) == pdf_pages(first)

    current = tmp_path / "current.pdf"
    code, out, _ = run(
        capsys, "pack", "--db", db, "--quarter", "2024Q3", "--format", "pdf",
        "--out", str(current), "--no-charts",
    )  # fmt: skip
    assert snapshot_line(out) != sid
    assert "Calderdale's examinations" in "\n".join(pdf_pages(current)).replace("\n", " ")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--format", "pdf"], "Give --quarter"),
        (["--quarter", "2031Q1", "--format", "pdf"], "No complete figures for Q1 2031"),
        (["--snapshot", "ffffff", "--format", "pdf"], "No pack with snapshot 'ffffff'"),
        (["--snapshot", "xyz", "--format", "pdf"], "not a snapshot identifier"),
    ],
)
def test_pack_errors_are_clear_and_write_nothing(capsys, db, tmp_path, argv, message):
    out_file = tmp_path / "pack.pdf"
    code, _, err = run(capsys, "pack", "--db", db, "--out", str(out_file), *argv)
    assert code == 2
    assert message in err
    assert not out_file.exists()


def test_a_pack_out_that_is_a_folder_is_refused_before_the_pack_is_built(capsys, db, tmp_path):
    from safeguarding import pack

    kept = len(pack.listing(store.reader(db)))
    code, _, err = run(
        capsys, "pack", "--db", db, "--quarter", "2024Q3", "--format", "pdf",
        "--out", str(tmp_path), "--no-charts",
    )  # fmt: skip
    assert code == 2
    assert f"{tmp_path} is a folder: give the file to write" in err
    assert len(pack.listing(store.reader(db))) == kept  # no snapshot kept for a pack not written


def test_a_pack_out_that_cannot_be_written_is_refused_before_the_pack_is_kept(capsys, db):
    # The pack was built and kept as issued, then the write failed: the register listed a pack
    # nobody had, and the next build said the figures were "first presented" then.
    from safeguarding import pack

    kept = len(pack.listing(store.reader(db)))
    code, _, err = run(
        capsys, "pack", "--db", db, "--quarter", "2023Q4", "--format", "pptx",
        "--out", "/proc/pack.pptx", "--no-charts",
    )  # fmt: skip
    assert code == 2
    assert "Cannot write /proc/pack.pptx" in err
    assert len(pack.listing(store.reader(db))) == kept


def test_a_bad_quarter_or_format_is_refused_by_the_parser(capsys, db, tmp_path):
    code, _, err = run(
        capsys, "pack", "--db", db, "--quarter", "2024Q9", "--format", "pdf", "--out", "x.pdf"
    )
    assert code == 2 and "not a quarter" in err
    code, _, err = run(
        capsys, "pack", "--db", db, "--quarter", "2024Q3", "--format", "docx", "--out", "x.docx"
    )
    assert code == 2 and "invalid choice: 'docx'" in err


def test_writing_to_a_missing_database_creates_nothing(capsys, tmp_path):
    missing = tmp_path / "typo.duckdb"
    code, _, err = run(
        capsys, "actions", "add", "--db", str(missing), "--quarter", "2024Q3",
        "--text", "Question", "--owner", "Someone",
    )  # fmt: skip
    assert code == 2 and "No database at" in err
    assert not missing.exists()


def test_an_action_is_added_listed_updated_and_closed_from_the_command_line(capsys, db):
    code, out, err = run(
        capsys, "actions", "add", "--db", db, "--quarter", "2024q3",
        "--text", "Why has the Calderdale caseload risen?", "--owner", "Calderdale commander",
        "--metric", "rso_caseload_per_officer", "--district", "Calderdale",
        "--due", "2024-12-01", "--raised-on", "2024-11-05",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("Recorded action 1 for 2024Q3")

    code, out, _ = run(
        capsys, "actions", "list", "--db", db, "--quarter", "2024Q4", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1
    assert rows[0]["carried_forward"] == "yes" and rows[0]["status"] == "⚠ Overdue (open)"

    code, out, err = run(
        capsys, "actions", "update", "1", "--db", db, "--status", "in_progress",
        "--response", "Recruiting.",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == "Updated action 1: in progress."
    code, out, err = run(
        capsys, "actions", "close", "1", "--db", db, "--response", "Two posts filled.",
        "--on", "2025-01-10",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == "Closed action 1 on 10 January 2025."
    code, out, _ = run(capsys, "actions", "list", "--db", db, "--format", "csv")
    row = next(csv.DictReader(io.StringIO(out)))
    assert (row["status"], row["response"], row["closed_on"]) == (
        "Closed",
        "Two posts filled.",
        "2025-01-10",
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["update", "1", "--owner", "X"], "no action 1"),
        (["update", "1"], "Nothing to change"),
        (["add", "--quarter", "2024Q3", "--text", "Q", "--owner", "O", "--district", "Nowhere"],
         "'Nowhere' is not a district or force"),
        (["add", "--quarter", "2024Q3", "--text", "Q", "--owner", "O", "--metric", "caseload"],
         "Unknown metric 'caseload'"),
    ],
)  # fmt: skip
def test_action_errors_are_clear(capsys, db, argv, message):
    code, _, err = run(capsys, "actions", *argv, "--db", db)
    assert code == 2 and message in err
    assert actions.listing(store.reader(db)).empty


def test_recommendations_are_listed_overdue_first_and_updated(capsys, db):
    code, out, _ = run(
        capsys, "recommendations", "list", "--db", db, "--overdue", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["ref"] for r in rows] == ["WY-CPI14-08"]
    assert rows[0]["progress"].startswith("⚠ Overdue (in progress")
    assert rows[0]["linked_metrics"] == "children_detained_overnight, pace_transfer_pct"

    code, _, err = run(
        capsys, "recommendations", "update", "WY-CPI14-08", "--db", db, "--status", "completed",
        "--completed-on", "2099-01-01",
    )  # fmt: skip
    assert code == 2 and "is in the future" in err
    code, out, err = run(
        capsys, "recommendations", "update", "WY-CPI14-08", "--db", db, "--status", "completed",
        "--evidence", "Concordat in force.", "--completed-on", "2025-06-30",
    )  # fmt: skip
    assert code == 0, err
    assert "Completed late (30 June 2025, due 1 December 2014)" in out
    code, out, _ = run(
        capsys, "recommendations", "list", "--db", db, "--overdue", "--format", "csv"
    )
    assert list(csv.DictReader(io.StringIO(out))) == []


def test_every_review_command_is_documented():
    from safeguarding.paths import ROOT

    doc = (ROOT / "docs" / "quarterly-review.md").read_text(encoding="utf-8")
    for command in (
        "pack --quarter",
        "pack --snapshot",
        "packs",
        "actions list",
        "actions add",
        "actions update",
        "actions close",
        "recommendations list",
        "recommendations update",
    ):
        assert f"python -m safeguarding {command}" in doc, command


# --- a pack for one force of several -----------------------------------------------------------


def test_on_several_forces_pack_needs_a_known_force_and_writes_nothing_without(
    capsys, three_forces_built, tmp_path
):
    db = tmp_path / "three.duckdb"
    store.copy_database(three_forces_built, db)
    out_file = tmp_path / "pack.pdf"
    base = ["pack", "--db", str(db), "--quarter", "2015Q1", "--format", "pdf", "--no-charts"]
    code, _, err = run(capsys, *base, "--out", str(out_file))
    assert code == 2
    assert "holds 3 forces (Force 02, Force 03, West Yorkshire)" in err
    assert "--force" in err
    code, _, err = run(capsys, *base, "--out", str(out_file), "--force", "Force 9")
    assert code == 2
    assert (
        "No force called 'Force 9'" in err and "Forces: Force 02, Force 03, West Yorkshire" in err
    )
    assert not out_file.exists()
    assert run(capsys, "packs", "--db", str(db), "--format", "csv")[1].count("\n") == 1

    ids = {}
    for force in ("Force 02", "West Yorkshire"):
        out_file = tmp_path / f"{force}.pdf"
        code, out, err = run(capsys, *base, "--out", str(out_file), "--force", force)
        assert code == 0, err
        assert f"board pack of {force} for Q1 2015" in out
        ids[force] = snapshot_line(out)
        pages = pdf_pages(out_file)
        assert f"{force}: Q1 2015 (January to March 2015)" in pages[0]
        other = "Leeds" if force == "Force 02" else "Force 02 District A"
        assert other not in "\n".join(pages)
    assert ids["Force 02"] != ids["West Yorkshire"]
    # A kept pack is rebuilt as it was; naming another force is refused.
    code, _, err = run(
        capsys, "pack", "--db", str(db), "--snapshot", ids["Force 02"][:12], "--format", "pdf",
        "--out", str(tmp_path / "again.pdf"), "--no-charts", "--force", "West Yorkshire",
    )  # fmt: skip
    assert code == 2 and "is the pack of Force 02, not West Yorkshire" in err


def test_on_one_force_pack_needs_no_force_and_refuses_another(capsys, db, tmp_path):
    out_file = tmp_path / "pack.pdf"
    base = ["pack", "--db", db, "--quarter", "2024Q3", "--format", "pdf", "--no-charts"]
    code, out, err = run(capsys, *base, "--out", str(out_file), "--force", "Force 02")
    assert code == 2 and "No force called 'Force 02'" in err
    code, out, err = run(capsys, *base, "--out", str(out_file))
    assert code == 0, err
    assert "board pack of West Yorkshire for Q3 2024" in out

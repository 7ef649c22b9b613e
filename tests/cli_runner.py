"""Running the command line in-process for the CLI tests."""

from __future__ import annotations

from safeguarding.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """``python -m safeguarding *argv``: (exit code, stdout, stderr)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse errors exit with 2
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err

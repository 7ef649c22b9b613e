"""Run a check or an import in a child process, so a large or hostile upload cannot stall the
dashboard: the server's own process only waits.

Streamlit runs every session's script in a thread of one process. Checking a file is CPU work
(openpyxl parses a workbook in Python, holding the interpreter's lock) and memory; done in that
process it slows every other user's page. Here the file goes to a temp file, a fresh process
(``spawn``: nothing of the server's threads or connections is copied) checks or loads it and
sends the result back, and the waiting thread holds no lock. A child that runs past its time is
killed: an import's copy of the database is then discarded and its lock dies with it, as for any
killed import (see store.writer).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

from safeguarding.imports.read import as_file

CHECK_SECONDS = 300.0  # a 50 MB upload (the page's limit) is checked in well under a minute
IMPORT_SECONDS = 600.0


class WorkerError(RuntimeError):
    """The child failed or ran out of time; the message says which, in words for the page."""


def _child(kind: str, args: tuple, kwargs: dict, path: str, send) -> None:
    from safeguarding import imports

    try:
        function = imports.check if kind == "check" else imports.import_file
        send.send(("ok", function(args[0], args[1], Path(path), args[2], **kwargs)))
    except BaseException as exc:  # report every failure to the parent, then exit
        send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _run(kind: str, db, table: str, data, file_name: str, timeout: float, **kwargs):
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    with as_file(data) as path:
        child = context.Process(
            target=_child,
            args=(kind, (str(db) if db else None, table, file_name), kwargs, str(path), send),
            daemon=True,
        )
        child.start()
        send.close()
        deadline = time.monotonic() + timeout
        try:
            while not receive.poll(0.2):
                if not child.is_alive():
                    raise WorkerError(
                        f"The {kind} stopped unexpectedly (exit code {child.exitcode}); nothing "
                        "was changed."
                    )
                if time.monotonic() > deadline:
                    raise WorkerError(
                        f"The {kind} took longer than {timeout:.0f} seconds and was stopped; "
                        "nothing was changed. Load a file this large from the command line."
                    )
            status, value = receive.recv()
        finally:
            if child.is_alive():
                child.kill()
            child.join(5)
            receive.close()
    if status == "error":
        raise WorkerError(value)
    return value


def check(db: str | os.PathLike[str] | None, table: str, data, file_name: str, **kwargs):
    """imports.check in a child process; WorkerError if it fails or runs too long."""
    return _run("check", db, table, data, file_name, CHECK_SECONDS, **kwargs)


def import_file(db: str | os.PathLike[str] | None, table: str, data, file_name: str, **kwargs):
    """imports.import_file in a child process; WorkerError if it fails or runs too long."""
    return _run("import", db, table, data, file_name, IMPORT_SECONDS, **kwargs)

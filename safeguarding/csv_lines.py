"""Reading a small CSV file (targets, peer groups) record by record, with the line each starts on.

A quoted value may hold line breaks, so a record's line is not its count; and broken quoting
(a quote never closed, text after a closing quote) is an error at the line where it starts,
since nothing the reader gives after it can be trusted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator


class BrokenCsv(ValueError):
    """The reader gave up at ``line``: ``reason`` is its words (e.g. 'unexpected end of data')."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line it starts on, values) for each record of ``text``, header first; blank lines come
    through as records with no values. Raises BrokenCsv where the quoting breaks."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BrokenCsv(line, str(exc)) from None
        yield line, values

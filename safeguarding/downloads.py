"""Files made for people to open in a spreadsheet: no cell may hold a live formula.

A spreadsheet (Excel, LibreOffice, Google Sheets) treats a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula, and a leading tab or carriage return can hide one, so an imported
reference such as ``=HYPERLINK("http://...","Click")`` would become a working link, or worse, in
the file a district lead opens. Following the OWASP guidance on CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection), every text cell that starts with one of
those characters is prefixed with a single quote, which spreadsheets show as text; the CSV writer
quotes cells holding commas, quotes or line breaks (carriage returns included).

Only text is changed. Numbers (negative ones included) are written as numbers, which no
spreadsheet evaluates, and so are dates and empty cells; a text cell that is a plain number,
such as "-3" or "+4.5", is read as that number and is left alone too. Column headings go through
the same rule.

``python -m safeguarding export`` does not use this: it writes the stored rows exactly, for
re-import, not for opening in a spreadsheet (docs/security.md).
"""

from __future__ import annotations

import pandas as pd

from safeguarding.formatting import PLAIN_NUMBER

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """A text cell that a spreadsheet would read as a formula, made into text; else unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` in which no text cell or heading starts a formula."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[column] = series.map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV for people, formulas neutralised."""
    # CRLF line ends (RFC 4180) also make the writer quote any cell holding a carriage return,
    # which a spreadsheet would otherwise take as the end of the row.
    return neutralise(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")

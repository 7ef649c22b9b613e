"""Text the dashboard did not write, made safe to put inside Streamlit's Markdown.

Streamlit renders Markdown in ``st.markdown``, ``st.title``, ``st.header``, ``st.subheader``,
``st.caption``, ``st.info`` / ``st.warning`` / ``st.error`` / ``st.success``, ``st.toast``,
widget labels and ``st.download_button`` labels. Its Markdown is GitHub-flavoured (links, images,
bare URLs and e-mail addresses become links) with extensions: ``$...$`` LaTeX, ``:red[...]`` and
other directives, ``:material/icon:`` icons and ``:shortcode:`` emoji. Any value that came from a
URL, a file, the database's imported text or a form goes through ``md()`` before it is put into
one of those strings, so that it shows as the characters typed and never as a link, an image,
markup or an icon. ``st.table`` renders Markdown in every cell: give it ``table(frame)``.
Tables drawn with ``st.html`` escape with ``html.escape``: ``table_html(frame)`` draws a frame
that way, with no Markdown anywhere, and the browser draws it much faster than ``st.table``.
Plotly draws some HTML in chart text: area names go through ``chart()``. ``st.dataframe``,
``st.text`` and select-box options draw plain text; widget labels and ``st.radio`` options
render Markdown.
"""

from __future__ import annotations

import html
import re
import string

import pandas as pd

# A word joiner (U+2060, invisible, zero width) after each colon: Streamlit turns ``:smile:``
# into an emoji after parsing, on the text itself, where a backslash escape has already been
# consumed, so only a character between the colon and the name stops it.
_WORD_JOINER = "\u2060"

# CommonMark lets every ASCII punctuation character be backslash-escaped, and an escaped one is
# always literal: no link, image, emphasis, HTML, table, heading, list, entity or autolink can
# start from it. Escaping them all (rather than a hand-picked few) leaves no construct out, and
# keeps ``$`` (LaTeX), ``:`` and ``[`` (directives) and ``/`` (``:material/`` icons, which
# Streamlit rewrites in the raw source before parsing) literal too.
_ESCAPES = {ord(c): "\\" + c for c in string.punctuation}
_ESCAPES[ord(":")] = "\\:" + _WORD_JOINER
# GitHub-flavoured autolinks of bare "www." addresses and e-mail addresses are also found in the
# parsed text, after escapes are gone: a word joiner before the "." or "@" breaks their pattern.
_ESCAPES[ord("@")] = _WORD_JOINER + "\\@"
_WWW = re.compile(r"(www)(?=\.)", re.IGNORECASE)


def md(value: object) -> str:
    """``value`` as Markdown source that renders as exactly its text.

    Line breaks are kept as spaces: a value shown inside a sentence must not start a new block.
    """
    text = "" if value is None else str(value)
    return _escape(" ".join(text.splitlines()))


def md_list(values, sep: str = ", ") -> str:
    """Several outside values, each escaped, joined for a sentence."""
    return sep.join(md(v) for v in values)


def md_block(value: object) -> str:
    """A multi-line outside value (a recommendation's text) as Markdown of its lines, literally.

    Each line is escaped and ends in a hard line break; leading spaces are dropped because four
    of them would start a code block.
    """
    text = "" if value is None else str(value)
    return "  \n".join(_escape(line.strip()) for line in text.splitlines())


def _escape(text: str) -> str:
    return _WWW.sub(lambda m: m.group(1) + _WORD_JOINER, text).translate(_ESCAPES)


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame for ``st.table``, which renders Markdown in every cell, header and index label:
    every text in it escaped with ``md``, numbers and dates left as they are."""

    def cell(value: object) -> object:
        return md(value) if isinstance(value, str) else value

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(cell)
    out.columns = [cell(c) for c in out.columns]
    out.index = out.index.map(cell)
    out.index.name = cell(frame.index.name)
    return out


def _cell_text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def table_html(frame: pd.DataFrame, *, label: str) -> str:
    """``frame`` as a plain HTML table for ``st.html``: the index's labels as row headers, the
    columns as column headers, every text escaped, so it shows exactly as stored.

    ``label`` names the table for screen readers (it is the table's accessible name and the
    name of its scrolling region, which a keyboard can reach to scroll a wide table).
    """
    esc = html.escape
    head_cells = [frame.index.name or ""] + [str(c) for c in frame.columns]
    head = "".join(f'<th scope="col">{esc(_cell_text(c))}</th>' for c in head_cells)
    rows = "".join(
        f'<tr><th scope="row">{esc(_cell_text(index))}</th>'
        + "".join(f"<td>{esc(_cell_text(v))}</td>" for v in values)
        + "</tr>"
        for index, values in zip(frame.index, frame.itertuples(index=False, name=None), strict=True)
    )
    return (
        f'<div class="sg-table-wrap" role="region" aria-label="{esc(label)}" tabindex="0">'
        f'<table class="sg-table" aria-label="{esc(label)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


_UNESCAPE = re.compile(r"\\([" + re.escape(string.punctuation) + r"])")


def shown(source: str) -> str:
    """The text a reader sees for Markdown made by ``md`` (for tests and logs): escapes and word
    joiners removed. Not a Markdown renderer: other syntax in ``source`` is left as it is."""
    return _UNESCAPE.sub(r"\1", source).replace(_WORD_JOINER, "")


def chart(value: object) -> str:
    """An outside value for a Plotly title, label, legend or hover text. Plotly draws a subset
    of HTML in them (``<a href>`` becomes a working link in the chart), and shows an entity as its
    character, so escaping ``<``, ``>`` and ``&`` makes the value read as typed."""
    return html.escape("" if value is None else str(value), quote=False)


def chart_frame(frame: pd.DataFrame, column: str = "district") -> pd.DataFrame:
    """``frame`` with its area names made safe for a chart (see ``chart``)."""
    if column not in frame.columns:
        return frame
    return frame.assign(**{column: frame[column].map(chart)})

"""The Markdown escaper and the HTTP middleware, without a browser (the browser sweep is in
tests/test_hostile.py)."""

from __future__ import annotations

import html
import re
import string

import hostile
import pandas as pd
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from safeguarding import server
from safeguarding.ui import safe

SAMPLES = [
    hostile.HOSTILE,
    "[sign in](http://evil.test)",
    "![x](http://evil.test/x.png)",
    "<img src=x onerror=alert(1)>",
    ":red[x]",
    "$x$",
    "**b**",
    "a@evil.test",
    "WWW.evil.test",
    "&lt;b&gt;",
    string.punctuation,
    "Leeds",
    "",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_escaped_text_reads_back_as_typed_and_holds_no_live_markdown(text):
    source = safe.md(text)
    assert safe.shown(source) == text
    assert hostile.live_markdown(source) == []
    # Every ASCII punctuation character is escaped, so no construct can start from one.
    unescaped = re.sub(r"\\[" + re.escape(string.punctuation) + "]", "", source)
    assert not set(unescaped) & set(string.punctuation)


def test_a_value_inside_a_sentence_cannot_start_a_new_block():
    assert "\n" not in safe.md("Leeds\n# Heading\n- item")
    assert safe.md_block("one\n    two").split("  \n") == ["one", "two"]


@pytest.mark.parametrize("text", SAMPLES)
def test_an_html_table_shows_every_header_index_and_cell_as_typed(text):
    from html.parser import HTMLParser

    frame = pd.DataFrame({text or "x": [text, None], "n": [1.5, float("nan")]})
    frame.index = pd.Index([text, "Leeds"], name=text)
    out = safe.table_html(frame, label=f"About {text}")

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.cells: list[tuple[str, str, str]] = []
            self.tags: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            if tag in ("th", "td"):
                self.cells.append((tag, dict(attrs).get("scope") or "", ""))

        def handle_data(self, data):
            if self.cells and self.tags and self.tags[-1] in ("th", "td"):
                tag, scope, seen = self.cells[-1]
                self.cells[-1] = (tag, scope, seen + data)

        def handle_endtag(self, tag):
            self.tags.pop()

    parsed = Cells()
    parsed.feed(out)
    # Every tag opened is closed, and the text comes back exactly: hostile markup is only
    # characters (st.html renders no Markdown, so only HTML needs escaping).
    assert parsed.tags == [] and "<img" not in out and "<a " not in out
    assert parsed.cells == [
        ("th", "col", text),
        ("th", "col", text or "x"),
        ("th", "col", "n"),
        ("th", "row", text),
        ("td", "", text),
        ("td", "", "1.5"),
        ("th", "row", "Leeds"),
        ("td", "", ""),
        ("td", "", ""),
    ]
    assert f'aria-label="{html.escape(f"About {text}")}"' in out


def test_tables_for_st_table_have_every_text_escaped_and_numbers_kept():
    frame = pd.DataFrame({"[a](b)": ["**x**", "y"], "n": [1, -2]}).set_index("[a](b)")
    out = safe.table(frame)
    assert out.index.name == safe.md("[a](b)")
    assert list(out.index) == [safe.md("**x**"), "y"]
    assert out["n"].tolist() == [1, -2]


def test_chart_text_is_html_escaped_for_plotly():
    assert (
        safe.chart('<a href="http://evil.test">p</a>')
        == '&lt;a href="http://evil.test"&gt;p&lt;/a&gt;'
    )


def _client() -> TestClient:
    async def hello(request):
        return PlainTextResponse("hello")

    app = Starlette(
        routes=[Route(p, hello) for p in ("/", "/_stcore/metrics", "/x/_stcore/metrics")],
        middleware=[Middleware(server.Protect)],
    )
    return TestClient(app)


def test_the_middleware_refuses_the_metrics_route_at_any_base_path():
    client = _client()
    for path in ("/_stcore/metrics", "/_stcore/metrics/", "/x/_stcore/metrics"):
        assert client.get(path).status_code == 404
    assert client.get("/").text == "hello"


def test_the_middleware_adds_the_anti_framing_headers():
    response = _client().get("/")
    for name, value in server.SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_media_paths_are_recognised():
    assert server._media_file_id("/media/abc123.csv") == "abc123"
    assert server._media_file_id("/base/media/abc123.zip") == "abc123"
    assert server._media_file_id("/_stcore/health") is None

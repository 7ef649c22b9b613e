"""HTTP protections Streamlit's own options cannot give, as ASGI middleware for ``st.App``.

``serve.py`` (the command ``streamlit run serve.py``) wraps dashboard.py in ``st.App`` with
``Protect``, which:

* answers 404 to ``/_stcore/metrics``: Streamlit 1.67 always serves it, to anyone, with no option
  to turn it off, and it tells an outsider how many sessions are open and what they hold;
* adds anti-framing and related headers to every response (``X-Frame-Options: DENY``,
  ``Content-Security-Policy: frame-ancestors 'none'``, ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: same-origin``), so no other site can frame the dashboard (clickjacking);
* lets a records file be fetched only just after the click. A download's bytes are served at
  ``/media/<hash>.<ext>`` to whoever holds the URL, with no cookie check. Records files (every
  one is named ``records_...``, built in the click's own run by the access door, which checks the
  scope and logs it) are marked ``no-store`` and deleted from the server's memory
  ``GRACE_SECONDS`` after they are first sent, so the URL answers 404 from then on; a second
  click builds and logs them again. The grace exists because Streamlit's front end fetches a
  deferred download twice at once (a check of the URL, and the download itself); it runs from
  the first fetch, and later fetches do not extend it.

Nothing here knows the pages; the rules are tested in tests/test_hostile.py and
tests/test_security_server.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

_LOG = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SECURITY_HEADERS: dict[str, str] = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
BLOCKED_SUFFIXES = ("/_stcore/metrics",)
RECORDS_PREFIX = "records_"
GRACE_SECONDS = 5.0


def _media_file_id(path: str) -> str | None:
    """The stored file's id for a ``.../media/<id>.<ext>`` path, else None."""
    head, sep, name = path.rpartition("/media/")
    if not sep or "/" in name or not name:
        return None
    return name.rsplit(".", 1)[0]


def _records_file(file_id: str) -> bool:
    """Is ``file_id`` a stored download whose file name marks it as records?"""
    from streamlit.runtime import Runtime
    from streamlit.runtime.media_file_storage import MediaFileKind

    if not Runtime.exists():
        return False
    stored = Runtime.instance().media_file_mgr.read_file(file_id)
    return (
        stored is not None
        and stored.kind == MediaFileKind.DOWNLOADABLE
        and (stored.filename or "").startswith(RECORDS_PREFIX)
    )


def forget_media_file(file_id: str) -> None:
    """Delete a served download from Streamlit's in-memory media store.

    The manager has no public call for one file; it is reached the way its own cleanup does,
    under its lock, and a test (tests/test_security_server.py) fails if a Streamlit upgrade
    changes that.
    """
    from streamlit.runtime import Runtime

    manager = Runtime.instance().media_file_mgr
    with manager._lock:
        if file_id in manager._file_metadata:
            manager._delete_file(file_id)
        else:
            manager._storage.delete_file(file_id)


class Protect:
    """ASGI middleware: blocked routes, security headers, records fetchable only just after the
    click."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._doomed: set[str] = set()

    def _forget_soon(self, file_id: str) -> None:
        """Delete the file GRACE_SECONDS after its first complete fetch (once per file)."""
        if file_id in self._doomed:
            return
        self._doomed.add(file_id)

        def forget() -> None:
            self._doomed.discard(file_id)
            forget_media_file(file_id)
            _LOG.info("Records file %s deleted after it was served", file_id)

        asyncio.get_running_loop().call_later(GRACE_SECONDS, forget)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if path.rstrip("/").endswith(BLOCKED_SUFFIXES):
            await self._not_found(send)
            return

        file_id = _media_file_id(path)
        once = file_id is not None and scope.get("method") == "GET" and _records_file(file_id)
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in names:
                        headers.append((name.lower().encode(), value.encode()))
                if once:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)
            if (
                once
                and file_id is not None
                and status == 200
                and message["type"] == "http.response.body"
                and not message.get("more_body", False)
            ):
                self._forget_soon(file_id)

        await self.app(scope, receive, send_with_headers)

    async def _not_found(self, send: Send) -> None:
        headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        headers.append((b"content-type", b"text/plain; charset=utf-8"))
        await send({"type": "http.response.start", "status": 404, "headers": headers})
        await send({"type": "http.response.body", "body": b"Not found"})

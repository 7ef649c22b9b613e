"""What the browser test modules share: `streamlit run` on a free loopback port for as long as a
fixture needs it, and a first visit that warms a fresh server."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from safeguarding.paths import ROOT

APP_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(
    script: str,
    env: dict[str, str],
    *,
    log: Path,
    start_timeout: float = 90,
    args: tuple[str, ...] = (),
) -> Iterator[str]:
    """`streamlit run ROOT/script` with ``env`` added to the environment, its output in ``log``;
    yields its URL once its health check answers, fails the test with the log if it never does,
    and stops it afterwards."""
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", str(ROOT / script),
                "--server.headless", "true",
                "--server.port", str(port),
                "--server.address", "127.0.0.1",
                "--browser.gatherUsageStats", "false",
                *args,
            ],
            cwd=ROOT,
            env=dict(os.environ, **env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def write_auth_secrets(folder: Path, *, base: str, provider: str, client_id: str) -> None:
    """``folder/.streamlit/secrets.toml`` with sign-in configured: redirects to ``base``, the
    identity provider at ``provider`` (a server that is never contacted needs no more than an
    address), fresh random secrets."""
    (folder / ".streamlit").mkdir()
    (folder / ".streamlit" / "secrets.toml").write_text(
        f"""
[auth]
redirect_uri = "{base}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"
client_id = "{client_id}"
client_secret = "{secrets.token_urlsafe(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""",
        encoding="utf-8",
    )


def first_visit(chromium, url: str, timeout: int = 90_000) -> None:
    """Open the root once, so that the first test does not also wait for the server's first
    figures to be built. (tests/test_browser_entry.py opens links to pages as the very first
    request, on fresh servers.)"""
    warm = chromium.new_page()
    try:
        warm.goto(url)
        warm.wait_for_selector(APP_DONE, timeout=timeout)
    finally:
        warm.close()

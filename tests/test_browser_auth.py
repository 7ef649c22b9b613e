"""A real sign-in round trip: Chromium, `streamlit run`, and a local OpenID Connect provider.

The provider is oidc-provider-mock on a free loopback port; the app is tests/auth_app/app.py with
a temporary secrets.toml pointing at it. This is what AppTest cannot show: that the [auth]
settings, the redirect, the identity cookie and the group claim work end to end.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from safeguarding import audit, metrics, server, store
from safeguarding.paths import ROOT

from browser_server import write_auth_secrets

pytestmark = [
    pytest.mark.browser,
    # The mock provider runs in this process and uses Authlib APIs that Authlib now deprecates.
    pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning"),
]

# app.py behind the middleware of safeguarding.server, as the dashboard is served.
APP = ROOT / "tests" / "auth_app" / "serve.py"
LEAD = "kirklees.lead@force.example"
STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[str]:
    """oidc-provider-mock serving on 127.0.0.1, with the Kirklees lead as a one-click user."""
    # The mock provider imports Authlib APIs that Authlib now deprecates, and Authlib installs an
    # "always" filter for those warnings on import, ahead of pytest's: import it first, then
    # silence them for the provider's import.
    pytest.importorskip("authlib.deprecate")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        oidc_provider_mock = pytest.importorskip("oidc_provider_mock")
    import werkzeug.serving

    user = oidc_provider_mock.User(
        sub=LEAD,
        claims={"email": LEAD, "name": "Kirklees Lead", "groups": ["SG-Lead-Kirklees"]},
    )
    # Bind 127.0.0.1 explicitly (the library's helper binds "localhost", which may be ::1), so the
    # issuer in the discovery document and the address Streamlit fetches it from agree.
    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, oidc_provider_mock.app(user_claims=[user]), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture(scope="module")
def dashboard(chromium, oidc_provider, demo_db_path, tmp_path_factory) -> Iterator[dict]:
    """`streamlit run` of the test app with sign-in configured against the mock provider."""
    pytest.importorskip("authlib")
    work = tmp_path_factory.mktemp("auth_app")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    write_auth_secrets(work, base=base, provider=oidc_provider, client_id="safeguarding-dashboard")
    roles = work / "roles.toml"
    roles.write_text(
        '[groups]\n"sg-lead-kirklees" = { role = "district_lead", district = "Kirklees" }\n',
        encoding="utf-8",
    )
    audit_file = work / "audit.duckdb"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HOME": str(work),  # no stray ~/.streamlit settings or secrets
        "SAFEGUARDING_DB": demo_db_path,
        "SAFEGUARDING_ROLES": str(roles),
        "SAFEGUARDING_AUDIT": str(audit_file),
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
    ]
    # cwd=work so that Streamlit reads work/.streamlit/secrets.toml, not the project's.
    log = (work / "streamlit.log").open("w")
    process = subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_healthy(base, process, work / "streamlit.log")
        yield {"url": base, "audit": audit_file, "db": demo_db_path}
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_until_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not start in {STARTUP_SECONDS}s:\n{log.read_text()}")


@pytest.fixture
def page(dashboard, chromium):
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
    finally:
        context.close()


def test_a_district_lead_signs_in_sees_their_records_and_is_refused_another_districts(
    dashboard, page
):
    from playwright.sync_api import expect

    base = dashboard["url"]
    page.goto(base)
    page.get_by_role("button", name="Sign in").click()

    # The mock provider's authorisation form: sign in as the predefined Kirklees lead.
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_role("button", name=LEAD).click()

    # Back in the dashboard, signed in, with the role the group claim gives.
    expect(page.get_by_text(f"Scope: {LEAD} · district lead (Kirklees)")).to_be_visible()
    expect(page.get_by_text("Signed in as Kirklees Lead")).to_be_visible()

    expected = len(
        metrics.records(
            store.reader(dashboard["db"]),
            "rso_caseload_per_officer",
            "Kirklees",
            dt.date(2014, 8, 1),
        )
    )
    page.goto(f"{base}/?district=Kirklees&month=2014-08")
    expect(page.get_by_text(f"{expected} records for Kirklees")).to_be_visible()

    # The CSV is built on click, on a thread without the page's context: it must still be
    # checked, logged as a download, and arrive.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download these records (CSV)").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert csv[0].startswith("offender_ref,district") and len(csv) == expected + 1
    # The file's URL, fetched again without the signed-in session's cookies: not served.
    assert "/media/" in download.value.url
    time.sleep(server.GRACE_SECONDS + 1)
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(download.value.url, timeout=5)
    assert gone.value.code == 404

    page.goto(f"{base}/?district=Leeds&month=2014-08")
    expect(
        page.get_by_text(re.compile("Records not shown.*records of Kirklees only"))
    ).to_be_visible()
    expect(page.get_by_text("records for Leeds")).to_have_count(0)

    log = audit.recent(dashboard["audit"])
    views = log[(log["action"] == "view") & (log["district"] == "Kirklees")]
    refusals = log[(log["action"] == "refused") & (log["district"] == "Leeds")]
    assert len(views) >= 1 and set(views["user_id"]) == {LEAD}
    assert set(views["rows"]) == {expected}
    assert len(refusals) >= 1 and set(refusals["user_id"]) == {LEAD}
    downloads = log[log["action"] == "download"]
    assert list(downloads["district"]) == ["Kirklees"] and list(downloads["rows"]) == [expected]
    assert set(log["role"]) == {"district_lead"}

"""What the AppTest page tests share: the secrets that switch sign-in on or off, a private copy of
the demo database with a roles file, and opening a page the way a shared link does."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from safeguarding import store
from safeguarding.paths import ROOT

DASHBOARD = ROOT / "dashboard.py"

# AppTest replaces st.secrets only with a non-empty dict. Without sign-in the tests still give it
# one (with no [auth] section), so a developer's own .streamlit/secrets.toml cannot change them.
NO_SIGN_IN = {"not_auth": {"note": "no sign-in configured"}}
# Sign-in configured; AppTest's at.user stands in for the identity provider, which is never
# contacted (the metadata URL is a closed port).
AUTH_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret-that-is-long-enough",
        "client_id": "dashboard",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
}


def signed_in(email: str, name: str) -> dict:
    """An at.user value for a signed-in person."""
    return {"is_logged_in": True, "email": email, "name": name}


# Three users of the three-force demo (conftest's three_forces_path): a force's leadership, a
# national analyst, and a district lead of another force.
FORCE_ROLES = """
[users]
"chief@wyp.example" = { role = "leadership", force = "West Yorkshire" }
"analyst@inspectorate.example" = { role = "national_analyst" }
"lead@force02.example" = { role = "district_lead", district = "Force 02 District A" }
"""
WY_CHIEF = signed_in("chief@wyp.example", "WY Chief")
ANALYST = signed_in("analyst@inspectorate.example", "Analyst")
F02_LEAD = signed_in("lead@force02.example", "F02 Lead")


def private_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, demo_db_path: str, roles: str
) -> dict:
    """A copy of the demo database (for pages that write to it), a roles file and an access log,
    all in ``tmp_path`` and named by the environment the app reads."""
    db = tmp_path / "demo.duckdb"
    store.copy_database(demo_db_path, db)
    roles_file = tmp_path / "roles.toml"
    roles_file.write_text(roles, encoding="utf-8")
    audit_file = tmp_path / "audit.duckdb"
    monkeypatch.setenv("SAFEGUARDING_DB", str(db))
    monkeypatch.setenv("SAFEGUARDING_ROLES", str(roles_file))
    monkeypatch.setenv("SAFEGUARDING_AUDIT", str(audit_file))
    return {"db": str(db), "audit": audit_file, "roles": roles_file}


def dashboard(user: dict | None = None, *, timeout: int = 90) -> AppTest:
    """The dashboard in AppTest: demo mode without ``user``, else signed in as ``user``."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=timeout)
    if user is None:
        at.secrets = NO_SIGN_IN
    else:
        at.secrets = AUTH_SECRETS
        at.user = user
    return at


def open_link(at: AppTest, page: str, **params: str) -> AppTest:
    """Run the app once (so st.navigation registers its pages), then open ``page`` with exactly
    ``params`` as its query string, as a colleague's shared link would."""
    at.run()
    at.switch_page(page)
    for key in list(at.query_params):
        del at.query_params[key]
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def open_page(page: str, *, user: dict | None = None, **params: str) -> AppTest:
    return open_link(dashboard(user), page, **params)


def html(at: AppTest) -> str:
    """Everything the page drew with st.html, as one string."""
    return "".join(h.proto.body for h in at.get("html"))

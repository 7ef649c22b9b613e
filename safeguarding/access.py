"""Who may see what: roles, scopes, the roles file, and the one door to record-level data.

Enforcement lives here, in the package, not in the pages: ``scoped_records`` is the only function
the dashboard calls to get records, and it checks the scope before it runs any query. A page that
forgets a check, or a crafted link (``?district=Leeds``), still goes through this door.

Roles (a user may hold several; grants add up, nothing takes access away):

=============== ================= ====================================== ===========
role            aggregates        records                                admin
=============== ================= ====================================== ===========
leadership      all               every district and the force row       yes
pcc_office      all               none                                   no
district_lead   all               their own district(s) only; not the    no
                                  force row, which holds every district
data_admin      all               none (give leadership as well if the   yes
                                  person needs records)
national_       every force's     none (add leadership of a force for    no
analyst         figures           that force's records)
demo            all               all (the data is invented)             yes, but no
                                                                         imports
=============== ================= ====================================== ===========

``demo`` is never granted by the roles file: it is the scope of demo mode only (see ``mode``).

Forces. "all" above means all of the person's own force: on a database holding several forces
(the national demo, or an inspectorate's copy) each grant names its force (``force = "..."`` in
the roles file; a district lead's force is that of their district). On a one-force database the
force need not be named. Only ``national_analyst`` (and demo mode) sees every force's figures,
and it opens no records by itself. ``check_force`` is the door for a force's figures: a link to
another force is refused and logged, like a district's records.

Run ``python -m safeguarding.access [--roles PATH] [--db PATH]`` to check a roles file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

from safeguarding import audit, metrics, quality, store
from safeguarding.paths import ROOT

ROLES_ENV_VAR = "SAFEGUARDING_ROLES"
DEFAULT_ROLES_FILE = ROOT / "config" / "roles.toml"
DEFAULT_GROUP_CLAIM = "groups"

LEADERSHIP = "leadership"
PCC_OFFICE = "pcc_office"
DISTRICT_LEAD = "district_lead"
DATA_ADMIN = "data_admin"
DEMO = "demo"
NATIONAL_ANALYST = "national_analyst"

# Most to least access: the first role a scope holds is the one shown as "the" role.
ROLES = (LEADERSHIP, DISTRICT_LEAD, NATIONAL_ANALYST, PCC_OFFICE, DATA_ADMIN)
_ALL_RECORDS = frozenset({LEADERSHIP, DEMO})
_ADMINS = frozenset({LEADERSHIP, DATA_ADMIN, DEMO})
_IMPORTERS = frozenset({LEADERSHIP, DATA_ADMIN})
# The quarterly review is the PCC office's meeting: they record its actions and track the
# inspection recommendations, with leadership (and demo mode, on invented data).
_REVIEW_EDITORS = frozenset({LEADERSHIP, PCC_OFFICE, DATA_ADMIN, DEMO})

Mode = Literal["signed_in", "demo", "refuse"]
Action = Literal["view", "download"]


class AccessDenied(PermissionError):
    """The scope does not cover what was asked for. The message is safe to show the user."""


class RolesConfigError(ValueError):
    """The roles file is missing or wrong; the message says where and how to fix it."""


@dataclass(frozen=True)
class Scope:
    """What one signed-in person (or demo mode) may see and do.

    ``districts`` are the districts whose records a district lead may see; it is empty for every
    other role (leadership sees all records through its role, not through this set).
    """

    user_id: str
    roles: frozenset[str]
    districts: frozenset[str] = frozenset()
    name: str = ""
    flags: frozenset[str] = field(default_factory=frozenset)
    # The person's own force(s), as the roles file names them; see ``home_forces``.
    forces: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # A scope that grants nothing, or a lead without a district, is a bug upstream: fail at
        # construction rather than at the first check.
        unknown = self.roles - {*ROLES, DEMO}
        if not self.roles or unknown:
            raise ValueError(f"A scope needs known roles, got {sorted(self.roles)}")
        if DISTRICT_LEAD in self.roles and not self.districts:
            raise ValueError("A district_lead scope needs at least one district")

    @property
    def role(self) -> str:
        """The widest role held: the one to show and to write in the access log."""
        if DEMO in self.roles:
            return DEMO
        return next(r for r in ROLES if r in self.roles)

    @property
    def roles_label(self) -> str:
        """Every role held, widest first ('district_lead+data_admin'): what the log records."""
        return "+".join(r for r in (DEMO, *ROLES) if r in self.roles)

    @property
    def district(self) -> str | None:
        """The district of a lead of exactly one district (for labels); otherwise None."""
        return next(iter(self.districts)) if len(self.districts) == 1 else None

    @property
    def label(self) -> str:
        """How the scope reads in the sidebar, e.g. 'district lead (Kirklees)'."""
        words = self.role.replace("_", " ")
        if self.role == DISTRICT_LEAD and self.districts:
            words += f" ({', '.join(sorted(self.districts))})"
        return words

    def can_view_aggregates(self) -> bool:
        # Every role sees the scorecard, charts and funnels: figures, not records.
        return bool(self.roles)

    def can_view_records(self, district_or_force: str, force_of: Mapping[str, str]) -> bool:
        """May this scope see the records behind a figure for this district or force row?

        ``force_of`` maps each district to its force (``districts`` table). A force row holds
        every district's records, so only leadership (and demo) may open it. A name that is
        neither a district nor a force is refused for everyone.
        """
        is_district = district_or_force in force_of
        is_force = not is_district and district_or_force in set(force_of.values())
        if not (is_district or is_force):
            return False
        if DEMO in self.roles:
            return True
        if LEADERSHIP in self.roles:
            # leadership opens its own force's records only; a national role adds none
            force = force_of[district_or_force] if is_district else district_or_force
            if force in self.home_forces(force_of):
                return True
        return is_district and DISTRICT_LEAD in self.roles and district_or_force in self.districts

    def home_forces(self, force_of: Mapping[str, str]) -> frozenset[str]:
        """The forces this person belongs to: those named for them, their districts' forces, or,
        on a database holding one force only, that force (a one-force deployment need not name
        it). Empty on a several-force database when nothing names a force: such a scope sees no
        force until the roles file says which."""
        own = set(self.forces) | {force_of[d] for d in self.districts if d in force_of}
        if own:
            return frozenset(own)
        every = set(force_of.values())
        return frozenset(every) if len(every) == 1 else frozenset()

    def sees_every_force(self) -> bool:
        return bool(self.roles & {NATIONAL_ANALYST, DEMO})

    def figure_forces(self, force_of: Mapping[str, str]) -> frozenset[str]:
        """The forces whose figures (not records) this scope may see."""
        if self.sees_every_force():
            return frozenset(force_of.values())
        return self.home_forces(force_of)

    def can_view_force(self, force: str, force_of: Mapping[str, str]) -> bool:
        return force in self.figure_forces(force_of)

    def force_refusal(self, force: str, force_of: Mapping[str, str]) -> str:
        """Why this scope may not see a force's figures, safe to show the user."""
        if force not in set(force_of.values()):
            return f"There is no force called '{force}'."
        own = sorted(self.home_forces(force_of))
        if not own:
            return (
                "Your access does not name a force, and this database holds several. Ask the "
                "dashboard's administrator to add your force to the roles file."
            )
        return (
            f"Your access covers the figures of {', '.join(own)} only, not {force}. A national "
            "role is needed to see other forces."
        )

    def target_forces(self, force_of: Mapping[str, str]) -> frozenset[str] | None:
        """The forces whose targets (and actions) this person may set, or None for every force
        in the database (demo mode, or access covering all of them: on a one-force database,
        that force). A target for every district and the force, or an action with no area,
        reaches every force, so only None may set one."""
        if DEMO in self.roles:
            return None
        own = self.home_forces(force_of)
        return None if set(force_of.values()) <= own else own

    def can_admin(self) -> bool:
        """Targets, rebases and the access log."""
        return bool(self.roles & _ADMINS)

    def can_edit_review(self) -> bool:
        """The quarterly review's action log and inspection recommendations (not district
        leads, who answer the actions rather than record them)."""
        return bool(self.roles & _REVIEW_EDITORS)

    def can_import(self) -> bool:
        """Loading record files. Not in demo mode: real data enters only through a sign-in."""
        return bool(self.roles & _IMPORTERS)

    def import_force(
        self, force_of: Mapping[str, str], chosen: str | None = None
    ) -> tuple[str | None, str | None]:
        """(the force a file this person imports is for, or why they may import for none).

        On a database of one force (or none yet) the force is None: every stored district is
        the force's, and an import behaves as it always has. On a several-force database it is
        the person's own force (the one ``chosen`` on the page, if they have several); only its
        districts are accepted."""
        if len(set(force_of.values())) <= 1:
            return None, None
        own = self.home_forces(force_of)
        if len(own) == 1:
            return next(iter(own)), None
        if chosen in own:
            return chosen, None
        if not own:
            return None, (
                "Your access does not name a force, and this database holds several, so you "
                "cannot import here. Ask the dashboard's administrator to add your force to the "
                "roles file."
            )
        return None, (
            f"Your access covers {', '.join(sorted(own))}: choose the force the file is for in "
            "the force filter first."
        )

    def peer_groups_refusal(self, force_of: Mapping[str, str]) -> str | None:
        """Why this person may not load the most similar groups, or None if they may.

        A peer-group file is one list for every force, and loading it replaces the whole list:
        it is for an importer whose access covers every force in the database (on a one-force
        database, that force)."""
        if not self.can_import():
            return "Loading files is for leadership and data administrators."
        every = set(force_of.values())
        missing = every - self.home_forces(force_of)
        if missing:
            own = ", ".join(sorted(self.home_forces(force_of))) or "no force"
            return (
                "The most similar groups are one list for every force, and a file replaces the "
                f"whole list, so loading one needs access to all {len(every)} forces here; "
                f"yours covers {own}. Ask whoever administers the national copy to load it."
            )
        return None

    def refusal(self, district_or_force: str, force_of: Mapping[str, str]) -> str:
        """A plain-English reason for refusing records, safe to show the user."""
        if district_or_force not in force_of and district_or_force not in set(force_of.values()):
            return f"There is no district or force called '{district_or_force}'."
        if LEADERSHIP in self.roles and DISTRICT_LEAD not in self.roles:
            own = ", ".join(sorted(self.home_forces(force_of))) or "no force"
            return (
                f"Your access covers the records of {own} only. You can see the figures for "
                f"{district_or_force}, but not the records behind them."
            )
        if DISTRICT_LEAD in self.roles and self.districts:
            own = ", ".join(sorted(self.districts))
            return (
                f"Your access covers the records of {own} only. You can see the figures for "
                f"{district_or_force}, but not the records behind them."
            )
        return (
            f"Your role ({self.label}) can see figures but not the records behind them. "
            "Ask the dashboard's administrator if you need record-level access."
        )


DEMO_SCOPE = Scope(user_id="demo", roles=frozenset({DEMO}), name="Demo", flags=frozenset({DEMO}))


def mode(secrets_has_auth: bool, meta_source: str | None) -> Mode:
    """How the dashboard runs: with sign-in, in demo mode, or not at all.

    Without an ``[auth]`` secrets section nobody can be identified, so the dashboard may show
    only invented data: demo mode when the database's ``meta.source`` is 'demo', and nothing at
    all for any other source (imported records), however the database came to exist.
    """
    if secrets_has_auth:
        return "signed_in"
    if meta_source == DEMO:
        return "demo"
    return "refuse"


REFUSE_MESSAGE = (
    "This dashboard holds force records, and sign-in is not configured, so it shows nothing. "
    "An administrator must add an [auth] section to .streamlit/secrets.toml (see "
    ".streamlit/secrets.example.toml and docs/security.md) and a roles file (config/roles.toml)."
)


# --- the roles file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    roles: frozenset[str]
    districts: frozenset[str] = frozenset()
    forces: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RolesConfig:
    """Users (by e-mail) and identity-provider groups (by a claim) mapped to grants."""

    users: Mapping[str, Grant]
    groups: Mapping[str, Grant]
    group_claim: str = DEFAULT_GROUP_CLAIM
    require_verified_email: bool = False
    source: str = "<memory>"

    def districts(self) -> set[str]:
        grants = [*self.users.values(), *self.groups.values()]
        return {d for g in grants for d in g.districts}

    def forces(self) -> set[str]:
        grants = [*self.users.values(), *self.groups.values()]
        return {f for g in grants for f in g.forces}

    def check_forces(self, known: Iterable[str]) -> None:
        """Raise RolesConfigError if a grant names a force the database lacks."""
        known = set(known)
        unknown = sorted(self.forces() - known)
        if unknown:
            raise RolesConfigError(
                f"{self.source}: unknown force(s) {', '.join(map(repr, unknown))}; the "
                f"database's forces are {', '.join(sorted(known)) or '(none)'}."
            )

    def check_districts(self, known: Iterable[str]) -> None:
        """Raise RolesConfigError if a district lead is given a district the database lacks."""
        known = set(known)
        unknown = sorted(self.districts() - known)
        if unknown:
            raise RolesConfigError(
                f"{self.source}: unknown district(s) {', '.join(map(repr, unknown))}; the "
                f"database's districts are {', '.join(sorted(known)) or '(none)'}."
            )

    def scope_for(self, claims: Mapping[str, Any]) -> Scope | None:
        """The scope for an identity token's claims, or None if nothing in the file matches.

        E-mails match case-insensitively; so do group names (directory groups are). Every
        matching entry adds its grant: a Kirklees lead who is also in the data-admin group gets
        both.
        """
        grants: list[Grant] = []
        email = str(claims.get("email") or "").strip().casefold()
        verified = claims.get("email_verified") in (True, "true", "True")
        if email and (verified or not self.require_verified_email) and email in self.users:
            grants.append(self.users[email])
        for group in _claim_values(claims.get(self.group_claim)):
            if group in self.groups:
                grants.append(self.groups[group])
        if not grants:
            return None
        user_id = email or str(claims.get("sub") or "")
        name = str(claims.get("name") or claims.get("preferred_username") or user_id)
        return Scope(
            user_id=user_id,
            roles=frozenset().union(*(g.roles for g in grants)),
            districts=frozenset().union(*(g.districts for g in grants)),
            name=name,
            forces=frozenset().union(*(g.forces for g in grants)),
        )


def _claim_values(value: Any) -> list[str]:
    # Providers send groups as a list, but some send one group as a plain string.
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [str(v).strip().casefold() for v in items if str(v).strip()]


def roles_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The roles file: the path given, else $SAFEGUARDING_ROLES, else config/roles.toml."""
    if path:
        return Path(path)
    env = os.environ.get(ROLES_ENV_VAR)
    return Path(env) if env else DEFAULT_ROLES_FILE


def load_roles(path: str | os.PathLike[str] | None = None) -> RolesConfig:
    """Read and validate the roles file; RolesConfigError says what is wrong and where."""
    target = roles_path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RolesConfigError(
            f"No roles file at {target}. Copy config/roles.example.toml to config/roles.toml "
            f"(or set ${ROLES_ENV_VAR}) and list who may use the dashboard."
        ) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RolesConfigError(f"{target}: not valid TOML: {exc}") from None
    return parse_roles(raw, source=str(target))


_TOP_KEYS = {"group_claim", "require_verified_email", "users", "groups"}
_ENTRY_KEYS = {"role", "district", "force"}


def parse_roles(raw: Mapping[str, Any], *, source: str = "<memory>") -> RolesConfig:
    """Validate a parsed roles file (see config/roles.example.toml for the format)."""
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise RolesConfigError(
            f"{source}: unknown setting(s) {', '.join(unknown)}; expected {sorted(_TOP_KEYS)}."
        )
    group_claim = raw.get("group_claim", DEFAULT_GROUP_CLAIM)
    if not isinstance(group_claim, str) or not group_claim.strip():
        raise RolesConfigError(f"{source}: group_claim must be a claim name such as 'groups'.")
    verified = raw.get("require_verified_email", False)
    if not isinstance(verified, bool):
        raise RolesConfigError(f"{source}: require_verified_email must be true or false.")
    return RolesConfig(
        users=_parse_section(raw.get("users", {}), "users", source),
        groups=_parse_section(raw.get("groups", {}), "groups", source),
        group_claim=group_claim.strip(),
        require_verified_email=verified,
        source=source,
    )


def _parse_section(section: Any, name: str, source: str) -> dict[str, Grant]:
    if not isinstance(section, Mapping):
        raise RolesConfigError(f"{source}: [{name}] must be a table of entries.")
    out: dict[str, Grant] = {}
    for key, entry in section.items():
        where = f"{source}: {name}.{key!r}"
        folded = key.strip().casefold()
        if not folded:
            raise RolesConfigError(f"{where}: the key must not be blank.")
        if folded in out:
            raise RolesConfigError(f"{where}: listed twice (keys are not case-sensitive).")
        if name == "users" and "@" not in folded:
            raise RolesConfigError(f"{where}: users are keyed by e-mail address.")
        out[folded] = _parse_entry(entry, where)
    return out


def _parse_entry(entry: Any, where: str) -> Grant:
    if not isinstance(entry, Mapping):
        raise RolesConfigError(f'{where}: expected a table such as {{ role = "pcc_office" }}.')
    extra = sorted(set(entry) - _ENTRY_KEYS)
    if extra:
        raise RolesConfigError(
            f"{where}: unknown key(s) {', '.join(extra)}; use role, district, force."
        )
    roles = _strings(entry.get("role"), where, "role")
    if not roles:
        raise RolesConfigError(f"{where}: needs a role, one of {', '.join(ROLES)}.")
    for role in roles:
        if role == DEMO:
            raise RolesConfigError(f"{where}: the demo role is for demo mode only.")
        if role not in ROLES:
            raise RolesConfigError(
                f"{where}: unknown role {role!r}; expected one of {', '.join(ROLES)}."
            )
    districts = _strings(entry.get("district"), where, "district")
    if DISTRICT_LEAD in roles and not districts:
        raise RolesConfigError(
            f'{where}: a district_lead needs a district, e.g. district = "Leeds".'
        )
    if districts and DISTRICT_LEAD not in roles:
        raise RolesConfigError(
            f"{where}: only a district_lead has a district; {', '.join(sorted(roles))} covers "
            "every district already."
        )
    forces = _strings(entry.get("force"), where, "force")
    return Grant(roles=frozenset(roles), districts=frozenset(districts), forces=frozenset(forces))


def _strings(value: Any, where: str, key: str) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        raise RolesConfigError(f"{where}: {key} must be a name or a list of names.")
    return [v.strip() for v in items]


# --- the door to records ------------------------------------------------------------------------


def district_forces(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each district and its force, from the database."""
    return dict(con.execute("select district, force from districts").fetchall())


def _guarded(
    con: duckdb.DuckDBPyConnection,
    scope: Scope | None,
    area: str,
    fetch: Callable[[], pd.DataFrame],
    *,
    action: Action,
    metric_id: str | None,
    district: str,
    month: dt.date | None,
    detail: str | None,
    audit_path: str | os.PathLike[str] | None,
) -> pd.DataFrame:
    """The one door to record-level rows: check ``scope`` against ``area`` before ``fetch`` runs,
    and log every outcome. A refusal is logged (action 'refused') and raised as AccessDenied; a
    view or download is logged, with the number of rows, before the rows are returned, so if
    the log cannot be written the caller gets an error, not unlogged records."""
    if action not in ("view", "download"):
        raise ValueError(f"action must be 'view' or 'download', not {action!r}")
    force_of = district_forces(con)
    if scope is None or not scope.can_view_records(area, force_of):
        reason = (
            "You are not signed in with access to this dashboard."
            if scope is None
            else scope.refusal(area, force_of)
        )
        audit.log(
            audit.Entry(
                user_id=scope.user_id if scope else "(no scope)",
                role=scope.roles_label if scope else "(none)",
                action="refused",
                metric_id=metric_id,
                district=district,
                month=month,
                detail=f"{action} refused: {reason}" + (f" ({detail})" if detail else ""),
            ),
            audit_path,
        )
        raise AccessDenied(reason)
    rows = fetch()
    audit.log(
        audit.Entry(
            user_id=scope.user_id,
            role=scope.roles_label,
            action=action,
            metric_id=metric_id,
            district=district,
            month=month,
            rows=len(rows),
            detail=detail,
        ),
        audit_path,
    )
    return rows


def scoped_records(
    con: duckdb.DuckDBPyConnection,
    scope: Scope | None,
    metric_id: str,
    district: str,
    month: dt.date,
    *,
    audit_path: str | os.PathLike[str] | None = None,
    action: Action = "view",
) -> pd.DataFrame:
    """The records behind one figure, if ``scope`` covers them; every call is logged.

    The check comes before any query (see ``_guarded``). ``audit_path`` None means
    ``audit.default_path()``.
    """
    month = metrics.first_of_month(month)
    return _guarded(
        con,
        scope,
        district,
        lambda: metrics.records(con, metric_id, district, month),
        action=action,
        metric_id=metric_id,
        district=district,
        month=month,
        detail=None,
        audit_path=audit_path,
    )


def _quality_area(con: duckdb.DuckDBPyConnection, district: str) -> str:
    """The district or force row whose records a data-quality count of ``district`` holds."""
    if district != quality.UNKNOWN_DISTRICT:
        return district
    forces = sorted(set(district_forces(con).values()))
    return forces[0] if forces else district


def can_view_quality_records(
    con: duckdb.DuckDBPyConnection, scope: Scope | None, district: str
) -> bool:
    """Would scoped_quality_records give ``scope`` this district's rows? For deciding what to
    offer, so that a page never asks for rows on the user's behalf that they cannot have: a
    refusal is logged only when the user asked for it (a link, a choice), never by default."""
    return scope is not None and scope.can_view_records(
        _quality_area(con, district), district_forces(con)
    )


def scoped_quality_records(
    con: duckdb.DuckDBPyConnection,
    scope: Scope | None,
    rule_id: str,
    district: str,
    *,
    audit_path: str | os.PathLike[str] | None = None,
    action: Action = "view",
) -> pd.DataFrame:
    """The records behind one data-quality count, if ``scope`` covers the district; logged.

    Records whose district is not known (quality.UNKNOWN_DISTRICT) could belong to any
    district, so only those who may see the force row's records see them.
    """
    return _guarded(
        con,
        scope,
        _quality_area(con, district),
        lambda: quality.problems(con, rule_id=rule_id, district=district),
        action=action,
        metric_id=None,
        district=district,
        month=None,
        detail=f"data-quality query {rule_id}",
        audit_path=audit_path,
    )


def check_force(
    con: duckdb.DuckDBPyConnection,
    scope: Scope | None,
    force: str,
    *,
    audit_path: str | os.PathLike[str] | None = None,
) -> None:
    """The door to a force's figures: return if ``scope`` may see them; otherwise log the
    refusal (action 'refused', district = the force asked for) and raise AccessDenied."""
    force_of = district_forces(con)
    if scope is not None and scope.can_view_force(force, force_of):
        return
    reason = (
        "You are not signed in with access to this dashboard."
        if scope is None
        else scope.force_refusal(force, force_of)
    )
    audit.log(
        audit.Entry(
            user_id=scope.user_id if scope else "(no scope)",
            role=scope.roles_label if scope else "(none)",
            action="refused",
            metric_id=None,
            district=force,
            month=None,
            detail=f"figures of force refused: {reason}",
        ),
        audit_path,
    )
    raise AccessDenied(reason)


# --- command line: check a roles file -----------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Check a roles file (and its districts against a database); exit 1 with the error."""
    parser = argparse.ArgumentParser(prog="python -m safeguarding.access", description=main.__doc__)
    parser.add_argument(
        "--roles", help=f"roles file (default ${ROLES_ENV_VAR} or config/roles.toml)"
    )
    parser.add_argument("--db", help="database to check districts against (default as dashboard)")
    args = parser.parse_args(argv)
    try:
        config = load_roles(args.roles)
        force_of = district_forces(store.reader(args.db))
        config.check_districts(force_of)
        config.check_forces(force_of.values())
    except (RolesConfigError, store.StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"{config.source}: {len(config.users)} user(s), {len(config.groups)} group(s), "
        f"group claim {config.group_claim!r}: OK"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Shared filters in the sidebar and in the URL, so a link reproduces exactly the view.

URL scheme (every value checked against an allowlist; a bad one gets a message, not a traceback):

* ``month=YYYY-MM`` or ``quarter=YYYYQn``  the period (quarters on the overview only)
* ``districts=Leeds,Wakefield``             districts shown (absent: all)
* ``district=Leeds``                        one district or force row (metric detail, district page)
* ``metric=<metric id>``                    one metric (theme pages, metric detail)
* ``force=West Yorkshire``                  the force every page is for (only on a database of
                                            several forces; kept on every page)

Where a value comes from, in order: the widget (the user has just changed it), the URL (a shared
link, or the first load), the value last chosen on another page in this session (so filters
follow the user between pages), then the default. Each filter writes its value back to the URL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from safeguarding import registry
from safeguarding.formatting import month_label
from safeguarding.ui import app
from safeguarding.ui.periods import Period, complete_quarters, parse_period
from safeguarding.ui.safe import md, md_list

_SHARED = "sg_shared_filters"
_WRITTEN = "sg_written_params"
_LINKED = "sg_linked_district"
ALL_PARAMS = ("month", "quarter", "districts", "district", "metric", "force")
# The force is chosen once (in dashboard.py) for every page, so no page's keep_only drops it.
GLOBAL_PARAMS = ("force",)


def _shared() -> dict[str, Any]:
    return st.session_state.setdefault(_SHARED, {})


def keep_only(*names: str) -> None:
    """Drop URL parameters this page does not use, so its link says exactly what it shows."""
    for name in list(st.query_params.keys()):
        if name not in names and name not in GLOBAL_PARAMS:
            _write(name, None)


def _url_changed(*names: str) -> bool:
    """Does the URL carry values this session did not write (a new link, a page link)?

    If so the URL wins over the widgets' remembered state; otherwise the widget, which the user
    may just have changed, wins.
    """
    written = st.session_state.setdefault(_WRITTEN, {})
    return any(st.query_params.get(n) != written.get(n) for n in names)


def _write(name: str, value: str | None) -> None:
    written = st.session_state.setdefault(_WRITTEN, {})
    if value is None:
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = value
    written[name] = value


def _claim_widget(
    key: str, value: Any, valid: Callable[[Any], bool], *, url_changed: bool = False
) -> None:
    """Put ``value`` into the widget's state unless the widget already holds a valid choice
    that a newer URL does not override."""
    if not url_changed and key in st.session_state and valid(st.session_state[key]):
        return
    st.session_state[key] = value


def period(*, allow_quarter: bool = False) -> Period:
    """The month (or, on the overview, month or quarter) being reported."""
    available = app.months()
    if not available:
        st.error("The database holds no figures yet. Load data or rebuild the demo data.")
        st.stop()
    latest = available[-1]
    quarters = complete_quarters(available) if allow_quarter else []
    shared = _shared()
    changed = _url_changed("month", "quarter")

    initial: Period | None = None
    raw_quarter = st.query_params.get("quarter")
    raw_month = st.query_params.get("month")
    if raw_quarter is not None:
        initial = _from_url("quarter", raw_quarter, available, quarters, allow_quarter)
    elif raw_month is not None:
        initial = _from_url("month", raw_month, available, quarters, allow_quarter)
    if initial is None:
        remembered = shared.get("period")
        if isinstance(remembered, Period):
            initial = remembered
    if initial is None:
        initial = Period.month(latest)
    if initial.kind == "quarter" and not allow_quarter:
        initial = Period.month(initial.last if initial.last in available else latest)

    kind = "month"
    if allow_quarter and quarters:
        _claim_widget(
            "f_period_kind",
            "Quarter" if initial.kind == "quarter" else "Month",
            lambda v: v in ("Month", "Quarter"),
            url_changed=changed,
        )
        kind = st.sidebar.radio(
            "Period", ["Month", "Quarter"], key="f_period_kind", horizontal=True
        ).lower()

    if kind == "quarter":
        codes = [q.code for q in reversed(quarters)]
        wanted = initial if initial.kind == "quarter" else Period.quarter_of(initial.last)
        if wanted.code not in codes:
            wanted = quarters[-1]
        _claim_widget("f_quarter", wanted.code, lambda v: v in codes, url_changed=changed)
        code = st.sidebar.selectbox(
            "Quarter",
            codes,
            key="f_quarter",
            format_func=lambda c: Period.quarter(c).short_label,  # the long label was cut off
        )
        chosen = Period.quarter(code)
    else:
        options = list(reversed(available))
        wanted_month = initial.last if initial.last in available else latest
        _claim_widget("f_month", wanted_month, lambda v: v in options, url_changed=changed)
        month = st.sidebar.selectbox("Month", options, key="f_month", format_func=month_label)
        chosen = Period.month(month)

    _write("month" if chosen.kind == "quarter" else "quarter", None)
    _write(chosen.kind, chosen.code)
    # Another page may want a month: remember the quarter, which those pages turn into its last.
    shared["period"] = chosen
    return chosen


def _from_url(
    kind: str,
    raw: str,
    available: Sequence[dt.date],
    quarters: Sequence[Period],
    allow_quarter: bool,
) -> Period | None:
    latest = available[-1]
    try:
        wanted = parse_period(kind, raw)
    except ValueError as exc:
        st.warning(f"The link's {kind} is not valid ({md(exc)}); showing {month_label(latest)}.")
        return None
    if kind == "month" and wanted.first not in available:
        st.warning(
            f"No figures for {month_label(wanted.first)}; showing {month_label(latest)}, the "
            "latest month with data."
        )
        return None
    if kind == "quarter":
        if not allow_quarter:
            # Pages that report a month show the quarter's last month.
            if wanted.last in available:
                return Period.month(wanted.last)
            st.warning(
                f"No figures for {wanted.label}; showing {month_label(latest)}, the latest month "
                "with data."
            )
            return None
        if wanted not in quarters:
            st.warning(
                f"No complete figures for {wanted.label}; showing {month_label(latest)}, the "
                "latest month with data."
            )
            return None
    return wanted


def districts(all_districts: Sequence[str]) -> list[str]:
    """Districts to show (several); all of them when none is chosen."""
    options = list(all_districts)
    shared = _shared()
    initial: list[str] | None = None
    raw = st.query_params.get("districts")
    if raw is not None:
        names = [n.strip() for n in raw.split(",") if n.strip()]
        unknown = [n for n in names if n not in options]
        if unknown:
            st.warning(f"Not a district: {md_list(unknown)}. The districts are {md_list(options)}.")
        initial = [n for n in names if n in options] or None
    if initial is None:
        remembered = shared.get("districts")
        if isinstance(remembered, list):
            initial = [n for n in remembered if n in options]
    if initial is None:
        initial = options
    _claim_widget(
        "f_districts",
        initial,
        lambda v: isinstance(v, list) and all(n in options for n in v),
        url_changed=_url_changed("districts"),
    )
    chosen = st.sidebar.multiselect(
        "Districts",
        options,
        key="f_districts",
        placeholder="All districts",
        help="Leave empty to show every district.",
    )
    chosen = [n for n in options if n in chosen] or options
    shared["districts"] = chosen
    _write("districts", None if chosen == options else ",".join(chosen))
    return chosen


def chosen_districts() -> list[str] | None:
    """The districts last chosen in the shared filter on another page (None if never chosen):
    a single-district page opens on the first of them, not on the first district of all."""
    remembered = _shared().get("districts")
    return list(remembered) if isinstance(remembered, list) else None


def _initial_one(name: str, allowed: Sequence[str], default: str, bad: Callable[[str], str]) -> str:
    """The starting choice of a single-choice filter: the link's value if allowed (else the
    message ``bad(value)`` and no change), then the one remembered from another page, then
    ``default``."""
    raw = st.query_params.get(name)
    if raw is not None:
        if raw in allowed:
            return raw
        st.warning(bad(raw))
    remembered = _shared().get(name)
    return remembered if isinstance(remembered, str) and remembered in allowed else default


def district(options: Sequence[str], *, default: str, label: str = "District") -> str:
    """One district (or force row)."""
    options = list(options)
    shared = _shared()
    raw = st.query_params.get("district")
    from_link = raw in options and _url_changed("district")
    initial = _initial_one(
        "district",
        options,
        default,
        lambda raw: f"Not a district: '{md(raw)}'. Choose one of {md_list(options)}.",
    )
    _claim_widget(
        "f_district", initial, lambda v: v in options, url_changed=_url_changed("district")
    )
    chosen = st.sidebar.selectbox(label, options, key="f_district")
    st.session_state[_LINKED] = chosen if from_link and chosen == raw else None
    shared["district"] = chosen
    _write("district", chosen)
    return chosen


def asked_by_link(district: str) -> bool:
    """Did the link that opened this run ask for this district (``?district=``)?

    A page offers records only for areas the user may see; when a link asks for another one,
    the request goes to the access door all the same, so the attempt is refused and logged.
    A default, a remembered choice or a later rerun is not such a request.
    """
    return st.session_state.get(_LINKED) == district


def metric(options: Sequence[registry.Metric], *, key: str = "f_metric") -> registry.Metric:
    """One metric, by id in the URL, by title in the sidebar."""
    by_id = {m.id: m for m in options}
    ids = list(by_id)
    shared = _shared()
    initial = _initial_one(
        "metric",
        ids,
        ids[0],
        lambda raw: (
            f"'{md(raw)}' is not one of the metrics on this page; showing "
            f"'{by_id[ids[0]].title}'. See About the data for every metric."
        ),
    )
    _claim_widget(key, initial, lambda v: v in by_id, url_changed=_url_changed("metric"))
    chosen = st.sidebar.selectbox("Metric", ids, key=key, format_func=lambda m: by_id[m].title)
    shared["metric"] = chosen
    _write("metric", chosen)
    return by_id[chosen]


def month_of(chosen: Period) -> dt.date:
    """The month a monthly page shows for a period (a quarter's last month)."""
    return chosen.last


def force(
    options: Sequence[str],
    *,
    allowed: Sequence[str],
    default: str | None,
    refused: Callable[[str], str],
) -> str:
    """The force every page is for: one of ``allowed`` (the forces the user may see).

    On a database of one force there is nothing to choose: no widget and nothing in the URL. A
    link to a force outside ``allowed`` gets ``refused(force)``'s message (the caller logs the
    refusal) and the user's own force instead; a name that is no force gets a warning. With no
    allowed force at all the page stops with the refusal. On a database with no districts yet
    there is no force: "" (every page then for every force, which is none).
    """
    options = list(options)
    allowed = [f for f in options if f in set(allowed)]
    raw = st.query_params.get("force")
    if not options:
        # No districts loaded yet: no force to choose or refuse. The pages say what to load first.
        st.session_state.pop(app.FORCE_KEY, None)
        _write("force", None)
        return ""
    if not allowed:
        st.error(md(refused(raw if raw in options else options[0])))
        st.stop()
    initial = None
    if raw is not None:
        if raw in allowed:
            initial = raw
        elif raw in options:
            st.error(md(refused(raw)))
        else:
            st.warning(f"Not a force: '{md(raw)}'. Showing {md(default or allowed[0])}.")
    if initial is None:
        remembered = _shared().get("force")
        if remembered in allowed:
            initial = remembered
        else:
            initial = default if default in allowed else allowed[0]
    if len(allowed) > 1:
        _claim_widget("f_force", initial, lambda v: v in allowed, url_changed=_url_changed("force"))
        chosen = st.sidebar.selectbox(
            "Force", allowed, key="f_force", help="Every page shows this force's figures."
        )
    else:
        chosen = allowed[0]
    _shared()["force"] = chosen
    st.session_state[app.FORCE_KEY] = chosen
    # One force: nothing to choose, so a link's force (right or wrong) is dropped once read.
    _write("force", chosen if len(options) > 1 else None)
    return chosen

"""Deterministic, record-level demo data, calibrated to public figures.

Every record is invented: references are random tokens, never names. The figures it is calibrated
to (see docs/demo-data.md for sources):

* district under-18 populations: Bradford ~145k, Calderdale ~46k, Kirklees ~99k, Leeds ~174k,
  Wakefield ~75k (ONS mid-year estimates, rounded);
* registered sex offenders in West Yorkshire ~2,650 in 2014 rising to ~3,450 by 2024;
* August 2014 caseload per offender manager ~100 in Kirklees and ~58 in Calderdale (HMIC 2014
  child protection inspection);
* ~11,000 missing-child reports a year force-wide, 5-16% graded high risk;
* IIOC examinations taking several months before 2020, improving toward a month after the
  forensic unit's expansion; more specialist investigators funded from 2015.

The same seed gives the same database, whatever else is built with it: each district draws from its
own random stream derived from (seed, force number, district number).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

import duckdb
import numpy as np
import pandas as pd

from safeguarding import appstore, peers, seeds, sql, store
from safeguarding.tables import RECORD_TABLES

FIRST_MONTH = dt.date(2014, 1, 1)
WEST_YORKSHIRE = "West Yorkshire"

# Under-18 and all-age populations (thousands, 2014), offender-manager FTE in August 2014, and the
# district's share of force offenders: chosen so the August 2014 caseloads match the inspection.
WY_DISTRICTS = {
    #             u18    all    OM FTE Aug 2014, offenders Aug 2014
    "Bradford": (145, 528, 8.0, 640),
    "Calderdale": (46, 207, 4.0, 232),
    "Kirklees": (99, 431, 5.0, 500),
    "Leeds": (174, 774, 10.0, 850),
    "Wakefield": (75, 333, 6.0, 440),
}
RSO_GROWTH_BY_2024 = 3450 / 2662  # force stock 2,662 in Aug 2014 -> ~3,450 by 2024

RISK_LEVELS = np.array(["very_high", "high", "medium", "low"])
RISK_SHARES = np.array([0.03, 0.14, 0.43, 0.40])
VISIT_INTERVAL_MONTHS = np.array([1, 3, 6, 12])

MISPER_REPORTS_PER_YEAR_PER_1K_U18 = 11_000 / 539  # ~11,000 a year over ~539k children
MISPER_GRADES = np.array(["high", "medium", "low", "no_apparent_risk"])


def last_complete_month(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def last_month_problem(last_month: dt.date, today: dt.date | None = None) -> str | None:
    """Why the demo cannot end in ``last_month``, or None: it needs a year and a month of data
    from January 2014, and cannot hold records of months still to come (they would be refused
    on the way back in, as any record dated in the future is)."""
    latest = last_complete_month(today)
    if last_month < dt.date(2015, 1, 1):
        return "The demo needs at least January 2014 to January 2015: give --to 2015-01 or later."
    if last_month > latest:
        return (
            f"The demo cannot run to {last_month:%B %Y}: that month is not over yet. The latest "
            f"it can end is {latest:%B %Y} (the last complete month)."
        )
    return None


@dataclass(frozen=True)
class DistrictSpec:
    force: str
    name: str
    under_18k: float
    all_ages_k: float
    om_fte_2014: float
    offenders_2014: int
    # district-specific quality offset in [-1, 1]: negative districts improve later and less
    quality: float


def force_specs(forces: int, rng: np.random.Generator) -> list[DistrictSpec]:
    specs = [
        DistrictSpec(WEST_YORKSHIRE, name, u18, all_ages, fte, n, q)
        for (name, (u18, all_ages, fte, n)), q in zip(
            WY_DISTRICTS.items(), (0.1, 0.4, -0.6, 0.2, -0.1), strict=True
        )
    ]
    for f in range(2, forces + 1):
        force = f"Force {f:02d}"
        for d in range(int(rng.integers(3, 8))):
            u18 = float(rng.uniform(30, 180))
            offenders = int(u18 * rng.uniform(4.0, 6.0))
            caseload = rng.uniform(55, 100)
            specs.append(
                DistrictSpec(
                    force,
                    f"{force} District {chr(65 + d)}",
                    u18,
                    u18 * rng.uniform(4.0, 4.8),
                    round(offenders / caseload * 2) / 2,
                    offenders,
                    float(rng.uniform(-0.7, 0.7)),
                )
            )
    return specs


class Clock:
    """Month arithmetic over the demo period, with event times in whole seconds."""

    def __init__(self, last_month: dt.date):
        self.months = pd.date_range(FIRST_MONTH, last_month, freq="MS")
        self.n = len(self.months)
        self.start = self.months.values.astype("datetime64[s]")
        self.end = (self.months + pd.offsets.MonthBegin(1)).values.astype("datetime64[s]")
        self.as_at = self.end[-1]  # the first instant after the data's last complete month
        self.t = np.arange(self.n)
        self.years = self.months.year.to_numpy() + (self.months.month.to_numpy() - 1) / 12

    def index_of(self, year: int, month: int) -> int:
        return (year - 2014) * 12 + month - 1

    def random_times(self, rng, month_idx: np.ndarray) -> np.ndarray:
        span = (self.end[month_idx] - self.start[month_idx]).astype(np.int64)
        offs = (rng.random(len(month_idx)) * span).astype(np.int64)
        return self.start[month_idx] + offs.astype("timedelta64[s]")


def ramp(years: np.ndarray, start: float, end: float, y0: float, y1: float) -> np.ndarray:
    """A level moving linearly from start (before y0) to end (after y1)."""
    frac = np.clip((years - y0) / (y1 - y0), 0, 1)
    return start + (end - start) * frac


def _refs(rng: np.random.Generator, prefix: str, n: int) -> np.ndarray:
    # Random, not sequential, so a reference reveals nothing about order or volume.
    tokens = rng.choice(np.frombuffer(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", dtype="S1"), (n, 8))
    return np.char.add(prefix, tokens.view("S8").ravel().astype(str))


def _unique_refs(rng, prefix: str, n: int) -> np.ndarray:
    refs = _refs(rng, prefix, n)
    # A set counts distinct references several times faster than np.unique's sort.
    while len(set(refs.tolist())) < n:  # rare; redraw rather than risk a clash
        refs = _refs(rng, prefix, n)
    return refs


def _uniforms(rng: np.random.Generator, block: int = 65_536):
    """An endless stream of uniform draws, fetched from the generator in blocks for speed."""
    while True:
        yield from rng.random(block).tolist()


def _null_after(times: np.ndarray, as_at: np.datetime64) -> np.ndarray:
    """Events at or after the as-at instant have not happened yet: NaT."""
    out = times.copy()
    out[out >= as_at] = np.datetime64("NaT")
    return out


class DistrictBuilder:
    def __init__(self, spec: DistrictSpec, clock: Clock, rng: np.random.Generator, tag: str):
        self.spec = spec
        self.clock = clock
        self.rng = rng
        self.tag = tag  # short code that keeps references unique across districts
        # improvement starts earlier and goes further in better districts
        self.lag = 0.5 - 0.5 * spec.quality

    def refs(self, kind: str, n: int) -> np.ndarray:
        return _unique_refs(self.rng, f"{kind}-{self.tag}-", n)

    # -- offender management ------------------------------------------------------------------

    def offenders(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        c, rng, spec = self.clock, self.rng, self.spec
        stock = spec.offenders_2014 * ramp(c.years, 1.0, RSO_GROWTH_BY_2024, 2014.6, 2024.5)
        stock = stock * np.where(c.years > 2024.5, 1 + 0.01 * (c.years - 2024.5), 1.0)
        monthly_exit = 0.006
        # exits[m]: offenders whose management ends during month m (not managed at its end)
        exits = np.zeros(c.n + 1, dtype=np.int64)
        n0 = int(stock[0])
        first_exit = np.minimum(rng.geometric(monthly_exit, n0), c.n)
        np.add.at(exits, first_exit, 1)
        start_months, exit_months = [np.full(n0, -1)], [first_exit]
        alive = n0
        for m in range(1, c.n):
            alive -= exits[m]
            k = max(int(round(stock[m] - alive + rng.normal(0, 1.5))), 0)
            alive += k
            leave = np.minimum(m + rng.geometric(monthly_exit, k), c.n)
            np.add.at(exits, leave, 1)
            start_months.append(np.full(k, m))
            exit_months.append(leave)
        start_m = np.concatenate(start_months)
        exit_m = np.concatenate(exit_months)
        n = len(start_m)
        before = c.start[0].astype("datetime64[D]") - rng.integers(1, 3650, n).astype(
            "timedelta64[D]"
        )
        within = c.random_times(rng, np.maximum(start_m, 0)).astype("datetime64[D]")
        managed_from = np.where(start_m < 0, before, within)
        ended = exit_m < c.n
        managed_to = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        # end inside the exit month, but before its last day so month-end counts are exact
        ends = c.random_times(rng, np.minimum(exit_m, c.n - 1)).astype("datetime64[D]")
        last_day = (c.end[np.minimum(exit_m, c.n - 1)] - np.timedelta64(2, "D")).astype(
            "datetime64[D]"
        )
        managed_to[ended] = np.minimum(ends, last_day)[ended]
        managed_to = np.where(managed_to < managed_from, managed_from, managed_to)
        risk_idx = rng.choice(4, n, p=RISK_SHARES)
        offenders = pd.DataFrame(
            {
                "offender_ref": self.refs("RSO", n),
                "district": spec.name,
                "risk_level": RISK_LEVELS[risk_idx],
                "managed_from": managed_from,
                "managed_to": managed_to,
            }
        )
        visits = self._visits(offenders, risk_idx)
        return offenders, visits, self._offender_managers(stock)

    def _visits(self, offenders: pd.DataFrame, risk_idx: np.ndarray) -> pd.DataFrame:
        c, rng = self.clock, self.rng
        # The share of visits made late falls after the 2015 funding, except for a staffing shock
        # in the weakest districts in 2021 (a real shift for SPC to find).
        late_p = ramp(c.years, 0.30, 0.06 + 0.04 * self.lag, 2015.0 + self.lag, 2016.5 + self.lag)
        if self.spec.quality < -0.3:
            late_p = late_p + np.where((c.years >= 2021.0) & (c.years < 2021.75), 0.22, 0.0)
        # Work in whole days since 2014-01-01 for speed.
        origin = np.datetime64("2014-01-01", "D")
        start = (offenders["managed_from"].to_numpy().astype("datetime64[D]") - origin).astype(int)
        stop_dt = offenders["managed_to"].to_numpy().astype("datetime64[D]")
        as_at = int((c.as_at.astype("datetime64[D]") - origin).astype(int))
        stop = np.where(np.isnat(stop_dt), as_at, (stop_dt - origin).astype(int))
        gap = VISIT_INTERVAL_MONTHS[risk_idx] * 30.4
        owners, days = [], []
        draws = _uniforms(rng)
        late_list = late_p.tolist()
        for i in range(len(offenders)):
            t = max(int(start[i]), -365)
            while True:
                pos = min(max(t // 30, 0), c.n - 1)
                u, v = next(draws), next(draws)
                factor = 1.05 + 0.55 * v if u < late_list[pos] else 0.6 + 0.37 * v
                t += max(int(gap[i] * factor), 3)
                if t >= stop[i]:
                    break
                owners.append(i)
                days.append(t)
        idx = np.array(owners, dtype=np.int64)
        return pd.DataFrame(
            {
                "visit_ref": self.refs("VIS", len(idx)),
                "offender_ref": offenders["offender_ref"].to_numpy()[idx],
                "visit_date": origin + np.array(days, dtype=np.int64).astype("timedelta64[D]"),
            }
        )

    def _offender_managers(self, stock: np.ndarray) -> pd.DataFrame:
        c, rng, spec = self.clock, self.rng, self.spec
        aug14 = c.index_of(2014, 8)
        # FTE grows after the 2015 funding toward a caseload near 45-55, later in weaker districts.
        goal = stock / rng.uniform(44, 54)
        w = np.clip((c.years - (2015.0 + self.lag)) / 2.0, 0, 1)
        fte_path = (1 - w) * spec.om_fte_2014 + w * goal
        postings = []  # [start month, end month or None, fte]
        current: list[list[Any]] = []  # the postings filled now, as in postings
        vacancies = []  # [fte, month the post is filled again]
        for m in range(c.n):
            if m > aug14:  # none leave before the inspection month, so August 2014 is as found
                for p in list(current):
                    if rng.random() < 0.012:
                        p[1] = m
                        current.remove(p)
                        vacancies.append([p[2], m + int(rng.integers(1, 6))])
            vacancies = [v for v in vacancies if v[1] > m]
            total = sum(p[2] for p in current) + sum(v[0] for v in vacancies)
            while total < fte_path[m] - 0.25:
                fte = 1.0 if fte_path[m] - total >= 0.75 else 0.5
                p = [m, None, fte]
                postings.append(p)
                current.append(p)
                total += fte
        n = len(postings)
        start_m = np.array([p[0] for p in postings])
        early = np.datetime64("2012-06-01") + rng.integers(0, 500, n).astype("timedelta64[D]")
        starts = np.where(start_m == 0, early, c.start[start_m].astype("datetime64[D]"))
        ends = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        for i, p in enumerate(postings):
            if p[1] is not None:
                ends[i] = c.start[p[1]].astype("datetime64[D]")
        return pd.DataFrame(
            {
                "officer_ref": self.refs("OM", n),
                "district": spec.name,
                "fte": np.array([p[2] for p in postings]),
                "start_date": starts,
                "end_date": ends,
            }
        )

    # -- missing children -----------------------------------------------------------------------

    def missing_reports(self) -> pd.DataFrame:
        c, rng, spec = self.clock, self.rng, self.spec
        season = 1 + 0.12 * np.sin(2 * np.pi * (c.months.month.to_numpy() - 4) / 12)
        lam = spec.under_18k * MISPER_REPORTS_PER_YEAR_PER_1K_U18 / 12 * season
        lam = lam * ramp(c.years, 1.0, 0.85, 2016, 2020)
        counts = rng.poisson(lam)
        month_idx = np.repeat(c.t, counts)
        n = len(month_idx)
        reported = c.random_times(rng, month_idx)
        # Children: a pool of frequently missing children makes most repeat reports.
        pool = max(int(spec.under_18k * 3), 20)
        weights = 1 / np.arange(1, pool + 1) ** 0.8
        weights /= weights.sum()
        repeat = rng.random(n) < 0.55
        child_no = np.where(
            repeat, rng.choice(pool, n, p=weights), pool + rng.integers(0, pool * 40, n)
        )
        child_ids = _unique_refs(rng, f"C-{self.tag}-", pool * 41)
        child_ref = child_ids[child_no]
        age = np.clip(np.round(rng.normal(14.2, 2.0, n)), 0, 17).astype(int)
        high_share = rng.uniform(0.05, 0.16)  # 5-16% graded high risk, by district
        grade_p = np.array([high_share, 0.45, 0.30, 0.25 - high_share])
        grade_p = np.clip(grade_p, 0.01, None)
        grade_p /= grade_p.sum()
        grade = rng.choice(4, n, p=grade_p)
        yrs = c.years[month_idx]

        # High risk: attended within 60 minutes, improving after the 2015 changes, with a
        # six-month deterioration in one district in 2019.
        p60 = ramp(
            yrs,
            0.74 + 0.05 * spec.quality,
            0.95 + 0.02 * spec.quality,
            2014.9 + self.lag,
            2016 + self.lag,
        )
        if spec.name == "Leeds" or (spec.force != WEST_YORKSHIRE and spec.quality < -0.5):
            p60 = p60 - np.where((yrs >= 2019.25) & (yrs < 2019.75), 0.12, 0.0)
        quick = rng.random(n) < p60
        attend_min = np.where(quick, rng.uniform(5, 60, n), rng.uniform(61, 300, n))
        attend_min = np.where(grade == 0, attend_min, rng.uniform(30, 24 * 60, n))
        no_attend = (rng.random(n) < 0.01) | ((grade >= 2) & (rng.random(n) < 0.6))
        attended = reported + (attend_min * 60).astype("timedelta64[s]")
        attended[no_attend] = np.datetime64("NaT")

        # Low and no-apparent-risk: supervisor review within 24 hours; reviewed only after about
        # 72 hours in 2014 (inspection), then reviewed within a day in most cases.
        p24 = ramp(yrs, 0.35, 0.93 + 0.03 * spec.quality, 2014.9, 2015.6 + self.lag)
        within = rng.random(n) < p24
        review_h = np.where(within, rng.uniform(0.5, 24, n), rng.uniform(24.5, 96, n))
        review_h = np.where(grade <= 1, rng.uniform(0.1, 6, n), review_h)
        reviewed = reported + (review_h * 3600).astype("timedelta64[s]")
        reviewed[rng.random(n) < 0.01] = np.datetime64("NaT")

        # Found: most within a day; a few not found by the as-at date.
        hours_missing = rng.lognormal(np.log(9), 1.1, n)
        found = reported + (hours_missing * 3600).astype("timedelta64[s]")
        p72 = ramp(
            yrs,
            0.55 + 0.1 * spec.quality,
            0.90 + 0.04 * spec.quality,
            2015.2 + self.lag,
            2017 + self.lag,
        )
        interviewed = rng.random(n) < p72
        ri_h = np.where(interviewed, rng.uniform(2, 72, n), rng.uniform(73, 240, n))
        interview = found + (ri_h * 3600).astype("timedelta64[s]")
        interview[rng.random(n) < 0.04] = np.datetime64("NaT")

        attended = _null_after(attended, c.as_at)
        reviewed = _null_after(reviewed, c.as_at)
        found = _null_after(found, c.as_at)
        interview = _null_after(interview, c.as_at)
        interview[np.isnat(found)] = np.datetime64("NaT")
        return pd.DataFrame(
            {
                "report_ref": self.refs("MIS", n),
                "child_ref": child_ref,
                "district": spec.name,
                "age": age,
                "risk_grade": MISPER_GRADES[grade],
                "reported_at": reported,
                "attended_at": attended,
                "supervisor_review_at": reviewed,
                "found_at": found,
                "return_interview_at": interview,
            }
        )

    # -- digital forensics ----------------------------------------------------------------------

    def forensic_cases(self) -> pd.DataFrame:
        c, rng, spec = self.clock, self.rng, self.spec
        lam = spec.under_18k * 0.11 * ramp(c.years, 1.0, 1.5, 2014, 2024)
        counts = rng.poisson(lam)
        month_idx = np.repeat(c.t, counts)
        n = len(month_idx)
        yrs = c.years[month_idx]
        submitted = c.random_times(rng, month_idx).astype("datetime64[D]")
        iioc = rng.random(n) < 0.6
        # Median turnaround: ~150 days before the 2020 expansion, ~28 days by 2022.
        median_days = ramp(yrs, 150, 26 + 6 * self.lag, 2020.0, 2022.0)
        days = np.maximum(rng.lognormal(np.log(median_days), 0.45), 1).astype(int)
        completed = submitted + days.astype("timedelta64[D]")
        completed = completed.astype("datetime64[s]")
        completed = _null_after(completed, c.as_at).astype("datetime64[D]")
        p_out = ramp(yrs, 0.22, 0.05, 2020.0, 2021.5)
        outsourced = rng.random(n) < p_out
        specialist_share = ramp(yrs, 0.2, 0.85, 2020.0, 2021.5)
        reason = np.where(rng.random(n) < specialist_share, "specialist", "capacity")
        return pd.DataFrame(
            {
                "case_ref": self.refs("DF", n),
                "district": spec.name,
                "iioc": iioc,
                "submitted_on": submitted,
                "completed_on": completed,
                "outsourced": outsourced,
                "outsource_reason": pd.Series(
                    np.where(outsourced, reason, np.full(n, None, dtype=object)), dtype=object
                ),
            }
        )

    # -- investigations and conferences ---------------------------------------------------------

    def investigations(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        c, rng, spec = self.clock, self.rng, self.spec
        counts = rng.poisson(spec.under_18k * 0.55, c.n)
        month_idx = np.repeat(c.t, counts)
        n = len(month_idx)
        yrs = c.years[month_idx]
        opened = c.random_times(rng, month_idx).astype("datetime64[D]")
        long_share = ramp(yrs, 0.35, 0.12 + 0.04 * self.lag, 2015.0 + self.lag, 2016.5 + self.lag)
        is_long = rng.random(n) < long_share
        days = np.where(is_long, rng.uniform(95, 400, n), rng.uniform(0, 88, n)).astype(int)
        closed = (opened + days.astype("timedelta64[D]")).astype("datetime64[s]")
        closed = _null_after(closed, c.as_at).astype("datetime64[D]")
        invest = pd.DataFrame(
            {
                "investigation_ref": self.refs("CAI", n),
                "district": spec.name,
                "child_age": rng.integers(0, 18, n),
                "opened_on": opened,
                "closed_on": closed,
            }
        )
        # Supervisory reviews roughly monthly; regular 28-day reviews become the norm after 2015.
        review_gap = np.where(yrs < 2015.3 + self.lag, 45.0, 24.0)
        stop = np.where(np.isnat(closed), c.as_at.astype("datetime64[D]"), closed)
        n_reviews = np.maximum(((stop - opened).astype(int) / review_gap).astype(int), 0)
        owner = np.repeat(np.arange(n), n_reviews)
        k = np.arange(len(owner)) - np.repeat(np.cumsum(n_reviews) - n_reviews, n_reviews) + 1
        jitter = rng.uniform(0.7, 1.3, len(owner))
        review_on = opened[owner] + (k * review_gap[owner] * jitter).astype(int).astype(
            "timedelta64[D]"
        )
        keep = review_on < stop[owner]
        reviews = pd.DataFrame(
            {
                "review_ref": self.refs("REV", int(keep.sum())),
                "investigation_ref": invest["investigation_ref"].to_numpy()[owner[keep]],
                "reviewed_on": review_on[keep],
            }
        )
        return invest, reviews

    def conferences(self) -> pd.DataFrame:
        c, rng, spec = self.clock, self.rng, self.spec
        frames = []
        for kind, per_1k, attend, share in (
            ("ICPC", 0.17, (0.78, 0.97), (0.62, 0.92)),
            ("MARAC", 0.45, (0.9, 0.99), (0.80, 0.97)),
        ):
            counts = rng.poisson(spec.under_18k * per_1k, c.n)
            month_idx = np.repeat(c.t, counts)
            n = len(month_idx)
            yrs = c.years[month_idx]
            p_att = ramp(
                yrs,
                attend[0] + 0.05 * spec.quality,
                attend[1],
                2015.0 + self.lag,
                2016.0 + self.lag,
            )
            p_share = ramp(
                yrs, share[0], share[1] + 0.02 * spec.quality, 2015.0 + self.lag, 2016.5 + self.lag
            )
            frames.append(
                pd.DataFrame(
                    {
                        "conference_ref": self.refs(kind[:2], n),
                        "district": spec.name,
                        "kind": kind,
                        "held_on": c.random_times(rng, month_idx).astype("datetime64[D]"),
                        "police_attended": rng.random(n) < p_att,
                        "info_shared": rng.random(n) < p_share,
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    # -- custody and resourcing -----------------------------------------------------------------

    def custody_detentions(self) -> pd.DataFrame:
        c, rng, spec = self.clock, self.rng, self.spec
        lam = spec.under_18k * 0.09 * ramp(c.years, 1.0, 0.55, 2015, 2020)
        month_idx = np.repeat(c.t, rng.poisson(lam))
        n = len(month_idx)
        yrs = c.years[month_idx]
        charged = c.random_times(rng, month_idx)
        overnight = rng.random(n) < ramp(yrs, 0.55, 0.35, 2015.5, 2019)
        transferred = overnight & (
            rng.random(n)
            < ramp(yrs, 0.08, 0.45 + 0.1 * spec.quality, 2015.5 + self.lag, 2018 + self.lag)
        )
        released = charged + (rng.uniform(2, 40, n) * 3600).astype("timedelta64[s]")
        return pd.DataFrame(
            {
                "detention_ref": self.refs("CUS", n),
                "child_ref": self.refs("C", n),
                "district": spec.name,
                "age": rng.integers(10, 18, n),
                "charged_at": charged,
                "held_overnight": overnight,
                "transferred_to_la": transferred,
                "released_at": _null_after(released, c.as_at),
            }
        )

    def workforce(self, managers: pd.DataFrame) -> pd.DataFrame:
        c, rng, spec = self.clock, self.rng, self.spec
        # Specialist investigators: funded posts rise with the 2015 funding (up to 30 extra posts
        # force-wide, shared by population); recruitment lags the funding.
        base = spec.under_18k / 539 * 60
        extra = spec.under_18k / 539 * 30
        funded = np.round(base + np.where(c.years >= 2015.25, extra, 0.0), 1)
        fill = ramp(c.years, 0.9, 0.97, 2015.25, 2016.5 + self.lag)
        fill = fill - np.where(c.years >= 2015.25, 0.25 * np.exp(-(c.years - 2015.25) * 2), 0.0)
        in_post = np.round(np.clip(funded * (fill + rng.normal(0, 0.02, c.n)), 0, None), 1)
        month_start = c.start.astype("datetime64[D]")
        om_start = managers["start_date"].to_numpy().astype("datetime64[D]")
        om_end = managers["end_date"].to_numpy().astype("datetime64[D]")
        month_end = (c.end - np.timedelta64(1, "D")).astype("datetime64[D]")
        om_in_post = np.array(
            [
                managers["fte"]
                .to_numpy()[(om_start <= me) & (np.isnat(om_end) | (om_end >= me))]
                .sum()
                for me in month_end
            ]
        )
        om_funded = np.ceil(np.maximum.accumulate(om_in_post))
        return pd.concat(
            [
                pd.DataFrame(
                    {
                        "district": spec.name,
                        "month": month_start,
                        "role": "specialist_investigator",
                        "fte_in_post": in_post,
                        "fte_funded": funded,
                    }
                ),
                pd.DataFrame(
                    {
                        "district": spec.name,
                        "month": month_start,
                        "role": "offender_manager",
                        "fte_in_post": om_in_post,
                        "fte_funded": om_funded,
                    }
                ),
            ],
            ignore_index=True,
        )


class TerminalProgress:
    """A progress bar on the terminal, one step per force: ``[#####-----] 12/45 Force 12 1m03s``.

    Redrawn in place on a terminal; on a pipe or a log file one line per step instead, so the
    log still shows how far a build got."""

    def __init__(self, stream: TextIO | None = None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.perf_counter()
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int, what: str) -> None:
        filled = round(self.width * done / total) if total else self.width
        seconds = int(time.perf_counter() - self.started)
        line = (
            f"[{'#' * filled}{'-' * (self.width - filled)}] {done}/{total} {what:<28.28} "
            f"{seconds // 60}m{seconds % 60:02d}s"
        )
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done == total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    con.register("incoming", frame)
    try:
        cols = ", ".join(frame.columns)
        con.execute(f"insert into {table} ({cols}) select {cols} from incoming")
    finally:
        con.unregister("incoming")


def build(
    con: duckdb.DuckDBPyConnection,
    *,
    seed: int = 2014,
    forces: int = 1,
    last_month: dt.date | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, int]:
    """Fill an empty database (schema already created) with demo data; return rows per table.

    ``progress(done, total, what)`` is called as each force's records are written and, when
    ``con`` is a ``store.writer``'s, as each force's figures (every metric and its SPC signals)
    are computed as the write closes, e.g. ``TerminalProgress()`` for a bar on the terminal."""
    last_month = (last_month or last_complete_month()).replace(day=1)
    problem = last_month_problem(last_month)
    if problem:
        raise ValueError(problem)
    clock = Clock(last_month)
    spec_rng = np.random.default_rng([seed, 0])
    specs = force_specs(forces, spec_rng)
    district_rows = pd.DataFrame(
        {"district": [s.name for s in specs], "force": [s.force for s in specs]}
    )
    _insert(con, "districts", district_rows)
    sizes: dict[str, float] = {}
    for s in specs:
        sizes[s.force] = sizes.get(s.force, 0.0) + s.under_18k
    # Invented most similar groups, by size (see peers.demo_groups): data, like a real list.
    peers.replace(con, peers.demo_groups(sizes))
    pop_rows = []
    for s in specs:
        for year in range(2014, last_month.year + 1):
            growth = 1 + 0.005 * (year - 2014)
            pop_rows.append(
                (
                    s.name,
                    year,
                    round(s.all_ages_k * 1000 * growth),
                    round(s.under_18k * 1000 * growth),
                )
            )
    _insert(
        con,
        "population",
        pd.DataFrame(pop_rows, columns=["district", "year", "all_ages", "under_18"]),
    )

    force_no = {f: i for i, f in enumerate(dict.fromkeys(s.force for s in specs), start=1)}
    report = progress or (lambda done, total, what: None)
    # Every force's records, then (in a store.writer) every force's figures, computed as the
    # write closes.
    steps = 2 * len(force_no)
    if not store.report_progress(
        con, lambda done, total, force: report(len(force_no) + done, steps, f"figures: {force}")
    ):
        steps = len(force_no)
    for force, number in force_no.items():
        # One force's districts at a time, appended table by table: few large appends are much
        # cheaper than many small ones, and memory holds one force's records, not every force's.
        parts: dict[str, list[pd.DataFrame]] = {table: [] for table in RECORD_TABLES}
        for d_no, spec in enumerate(specs):
            if spec.force != force:
                continue
            rng = np.random.default_rng([seed, number, d_no + 1])
            builder = DistrictBuilder(spec, clock, rng, f"{number:02d}{d_no:03d}")
            offenders, visits, managers = builder.offenders()
            investigations, reviews = builder.investigations()
            for table, frame in (
                ("offenders", offenders),
                ("offender_visits", visits),
                ("offender_managers", managers),
                ("missing_reports", builder.missing_reports()),
                ("forensic_cases", builder.forensic_cases()),
                ("investigations", investigations),
                ("investigation_reviews", reviews),
                ("conferences", builder.conferences()),
                ("custody_detentions", builder.custody_detentions()),
                ("workforce", builder.workforce(managers)),
            ):
                parts[table].append(frame)
        for table, frames in parts.items():
            _insert(con, table, pd.concat(frames, ignore_index=True))
        del parts
        store.commit_so_far(con)  # one force's new rows in memory at a time, not every force's
        report(number, steps, f"records: {force}")

    force_names = list(force_no)
    as_at = (pd.Timestamp(clock.as_at) - pd.Timedelta(days=1)).date()
    seeds.load_recommendations(con, force_names, as_at, tag=_force_tag)
    try:
        app = appstore.for_connection(con)
    except store.StoreError:
        seeded = {}  # an in-memory database (tests): the records alone
    else:
        seeded = seeds.seed_app_state(app, [s.name for s in specs], force_names, last_month)
    store.set_meta(
        con,
        as_at=as_at.isoformat(),
        first_month=FIRST_MONTH.isoformat(),
        last_month=last_month.isoformat(),
        source="demo",
        seed=str(seed),
        forces=str(forces),
        # the force a page opens on when the viewer may see several (demo mode, national role)
        default_force=WEST_YORKSHIRE,
    )
    # The figures are computed by store.writer when this write ends (safeguarding.refresh).
    counts = {
        t: sql.scalar(con, f"select count(*) from {t}")
        for t in (*RECORD_TABLES, "districts", "peer_groups", "recommendations")
    }
    return {**counts, **seeded}


def _force_tag(force: str) -> str:
    return "WY" if force == WEST_YORKSHIRE else force.replace("Force ", "F")

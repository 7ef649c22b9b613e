"""The metric registry (queries/metrics.toml): what each metric is, in one place."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from safeguarding.paths import QUERIES_DIR, REGISTRY_FILE

DIRECTIONS = ("higher_is_better", "lower_is_better", "neutral")
FUNNEL_KINDS = ("proportion", "rate", "none")
# What a figure's numerator and denominator are (queries/metrics.toml explains each).
KINDS = ("proportion", "ratio", "count", "median", "level")


@dataclass(frozen=True)
class Metric:
    id: str
    title: str
    unit: str
    direction: str
    definition: str
    theme: str
    sources: tuple[str, ...]
    finding: str
    kind: str
    funnel: str = "none"
    target_source: str = "table"
    scope: str = "district"

    @property
    def improvement(self) -> str:
        """The direction in the words the SPC functions use."""
        return {"higher_is_better": "increase", "lower_is_better": "decrease"}.get(
            self.direction, "neutral"
        )

    @property
    def sql_file(self):
        return QUERIES_DIR / f"{self.id}.sql"

    @property
    def records_sql_file(self):
        return QUERIES_DIR / "records" / f"{self.id}.sql"


class UnknownMetricError(KeyError):
    def __init__(self, metric_id: str):
        self.metric_id = metric_id
        super().__init__(metric_id)

    def __str__(self) -> str:
        known = ", ".join(metrics())
        return f"Unknown metric '{self.metric_id}'. Known metrics: {known}"


@cache
def _load() -> tuple[dict[str, str], dict[str, Metric]]:
    raw = tomllib.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    themes = dict(raw["themes"])
    entries = {}
    for metric_id, entry in raw["metrics"].items():
        entry = dict(entry)
        entry["sources"] = tuple(entry.get("sources", ()))
        metric = Metric(id=metric_id, **entry)
        if metric.direction not in DIRECTIONS:
            raise ValueError(f"{metric_id}: direction must be one of {DIRECTIONS}")
        if metric.kind not in KINDS:
            raise ValueError(f"{metric_id}: kind must be one of {KINDS}")
        if metric.funnel not in FUNNEL_KINDS:
            raise ValueError(f"{metric_id}: funnel must be one of {FUNNEL_KINDS}")
        if metric.theme not in themes:
            raise ValueError(f"{metric_id}: theme '{metric.theme}' is not in [themes]")
        entries[metric_id] = metric
    return themes, entries


def metrics() -> dict[str, Metric]:
    """Every metric by id, in catalogue order."""
    return _load()[1]


def themes() -> dict[str, str]:
    """Theme id -> title, in page order."""
    return _load()[0]


def get(metric_id: str) -> Metric:
    try:
        return metrics()[metric_id]
    except KeyError:
        raise UnknownMetricError(metric_id) from None


def by_theme(theme: str) -> list[Metric]:
    return [m for m in metrics().values() if m.theme == theme]

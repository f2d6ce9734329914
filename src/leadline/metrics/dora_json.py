"""The ``leadline dora --format json`` document as types (docs/dora.md#the-document).

One ``TypedDict`` per object of the document, so the report is typed from the pure
functions that build each section (``metrics/dora.py``, ``metrics/rework.py``) through the
services that add the intervals, the comparison and ``as_of`` (``services/dora.py``) to
the CLI, the dashboard and the API. ``api/dora_schemas.py`` mirrors these types as pydantic
models for the OpenAPI document; ``tests/api/test_openapi.py`` checks that every key of
real answers is declared there.

Keys that only some reports carry are ``NotRequired``: ``reason`` (a figure with no
source or nothing to measure), ``unlinked`` (failures linked from incidents or tickets),
``count``/``total`` (``failures.count: absolute``, ``failures.total: all_runs``),
``levels`` (custom bands), ``deployment_rework_rate`` (every report of ``services/dora.py``
has it; ``metrics.dora.dora_report`` alone may not), ``comparison`` (``--compare
previous``) and ``as_of`` (an answer from the last build). ``interval`` and
``few_samples`` end every section of a report (``Uncertain``).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from leadline.metrics.compare import ComparisonEntry
from leadline.metrics.intervals import IntervalJson
from leadline.metrics.rework import DeploymentReworkRate
from leadline.metrics.series import CountPoint, RatePoint, RestorePoint

ReportWindow = TypedDict(
    "ReportWindow", {"from": str | None, "to": str | None, "days": float | None}
)


class Level(TypedDict):
    """A custom maturity level (``dora.bands`` as a mapping), best first."""

    name: str
    rank: int
    colour: str


class AsOf(TypedDict):
    """How current a server's answer is (the last complete build of the profile)."""

    position: int
    head: int
    waiting: int
    updated_at: str


class Uncertain(TypedDict, total=False):
    """What every section of a report ends with: its 95 % interval (``None`` without a
    figure) and whether it rests on fewer than 10 samples."""

    interval: IntervalJson | None
    few_samples: bool


class DeploymentFrequency(Uncertain):
    deployments: int
    days: float
    per_day: float | None
    band: str | None
    series: list[CountPoint]
    reason: NotRequired[str]


class ChangeFailureRate(Uncertain):
    failures: int
    deployments: int
    rate: float | None
    band: str | None
    series: list[RatePoint]
    warnings: list[str]
    unlinked: NotRequired[int]
    reason: NotRequired[str]
    total: NotRequired[Literal["all_runs"]]
    count: NotRequired[Literal["absolute"]]


class MeanTimeToRestore(Uncertain):
    incidents: int
    mean_seconds: float | None
    median_seconds: float | None
    open: int
    band: str | None
    series: list[RestorePoint]
    warnings: list[str]
    reason: NotRequired[str]


class StageFigure(TypedDict):
    """One stage of the lead time (``leadline lead-time``'s ``stages``)."""

    name: str
    seconds: float
    samples: int
    missing: int
    rating: str | None
    minimum: NotRequired[float | None]  # outlier bounds, when the stage has any
    maximum: NotRequired[float | None]
    outliers: NotRequired[int]
    level: NotRequired[str | None]  # when dora.bands gives stage ranges


class LeadPoint(TypedDict):
    start: str
    changes: int
    total_seconds: float


class Baseline(TypedDict):
    changes: int
    included: bool


class OutOfOrder(TypedDict):
    changes: int
    excluded: bool


class CompletedWork(TypedDict):
    work: str
    not_deployed: int


class LeadTimeForChanges(Uncertain):
    """The ``leadline lead-time`` document of the window (without its ``window`` and
    ``in_flight``), with its ``band``."""

    profile: str
    statistic: str
    changes: int
    stages: list[StageFigure]
    total_seconds: float | None
    rating: str | None
    baseline: NotRequired[Baseline]
    out_of_order: NotRequired[OutOfOrder]
    completed_work: NotRequired[CompletedWork]
    series: NotRequired[list[LeadPoint]]
    band: str | None
    reason: NotRequired[str]
    as_of: NotRequired[AsOf]


class DeploymentRework(DeploymentReworkRate, Uncertain):
    """The deployment rework rate section (``metrics/rework.py``) of a report."""


Comparison = TypedDict(
    "Comparison",
    {
        "from": str,
        "to": str,
        "deployment_frequency": ComparisonEntry,
        "lead_time_for_changes": ComparisonEntry,
        "change_failure_rate": ComparisonEntry,
        "mean_time_to_restore": ComparisonEntry,
        "deployment_rework_rate": ComparisonEntry,
    },
)

DoraReport = TypedDict(
    "DoraReport",
    {
        "profile": str,
        "from": str,
        "to": str,
        "window": ReportWindow,
        "interval": str,
        "bands": str,
        "levels": NotRequired[list[Level]],
        "deployment_frequency": DeploymentFrequency,
        "lead_time_for_changes": LeadTimeForChanges,
        "change_failure_rate": ChangeFailureRate,
        "mean_time_to_restore": MeanTimeToRestore,
        "deployment_rework_rate": NotRequired[DeploymentRework],
        "comparison": NotRequired[Comparison],
        "as_of": NotRequired[AsOf],
    },
)

"""The OpenAPI models of ``GET /v1/metrics/dora``: ``leadline dora --format json``.

They mirror the report's types (``metrics/dora_json.py``) key for key: every section with
its series points, ``warnings``, ``interval`` and ``few_samples``, the comparison's entries,
the custom levels and ``as_of``. The route returns the services' JSON as built (the models
document it, they do not re-serialize it), and ``tests/api/test_dora_schema.py`` walks real
answers against the served schema so no key goes undeclared. The shared pieces (the window,
levels, ``as_of``, lead time's report) are ``api/schemas.py``'s.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from leadline.api.schemas import (
    REASON,
    AsOf,
    LeadPointOut,
    LeadTimeReport,
    LevelOut,
    OpenModel,
    ReportWindow,
)


class IntervalOut(OpenModel):
    """A figure's 95 % interval (docs/dora.md#confidence-intervals-and-sample-sizes)."""

    low: float
    high: float
    level: float = Field(examples=[0.95])
    method: str = Field(examples=["wilson"], description="poisson | wilson | bootstrap")


_INTERVAL = "the figure's 95 % interval; null without a figure"
_FEW = "true when the figure rests on fewer than 10 samples"
_WARNINGS = "what the figure leaves out or clamps, one sentence each"


class CountPointOut(OpenModel):
    """A bucket of the deployment frequency series."""

    start: str = Field(examples=["2024-01-01"])
    count: int


class RatePointOut(OpenModel):
    """A bucket of the change failure rate series."""

    start: str
    failures: int
    deployments: int
    rate: float | None


class RestorePointOut(OpenModel):
    """A bucket of the time-to-restore series (null: no incident resolved in it)."""

    start: str
    incidents: int
    mean_seconds: float | None
    median_seconds: float | None


class ReworkPointOut(OpenModel):
    """A bucket of the deployment rework rate series."""

    start: str
    rework: int
    deployments: int
    rate: float | None


class DeploymentFrequency(OpenModel):
    deployments: int
    days: float
    per_day: float | None
    band: str | None
    series: list[CountPointOut]
    reason: str | None = Field(None, description=REASON)
    interval: IntervalOut | None = Field(None, description=_INTERVAL)
    few_samples: bool | None = Field(None, description=_FEW)


class ChangeFailureRate(OpenModel):
    failures: int
    deployments: int
    rate: float | None
    band: str | None
    count: Literal["absolute"] | None = Field(
        None, description="failures.count: absolute — the figure is `failures`; no rate, no band"
    )
    total: Literal["all_runs"] | None = Field(
        None, description="failures.total: all_runs — `deployments` counts every run"
    )
    series: list[RatePointOut]
    warnings: list[str] = Field(description=_WARNINGS)
    unlinked: int | None = Field(
        None, description="failures from incidents or tickets: those linked to no deployment"
    )
    reason: str | None = Field(None, description=REASON)
    interval: IntervalOut | None = Field(None, description=_INTERVAL)
    few_samples: bool | None = Field(None, description=_FEW)


class TimeToRestore(OpenModel):
    incidents: int
    mean_seconds: float | None
    median_seconds: float | None
    open: int
    band: str | None
    series: list[RestorePointOut]
    warnings: list[str] = Field(description=_WARNINGS)
    reason: str | None = Field(None, description=REASON)
    interval: IntervalOut | None = Field(None, description=_INTERVAL)
    few_samples: bool | None = Field(None, description=_FEW)


class DeploymentReworkRate(OpenModel):
    """The share of the window's deployments that were unplanned (docs/dora.md)."""

    rework: int = Field(description="deployments counted as rework")
    deployments: int
    rate: float | None
    band: str | None = Field(
        description="null unless a custom dora.bands gives deployment_rework_rate a range "
        "(no preset bands it: DORA publishes no bands for it)"
    )
    series: list[ReworkPointOut]
    signals: list[str] = Field(
        description="the dora.rework signals measured; [] without a dora.rework block"
    )
    reason: str | None = Field(None, description=REASON)
    interval: IntervalOut | None = Field(None, description=_INTERVAL)
    few_samples: bool | None = Field(None, description=_FEW)


class LeadTimeForChanges(LeadTimeReport):
    total_seconds: float | None  # type: ignore[assignment]
    band: str | None
    series: list[LeadPointOut] | None = Field(None, description="per bucket of the interval")
    reason: str | None = Field(None, description=REASON)
    interval: IntervalOut | None = Field(None, description=_INTERVAL)
    few_samples: bool | None = Field(None, description=_FEW)


class ComparisonEntryOut(OpenModel):
    """One figure against the previous window (docs/dora.md#comparison-with-the-previous-window)."""

    previous: float | None = Field(description="the previous window's figure")
    change_percent: float | None
    p_value: float | None
    verdict: str = Field(
        examples=["no significant change"],
        description="better | worse | no significant change | not enough data",
    )


class Comparison(OpenModel):
    """``compare=previous``: each figure against the previous window of the same length."""

    from_: str = Field(alias="from")
    to: str
    deployment_frequency: ComparisonEntryOut
    lead_time_for_changes: ComparisonEntryOut
    change_failure_rate: ComparisonEntryOut
    mean_time_to_restore: ComparisonEntryOut
    deployment_rework_rate: ComparisonEntryOut


class DoraReport(OpenModel):
    """``leadline dora --format json`` (docs/dora.md#the-document); every key of the
    report (``metrics/dora_json.DoraReport``) is declared here."""

    collection: str | None = Field(None, description="when asked for a collection")
    profile: str
    from_: str = Field(alias="from")
    to: str
    window: ReportWindow
    interval: str
    bands: str = Field(
        description="the preset (harness, dora-2023, dora-2024), or custom; each section's "
        "band is a level's name"
    )
    levels: list[LevelOut] | None = Field(
        None, description="custom levels only (bands: custom), best first"
    )
    deployment_frequency: DeploymentFrequency
    lead_time_for_changes: LeadTimeForChanges
    change_failure_rate: ChangeFailureRate
    mean_time_to_restore: TimeToRestore
    deployment_rework_rate: DeploymentReworkRate
    comparison: Comparison | None = None
    as_of: AsOf | None = None

"""``GET /v1/time-in-status`` and ``GET /v1/pr-lead-time``: ``leadline time-in-status
--format json`` and ``leadline pr-lead-time --format json`` over HTTP (docs/flow.md).

Read-only, with the rules of the other report routes (``routes_reports.py``): a read key (a
key limited to a collection reads that subtree only), ``profile=`` or ``collection=``, the
window of ``from``/``to`` (default: the 90 days ending at the end of today, UTC). Neither
report reads the profile's timelines, so neither waits for a build.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from leadline.api.deps import EngineDep, Read, within
from leadline.api.report_params import report_profile, report_window
from leadline.api.schemas import OpenModel, ReportWindow, errors
from leadline.metrics.choices import Interval, Statistic
from leadline.services.pr_lead_time import pr_lead_time
from leadline.services.time_in_status import time_in_status

router = APIRouter(prefix="/v1", tags=["metrics"])


class StatusFigure(OpenModel):
    name: str = Field(examples=["In Progress"])
    category: str = Field(examples=["in_progress"], description="todo | in_progress | done")
    issues: int = Field(description="the issues that visited the status: the sample size")
    seconds: float | None = Field(description="the statistic of each issue's total time there")
    total_seconds: float
    visits: int
    bounces: int = Field(description="re-entries into the status after leaving it")
    bounced_issues: int


class TimeInStatusReport(OpenModel):
    """``leadline time-in-status --format json``."""

    profile: str
    window: ReportWindow
    statistic: str = Field(examples=["mean"])
    issues: int = Field(description="the issues of the scope resolved in the window")
    bounced_issues: int
    statuses: list[StatusFigure]


class PrStage(OpenModel):
    key: str = Field(examples=["first_comment"])
    name: str = Field(examples=["Time to first comment"])
    seconds: float | None = Field(description="the statistic of its samples; null: none")
    samples: int
    missing: int


class PrPoint(OpenModel):
    start: str = Field(examples=["2024-03-04"])
    prs: int
    total_seconds: float | None
    stages: dict[str, float | None]
    samples: dict[str, int]


class PrLeadTimeReport(OpenModel):
    """``leadline pr-lead-time --format json``."""

    profile: str
    window: ReportWindow
    statistic: str = Field(examples=["mean"])
    prs: int = Field(description="the pull requests of the scope merged in the window")
    stages: list[PrStage]
    total_seconds: float | None = Field(description="the sum of the stage figures")
    interval: str | None = None
    series: list[PrPoint] | None = None


@router.get(
    "/time-in-status",
    response_model=None,
    responses={200: {"model": TimeInStatusReport}, **errors(401, 403, 404, 422)},
)
def get_time_in_status(
    engine: EngineDep,
    principal: Read,
    profile: str | None = Query(None, description="a stored profile's name"),
    collection: str | None = Query(None, description="or a collection's name"),
    stat: Statistic = "mean",
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> dict[str, Any]:
    """Time in each status, with bounces, for the issues of the scope resolved in the
    window."""
    within(engine, principal, collection)
    chosen, named = report_profile(engine, profile, collection)
    return named | time_in_status(engine, chosen, stat, report_window(start, end))


@router.get(
    "/pr-lead-time",
    response_model=None,
    responses={200: {"model": PrLeadTimeReport}, **errors(401, 403, 404, 422)},
)
def get_pr_lead_time(
    engine: EngineDep,
    principal: Read,
    profile: str | None = Query(None, description="a stored profile's name"),
    collection: str | None = Query(None, description="or a collection's name"),
    stat: Statistic = "mean",
    interval: Annotated[Interval | None, Query(description="also the trend, by merge time")] = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> dict[str, Any]:
    """PR lead time by stage (PR creation, time to first comment, approval, merge) for the
    pull requests of the scope merged in the window; with ``interval`` its trend."""
    within(engine, principal, collection)
    chosen, named = report_profile(engine, profile, collection)
    return named | pr_lead_time(engine, chosen, stat, report_window(start, end), interval)

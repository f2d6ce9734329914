"""Workflow profiles (CONTRACT §2) as pydantic models.

Field names are the YAML keys. Durations (``ideal``, ``acceptable``) are seconds (float)
after validation; ``leadline.profiles.durations`` parses ``90s 10m 4h 2d 1w``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from leadline.profiles.durations import parse_duration

StageEvent = Literal[
    "issue_status",
    "commit",
    "pr_created",
    "pr_review",
    "pr_approved",
    "pr_merged",
    "ci_completed",
    "cd_completed",
    "released",
    "api_event",
]
STAGE_EVENTS: tuple[str, ...] = StageEvent.__args__  # type: ignore[attr-defined]
StartEvent = Literal["ticket_created", "commit_created", "api_event", "first_stage"]
Occurrence = Literal["first", "last"]
Category = Literal["todo", "in_progress", "done"]

DEFAULT_OCCURRENCE: dict[str, Occurrence] = {event: "first" for event in STAGE_EVENTS}
DEFAULT_OCCURRENCE["pr_merged"] = "last"

Seconds = Annotated[float, BeforeValidator(parse_duration)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Start(_Strict):
    event: StartEvent = "ticket_created"
    event_types: list[str] | None = None


class Scope(_Strict):
    projects: list[str] | None = None
    issue_types: list[str] | None = None
    repos: list[str] | None = None
    labels: list[str] | None = None


class Stage(_Strict):
    name: Annotated[str, Field(min_length=1)]
    event: StageEvent
    occurrence: Occurrence | None = None
    # issue_status: ticket statuses (case-insensitive); ci/cd_completed: run statuses
    # (default [success]).
    statuses: list[str] | None = None
    category: Category | None = None
    ideal: Seconds | None = None
    acceptable: Seconds | None = None
    target_branches: list[str] | None = None
    labels: list[str] | None = None
    pipelines: list[str] | None = None
    environments: list[str] | None = None
    event_types: list[str] | None = None

    @property
    def effective_occurrence(self) -> Occurrence:
        return self.occurrence or DEFAULT_OCCURRENCE[self.event]


class DeploymentsSpec(_Strict):
    source: Literal["cd", "pull_requests", "releases"] = "cd"
    pipelines: list[str] | None = None
    environments: list[str] | None = None
    statuses: list[str] | None = None
    target_branches: list[str] | None = None
    labels: list[str] | None = None
    projects: list[str] | None = None


class FailuresSpec(_Strict):
    source: Literal["cd", "incidents", "issues"] = "cd"
    pipelines: list[str] | None = None
    environments: list[str] | None = None
    statuses: list[str] | None = None
    issue_types: list[str] | None = None
    projects: list[str] | None = None
    labels: list[str] | None = None
    window: Seconds | None = None


class RestoreSpec(_Strict):
    source: Literal["incidents", "issues"] = "incidents"
    issue_types: list[str] | None = None
    projects: list[str] | None = None
    labels: list[str] | None = None


class DoraSpec(_Strict):
    deployments: DeploymentsSpec = Field(default_factory=DeploymentsSpec)
    failures: FailuresSpec = Field(default_factory=FailuresSpec)
    restore: RestoreSpec = Field(default_factory=RestoreSpec)
    bands: Literal["harness", "dora-2023"] = "harness"


class Profile(_Strict):
    name: Annotated[str, Field(min_length=1)]
    description: str | None = None
    start: Start = Field(default_factory=Start)
    scope: Scope = Field(default_factory=Scope)
    missing_stages: Literal["zero", "exclude"] = "zero"
    stages: Annotated[list[Stage], Field(min_length=1)]
    dora: DoraSpec | None = None

    @model_validator(mode="after")
    def _unique_stage_names(self) -> Profile:
        seen: set[str] = set()
        for stage in self.stages:
            if stage.name in seen:
                raise ValueError(f"stage name {stage.name!r} is used twice")
            seen.add(stage.name)
        return self

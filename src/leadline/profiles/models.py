"""Workflow profiles (CONTRACT §2) as pydantic models.

Field names are the YAML keys. Durations (``ideal``, ``acceptable``, ``window``) are seconds
(float) after validation; ``leadline.profiles.durations`` parses ``90s 10m 4h 2d 1w``.

The models enforce every rule on their own (so ``Profile.model_validate`` is safe to use), but
a model validator stops at its first problem; ``leadline.profiles.loader`` collects them all
and reports each at the exact key.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from leadline.profiles.durations import parse_duration
from leadline.profiles.rules import (
    Problem,
    dora_section_problems,
    stage_name_problems,
    stage_problems,
    start_problems,
)

StageEvent = Literal[
    "issue_status",
    "commit",
    "pr_created",
    "pr_review",
    "pr_approved",
    "pr_merged",
    "pr_labeled",
    "ci_completed",
    "cd_completed",
    "change_request",
    "released",
    "api_event",
]
STAGE_EVENTS: tuple[str, ...] = StageEvent.__args__  # type: ignore[attr-defined]
StartEvent = Literal[
    "ticket_created",
    "commit_created",
    "api_event",
    "first_stage",
    # A stage event as the start (efficiency-profile phases start on any signal):
    "issue_status",
    "commit",
    "pr_created",
    "pr_review",
    "pr_approved",
    "pr_merged",
    "pr_labeled",
    "ci_completed",
    "cd_completed",
    "change_request",
    "released",
]
Occurrence = Literal["first", "last"]
Category = Literal["todo", "in_progress", "done"]

DEFAULT_OCCURRENCE: dict[str, Occurrence] = {event: "first" for event in STAGE_EVENTS}
DEFAULT_OCCURRENCE["pr_merged"] = "last"

Seconds = Annotated[float, BeforeValidator(parse_duration)]
#: A non-blank string (a name, a status, a glob).
Text = Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]
#: A non-empty list of non-blank strings: an empty filter list would match nothing.
Names = Annotated[list[Text], Field(min_length=1)]
#: Run parameters a pipeline run must carry: name (exact) → value glob (case-insensitive);
#: see ``correlate.scope.params_match``.
Params = Annotated[dict[Text, Text], Field(min_length=1)]

RULE_ERROR = "profile_rule"


def _raise_first(problems: list[Problem]) -> None:
    """Raise the first problem as a pydantic error whose ``ctx['loc']`` extends its loc."""
    if problems:
        loc, what = problems[0]
        raise PydanticCustomError(RULE_ERROR, "{what}", {"what": what, "loc": loc})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Start(_Strict):
    event: StartEvent = "ticket_created"
    event_types: Names | None = None
    # Only with a stage event as the start: the same filters a stage of that event takes.
    occurrence: Occurrence | None = None
    statuses: Names | None = None
    category: Category | None = None
    target_branches: Names | None = None
    labels: Names | None = None
    pipelines: Names | None = None
    environments: Names | None = None
    params: Params | None = None

    def as_stage(self) -> Stage | None:
        """The start as a stage spec when ``event`` is a stage event, else ``None``."""
        if self.event in ("ticket_created", "commit_created", "api_event", "first_stage"):
            return None
        data = self.model_dump(exclude_none=True, exclude={"event_types"})
        return Stage.model_validate({"name": "(start)", **data})

    @model_validator(mode="after")
    def _rules(self) -> Start:
        _raise_first(start_problems(self.model_dump(exclude_none=True)))
        return self


class Scope(_Strict):
    projects: Names | None = None
    issue_types: Names | None = None
    repos: Names | None = None
    labels: Names | None = None
    # Pipeline runs and incidents that name a service must name one of these (globs).
    services: Names | None = None


class Stage(_Strict):
    name: Text
    event: StageEvent
    occurrence: Occurrence | None = None
    # issue_status: ticket statuses (case-insensitive); ci/cd_completed: run statuses
    # (default [success]); change_request: its statuses (default: closed, not unsuccessful).
    statuses: Names | None = None
    category: Category | None = None
    ideal: Seconds | None = None
    acceptable: Seconds | None = None
    target_branches: Names | None = None
    labels: Names | None = None
    pipelines: Names | None = None
    environments: Names | None = None
    event_types: Names | None = None
    # ci/cd_completed, change_request: run parameters (name → value glob).
    params: Params | None = None

    @property
    def effective_occurrence(self) -> Occurrence:
        return self.occurrence or DEFAULT_OCCURRENCE[self.event]

    @model_validator(mode="after")
    def _rules(self) -> Stage:
        _raise_first(stage_problems(self.model_dump(exclude_none=True)))
        return self


class DeploymentsSpec(_Strict):
    source: Literal["cd", "pull_requests", "releases"] = "cd"
    pipelines: Names | None = None
    environments: Names | None = None
    statuses: Names | None = None
    params: Params | None = None
    target_branches: Names | None = None
    labels: Names | None = None
    projects: Names | None = None

    @model_validator(mode="after")
    def _rules(self) -> DeploymentsSpec:
        _raise_first(dora_section_problems("deployments", self.model_dump(exclude_none=True)))
        return self


class FailuresSpec(_Strict):
    source: Literal["cd", "incidents", "issues"] = "cd"
    pipelines: Names | None = None
    environments: Names | None = None
    statuses: Names | None = None
    params: Params | None = None
    issue_types: Names | None = None
    projects: Names | None = None
    labels: Names | None = None
    window: Seconds | None = None

    @model_validator(mode="after")
    def _rules(self) -> FailuresSpec:
        _raise_first(dora_section_problems("failures", self.model_dump(exclude_none=True)))
        return self


class RestoreSpec(_Strict):
    source: Literal["incidents", "issues"] = "incidents"
    issue_types: Names | None = None
    projects: Names | None = None
    labels: Names | None = None

    @model_validator(mode="after")
    def _rules(self) -> RestoreSpec:
        _raise_first(dora_section_problems("restore", self.model_dump(exclude_none=True)))
        return self


class DoraSpec(_Strict):
    deployments: DeploymentsSpec = Field(default_factory=DeploymentsSpec)
    failures: FailuresSpec = Field(default_factory=FailuresSpec)
    restore: RestoreSpec = Field(default_factory=RestoreSpec)
    bands: Literal["harness", "dora-2023"] = "harness"
    # Lead time for changes: the profile's stages (the unit is its ticket or PR), or
    # commit → the first deployment that shipped it (the unit is a commit; DESIGN 8).
    lead_time: Literal["stages", "commits"] = "stages"


class DeploymentOptions(_Strict):
    # What the first known deployment of a stream ships from before tracking began
    # (correlate/baseline.py): left out of lead time and counted apart, or included.
    baseline: Literal["exclude", "include"] = "exclude"


class Profile(_Strict):
    name: Text
    description: str | None = None
    start: Start = Field(default_factory=Start)
    scope: Scope = Field(default_factory=Scope)
    missing_stages: Literal["zero", "exclude"] = "zero"
    deployments: DeploymentOptions = Field(default_factory=DeploymentOptions)
    stages: Annotated[list[Stage], Field(min_length=1)]
    dora: DoraSpec | None = None

    @model_validator(mode="after")
    def _unique_stage_names(self) -> Profile:
        _raise_first(stage_name_problems([{"name": stage.name} for stage in self.stages]))
        return self

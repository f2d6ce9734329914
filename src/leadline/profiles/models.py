"""Workflow profiles (CONTRACT §2) as pydantic models.

Field names are the YAML keys. Durations (``ideal``, ``acceptable``, ``window``) are seconds
(float) after validation; ``leadline.profiles.durations`` parses ``90s 10m 4h 2d 1w``.

The models enforce every rule on their own (so ``Profile.model_validate`` is safe to use), but
a model validator stops at its first problem; ``leadline.profiles.loader`` collects them all
and reports each at the exact key.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    StringConstraints,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from leadline.profiles.bandspec import bands_problems
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
    "ci_completed",
    "cd_completed",
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
    "ci_completed",
    "cd_completed",
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
    # (default [success]).
    statuses: Names | None = None
    category: Category | None = None
    ideal: Seconds | None = None
    acceptable: Seconds | None = None
    target_branches: Names | None = None
    labels: Names | None = None
    pipelines: Names | None = None
    environments: Names | None = None
    event_types: Names | None = None

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


def _as_given(value: object) -> object:
    return value


#: One edge of a range as written: a number (in the range's unit) or a string ("4h", "10%").
#: Taken as given: ``profiles/bandspec.py`` checks it, with a message that knows the metric.
#: (``Any`` to the serializer too, so a wrong value is reported, not warned about.)
EdgeValue = Annotated[Any, PlainValidator(_as_given, json_schema_input_type=int | float | str)]
DurationUnit = Literal["seconds", "minutes", "hours", "days", "weeks"]
Preset = Literal["harness", "dora-2023", "dora-2024"]


class LevelSpec(_Strict):
    name: Text
    colour: str | None = None


class RangeSpec(_Strict):
    """The edges between the levels for one metric or stage (profiles/bandspec.py)."""

    unit: Text | None = None
    edges: list[EdgeValue]


class BandsSpec(_Strict):
    """``dora.bands`` as a mapping: custom maturity levels and ranges (docs/dora.md#bands)."""

    preset: Preset | None = None
    levels: list[LevelSpec] | None = None
    unit: DurationUnit | None = None
    on_edge: Literal["better", "worse"] | None = None
    deployment_frequency: RangeSpec | None = None
    lead_time_for_changes: RangeSpec | None = None
    change_failure_rate: RangeSpec | None = None
    mean_time_to_restore: RangeSpec | None = None
    every_stage: RangeSpec | None = None
    stages: dict[Text, RangeSpec] | None = None

    @model_validator(mode="after")
    def _rules(self) -> BandsSpec:
        _raise_first(bands_problems(self.model_dump(exclude_none=True), None))
        return self


#: Union tags of ``dora.bands`` (a preset name or a mapping); messages.py drops them from
#: locations, so errors read ``dora.bands.levels`` rather than ``dora.bands.<mapping>.levels``.
BANDS_TAGS = ("<name>", "<mapping>")


def _bands_kind(value: object) -> str:
    return BANDS_TAGS[1] if isinstance(value, dict | BandsSpec) else BANDS_TAGS[0]


Bands = Annotated[
    Annotated[Preset, Tag(BANDS_TAGS[0])] | Annotated[BandsSpec, Tag(BANDS_TAGS[1])],
    Discriminator(_bands_kind),
]


class DoraSpec(_Strict):
    deployments: DeploymentsSpec = Field(default_factory=DeploymentsSpec)
    failures: FailuresSpec = Field(default_factory=FailuresSpec)
    restore: RestoreSpec = Field(default_factory=RestoreSpec)
    # A preset name, or a mapping of custom levels and ranges (BandsSpec).
    bands: Bands = "harness"
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

    @model_validator(mode="after")
    def _band_stages(self) -> Profile:
        bands = self.dora.bands if self.dora is not None else None
        if isinstance(bands, BandsSpec) and bands.stages:
            names = [stage.name for stage in self.stages]
            found = bands_problems(bands.model_dump(exclude_none=True), names)
            _raise_first([(("dora", "bands", *loc), what) for loc, what in found])
        return self

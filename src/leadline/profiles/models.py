"""Workflow profiles (docs/profiles.md) as pydantic models.

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
    category_problems,
    dora_problems,
    dora_section_problems,
    issue_pattern_problems,
    pr_pattern_problems,
    rework_problems,
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
PatternMatch = Literal["any", "all"]

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
    # Outlier bounds: a change's duration in the stage outside [minimum, maximum] is left
    # out of the stage's statistic (metrics/leadtime.py) and counted as an outlier.
    minimum: Seconds | None = None
    maximum: Seconds | None = None
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
    source: Literal["cd", "pull_requests", "releases", "issues"] = "cd"
    pipelines: Names | None = None
    environments: Names | None = None
    # cd: run statuses (default [success]); issues: the ticket statuses that resolve it.
    statuses: Names | None = None
    params: Params | None = None
    target_branches: Names | None = None
    labels: Names | None = None
    projects: Names | None = None
    # releases: version names (globs, e.g. "v*").
    names: Names | None = None
    # issues: which tickets, and which entry into the statuses counts (default first).
    issue_types: Names | None = None
    category: Category | None = None
    occurrence: Literal["first", "last", "every"] | None = None
    # cd: a run counts at its finish (default) or its start (finish when it has none).
    count_at: Literal["finish", "start"] | None = None

    @model_validator(mode="after")
    def _rules(self) -> DeploymentsSpec:
        _raise_first(dora_section_problems("deployments", self.model_dump(exclude_none=True)))
        return self


class FailuresSpec(_Strict):
    source: Literal["cd", "incidents", "issues", "pull_requests"] = "cd"
    pipelines: Names | None = None
    environments: Names | None = None
    statuses: Names | None = None
    params: Params | None = None
    issue_types: Names | None = None
    projects: Names | None = None
    labels: Names | None = None
    window: Seconds | None = None
    # issues and incidents: priorities (exact, any case); incidents also severities and
    # urgencies (exact, any case) and services (globs); a record without the field fails.
    priorities: Names | None = None
    severities: Names | None = None
    urgencies: Names | None = None
    services: Names | None = None
    # The figure: a rate (default) or the number of failures; and the rate's denominator.
    count: Literal["rate", "absolute"] | None = None
    total: Literal["deployments", "all_runs"] | None = None
    # source pull_requests: hotfix and revert PRs by title / source-branch globs and labels.
    titles: Names | None = None
    branches: Names | None = None
    target_branches: Names | None = None
    match: PatternMatch | None = None

    @model_validator(mode="after")
    def _rules(self) -> FailuresSpec:
        data = self.model_dump(exclude_none=True)
        problems = dora_section_problems("failures", data)
        if self.source == "pull_requests":
            problems += pr_pattern_problems(data)
        _raise_first(problems)
        return self


class RestoreSpec(_Strict):
    source: Literal["incidents", "issues"] = "incidents"
    issue_types: Names | None = None
    projects: Names | None = None
    labels: Names | None = None
    # Which incidents (tickets) count: exact, any case (services: globs); a record without the
    # field does not.
    priorities: Names | None = None
    severities: Names | None = None
    urgencies: Names | None = None
    services: Names | None = None
    # When the clock starts and stops (docs/dora.md#mean-time-to-restore). incidents: at
    # creation (default) or the first acknowledgement; issues: ticket statuses.
    start: Literal["created", "acknowledged"] | None = None
    start_statuses: Names | None = None
    stop_statuses: Names | None = None

    @model_validator(mode="after")
    def _rules(self) -> RestoreSpec:
        _raise_first(dora_section_problems("restore", self.model_dump(exclude_none=True)))
        return self


class ReworkPullRequests(_Strict):
    """``dora.rework.pull_requests``: the hotfix and revert PRs (``correlate/unplanned.py``)."""

    titles: Names | None = None
    branches: Names | None = None
    labels: Names | None = None
    target_branches: Names | None = None
    match: PatternMatch | None = None

    @model_validator(mode="after")
    def _rules(self) -> ReworkPullRequests:
        _raise_first(pr_pattern_problems(self.model_dump(exclude_none=True)))
        return self


class ReworkIssues(_Strict):
    """``dora.rework.issues``: the tickets that make a deployment shipping them rework."""

    issue_types: Names | None = None
    labels: Names | None = None
    priorities: Names | None = None
    projects: Names | None = None

    @model_validator(mode="after")
    def _rules(self) -> ReworkIssues:
        _raise_first(issue_pattern_problems(self.model_dump(exclude_none=True)))
        return self


class ReworkSpec(_Strict):
    """``dora.rework``: the signals that make a deployment unplanned (docs/dora.md)."""

    pull_requests: ReworkPullRequests | None = None
    issues: ReworkIssues | None = None
    incidents: bool | None = None

    @model_validator(mode="after")
    def _rules(self) -> ReworkSpec:
        _raise_first(rework_problems(self.model_dump(exclude_none=True)))
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
    deployment_rework_rate: RangeSpec | None = None  # optional: no preset bands it
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
    # commit → the first deployment that shipped it (the unit is a commit; docs/deployments.md).
    lead_time: Literal["stages", "commits"] = "stages"
    # The deployment rework rate (the fifth DORA metric); absent: not measured.
    rework: ReworkSpec | None = None

    @model_validator(mode="after")
    def _across(self) -> DoraSpec:
        _raise_first(dora_problems(self.model_dump(exclude_none=True)))
        return self


class DeploymentOptions(_Strict):
    # What the first known deployment of a stream ships from before tracking began
    # (correlate/baseline.py): left out of lead time and counted apart, or included.
    baseline: Literal["exclude", "include"] = "exclude"


class ChangeCategory(_Strict):
    """A category of changes (``leadline lead-time --by category``): the changes with a pull
    request matching every key given (each a list of globs, "any of"); ``default: true``
    takes the changes no earlier category matched."""

    name: Text
    source_branches: Names | None = None
    target_branches: Names | None = None
    labels: Names | None = None
    default: bool | None = None


WorkflowOrder = Literal["allow_exceptions", "enforce"]
CompletedWork = Literal["deployed", "all"]


class Profile(_Strict):
    name: Text
    description: str | None = None
    start: Start = Field(default_factory=Start)
    scope: Scope = Field(default_factory=Scope)
    missing_stages: Literal["zero", "exclude"] = "zero"
    # Unset (None) is the default, so that exports and fingerprints of profiles that do not
    # use these options stay as they were (``order`` and ``completed`` read them).
    workflow_order: WorkflowOrder | None = None
    completed_work: CompletedWork | None = None
    deployments: DeploymentOptions = Field(default_factory=DeploymentOptions)
    stages: Annotated[list[Stage], Field(min_length=1)]
    categories: Annotated[list[ChangeCategory], Field(min_length=1)] | None = None
    dora: DoraSpec | None = None

    @property
    def order(self) -> WorkflowOrder:
        """``workflow_order``: ``allow_exceptions`` unless set (docs/profiles.md)."""
        return self.workflow_order or "allow_exceptions"

    @property
    def completed(self) -> CompletedWork:
        """``completed_work``: ``deployed`` (reached the last stage) unless set."""
        return self.completed_work or "deployed"

    @model_validator(mode="after")
    def _unique_stage_names(self) -> Profile:
        _raise_first(stage_name_problems([{"name": stage.name} for stage in self.stages]))
        if self.categories is not None:
            dumped = [c.model_dump(exclude_none=True) for c in self.categories]
            _raise_first(category_problems(dumped))
        return self

    @model_validator(mode="after")
    def _band_stages(self) -> Profile:
        bands = self.dora.bands if self.dora is not None else None
        if isinstance(bands, BandsSpec) and bands.stages:
            names = [stage.name for stage in self.stages]
            found = bands_problems(bands.model_dump(exclude_none=True), names)
            _raise_first([(("dora", "bands", *loc), what) for loc, what in found])
        return self

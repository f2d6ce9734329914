"""Workflow profiles (docs/profiles.md) as pydantic models: ``Profile``, its start, scope,
stages and categories (the ``dora`` block's models are ``dora_models``'s).

Field names are the YAML keys. Durations (``ideal``, ``acceptable``, ``window``) are seconds
(float) after validation; ``leadline.profiles.durations`` parses ``90s 10m 4h 2d 1w``.

The models enforce every rule on their own (so ``Profile.model_validate`` is safe to use), but
a model validator stops at its first problem; ``leadline.profiles.loader`` collects them all
and reports each at the exact key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from leadline.profiles.bandspec import bands_problems
from leadline.profiles.conditions import Filter
from leadline.profiles.dora_models import BandsSpec, DoraSpec
from leadline.profiles.model_types import (
    Category,
    Names,
    Params,
    Seconds,
    StrictModel,
    Text,
    raise_first,
)
from leadline.profiles.rules import (
    category_problems,
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

DEFAULT_OCCURRENCE: dict[str, Occurrence] = {event: "first" for event in STAGE_EVENTS}
DEFAULT_OCCURRENCE["pr_merged"] = "last"


class Start(StrictModel):
    event: StartEvent = "ticket_created"
    event_types: Filter | None = None
    # Only with a stage event as the start: the same filters a stage of that event takes.
    occurrence: Occurrence | None = None
    statuses: Names | None = None
    category: Category | None = None
    target_branches: Filter | None = None
    labels: Filter | None = None
    pipelines: Filter | None = None
    environments: Filter | None = None
    params: Params | None = None

    def as_stage(self) -> Stage | None:
        """The start as a stage spec when ``event`` is a stage event, else ``None``."""
        if self.event in ("ticket_created", "commit_created", "api_event", "first_stage"):
            return None
        data = self.model_dump(exclude_none=True, exclude={"event_types"})
        return Stage.model_validate({"name": "(start)", **data})

    @model_validator(mode="after")
    def _rules(self) -> Start:
        raise_first(start_problems(self.model_dump(exclude_none=True)))
        return self


class Member(StrictModel):
    """One contributor's membership of a people-based team, as the reports see it: the
    author identities their records carry (matched ignoring case) and the span of time the
    membership covers (``start`` inclusive, ``end`` exclusive, UTC; unset: unbounded). A
    collection's ``members`` are resolved into these (``services/collections.py``)."""

    name: Text
    identities: Names
    start: datetime | None = None
    end: datetime | None = None


#: Where a change's author is read from, in order: the pull request's author, else the
#: first commit's author, else the ticket's assignee (docs/collections.md, "People").
AuthorSource = Literal["pull_request", "commit", "ticket"]
DEFAULT_ATTRIBUTION: tuple[AuthorSource, ...] = ("pull_request", "commit", "ticket")


class Scope(StrictModel):
    projects: Filter | None = None
    issue_types: Filter | None = None
    repos: Filter | None = None
    labels: Filter | None = None
    # Pipeline runs and incidents that name a service must name one of these (globs).
    services: Filter | None = None
    # Commits that change a path matching one of these globs (``services/payments/**``).
    paths: Filter | None = None
    # A people-based team: a change counts when its author was a member at its time.
    people: Annotated[list[Member], Field(min_length=1)] | None = None
    # The order ``people`` reads a change's author from (default DEFAULT_ATTRIBUTION).
    attribution: Annotated[list[AuthorSource], Field(min_length=1)] | None = None


#: The keys of an ``exclude`` block, in the order rules are tried and reported.
EXCLUSION_KEYS = ("authors", "labels", "branches", "titles")


class Exclusions(StrictModel):
    """``exclude``: records no metric counts (bots, dependency bumps). A pull request (and
    the change it makes) is excluded when any key matches: its author, one of its labels,
    its source branch or its title; a commit by its author (``correlate/people.py``).

    ``origins`` says where a rule came from when it is not the profile's own: a collection
    (``collection Payments``) or the org file (``org``), keyed ``key pattern`` (``authors
    *[bot]``). ``profiles/collections.narrow`` fills it when it merges a collection's and the
    org's rules into the profile's, so the doctor and the drill-downs can name the rule."""

    authors: Names | None = None
    labels: Names | None = None
    branches: Names | None = None
    titles: Names | None = None
    origins: dict[Text, Text] | None = None


class Stage(StrictModel):
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
    target_branches: Filter | None = None
    labels: Filter | None = None
    pipelines: Filter | None = None
    environments: Filter | None = None
    event_types: Filter | None = None
    # ci/cd_completed, change_request: run parameters (name → value glob).
    params: Params | None = None

    @property
    def effective_occurrence(self) -> Occurrence:
        return self.occurrence or DEFAULT_OCCURRENCE[self.event]

    @model_validator(mode="after")
    def _rules(self) -> Stage:
        raise_first(stage_problems(self.model_dump(exclude_none=True)))
        return self


class DeploymentOptions(StrictModel):
    # What the first known deployment of a stream ships from before tracking began
    # (correlate/baseline.py): left out of lead time and counted apart, or included.
    baseline: Literal["exclude", "include"] = "exclude"


class ChangeCategory(StrictModel):
    """A category of changes (``leadline lead-time --by category``): the changes with a pull
    request matching every key given (each a list of globs, "any of", or conditions);
    ``default: true`` takes the changes no earlier category matched."""

    name: Text
    source_branches: Filter | None = None
    target_branches: Filter | None = None
    labels: Filter | None = None
    default: bool | None = None


WorkflowOrder = Literal["allow_exceptions", "enforce"]
CompletedWork = Literal["deployed", "all"]


class Profile(StrictModel):
    name: Text
    description: str | None = None
    start: Start = Field(default_factory=Start)
    scope: Scope = Field(default_factory=Scope)
    exclude: Exclusions | None = None
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
        raise_first(stage_name_problems([{"name": stage.name} for stage in self.stages]))
        if self.categories is not None:
            dumped = [c.model_dump(exclude_none=True) for c in self.categories]
            raise_first(category_problems(dumped))
        return self

    @model_validator(mode="after")
    def _band_stages(self) -> Profile:
        bands = self.dora.bands if self.dora is not None else None
        if isinstance(bands, BandsSpec) and bands.stages:
            names = [stage.name for stage in self.stages]
            found = bands_problems(bands.model_dump(exclude_none=True), names)
            raise_first([(("dora", "bands", *loc), what) for loc, what in found])
        return self

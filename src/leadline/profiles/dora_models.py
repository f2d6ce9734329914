"""The ``dora`` block of a profile (docs/dora.md) as pydantic models: which records are
deployments, failures and restores, the rework signals, and the maturity bands.

Each model checks its section's cross-field rules (``dora_rules``) on validation; ``Profile``
(``models``) holds a ``DoraSpec``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, PlainValidator, Tag, model_validator

from leadline.profiles.bandspec import bands_problems
from leadline.profiles.conditions import Filter
from leadline.profiles.dora_rules import (
    dora_problems,
    dora_section_problems,
    issue_pattern_problems,
    pr_label_problems,
    pr_pattern_problems,
    rework_problems,
)
from leadline.profiles.model_types import (
    Category,
    Names,
    Params,
    PatternMatch,
    Seconds,
    StrictModel,
    Text,
    raise_first,
)


class DeploymentsSpec(StrictModel):
    source: Literal["cd", "pull_requests", "releases", "issues"] = "cd"
    pipelines: Filter | None = None
    environments: Filter | None = None
    # cd: run statuses (default [success]); issues: the ticket statuses that resolve it.
    statuses: Names | None = None
    params: Params | None = None
    target_branches: Filter | None = None
    labels: Filter | None = None
    projects: Filter | None = None
    # releases: version names (globs, e.g. "v*").
    names: Filter | None = None
    # issues: which tickets, and which entry into the statuses counts (default first).
    issue_types: Filter | None = None
    category: Category | None = None
    occurrence: Literal["first", "last", "every"] | None = None
    # cd: a run counts at its finish (default) or its start (finish when it has none).
    count_at: Literal["finish", "start"] | None = None

    @model_validator(mode="after")
    def _rules(self) -> DeploymentsSpec:
        raise_first(dora_section_problems("deployments", self.model_dump(exclude_none=True)))
        return self


class FailuresSpec(StrictModel):
    source: Literal["cd", "incidents", "issues", "pull_requests"] = "cd"
    pipelines: Filter | None = None
    environments: Filter | None = None
    statuses: Names | None = None
    params: Params | None = None
    issue_types: Filter | None = None
    projects: Filter | None = None
    labels: Filter | None = None
    window: Seconds | None = None
    # issues and incidents: priorities (exact, any case); incidents also severities and
    # urgencies (exact, any case) and services (globs); a record without the field fails.
    priorities: Filter | None = None
    severities: Filter | None = None
    urgencies: Filter | None = None
    services: Filter | None = None
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
            problems += pr_pattern_problems(data) + pr_label_problems(data)
        raise_first(problems)
        return self


class RestoreSpec(StrictModel):
    source: Literal["incidents", "issues"] = "incidents"
    issue_types: Filter | None = None
    projects: Filter | None = None
    labels: Filter | None = None
    # Which incidents (tickets) count: exact, any case (services: globs); a record without the
    # field does not.
    priorities: Filter | None = None
    severities: Filter | None = None
    urgencies: Filter | None = None
    services: Filter | None = None
    # When the clock starts and stops (docs/dora.md#mean-time-to-restore). incidents: at
    # creation (default) or the first acknowledgement; issues: ticket statuses.
    start: Literal["created", "acknowledged"] | None = None
    start_statuses: Names | None = None
    stop_statuses: Names | None = None

    @model_validator(mode="after")
    def _rules(self) -> RestoreSpec:
        raise_first(dora_section_problems("restore", self.model_dump(exclude_none=True)))
        return self


class ReworkPullRequests(StrictModel):
    """``dora.rework.pull_requests``: the hotfix and revert PRs (``correlate/unplanned.py``)."""

    titles: Names | None = None
    branches: Names | None = None
    labels: Names | None = None
    target_branches: Names | None = None
    match: PatternMatch | None = None

    @model_validator(mode="after")
    def _rules(self) -> ReworkPullRequests:
        raise_first(pr_pattern_problems(self.model_dump(exclude_none=True)))
        return self


class ReworkIssues(StrictModel):
    """``dora.rework.issues``: the tickets that make a deployment shipping them rework."""

    issue_types: Names | None = None
    labels: Names | None = None
    priorities: Names | None = None
    projects: Names | None = None

    @model_validator(mode="after")
    def _rules(self) -> ReworkIssues:
        raise_first(issue_pattern_problems(self.model_dump(exclude_none=True)))
        return self


class ReworkSpec(StrictModel):
    """``dora.rework``: the signals that make a deployment unplanned (docs/dora.md)."""

    pull_requests: ReworkPullRequests | None = None
    issues: ReworkIssues | None = None
    incidents: bool | None = None

    @model_validator(mode="after")
    def _rules(self) -> ReworkSpec:
        raise_first(rework_problems(self.model_dump(exclude_none=True)))
        return self


def _as_given(value: object) -> object:
    return value


#: One edge of a range as written: a number (in the range's unit) or a string ("4h", "10%").
#: Taken as given: ``profiles/bandspec.py`` checks it, with a message that knows the metric.
#: (``Any`` to the serializer too, so a wrong value is reported, not warned about.)
EdgeValue = Annotated[Any, PlainValidator(_as_given, json_schema_input_type=int | float | str)]
DurationUnit = Literal["seconds", "minutes", "hours", "days", "weeks"]
Preset = Literal["harness", "dora-2023", "dora-2024"]


class LevelSpec(StrictModel):
    name: Text
    colour: str | None = None


class RangeSpec(StrictModel):
    """The edges between the levels for one metric or stage (profiles/bandspec.py)."""

    unit: Text | None = None
    edges: list[EdgeValue]


class BandsSpec(StrictModel):
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
        raise_first(bands_problems(self.model_dump(exclude_none=True), None))
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


class DoraSpec(StrictModel):
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
        raise_first(dora_problems(self.model_dump(exclude_none=True)))
        return self

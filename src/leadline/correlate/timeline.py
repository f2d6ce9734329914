"""Each change's timeline under a profile: its start and the time it reached each stage.

``build_timeline`` is pure and deterministic: the same records in any order give the same
timeline. Durations are not computed here (that is ``leadline.metrics``): a stage's
duration is its time minus the time of the nearest earlier stage that happened, or the
start (docs/metrics.md).

Two rules decided here (docs/linking.md): the first commit is never a merge commit
(``stages.own_commits``), and with ``start.event: commit_created`` and no known commit the
clock starts at the PR's creation with its ``pr_created`` stages unknown (``None``), not
zero. ``baseline`` marks a change a baseline deployment shipped from before tracking began
and no other run observed (``correlate/baseline.py``); the stored timeline keeps the mark and
the reports decide.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from leadline.correlate.baseline import change_is_baseline
from leadline.correlate.categories import category_of
from leadline.correlate.exclusions import exclusion_rules
from leadline.correlate.linking import ChangeBundle, Unit, link
from leadline.correlate.scoped import ScopedChange, apply_scope
from leadline.correlate.stages import (
    StageHit,
    commit_source,
    done_hit,
    event_matches,
    event_source,
    issue_source,
    own_commits,
    pick,
    pr_source,
    run_source,
    stage_hit,
)
from leadline.domain.records import RecordModel
from leadline.profiles.models import Profile, Start

__all__ = [
    "ChangeTimeline",
    "StageHit",
    "build_timeline",
    "build_timelines",
    "profile_unit",
    "reads_change_requests",
]


@dataclass(frozen=True)
class ChangeTimeline:
    """``stages[i]`` is when the change reached ``profile.stages[i]`` (``None``: never);
    ``baseline``: a baseline deployment shipped it (see ``correlate/baseline.py``);
    ``done``: when its work was done (only with ``completed_work: all``);
    ``category``: the profile category that takes it (only with ``categories``);
    ``member``: the member of a people-based team it counts for (only with ``scope.people``)."""

    key: str
    start: StageHit
    stages: tuple[StageHit | None, ...]
    baseline: bool = False
    done: StageHit | None = None
    category: str | None = None
    member: str | None = None

    @property
    def end(self) -> StageHit | None:
        """When the change counts as finished: it reached the last stage, or (with
        ``completed_work: all``) its work was done — whichever came first."""
        hits = [hit for hit in (self.stages[-1] if self.stages else None, self.done) if hit]
        return pick(hits, "first")


def profile_unit(profile: Profile) -> Unit:
    """``start.event: commit_created`` measures pull requests; every other start, tickets."""
    return "pull_request" if profile.start.event == "commit_created" else "ticket"


def reads_change_requests(profile: Profile) -> bool:
    """Whether the profile's start or a stage is a ``change_request`` event (only then does
    the store load change requests with a change's records)."""
    return profile.start.event == "change_request" or any(
        stage.event == "change_request" for stage in profile.stages
    )


def build_timeline(profile: Profile, bundle: ChangeBundle) -> ChangeTimeline | None:
    """The change's timeline, or ``None`` when it is out of scope or has no start."""
    change = apply_scope(profile.scope, bundle, exclusion_rules(profile.exclude))
    if change is None:
        return None
    stages = tuple(stage_hit(stage, change) for stage in profile.stages)
    start = _start(profile.start, change, stages)
    if start is None:
        return None
    if profile.start.event == "commit_created" and not own_commits(change):
        # No known commit: the clock starts at the PR's creation, and the time from the
        # first commit to it (the pr_created stages) is unknown, not zero.
        stages = tuple(
            None if s.event == "pr_created" else hit
            for s, hit in zip(profile.stages, stages, strict=True)
        )
    baseline = _baseline(profile, change, start, stages)
    done = done_hit(change) if profile.completed == "all" else None
    category = None if profile.categories is None else category_of(profile.categories, change)
    return ChangeTimeline(bundle.key, start, stages, baseline, done, category, change.member)


def _baseline(
    profile: Profile, change: ScopedChange, start: StageHit, stages: tuple[StageHit | None, ...]
) -> bool:
    """Whether a run behind one of the change's ``cd_completed`` stages is a baseline
    deployment that shipped it from before tracking began, and no other run linked to the
    change (a CI run naming its commits) observed it."""
    sources = {
        hit.source
        for s, hit in zip(profile.stages, stages, strict=True)
        if s.event == "cd_completed" and hit is not None
    }
    runs = [run for run in change.pipeline_runs if run_source(run) in sources]
    commit_times = [c.committed_at for c in own_commits(change)]
    return change_is_baseline(runs, change.pipeline_runs, commit_times, start.at)


def build_timelines(
    profile: Profile, records: Iterable[RecordModel], *, keys: Collection[str] | None = None
) -> list[ChangeTimeline]:
    """Link ``records`` into changes of the profile's unit and build every timeline.

    ``keys`` restricts the changes built (ticket keys, or ``repo#number`` for the PR unit).
    The result is sorted by change key.
    """
    bundles = link(records, profile_unit(profile), keys=keys)
    timelines = (build_timeline(profile, bundles[key]) for key in sorted(bundles))
    return [t for t in timelines if t is not None]


def _created(change: ScopedChange) -> StageHit | None:
    """Ticket creation (PR creation for the pull-request unit)."""
    if change.unit == "pull_request":
        hits = [StageHit(pr.created_at, pr_source(pr)) for pr in change.pull_requests]
    else:
        hits = [StageHit(i.created_at, issue_source(i)) for i in change.issues]
    return pick(hits, "first")


def _start(
    start: Start, change: ScopedChange, stages: tuple[StageHit | None, ...]
) -> StageHit | None:
    as_stage = start.as_stage()
    if as_stage is not None:
        return stage_hit(as_stage, change)
    if start.event == "ticket_created":
        return _created(change)
    if start.event == "commit_created":
        commits = [StageHit(c.committed_at, commit_source(c)) for c in own_commits(change)]
        prs = [StageHit(pr.created_at, pr_source(pr)) for pr in change.pull_requests]
        return pick(commits, "first") or pick(prs, "first")
    if start.event == "api_event":
        events = [
            StageHit(e.event_time, event_source(e))
            for e in change.events
            if event_matches(e, start.event_types)
        ]
        return pick(events, "first") or _created(change)
    return next((hit for hit in stages if hit is not None), None)

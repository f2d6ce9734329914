"""Baseline deployments: the history a first known deployment ships from before tracking began.

When the deployment history starts later than the commit history (webhooks switched on last
month, a sync with ``--since``), the first deployment seen in a stream ships everything
reachable from its head — years of commits that were, in truth, deployed long ago by
deployments nobody reported. Counted, they inflate lead time by the age of the repository.
Apache DevLake drops the first deployment's commits entirely; leadline drops only the part
that predates tracking (docs/deployments.md, "Baseline deployments"):

* **Tracking start** of a deployment: the earliest known pipeline run (CI or CD, any status,
  any source) of the same repository — or service, for runs that name no repository; or
  the same system and pipeline, for runs that name neither (``tracking_key``). Any source,
  not only the deploying one: a run reported at time T shows the repository's pipelines
  were being reported then, and a small complete dataset whose deployment tool shows up
  after its CI (the lead-time page's example 7) keeps its change.
* **Baseline deployment**: the first deployment (by time, then id) of each stream whose
  source has a partial history. Tag deployments (``leadline git``, system ``git``) are a
  complete history — the first tag is the first release — and so are deployments that are
  merged pull requests or released versions (no system): they have no baseline.
* **Observed** change or commit: a pipeline run that is not itself a baseline deployment (a
  CI run, a later deployment, any other run) is linked to the change, or names the commit
  (``commit_sha``/``commit_shas``, compared by ``shas.same_sha``). Such a run shows tracking
  was on when the work was made; an observed change or commit is never baseline.
* **Baseline** change or commit: shipped by a baseline deployment, not observed, and its
  first commit (a change with no known commit: its start) is strictly **before** that
  deployment's tracking start. A commit exactly at the tracking start counts as tracked.

With deployment-only data, the tracking start is the first deployment's own run and that run
is the only one its changes have, so all of what it ships is baseline (DevLake's rule); with
CI runs known from earlier, only the commits that predate the first of them and that no CI
run named. A small complete dataset, whose first change's commits come minutes before the
first CI run, keeps its change: the CI run names the change's commit. This module is the one
place the rule lives: the commit lead time (``dora.lead_time: commits``), the stored marks
the timelines read (``services/shipments.py``), the drill-down and the data-quality check
all call it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime

from leadline.correlate.ancestry import Deployment
from leadline.correlate.commit_lead_times import CommitLeadTimes
from leadline.correlate.shas import ShaIndex, norm_sha
from leadline.domain.records import PipelineRun
from leadline.domain.times import to_micros

TrackingKey = tuple[str, str]  # ("repo" | "service", name) or ("pipeline", system/pipeline)

COMPLETE_HISTORY_SYSTEMS = frozenset({"git"})
"""Sources whose deployments are a complete history: ``leadline git``'s tags (every tag of
the repository is known, so its first tag is a real first release)."""

TRACKING_START = "tracking_start"
"""The extra field of a stored baseline deployment's run: its tracking start (micros)."""

LABEL = "baseline (before tracking began)"


def tracking_key(system: str, repo: str | None, service: str | None, pipeline: str) -> TrackingKey:
    """Whose tracking start a run sets or a deployment reads: its repository, else its
    service, else its system and pipeline."""
    if repo:
        return ("repo", repo)
    if service:
        return ("service", service)
    return ("pipeline", f"{system}/{pipeline}")


def tracking_starts(runs: Iterable[tuple[TrackingKey, int]]) -> dict[TrackingKey, int]:
    """The earliest time (micros) seen per key: ``runs`` are ``(key, started or finished)``."""
    starts: dict[TrackingKey, int] = {}
    for key, at in runs:
        if key not in starts or at < starts[key]:
            starts[key] = at
    return starts


def baseline_marks(
    deployments: Iterable[Deployment], starts: Mapping[TrackingKey, int]
) -> dict[str, int]:
    """Deployment id → tracking start, for the first deployment of every stream whose source
    has a partial history. A key with no known run falls back to the deployment's time."""
    first: dict[str, Deployment] = {}
    for d in deployments:
        if d.system is None or d.system in COMPLETE_HISTORY_SYSTEMS:
            continue
        seen = first.get(d.stream)
        if seen is None or (d.at_us, d.id) < (seen.at_us, seen.id):
            first[d.stream] = d
    marks: dict[str, int] = {}
    for d in first.values():
        key = tracking_key(d.system or "", d.repo, d.service, d.pipeline or "")
        marks[d.id] = starts.get(key, d.at_us)
    return marks


def is_baseline(
    tracking_start_us: int | None, first_us: int | None, *, observed: bool = False
) -> bool:
    """The rule: shipped by a baseline deployment (``tracking_start_us`` is set), not
    ``observed`` by a run that is not a baseline deployment, and first seen (``first_us``:
    first commit, or start) strictly before its tracking start."""
    return (
        not observed
        and tracking_start_us is not None
        and first_us is not None
        and first_us < tracking_start_us
    )


def observed_shas(shas: Iterable[str], named: Iterable[str]) -> set[str]:
    """The SHAs of ``shas`` (lower case) that are the same commit (``same_sha``: any case,
    abbreviations both ways) as one of ``named``: the SHAs the runs that are not baseline
    deployments name."""
    index: ShaIndex[str] = ShaIndex()
    for sha in named:
        index.add(sha, sha)
    return {norm_sha(sha) for sha in shas if next(index.find(sha), None) is not None}


def commit_baseline(
    lead: CommitLeadTimes,
    committed_us: Mapping[str, int],
    marks: Mapping[str, int],
    observed: Collection[str] = frozenset(),
) -> list[bool]:
    """Per commit of ``lead`` (``leadline dora`` with ``lead_time: commits``): whether it is
    baseline — its first deployment is a baseline deployment, it predates tracking and it is
    not among ``observed`` (lower-case SHAs a run that is not a baseline deployment names;
    see ``observed_shas``)."""
    return [
        is_baseline(marks.get(d), committed_us.get(sha), observed=norm_sha(sha) in observed)
        for sha, d in zip(lead.shas, lead.deployment_ids, strict=True)
    ]


def run_tracking_start(run: PipelineRun) -> int | None:
    """The tracking start the store attached to a baseline deployment's run, else ``None``."""
    value = (run.model_extra or {}).get(TRACKING_START)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_observed(linked_runs: Iterable[PipelineRun]) -> bool:
    """Whether one of a change's linked runs is not itself a baseline deployment."""
    return any(run_tracking_start(run) is None for run in linked_runs)


def change_is_baseline(
    deploy_runs: Sequence[PipelineRun],
    linked_runs: Sequence[PipelineRun],
    commit_times: Sequence[datetime],
    start: datetime,
) -> bool:
    """A change is baseline when one of the runs that gave it a deployment stage
    (``deploy_runs``) is a baseline deployment, none of the runs linked to it
    (``linked_runs``) is observing it (``is_observed``), and its first commit (none known:
    its start) predates that deployment's tracking start."""
    observed = is_observed(linked_runs)
    first = to_micros(min(commit_times)) if commit_times else to_micros(start)
    return any(
        is_baseline(run_tracking_start(run), first, observed=observed) for run in deploy_runs
    )

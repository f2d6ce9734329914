"""The DORA metrics for a profile's ``dora`` block (docs/profiles.md, docs/dora.md)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from leadline.correlate.ancestry import Deployment, Shipments, ship
from leadline.correlate.commit_graph import CommitGraph
from leadline.correlate.commit_lead_times import CommitLeadTimes, commit_lead_times
from leadline.correlate.incidents import (
    DEFAULT_WINDOW,
    Failure,
    FailureKey,
    FailureLink,
    failure_from_issue,
    link_failures,
)
from leadline.correlate.shas import norm_sha
from leadline.correlate.unplanned import link_pr_failures
from leadline.domain.records import Commit, Issue
from leadline.domain.times import format_time, from_micros, to_micros
from leadline.errors import InputError
from leadline.metrics import compare as cmp
from leadline.metrics import dora as metrics
from leadline.metrics import intervals as iv
from leadline.metrics.leadtime import aggregate
from leadline.metrics.series import bucket_index, buckets
from leadline.metrics.windows import Window, default_window
from leadline.profiles.dora_models import DoraSpec
from leadline.profiles.models import Profile, Stage
from leadline.services import dora_deployments as more
from leadline.services import dora_restore as restore
from leadline.services.baseline import commit_flags
from leadline.services.dora_filters import (
    DEPLOY_TYPES,
    exact_match,
    failure_filter,
    glob_match,
    issue_selected,
    reads_params,
    run_filter,
    service_ok,
    statuses,
)
from leadline.services.dora_rework import measure
from leadline.services.dora_sources import any_deployment_run, missing
from leadline.services.dora_unplanned import pr_failures
from leadline.services.leadtime import Progress, baseline_section, lead_time_and_totals
from leadline.store import dora_queries as q
from leadline.store.db import reading


def dora(
    engine: Engine,
    profile: Profile,
    window: Window | None = None,
    interval: str = "week",
    stat: str = "mean",
    now: datetime | None = None,
    on_progress: Progress | None = None,
    *,
    build: bool = True,
    compare: bool = False,
) -> dict[str, Any]:
    """``leadline dora --format json``. ``build``: bring the timelines the lead time reads
    up to date first (the CLI); else answer from the last build, with its ``as_of``.

    Every section carries its 95 % ``interval`` (or ``None``) and ``few_samples``. With
    ``compare`` the report also has ``comparison``: each figure against the previous window
    of the same length, ending where this one starts (docs/dora.md#comparison).
    """
    if profile.dora is None:
        raise InputError(
            f"profile {profile.name!r} has no dora block: add one to say where deployments, "
            "failures and restores come from (docs/profiles.md#the-dora-block)"
        )
    start, end = default_window(window, now or datetime.now(UTC))
    parts, samples = _figures(engine, profile, start, end, interval, stat, on_progress, build)
    fresh = parts["lead_time_for_changes"].pop("as_of", None)
    rework = measure(engine, profile, start, end, interval, _Deployments.load)
    report = metrics.dora_report(
        profile.name, start, end, interval, band_set=profile.dora.bands, **parts,
        deployment_rework_rate=rework.section,
    )  # fmt: skip
    for name, extra in samples.uncertainty(stat).items():
        report[name].update(extra)
    if fresh is not None:
        report["as_of"] = fresh
    if compare:
        before = start - (end - start)
        _, earlier = _figures(engine, profile, before, start, interval, stat, None, build)
        report["comparison"] = {
            "from": format_time(from_micros(before)),
            "to": format_time(from_micros(start)),
            **samples.compare(earlier, stat),
            **rework.compare(measure(engine, profile, before, start, interval, _Deployments.load)),
        }
    return report


@dataclass(frozen=True)
class _Samples:
    """What a window's intervals and comparisons need: counts, exposures and durations."""

    deployments: int
    days: float
    failures: int
    trials: int  # the change failure rate's denominator
    rate_defined: bool
    lead_times: np.ndarray[Any, np.dtype[np.float64]]  # per change, seconds
    restores: np.ndarray[Any, np.dtype[np.float64]]  # per restored incident, seconds
    figures: dict[str, float | None]
    absolute: bool = False  # failures.count: absolute (the figure is a Poisson count)

    def uncertainty(self, stat: str) -> dict[str, dict[str, Any]]:
        """Each section's ``interval`` and ``few_samples``."""
        df = iv.poisson(self.deployments, self.days)
        cfr = iv.wilson(self.failures, self.trials) if self.rate_defined else None
        if self.absolute:
            cfr = iv.poisson(self.failures, 1.0)
        lead = iv.durations(self.lead_times, stat)
        mttr = iv.durations(self.restores, "mean")
        sizes = {
            "deployment_frequency": (df, self.deployments, metrics.RATE_DECIMALS),
            "change_failure_rate": (cfr, self.trials, metrics.RATE_DECIMALS),
            "lead_time_for_changes": (lead, int(self.lead_times.size), None),
            "mean_time_to_restore": (mttr, int(self.restores.size), None),
        }
        return {
            name: {
                "interval": None
                if i is None or self.figures[name] is None
                else (i.rounded(d) if d else i).to_json(),
                "few_samples": iv.few_samples(n),
            }
            for name, (i, n, d) in sizes.items()
        }

    def compare(self, previous: _Samples, stat: str) -> dict[str, dict[str, Any]]:
        """The ``comparison`` sections: this window against ``previous``."""
        now, then = self.figures, previous.figures
        df = cmp.poisson_rates(self.deployments, self.days, previous.deployments, previous.days)
        cfr = (
            cmp.two_proportions(self.failures, self.trials, previous.failures, previous.trials)
            if self.rate_defined and previous.rate_defined
            else None
        )
        if self.absolute:  # counts: as rates per day of the two windows
            cfr = cmp.poisson_rates(self.failures, self.days, previous.failures, previous.days)
        tests = {
            "deployment_frequency": (df, False),
            "lead_time_for_changes": (cmp.mann_whitney(self.lead_times, previous.lead_times), True),
            "change_failure_rate": (cfr, True),
            "mean_time_to_restore": (cmp.mann_whitney(self.restores, previous.restores), True),
        }
        return {  # a figure with no data in either window has nothing to test
            name: cmp.comparison(
                now[name], then[name], None if None in (now[name], then[name]) else test, lower
            )
            for name, (test, lower) in tests.items()
        }


def _figures(
    engine: Engine,
    profile: Profile,
    start: int,
    end: int,
    interval: str,
    stat: str,
    on_progress: Progress | None,
    build: bool,
) -> tuple[dict[str, Any], _Samples]:
    """The four sections of ``[start, end)`` (lead time with its ``as_of``, if any) and the
    samples behind them."""
    assert profile.dora is not None
    spec = profile.dora
    bands = spec.bands
    with reading(engine) as conn:
        if _window_runs_suffice(spec):
            success, failed = _window_run_times(conn, profile, spec, start, end)
            df = metrics.deployment_frequency(success, start, end, interval, bands)
            cfr = metrics.change_failure_rate_cd(success, failed, start, end, interval, bands)
            if spec.failures.total == "all_runs":
                cfr = more.window_all_runs(conn, profile, spec, start, end, interval)
            deployed = bool(success.size or failed.size) or any_deployment_run(
                conn, profile, spec, end
            )
        else:
            found = _Deployments.load(conn, profile, spec, end)
            times = found.times_in(start, end)
            df = metrics.deployment_frequency(times, start, end, interval, bands)
            cfr = _change_failure_rate(conn, profile, spec, found, start, end, interval)
            deployed = bool(found.items or found.runs)
        failing = spec.failures.source == "cd" or bool(_failures(conn, profile, _EVER, None))
        mttr, restored, restoring = restore.mttr(conn, profile, start, end, interval)
        if spec.lead_time == "commits":
            lead, totals = _commit_lead_time(conn, profile, found, stat, start, end, interval)
    if spec.lead_time != "commits":
        closed = Window(from_micros(start), from_micros(end))
        lead, totals = lead_time_and_totals(
            engine, profile, stat, closed, on_progress, interval, build=build
        )
        lead.pop("in_flight", None)
    fresh = lead.pop("as_of", None)
    lead.pop("window", None)  # the report states it once
    lead = metrics.lead_time_for_changes(lead, bands)
    if fresh is not None:
        lead["as_of"] = fresh
    no = missing(spec, deployed, failing, restoring)
    df = metrics.without_data(df, "per_day", no.deployments)
    cfr = metrics.without_data(cfr, "rate", no.failures)
    if no.failures:  # no bucket has a rate either
        cfr["series"] = [{**point, "rate": None} for point in cfr["series"]]
    mttr = metrics.without_data(mttr, "mean_seconds", no.restore)
    if not lead["changes"] and spec.lead_time == "commits" and no.deployments:
        lead["reason"] = no.deployments
    absolute = spec.failures.count == "absolute"
    if absolute:
        cfr = more.absolute(cfr, no.failures is not None)
    linked = "unlinked" in cfr or "total" in cfr  # the denominator is `deployments` alone
    counted = absolute and "reason" not in cfr  # a number of failures is the figure
    samples = _Samples(
        deployments=int(df["deployments"]),
        days=float(df["days"]),
        failures=int(cfr["failures"]),
        trials=int(cfr["deployments"]) + (0 if linked else int(cfr["failures"])),
        rate_defined=cfr["rate"] is not None,
        lead_times=np.asarray(totals, dtype=np.float64),
        restores=restored,
        figures={
            "deployment_frequency": df["per_day"],
            "lead_time_for_changes": lead["total_seconds"] if lead["changes"] else None,
            "change_failure_rate": cfr["failures"] if counted else cfr["rate"],
            "mean_time_to_restore": mttr["mean_seconds"],
        },
        absolute=absolute,
    )
    parts = {
        "deployment_frequency": df,
        "lead_time_for_changes": lead,
        "change_failure_rate": cfr,
        "mean_time_to_restore": mttr,
    }
    return parts, samples


def _window_runs_suffice(spec: DoraSpec) -> bool:
    """Deployments and failures both from CD runs, lead time from the timelines: the runs
    finished inside the window are all the metrics need (no history, no ancestry)."""
    return (
        spec.deployments.source == "cd"
        and spec.failures.source == "cd"
        and spec.lead_time != "commits"
        and not reads_params(spec)  # the grouped run times carry no params
    )


def _window_run_times(
    conn: Connection, profile: Profile, spec: DoraSpec, start: int, end: int
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.int64]]]:
    """Sorted finish times of the successful and of the failed deployments in the window
    (the same runs as ``_Deployments.load`` and ``_failed_runs`` keep there)."""
    deploys = run_filter(profile, spec.deployments.pipelines, spec.deployments.environments)
    fails = failure_filter(profile, spec)
    ok = statuses(spec.deployments.statuses, ["success"])
    bad = statuses(spec.failures.statuses, ["failure", "rolled_back"])
    success: list[np.ndarray[Any, np.dtype[np.int64]]] = [np.empty(0, np.int64)]
    failed: list[np.ndarray[Any, np.dtype[np.int64]]] = [np.empty(0, np.int64)]
    for (pipeline, environment, repo, service, status), times in q.load_run_times(
        conn, DEPLOY_TYPES, start, end, spec.deployments.count_at
    ):
        if status in ok and deploys(pipeline, environment, repo, service):
            success.append(times)
        if status in bad and fails(pipeline, environment, repo, service):
            failed.append(times)
    return np.sort(np.concatenate(success)), np.sort(np.concatenate(failed))


@dataclass
class _Deployments:
    """Successful deployments up to the window's end (history included, for ancestry)."""

    items: list[Deployment]
    runs: list[q.RunRow]  # cd source only: every run of a deploying type, any status
    conn: Connection
    _shipments: Shipments | None = None
    # cd source only: every deploying run before the end, unfiltered (failed runs reuse it)
    all_runs: list[q.RunRow] | None = None

    @classmethod
    def load(cls, conn: Connection, profile: Profile, spec: DoraSpec, end: int) -> _Deployments:
        d = spec.deployments
        repos = profile.scope.repos
        if d.source == "cd":
            every = q.load_runs(conn, DEPLOY_TYPES, end, d.count_at, with_params=reads_params(spec))
            keep = run_filter(profile, d.pipelines, d.environments, d.params)
            runs = [
                r for r in every if keep(r.pipeline, r.environment, r.repo, r.service, r.params)
            ]
            ok = statuses(d.statuses, ["success"])
            items = [r.deployment(d.count_at) for r in runs if r.status in ok]
            if d.count_at == "start":  # in time order, as by finish
                items.sort(key=lambda x: (x.at_us, x.id))
            return cls(items, runs, conn, all_runs=every)
        if d.source == "issues":
            tickets = more.ticket_deployments(conn, profile, d, end)
            return cls([t.deployment for t in tickets], [], conn)
        if d.source == "pull_requests":
            items = [
                Deployment(
                    id=f"{pr.repo}#{pr.number}",
                    stream=json.dumps(["pull_requests", pr.repo, pr.target_branch or ""]),
                    at_us=to_micros(pr.merged_at),
                    sha=pr.merge_commit_sha,
                    branch=pr.target_branch,
                    repo=pr.repo,
                )
                for pr in q.load_pull_requests(conn)
                if pr.merged_at is not None and to_micros(pr.merged_at) < end
                and glob_match(pr.target_branch, d.target_branches) and glob_match(pr.repo, repos)
                and (d.labels is None or any(glob_match(x, d.labels) for x in pr.labels))
            ]  # fmt: skip
            return cls(sorted(items, key=lambda x: (x.at_us, x.id)), [], conn)
        items = [
            Deployment(
                id=f"{v.project}/{v.name}",
                stream=json.dumps(["releases", v.project]),
                at_us=v.released_at,
                sha=None,
            )
            for v in q.load_releases(conn, end)
            if glob_match(v.project, d.projects) and glob_match(v.project, profile.scope.projects)
            and more.release_named(v.name, d)
        ]  # fmt: skip
        return cls(sorted(items, key=lambda x: (x.at_us, x.id)), [], conn)

    def times_in(self, start: int, end: int) -> np.ndarray[Any, np.dtype[np.int64]]:
        times = np.array([d.at_us for d in self.items], dtype=np.int64)
        return times[(times >= start) & (times < end)]

    def shipments(self) -> Shipments:
        if self._shipments is None:
            graph = CommitGraph(q.load_commit_parents(self.conn))
            self._shipments = ship(graph, self.items, q.load_pull_requests(self.conn))
        return self._shipments


COMMIT_STAGE = "Commit to deployment"
_EVER = -(2**62)  # before any time: "recorded before the window's end"


def _commit_lead_time(
    conn: Connection,
    profile: Profile,
    found: _Deployments,
    stat: str,
    start: int,
    end: int,
    interval: str,
) -> tuple[dict[str, Any], np.ndarray[Any, np.dtype[np.float64]]]:
    """Lead time per commit: the first deployment that shipped it − its commit time, for the
    commits first deployed inside the window (the change unit is the commit); and
    each of those commits' seconds."""
    times, baseline = _commit_times(conn, profile, found)
    inside = (times.deployed_at_us >= start) & (times.deployed_at_us < end)
    include = profile.deployments.baseline == "include"
    left_out = int((inside & baseline).sum())
    if not include:
        inside &= ~baseline
    seconds = times.seconds[inside].reshape(-1, 1)
    stage = Stage(name=COMMIT_STAGE, event="cd_completed")
    result = aggregate(seconds, [stage], stat, "exclude").to_json(profile.name, stat)
    grid = buckets(start, end, interval)
    index = bucket_index(times.deployed_at_us[inside], grid, start, end)
    result["series"] = [
        {
            "start": b.label,
            "changes": int((index == i).sum()),
            "total_seconds": aggregate(seconds[index == i], [stage], stat, "exclude").total_seconds,
        }
        for i, b in enumerate(grid)
    ]
    result["baseline"] = baseline_section(left_out, include)
    return result, seconds[:, 0]


def _commit_times(
    conn: Connection, profile: Profile, found: _Deployments
) -> tuple[CommitLeadTimes, np.ndarray[Any, np.dtype[np.bool_]]]:
    """Every commit in scope that a deployment shipped: its first deployment and lead time;
    and whether each is baseline (``services/baseline.commit_flags``)."""
    commits = [
        # Validated, not model_construct: construct resolves every default factory's
        # signature per call (~0.5 ms a commit), validation takes ~3 µs.
        Commit(kind="commit", repo=repo, sha=sha, committed_at=from_micros(at))
        for repo, sha, at in q.load_commit_times(conn)
        if glob_match(repo, profile.scope.repos)
    ]
    lead = commit_lead_times(commits, found.shipments())
    committed = {norm_sha(c.sha): to_micros(c.committed_at) for c in commits}
    flags = commit_flags(conn, lead, committed, found.items, found.all_runs or [])
    return lead, np.array(flags, dtype=np.bool_)


def _change_failure_rate(
    conn: Connection,
    profile: Profile,
    spec: DoraSpec,
    found: _Deployments,
    start: int,
    end: int,
    interval: str,
) -> Any:
    f, bands = spec.failures, spec.bands
    success = found.times_in(start, end)
    count_at = spec.deployments.count_at
    if f.source == "cd":
        runs = _failed_runs(conn, profile, spec, end, found.all_runs)
        if f.total == "all_runs":
            times, bad = more.all_runs_of([*found.runs, *runs], {r.key for r in runs},
                                          count_at, start, end)  # fmt: skip
            return more.over_all_runs(times, bad, start, end, interval, bands)
        failed = np.array([r.at(count_at) for r in runs], dtype=np.int64)
        failed = failed[(failed >= start) & (failed < end)]
        return metrics.change_failure_rate_cd(success, failed, start, end, interval, bands)
    failures, links = _linked_failures(conn, profile, spec, found, start)
    failed_ids = {link.deployment_id for link in links.values() if link.deployment_id}
    in_window = [d for d in found.items if start <= d.at_us < end]
    times = np.array([d.at_us for d in in_window], dtype=np.int64)
    mask = np.array([d.id in failed_ids for d in in_window], dtype=bool)
    # Failures of this window that attached to no deployment at all (one linked to a
    # deployment of another window belongs to that window).
    unlinked = sum(
        1 for x in failures if start <= x.at_us < end and links[x.key].deployment_id is None
    )
    if f.total == "all_runs":  # the loader allows it with cd deployments only
        times, bad = more.all_runs_of(found.runs, failed_ids, count_at, start, end)
        return more.over_all_runs(times, bad, start, end, interval, bands, unlinked=unlinked)
    return metrics.change_failure_rate_linked(
        times, mask, start, end, interval, bands, unlinked_failures=unlinked
    )


def _failed_runs(
    conn: Connection,
    profile: Profile,
    spec: DoraSpec,
    end: int,
    loaded: list[q.RunRow] | None = None,
) -> list[q.RunRow]:
    """``failures.source: cd``: the failed deployment runs finished before ``end``
    (``loaded``: the deploying runs before ``end``, when the caller has them already)."""
    if spec.deployments.source != "cd":
        raise InputError("dora.failures.source 'cd' needs dora.deployments.source 'cd'")
    keep = failure_filter(profile, spec)
    bad = statuses(spec.failures.statuses, ["failure", "rolled_back"])
    count_at = spec.deployments.count_at
    every = (
        loaded
        if loaded is not None
        else q.load_runs(conn, DEPLOY_TYPES, end, count_at, with_params=reads_params(spec))
    )
    return [
        r for r in every
        if r.status in bad and keep(r.pipeline, r.environment, r.repo, r.service, r.params)
    ]  # fmt: skip


def _linked_failures(
    conn: Connection, profile: Profile, spec: DoraSpec, found: _Deployments, start: int
) -> tuple[list[Failure], dict[FailureKey, FailureLink]]:
    """``failures.source: incidents|issues``: the failures that may link to a deployment of a
    window starting at ``start``, and the deployment each one links to (docs/deployments.md,
    rule 9)."""
    f = spec.failures
    try:
        window = timedelta(seconds=f.window) if f.window is not None else DEFAULT_WINDOW
    except OverflowError:
        raise InputError(f"dora.failures.window is too long: {f.window} seconds") from None
    # Every failure that can link to a deployment in the window: created from one look-back
    # window before it on (explicit links may come later still).
    look_back = start - int(window.total_seconds() * 1_000_000)
    failures = _failures(conn, profile, look_back, None)
    needs_ancestry = any(x.commit_sha for x in failures)
    link = link_pr_failures if f.source == "pull_requests" else link_failures
    links = link(
        failures, found.items, found.shipments() if needs_ancestry else None, window=window
    )
    return failures, links


def _failures(conn: Connection, profile: Profile, start: int, end: int | None) -> list[Failure]:
    """Incidents (or failure issues) created in ``[start, end)`` (``end`` None: no limit)."""
    assert profile.dora is not None
    f, services = profile.dora.failures, profile.scope.services
    if f.source == "pull_requests":
        return pr_failures(conn, profile, start, end)
    if f.source == "incidents":
        keep = restore.incident_filter(f.priorities, f.severities, f.urgencies, f.services)
        return [
            Failure((i.source, i.id), i.created_at, i.service, i.deployment_run_id, i.commit_sha)
            for i in q.load_incidents(conn)
            if start <= i.created_at and (end is None or i.created_at < end)
            and service_ok(i.service, services) and keep(i)
        ]  # fmt: skip
    issues = [
        i for i in _issues(conn, f.issue_types, f.projects, f.labels)
        if service_ok(i.service, services) and exact_match(i.priority, f.priorities)
    ]  # fmt: skip
    return [
        failure_from_issue(i)
        for i in issues
        if start <= to_micros(i.created_at) and (end is None or to_micros(i.created_at) < end)
    ]


def _issues(
    conn: Connection,
    types: Sequence[str] | None,
    projects: Sequence[str] | None,
    labels: Sequence[str] | None,
) -> list[Issue]:
    return [i for i in q.load_issues(conn) if issue_selected(i, types, projects, labels)]

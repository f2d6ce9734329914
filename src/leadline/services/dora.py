"""The DORA metrics for a profile's ``dora`` block (docs/profiles.md, docs/dora.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from leadline.domain.times import format_time, from_micros
from leadline.errors import InputError
from leadline.metrics import compare as cmp
from leadline.metrics import dora as metrics
from leadline.metrics import intervals as iv
from leadline.metrics.compare import ComparisonEntry
from leadline.metrics.dora_json import (
    ChangeFailureRate,
    DeploymentFrequency,
    DoraReport,
    LeadTimeForChanges,
    MeanTimeToRestore,
    Uncertain,
)
from leadline.metrics.series import RatePoint
from leadline.metrics.windows import Window, default_window
from leadline.profiles.dora_models import DoraSpec
from leadline.profiles.models import Profile
from leadline.services import dora_deployments as more
from leadline.services import dora_restore as restore
from leadline.services.dora_lead import commit_lead_time
from leadline.services.dora_rework import measure
from leadline.services.dora_select import (
    EVER,
    Deployments,
    failed_runs,
    failures,
    linked_failures,
    team_restores,
    window_run_times,
    window_runs_suffice,
)
from leadline.services.dora_sources import any_deployment_run, missing
from leadline.services.leadtime import Progress, lead_time_and_totals
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
) -> DoraReport:
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
    fresh = parts.lead_time_for_changes.pop("as_of", None)
    rework = measure(engine, profile, start, end, interval, Deployments.load)
    report = metrics.dora_report(
        profile.name, start, end, interval, band_set=profile.dora.bands,
        deployment_frequency=parts.deployment_frequency,
        lead_time_for_changes=parts.lead_time_for_changes,
        change_failure_rate=parts.change_failure_rate,
        mean_time_to_restore=parts.mean_time_to_restore,
        deployment_rework_rate=rework.section,
    )  # fmt: skip
    samples.add_uncertainty(report, stat)
    if fresh is not None:
        report["as_of"] = fresh
    if compare:
        before = start - (end - start)
        _, earlier = _figures(engine, profile, before, start, interval, stat, None, build)
        tested = samples.compare(earlier, stat)
        previous = measure(engine, profile, before, start, interval, Deployments.load)
        report["comparison"] = {
            "from": format_time(from_micros(before)),
            "to": format_time(from_micros(start)),
            "deployment_frequency": tested["deployment_frequency"],
            "lead_time_for_changes": tested["lead_time_for_changes"],
            "change_failure_rate": tested["change_failure_rate"],
            "mean_time_to_restore": tested["mean_time_to_restore"],
            "deployment_rework_rate": rework.compare(previous),
        }
    return report


@dataclass(frozen=True)
class _Figures:
    """The four sections of one window, as ``metrics/dora.py`` builds them."""

    deployment_frequency: DeploymentFrequency
    lead_time_for_changes: LeadTimeForChanges
    change_failure_rate: ChangeFailureRate
    mean_time_to_restore: MeanTimeToRestore


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

    def add_uncertainty(self, report: DoraReport, stat: str) -> None:
        """Each section's ``interval`` and ``few_samples``, added at its end."""
        df = iv.poisson(self.deployments, self.days)
        cfr = iv.wilson(self.failures, self.trials) if self.rate_defined else None
        if self.absolute:
            cfr = iv.poisson(self.failures, 1.0)
        lead = iv.durations(self.lead_times, stat)
        mttr = iv.durations(self.restores, "mean")
        sizes: list[tuple[Uncertain, str, iv.Interval | None, int, int | None]] = [
            (report["deployment_frequency"], "deployment_frequency", df, self.deployments,
             metrics.RATE_DECIMALS),
            (report["change_failure_rate"], "change_failure_rate", cfr, self.trials,
             metrics.RATE_DECIMALS),
            (report["lead_time_for_changes"], "lead_time_for_changes", lead,
             int(self.lead_times.size), None),
            (report["mean_time_to_restore"], "mean_time_to_restore", mttr,
             int(self.restores.size), None),
        ]  # fmt: skip
        for section, name, i, n, d in sizes:
            section["interval"] = (
                None
                if i is None or self.figures[name] is None
                else (i.rounded(d) if d else i).to_json()
            )
            section["few_samples"] = iv.few_samples(n)

    def compare(self, previous: _Samples, stat: str) -> dict[str, ComparisonEntry]:
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
) -> tuple[_Figures, _Samples]:
    """The four sections of ``[start, end)`` (lead time with its ``as_of``, if any) and the
    samples behind them."""
    assert profile.dora is not None
    spec = profile.dora
    bands = spec.bands
    with reading(engine) as conn:
        if window_runs_suffice(spec, profile):
            success, failed = window_run_times(conn, profile, spec, start, end)
            df = metrics.deployment_frequency(success, start, end, interval, bands)
            cfr = metrics.change_failure_rate_cd(success, failed, start, end, interval, bands)
            if spec.failures.total == "all_runs":
                cfr = more.window_all_runs(conn, profile, spec, start, end, interval)
            deployed = bool(success.size or failed.size) or any_deployment_run(
                conn, profile, spec, end
            )
        else:
            found = Deployments.load(conn, profile, spec, end)
            times = found.times_in(start, end)
            df = metrics.deployment_frequency(times, start, end, interval, bands)
            cfr = _change_failure_rate(conn, profile, spec, found, start, end, interval)
            deployed = bool(found.items or found.runs)
        failing = spec.failures.source == "cd" or bool(failures(conn, profile, EVER, None))
        keep = None if window_runs_suffice(spec, profile) else team_restores(conn, profile, found)
        mttr, restored, restoring = restore.mttr(conn, profile, start, end, interval, keep)
        if spec.lead_time == "commits":
            lead, totals = commit_lead_time(conn, profile, found, stat, start, end, interval)
    if spec.lead_time != "commits":
        closed = Window(from_micros(start), from_micros(end))
        lead, totals = lead_time_and_totals(
            engine, profile, stat, closed, on_progress, interval, build=build
        )
        lead.pop("in_flight", None)
    fresh = lead.pop("as_of", None)
    lead.pop("window", None)  # the report states it once
    section = metrics.lead_time_for_changes(lead, bands)
    if fresh is not None:
        section["as_of"] = fresh
    no = missing(spec, deployed, failing, restoring)
    df = metrics.without_data(df, "per_day", no.deployments)
    cfr = metrics.without_data(cfr, "rate", no.failures)
    if no.failures:  # no bucket has a rate either
        cfr["series"] = [
            RatePoint(start=p["start"], failures=p["failures"], deployments=p["deployments"],
                      rate=None)
            for p in cfr["series"]
        ]  # fmt: skip
    mttr = metrics.without_data(mttr, "mean_seconds", no.restore)
    if not section["changes"] and spec.lead_time == "commits" and no.deployments:
        section["reason"] = no.deployments
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
            "lead_time_for_changes": section["total_seconds"] if section["changes"] else None,
            "change_failure_rate": cfr["failures"] if counted else cfr["rate"],
            "mean_time_to_restore": mttr["mean_seconds"],
        },
        absolute=absolute,
    )
    return _Figures(df, section, cfr, mttr), samples


def _change_failure_rate(
    conn: Connection,
    profile: Profile,
    spec: DoraSpec,
    found: Deployments,
    start: int,
    end: int,
    interval: str,
) -> Any:
    f, bands = spec.failures, spec.bands
    success = found.times_in(start, end)
    count_at = spec.deployments.count_at
    if f.source == "cd":
        runs = failed_runs(conn, profile, spec, end, found.all_runs, found)
        if f.total == "all_runs":
            times, bad = more.all_runs_of([*found.runs, *runs], {r.key for r in runs},
                                          count_at, start, end)  # fmt: skip
            return more.over_all_runs(times, bad, start, end, interval, bands)
        failed = np.array([r.at(count_at) for r in runs], dtype=np.int64)
        failed = failed[(failed >= start) & (failed < end)]
        return metrics.change_failure_rate_cd(success, failed, start, end, interval, bands)
    found_failures, links = linked_failures(conn, profile, spec, found, start)
    failed_ids = {link.deployment_id for link in links.values() if link.deployment_id}
    in_window = [d for d in found.items if start <= d.at_us < end]
    times = np.array([d.at_us for d in in_window], dtype=np.int64)
    mask = np.array([d.id in failed_ids for d in in_window], dtype=bool)
    # Failures of this window that attached to no deployment at all (one linked to a
    # deployment of another window belongs to that window).
    unlinked = sum(
        1 for x in found_failures if start <= x.at_us < end and links[x.key].deployment_id is None
    )
    if f.total == "all_runs":  # the loader allows it with cd deployments only
        times, bad = more.all_runs_of(found.runs, failed_ids, count_at, start, end)
        return more.over_all_runs(times, bad, start, end, interval, bands, unlinked=unlinked)
    return metrics.change_failure_rate_linked(
        times, mask, start, end, interval, bands, unlinked_failures=unlinked
    )

"""The four DORA metrics over a window ``[start, end)`` (docs/dora.md).

Pure and vectorised: the service layer loads the times (integer microseconds since the epoch,
UTC) and the deployment ↔ failure links; these functions count, divide, band and bucket them.
Each returns its metric's object of ``leadline dora --format json``; ``dora_report`` assembles
the document. Definitions, edge rules and warnings: ``docs/dora.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

from leadline.domain.times import format_time, from_micros
from leadline.metrics.bands import (
    CHANGE_FAILURE_RATE,
    CUSTOM,
    DEFAULT_BAND_SET,
    DEPLOYMENT_FREQUENCY,
    MTTR,
    BandSet,
    band,
    scale_of,
)
from leadline.metrics.bands import (
    lead_time_band as lead_time_band,  # re-exported: the brief's convenience
)
from leadline.metrics.dora_json import (
    ChangeFailureRate,
    DeploymentFrequency,
    DeploymentRework,
    DoraReport,
    LeadTimeForChanges,
    Level,
    MeanTimeToRestore,
    ReportWindow,
)
from leadline.metrics.series import (
    DAY_US,
    Bucket,
    OptionalTimes,
    RatePoint,
    RestorePoint,
    as_optional_times,
    as_times,
    bucket_counts,
    bucket_index,
    bucket_summary,
    buckets,
    count_points,
    window_json,
)
from leadline.metrics.stats import IntArray, statistic
from leadline.words import plural

RATE_DECIMALS = 4


NO_DEPLOYMENT = "no deployment in the window: nothing to rate"
NO_CHANGE = "no change counted in the window"
NO_RESTORE = "no incident resolved in the window"


def _grid(start_us: int, end_us: int, interval: str, band_set: BandSet) -> list[Bucket]:
    scale_of(band_set)  # validates it
    return buckets(start_us, end_us, interval)


def deployment_frequency(
    deploy_times_us: npt.ArrayLike,
    start_us: int,
    end_us: int,
    interval: str,
    band_set: BandSet = DEFAULT_BAND_SET,
) -> DeploymentFrequency:
    """Deployments in ``[start, end)`` (by finish time), per day, band and per-bucket counts.

    The band compares the exact ratio ``deployments · 86 400 000 000 / window_µs`` with the
    edges, so exactly 1 deployment in 7 days is ``high`` and 1 in 30 days ``medium``.
    """
    grid = _grid(start_us, end_us, interval, band_set)
    counts = bucket_counts(bucket_index(deploy_times_us, grid, start_us, end_us), len(grid))
    deployments = int(counts.sum())
    window = int(end_us) - int(start_us)
    days = window / DAY_US
    exact = Fraction(deployments * DAY_US, window)
    return DeploymentFrequency(
        deployments=deployments,
        days=days,
        per_day=round(deployments / days, RATE_DECIMALS),
        band=band(DEPLOYMENT_FREQUENCY, exact, band_set),
        series=count_points(grid, counts),
    )


def _cfr(
    grid: list[Bucket],
    failures: IntArray,
    deployments: IntArray,
    denominators: IntArray,
    band_set: BandSet,
    undefined: bool,
    warnings: list[str],
) -> ChangeFailureRate:
    """The CFR object: ``rate = failures / denominators`` overall and per bucket."""
    total_failures = int(failures.sum())
    total = int(denominators.sum())
    # Nothing deployed (and so nothing failed, or failures that attach to no deployment): a
    # rate of nothing is no data, not 0 %.
    exact = None if undefined or total == 0 else Fraction(total_failures, total)
    points = [
        RatePoint(
            start=b.label,
            failures=int(f),
            deployments=int(d),
            rate=round(f / n, RATE_DECIMALS) if n else 0.0,
        )
        for b, f, d, n in zip(
            grid, failures.tolist(), deployments.tolist(), denominators.tolist(), strict=True
        )
    ]
    result = ChangeFailureRate(
        failures=total_failures,
        deployments=int(deployments.sum()),
        rate=None if exact is None else round(float(exact), RATE_DECIMALS),
        band=None if exact is None else band(CHANGE_FAILURE_RATE, exact, band_set),
        series=points,
        warnings=warnings,
    )
    if exact is None:
        result["reason"] = warnings[0] if undefined and warnings else NO_DEPLOYMENT
    return result


def change_failure_rate_cd(
    success_times_us: npt.ArrayLike,
    failure_times_us: npt.ArrayLike,
    start_us: int,
    end_us: int,
    interval: str,
    band_set: BandSet = DEFAULT_BAND_SET,
) -> ChangeFailureRate:
    """``failures: cd``: ``rate = failures / (deployments + failures)``, where ``deployments``
    is the number of successful runs and ``failures`` the failed ones, both in the window."""
    grid = _grid(start_us, end_us, interval, band_set)
    ok = bucket_counts(bucket_index(success_times_us, grid, start_us, end_us), len(grid))
    bad = bucket_counts(bucket_index(failure_times_us, grid, start_us, end_us), len(grid))
    return _cfr(grid, bad, ok, ok + bad, band_set, undefined=False, warnings=[])


def change_failure_rate_linked(
    deploy_times_us: npt.ArrayLike,
    failed_deploy_mask: npt.ArrayLike,
    start_us: int,
    end_us: int,
    interval: str,
    band_set: BandSet = DEFAULT_BAND_SET,
    *,
    unlinked_failures: int = 0,
) -> ChangeFailureRate:
    """``failures: incidents | issues``: ``rate = failed deployments / deployments``.

    ``failed_deploy_mask[i]`` says whether deployment ``i`` is linked to at least one failure
    (docs/deployments.md, rule 9); ``unlinked_failures`` counts the failures in the window
    that attached to no deployment. They are reported as ``unlinked`` with a warning; when
    there are such failures but no deployments the rate is ``None`` (docs/dora.md).
    """
    if int(unlinked_failures) < 0:
        raise ValueError("unlinked_failures must be >= 0")
    mask = np.asarray(failed_deploy_mask, dtype=bool)
    times = as_times(deploy_times_us)
    if mask.shape != times.shape:
        raise ValueError(f"failed_deploy_mask must have shape {times.shape}, got {mask.shape}")
    grid = _grid(start_us, end_us, interval, band_set)
    index = bucket_index(times, grid, start_us, end_us)
    deployed = bucket_counts(index, len(grid))
    failed = bucket_counts(index, len(grid), where=mask)
    unlinked = int(unlinked_failures)
    no_deployments = int(deployed.sum()) == 0
    warnings: list[str] = []
    if unlinked and no_deployments:
        warnings.append(
            f"{plural(unlinked, 'failure')} in the window but no deployments: "
            "the change failure rate is undefined"
        )
    elif unlinked:
        warnings.append(
            f"{plural(unlinked, 'failure')} linked to no deployment, not counted in the rate"
        )
    undefined = unlinked > 0 and no_deployments
    result = _cfr(grid, failed, deployed, deployed, band_set, undefined, warnings)
    result["unlinked"] = unlinked
    return result


def mean_time_to_restore(
    created_us: npt.ArrayLike,
    resolved_us: OptionalTimes,
    start_us: int,
    end_us: int,
    interval: str,
    band_set: BandSet = DEFAULT_BAND_SET,
    opened_us: npt.ArrayLike | None = None,
) -> MeanTimeToRestore:
    """Mean and median restore time of the incidents **resolved** in ``[start, end)``.

    Restore time = resolved − created, in exact seconds (from microseconds; never rounded to
    hours); negative ones are counted as 0 and reported in ``warnings``. ``open`` counts the
    incidents created before ``end`` and not resolved before ``end`` (open at the end of the
    window, whenever they were created). The series buckets incidents by resolution time.
    ``opened_us``: when each incident came to exist, if its clock starts later than that
    (``dora.restore.start``): ``open`` counts from then instead of from ``created_us``.
    """
    created = as_times(created_us)
    resolved, is_resolved = as_optional_times(resolved_us)
    if resolved.shape != created.shape:
        raise ValueError(f"resolved_us must have shape {created.shape}, got {resolved.shape}")
    opened = created if opened_us is None else as_times(opened_us)
    if opened.shape != created.shape:
        raise ValueError(f"opened_us must have shape {created.shape}, got {opened.shape}")
    grid = _grid(start_us, end_us, interval, band_set)
    index = bucket_index(resolved, grid, start_us, end_us)
    index[~is_resolved] = -1
    counted = index >= 0
    durations = resolved - created  # only the counted entries are used
    negative = int((durations[counted] < 0).sum())
    all_seconds = np.maximum(durations, 0) / 1_000_000  # exact below 2**53 µs (285 years)
    seconds = all_seconds[counted]
    still_open = (opened < end_us) & (~is_resolved | (resolved >= end_us))
    incidents = int(seconds.size)
    mean = statistic(seconds, "mean") if incidents else None
    median = statistic(seconds, "median") if incidents else None

    counts, stats = bucket_summary(index, all_seconds, len(grid), ("mean", "median"))
    points = [
        RestorePoint(start=b.label, incidents=n, mean_seconds=m, median_seconds=md)
        for b, n, m, md in zip(grid, counts, stats["mean"], stats["median"], strict=True)
    ]
    clamped = f"{plural(negative, 'incident')} resolved before created; counted as 0 seconds"
    result = MeanTimeToRestore(
        incidents=incidents,
        mean_seconds=mean,
        median_seconds=median,
        open=int(still_open.sum()),
        band=band(MTTR, mean, band_set),
        series=points,
        warnings=[clamped] if negative else [],
    )
    if mean is None:
        result["reason"] = NO_RESTORE
    return result


def restore_seconds(
    created_us: npt.ArrayLike, resolved_us: OptionalTimes, start_us: int, end_us: int
) -> npt.NDArray[np.float64]:
    """The restore times (seconds, negative ones as 0) that ``mean_time_to_restore`` averages:
    the incidents resolved in ``[start, end)``."""
    created = as_times(created_us)
    resolved, is_resolved = as_optional_times(resolved_us)
    if resolved.shape != created.shape:
        raise ValueError(f"resolved_us must have shape {created.shape}, got {resolved.shape}")
    counted = is_resolved & (resolved >= int(start_us)) & (resolved < int(end_us))
    seconds: npt.NDArray[np.float64] = np.maximum(resolved - created, 0)[counted] / 1_000_000
    return seconds


def lead_time_for_changes(
    lead_time_json: Mapping[str, Any], band_set: BandSet = DEFAULT_BAND_SET
) -> LeadTimeForChanges:
    """A ``lead-time`` JSON object plus its ``band`` (``None`` when no change was counted)."""
    result = cast(LeadTimeForChanges, dict(lead_time_json))
    counted = int(result.get("changes", 0)) > 0
    total = result.get("total_seconds")
    result["band"] = lead_time_band(
        float(total) if counted and total is not None else None, band_set
    )
    if not counted:
        result["total_seconds"] = None
        result["reason"] = NO_CHANGE
    return result


Section = TypeVar("Section", bound=Mapping[str, object])


def without_data(section: Section, figure: str, reason: str | None) -> Section:
    """``section`` with ``figure`` and ``band`` ``null`` and ``reason`` set, when ``reason``
    says the metric has no source; else ``section`` unchanged. A metric with no source has
    no value, so it is never a rated 0 (docs/dora.md#no-data-is-not-zero)."""
    if reason is None:
        return section
    return cast(Section, {**section, figure: None, "band": None, "reason": reason})


def dora_report(
    profile_name: str,
    start_us: int,
    end_us: int,
    interval: str,
    *,
    deployment_frequency: DeploymentFrequency,
    lead_time_for_changes: LeadTimeForChanges,
    change_failure_rate: ChangeFailureRate,
    mean_time_to_restore: MeanTimeToRestore,
    band_set: BandSet = DEFAULT_BAND_SET,
    deployment_rework_rate: DeploymentRework | None = None,
) -> DoraReport:
    """The ``leadline dora --format json`` document (docs/dora.md) from its four parts, and
    the deployment rework rate (``metrics/rework.py``) after them when given."""
    buckets(start_us, end_us, interval)  # validates the window and the interval
    scale = scale_of(band_set)
    head: dict[str, Any] = {
        "profile": profile_name,
        "from": format_time(from_micros(int(start_us))),
        "to": format_time(from_micros(int(end_us))),
        "window": cast(ReportWindow, window_json(start_us, end_us)),
        "interval": interval,
        "bands": scale.name,
    }
    if scale.name == CUSTOM:  # the levels' order and colours (docs/dora.md#custom-levels)
        head["levels"] = cast(list[Level], scale.levels_json())
    report = cast(DoraReport, head)  # the document's keys in this order
    report["deployment_frequency"] = deployment_frequency.copy()
    report["lead_time_for_changes"] = lead_time_for_changes.copy()
    report["change_failure_rate"] = change_failure_rate.copy()
    report["mean_time_to_restore"] = mean_time_to_restore.copy()
    if deployment_rework_rate is not None:
        report["deployment_rework_rate"] = deployment_rework_rate.copy()
    return report

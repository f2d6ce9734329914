"""Deployment rework rate, the fifth DORA metric (State of DevOps 2024), over ``[start, end)``.

``rate = rework deployments / deployments``: the share of the window's deployments that were
unplanned — made to fix a user-facing problem. Which deployments are rework is the service's
to say (``correlate/unplanned.py``: hotfix or revert PRs, bug tickets, restored incidents);
this module counts, divides and buckets them, as ``metrics/dora.py`` does for the others.

**Bands:** the 2024 report publishes rework rate figures but no performance bands for it, so
no preset (``harness``, ``dora-2023``, ``dora-2024``) rates it: ``band`` is ``null`` unless a
custom ``dora.bands`` mapping gives its range (``deployment_rework_rate: {edges: [...]}``);
then it is the level of the exact ratio ``rework / deployments``, compared by
``metrics/bands.py`` as every other metric is (docs/dora.md#deployment-rework-rate).
"""

from __future__ import annotations

from fractions import Fraction
from typing import NotRequired, TypedDict

import numpy as np
import numpy.typing as npt

from leadline.metrics.bands import DEFAULT_BAND_SET, REWORK, BandSet, scale_of
from leadline.metrics.series import as_times, bucket_counts, bucket_index, buckets

RATE_DECIMALS = 4
NO_DEPLOYMENT = "no deployment in the window: nothing to rate"
NOT_CONFIGURED = (
    "not measured: the profile has no dora.rework block (docs/dora.md#deployment-rework-rate)"
)


class ReworkPoint(TypedDict):
    start: str
    rework: int
    deployments: int
    rate: float | None  # None for a bucket with no deployment (and with no source)


class DeploymentReworkRate(TypedDict):
    rework: int
    deployments: int
    rate: float | None
    band: str | None
    series: list[ReworkPoint]
    signals: list[str]  # the dora.rework signals measured; [] when not configured
    reason: NotRequired[str]


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(float(Fraction(part, whole)), RATE_DECIMALS)


def deployment_rework_rate(
    deploy_times_us: npt.ArrayLike,
    rework_mask: npt.ArrayLike,
    start_us: int,
    end_us: int,
    interval: str,
    signals: list[str],
    band_set: BandSet = DEFAULT_BAND_SET,
) -> DeploymentReworkRate:
    """One time per deployment and whether it was rework; only the times inside
    ``[start, end)`` count. Nothing deployed: ``rate`` ``null`` with a ``reason`` (a rate of
    nothing is no data, not 0 %); a bucket with no deployment has ``rate: null``. ``band``: the
    level of the rate in ``band_set``, ``null`` when that scale has no rework edges."""
    times = as_times(deploy_times_us)
    mask = np.asarray(rework_mask, dtype=bool)
    if mask.shape != times.shape:
        raise ValueError(f"rework_mask must have shape {times.shape}, got {mask.shape}")
    grid = buckets(start_us, end_us, interval)
    index = bucket_index(times, grid, start_us, end_us)
    deployed = bucket_counts(index, len(grid))
    rework = bucket_counts(index, len(grid), where=mask)
    total, unplanned = int(deployed.sum()), int(rework.sum())
    scale = scale_of(band_set)
    result = DeploymentReworkRate(
        rework=unplanned,
        deployments=total,
        rate=_rate(unplanned, total),
        band=None if total == 0 else scale.band(REWORK, Fraction(unplanned, total)),
        series=[
            ReworkPoint(start=b.label, rework=int(r), deployments=int(d), rate=_rate(r, d))
            for b, r, d in zip(grid, rework.tolist(), deployed.tolist(), strict=True)
        ],
        signals=list(signals),
    )
    if total == 0:
        result["reason"] = NO_DEPLOYMENT
    return result


def without_source(section: DeploymentReworkRate, reason: str) -> DeploymentReworkRate:
    """``section`` with no figure: ``rate`` and ``band`` ``null``, no rate in any bucket, and
    why."""
    series = [ReworkPoint(**{**p, "rate": None}) for p in section["series"]]
    return DeploymentReworkRate(
        **{**section, "rate": None, "band": None, "series": series, "reason": reason}
    )

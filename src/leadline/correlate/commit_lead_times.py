"""Commit-level lead time (``leadline git``): for each commit some deployment shipped, the first
deployment containing it minus ``committed_at`` (docs/deployments.md).

Kept apart from the walk (``correlate.ancestry``): it only reads a finished ``Shipments``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from leadline.correlate.ancestry import Shipments
from leadline.correlate.shas import norm_sha
from leadline.domain.records import Commit
from leadline.domain.times import to_micros


@dataclass(frozen=True)
class CommitLeadTimes:
    """Per deployed commit: the first deployment containing it and the lead time (≥ 0 s)."""

    shas: list[str]
    deployment_ids: list[str]
    deployed_at_us: NDArray[np.int64]
    seconds: NDArray[np.float64]


def commit_lead_times(
    commits: Iterable[Commit], shipments: Shipments, stream: str | None = None
) -> CommitLeadTimes:
    """Commit-level lead time (``leadline git``): first deployment containing it − committed_at.
    Commits no deployment contains are left out; a negative difference counts 0."""
    found = [(c, shipments.first_deployment(c.sha, stream)) for c in commits]
    rows = [(norm_sha(c.sha), to_micros(c.committed_at), d) for c, d in found if d is not None]
    deployed = np.array([shipments.deployments[d].at_us for _, _, d in rows], dtype=np.int64)
    delta = (deployed - np.array([at for _, at, _ in rows], dtype=np.int64)) / 1_000_000
    seconds = np.maximum(delta, 0.0).astype(np.float64)
    return CommitLeadTimes([s for s, _, _ in rows], [d for _, _, d in rows], deployed, seconds)

"""Lead time for changes by commit (``dora.lead_time: commits``; docs/dora.md).

Each commit in scope that a deployment shipped counts once, in the window where it was first
deployed: its lead time is that deployment's time minus its commit time (the single stage
``COMMIT_STAGE``). The commits and their times are ``services/dora_select.commit_times``'s,
the same ones the drill-down lists; baseline commits (shipped by a first known deployment
from before tracking began) are left out unless ``deployments.baseline: include``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import Connection

from leadline.metrics.leadtime import aggregate
from leadline.metrics.series import bucket_index, buckets
from leadline.profiles.models import Profile, Stage
from leadline.services.dora_select import Deployments, commit_times
from leadline.services.leadtime import baseline_section, stage_points

COMMIT_STAGE = "Commit to deployment"


def commit_lead_time(
    conn: Connection,
    profile: Profile,
    found: Deployments,
    stat: str,
    start: int,
    end: int,
    interval: str,
) -> tuple[dict[str, Any], np.ndarray[Any, np.dtype[np.float64]]]:
    """Lead time per commit: the first deployment that shipped it − its commit time, for the
    commits first deployed inside the window (the change unit is the commit); and
    each of those commits' seconds."""
    times, baseline = commit_times(conn, profile, found)
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
    result["series"] = []
    for i, b in enumerate(grid):
        part = aggregate(seconds[index == i], [stage], stat, "exclude")
        result["series"].append(
            {"start": b.label, "changes": part.changes, "total_seconds": part.total_seconds,
             "stages": stage_points(part)}
        )  # fmt: skip
    result["baseline"] = baseline_section(left_out, include)
    return result, seconds[:, 0]

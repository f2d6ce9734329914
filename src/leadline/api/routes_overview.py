"""``GET /v1/overview``: every collection's DORA report in one answer (the dashboard's ``/``
and ``leadline overview`` show the same rows: ``services/org_overview.py``)."""

from __future__ import annotations

import time
from typing import Any, Literal

from fastapi import APIRouter, Query

from leadline.api.deps import EngineDep, Read, RefresherDep
from leadline.api.report_params import report_window
from leadline.api.schemas import errors
from leadline.metrics.choices import Interval, Statistic
from leadline.profiles.models import Profile
from leadline.services import collections
from leadline.services.apikeys import can_read
from leadline.services.org_overview import overview

router = APIRouter(prefix="/v1", tags=["metrics"])


@router.get("/overview", response_model=None, responses=errors(401, 403, 422))
def get_overview(
    engine: EngineDep,
    refresher: RefresherDep,
    principal: Read,
    interval: Interval = "week",
    stat: Statistic = "mean",
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    compare: Literal["previous"] | None = Query(
        None, description="previous: also each figure against the previous window (comparison)"
    ),
) -> list[dict[str, Any]]:
    """Every collection the key may read, in tree order: each one's ``GET /v1/metrics/dora
    ?collection=NAME`` report (``{"collection": NAME, ...}``, the same sections and numbers,
    with ``comparison`` for ``compare=previous``). A collection whose profile has no ``dora``
    block: ``"dora": null`` and its ``lead_time_for_changes`` (as ``GET
    /v1/metrics/lead-time``); one with no profile: ``error`` saying so. The window is
    ``[from, to)``, by default the 90 days ending at the end of today (UTC)."""
    window = report_window(start, end)
    names = [c.name for c in collections.tree(engine)
             if can_read(engine, principal.collection, c.name)]  # fmt: skip
    deadline = time.monotonic() + refresher.read_wait

    def settle(profile: Profile) -> None:
        refresher.settle(profile, max(0.0, deadline - time.monotonic()))

    return overview(engine, names, window, interval, stat, bool(compare), settle=settle)

"""``GET /healthz`` and ``GET /metrics`` (Prometheus text format)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import text

from leadline.api.deps import EngineDep, RefresherDep, require, within
from leadline.api.errors import ApiError
from leadline.api.schemas import errors
from leadline.domain.times import parse_bound
from leadline.services.leadtime import Window
from leadline.services.prometheus import exposition
from leadline.store.db import reading

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(engine: EngineDep) -> dict[str, str]:
    """Liveness: the process answers and the database is reachable."""
    with reading(engine) as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.get("/metrics", response_class=PlainTextResponse, responses=errors(401, 403, 422))
def prometheus(
    request: Request,
    engine: EngineDep,
    refresher: RefresherDep,
    authorization: Annotated[str | None, Header()] = None,
    start: str | None = Query(None, alias="from", description="window start (default: 90 days)"),
    end: str | None = Query(None, alias="to", description="window end (default: end of today)"),
) -> str:
    """Prometheus text format: records per kind, webhook deliveries per source and status,
    and the four DORA figures and bands of every stored profile with a ``dora`` block (from
    each profile's last complete build; a profile whose first build runs is left out with
    a comment line).
    Needs a read key (``Authorization: Bearer <key>`` in the scrape config) unless
    ``LEADLINE_PUBLIC_METRICS`` is set."""
    if not request.app.state.settings.public_metrics:
        within(engine, require("read")(engine, authorization), None)
    try:
        window = Window(parse_bound(start) if start else None, parse_bound(end) if end else None)
    except ValueError as exc:
        raise ApiError(422, str(exc)) from None
    refresher.settle_stored()
    return exposition(engine, window)

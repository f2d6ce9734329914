"""``GET /healthz`` and ``GET /metrics`` (Prometheus text format)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from sqlalchemy import func, select, text

from leadline.api.deps import EngineDep
from leadline.store import tables as t
from leadline.store.db import reading

router = APIRouter(tags=["health"])
COUNTED = {
    "issue": t.issues, "version": t.versions, "commit": t.commits,
    "pull_request": t.pull_requests, "pipeline_run": t.pipeline_runs,
    "incident": t.incidents, "event": t.events,
}  # fmt: skip


@router.get("/healthz")
def healthz(engine: EngineDep) -> dict[str, str]:
    """Liveness: the process answers and the database is reachable."""
    with reading(engine) as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.get("/metrics", response_class=PlainTextResponse)
def prometheus(engine: EngineDep) -> str:
    """Stored records per kind (Prometheus text exposition format)."""
    lines = [
        "# HELP leadline_records Records stored, by kind.",
        "# TYPE leadline_records gauge",
    ]
    with reading(engine) as conn:
        for kind, table in COUNTED.items():
            count = conn.execute(select(func.count()).select_from(table)).scalar_one()
            lines.append(f'leadline_records{{kind="{kind}"}} {count}')
    return "\n".join(lines) + "\n"

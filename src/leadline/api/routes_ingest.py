"""``POST /v1/records`` and ``POST /v1/generic-events``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from leadline.api.deps import EngineDep, Ingest, writer
from leadline.api.errors import ApiError, decode_json
from leadline.api.media import JSON_ONLY, RECORDS
from leadline.api.schemas import errors, records_body
from leadline.domain.parse import parse_line, parse_object
from leadline.domain.records import RecordModel
from leadline.errors import LineError, RecordsError
from leadline.services.ingest import import_records, ingest_records

router = APIRouter(prefix="/v1", tags=["ingest"])
MAX_SHOWN = 50


class KindCountsOut(BaseModel):
    new: int
    updated: int
    unchanged: int


class Accepted(BaseModel):
    records: int
    kinds: dict[str, KindCountsOut]
    warnings: list[str] | None = None  # data-quality warnings (stored anyway), at most 50
    warning_count: int | None = None


class GenericEvent(BaseModel):
    """A generic event; ``event_time`` is epoch seconds or an RFC 3339 time with an offset."""

    component: str
    key: str
    event_type: str
    event_time: int | float | str


def _records(raw: bytes) -> list[RecordModel]:
    text = raw.lstrip()
    records: list[RecordModel] = []
    errors: list[LineError] = []
    if text.startswith(b"["):
        items = decode_json(raw)
        parsed = [parse_object(item, "body", n) for n, item in enumerate(items, 1)]
    else:
        lines = raw.splitlines()
        parsed = [parse_line(line, "body", n) for n, line in enumerate(lines, 1) if line.strip()]
    for item in parsed:
        (errors if isinstance(item, LineError) else records).append(item)  # type: ignore[arg-type]
    if errors:
        raise RecordsError(errors, len(errors), MAX_SHOWN)
    return records


@router.post(
    "/records", status_code=202, response_model=Accepted, response_model_exclude_none=True,
    responses=errors(400, 401, 403, 415, 422, 503), openapi_extra=records_body(),
    dependencies=[RECORDS],
)  # fmt: skip
async def post_records(request: Request, engine: EngineDep, _: Ingest) -> Any:
    """Records as NDJSON or a JSON array; all or nothing. Records stored despite a
    data-quality problem (an end before its start) are listed in ``warnings``."""
    records = await run_in_threadpool(_records, await request.body())
    report = await writer(request).run(lambda: ingest_records(engine, records))
    answer = report.as_json()
    answer.pop("seconds", None)
    return answer


@router.post(
    "/generic-events",
    status_code=202,
    responses={
        202: {"description": 'Accepted: {"accepted": 1, "new": 0 or 1}'},
        **errors(400, 401, 403, 415, 422, 503),
    },
    dependencies=[JSON_ONLY],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": GenericEvent.model_json_schema()}},
        }
    },
)
async def post_generic_event(request: Request, engine: EngineDep, _: Ingest) -> JSONResponse:
    """A generic event (workflow-profile page): component, key, event_type, event_time."""
    raw = await request.body()
    data = decode_json(raw)
    if not isinstance(data, dict):
        raise ApiError(422, "expected a JSON object with component, key, event_type, event_time")
    record = parse_object({**data, "kind": "event"}, "body", 1)
    if isinstance(record, LineError):
        raise ApiError(422, f"{record.field}: {record.problem}", details=[str(record)])
    counts = await writer(request).run(lambda: import_records(engine, [record]))
    new = sum(c.new for c in counts.values())
    return JSONResponse({"accepted": 1, "new": new}, status_code=202)

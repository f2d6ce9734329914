"""``GET /v1/metrics/lead-time``, ``GET /v1/metrics/dora`` and ``/v1/profiles/{name}``."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from leadline.api.csv_answer import FORMAT_QUERY, Format, csv_response, wants_csv
from leadline.api.deps import Admin, EngineDep, Read, RefresherDep, within, writer
from leadline.api.dora_schemas import DoraReport
from leadline.api.errors import ApiError, decode_json
from leadline.api.media import JSON_ONLY
from leadline.api.report_params import report_profile, report_window
from leadline.api.schemas import BUILDING, REF, LeadTimeReport, errors, json_body
from leadline.metrics.choices import Interval, Statistic
from leadline.profiles.loader import profile_to_dict
from leadline.services import profiles
from leadline.services.csvreports import dora_csv, lead_time_csv, series_csv
from leadline.services.dora import dora
from leadline.services.leadtime import check_by, lead_time
from leadline.services.leadtime_compare import compare

router = APIRouter(prefix="/v1", tags=["metrics", "profiles"])
PROFILE = {"$ref": REF.format(model="Profile")}


@router.get(
    "/metrics/lead-time", response_model=None,
    responses={200: {"model": LeadTimeReport}, **BUILDING, **errors(401, 403, 404, 422)},
)  # fmt: skip
def get_lead_time(
    request: Request,
    engine: EngineDep,
    refresher: RefresherDep,
    principal: Read,
    profile: str | None = Query(None, description="a stored profile's name"),
    collection: str | None = Query(None, description="or a collection's name"),
    stat: Statistic = "mean",
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    by: str | None = Query(
        None,
        description="category: also the figures of each of the profile's categories; type, "
        "priority, label or project: of each value of the change's issue or pull request "
        "(docs/lead-time.md#by-type-priority-label-project)",
    ),
    interval: Interval | None = None,
    fmt: Format | None = FORMAT_QUERY,
) -> dict[str, Any] | Response:
    """The same JSON as ``leadline lead-time --format json`` (``by=category``: as
    ``leadline lead-time --by category``, with ``categories``; ``by=type`` (priority, label,
    project): with ``by`` and ``groups``; an unknown grouping is a 422; ``interval``: as
    ``leadline lead-time --interval``, with ``series``), from the last complete build of the
    profile's timelines, with ``as_of`` (how current it is). The window is ``[from, to)``, by
    default the 90 days ending at the end of today (UTC). While the profile's first build
    runs: 202 with its progress and ``Retry-After``. ``format=csv`` (or ``Accept:
    text/csv``): the CSV of ``leadline lead-time --format csv``."""
    within(engine, principal, collection)
    chosen, named = report_profile(engine, profile, collection)
    window = report_window(start, end)
    check_by(chosen, by)
    csv = wants_csv(request, fmt)
    if csv and interval is not None and by is not None:  # one CSV holds one table (the CLI's)
        raise ApiError(422, "format=csv with interval takes no by")
    refresher.settle(chosen)
    result = lead_time(engine, chosen, stat, window, interval=interval, build=False, by=by)
    result.pop("in_flight", None)
    if csv:
        shown = named | result
        return csv_response(series_csv(shown) if interval is not None else lead_time_csv(shown))
    return named | result


@router.get(
    "/metrics/lead-time/compare", response_model=None,
    responses={200: {"description": "The what-if (docs/lead-time.md#what-if)."}, **BUILDING,
               **errors(401, 403, 404, 422)},
)  # fmt: skip
def get_lead_time_compare(
    engine: EngineDep,
    refresher: RefresherDep,
    principal: Read,
    profile: Annotated[
        list[str] | None, Query(description="two stored profiles' names: A, then B")
    ] = None,
    stat: Statistic = "mean",
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> dict[str, Any]:
    """The same JSON as ``leadline lead-time --profile A --profile B --format json``: each
    profile's headline and stages side by side, B − A per stage and for the total, and the
    changes both count with their totals under each (the biggest differences first). Exactly
    two profiles (else 422); an unknown one is a 404."""
    within(engine, principal, None)
    names = profile or []
    if len(names) != 2:
        raise ApiError(422, f"give two profiles to compare (profile=A&profile=B), got {len(names)}")
    a, b = (profiles.get(engine, name) for name in names)
    window = report_window(start, end)
    refresher.settle(a)
    refresher.settle(b)
    return compare(engine, a, b, stat, window, build=False)


@router.get(
    "/metrics/dora", response_model=None,
    responses={200: {"model": DoraReport}, **BUILDING, **errors(401, 403, 404, 422)},
)  # fmt: skip
def get_dora(
    request: Request,
    engine: EngineDep,
    refresher: RefresherDep,
    principal: Read,
    profile: str | None = Query(None, description="a stored profile's name"),
    collection: str | None = Query(None, description="or a collection's name"),
    interval: Interval = "week",
    stat: Statistic = "mean",
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    compare: Literal["previous"] | None = Query(
        None, description="previous: also each figure against the previous window (comparison)"
    ),
    fmt: Format | None = FORMAT_QUERY,
) -> dict[str, Any] | Response:
    """The same JSON as ``leadline dora --format json`` (``compare=previous``: as ``leadline
    dora --compare previous``, with ``comparison``), with ``as_of`` when the lead time comes
    from the profile's timelines (202 with progress while their first build runs). The
    window is ``[from, to)``, by default the 90 days ending at the end of today (UTC).
    ``format=csv`` (or ``Accept: text/csv``): the CSV of ``leadline dora --format csv``."""
    within(engine, principal, collection)
    chosen, named = report_profile(engine, profile, collection)
    window = report_window(start, end)
    refresher.settle(chosen)
    report = dora(engine, chosen, window, interval, stat, build=False, compare=bool(compare))
    if wants_csv(request, fmt):
        return csv_response(dora_csv(named | report))
    return named | report


@router.get("/profiles", responses=errors(401, 403))
def list_profiles(engine: EngineDep, principal: Read) -> dict[str, list[str]]:
    within(engine, principal, None)
    return {"profiles": profiles.names(engine)}


@router.get(
    "/profiles/{name:path}", response_model=None,
    responses={200: {"content": {"application/json": {"schema": PROFILE}}},
               **errors(401, 403, 404)},
)  # fmt: skip
def get_profile(name: str, engine: EngineDep, principal: Read) -> dict[str, Any]:
    within(engine, principal, None)
    return profile_to_dict(profiles.get(engine, name))


@router.put(
    "/profiles/{name:path}", response_model=None,
    responses={200: {"description": "Replaced."}, 201: {"description": "Created."},
               **errors(400, 401, 403, 415, 422, 503)},
    dependencies=[JSON_ONLY],
    openapi_extra=json_body(
        "Profile",
        "A profile (docs/profiles.md) as JSON. An efficiency profile may give `phases` instead of "
        "`stages` (docs/profiles.md); it is validated with the same messages as the CLI's.",
    ),
)  # fmt: skip
async def put_profile(name: str, request: Request, engine: EngineDep, _: Admin) -> Response:
    """Create or replace a profile (docs/profiles.md as JSON), validated; 201 new, 200 replaced."""
    data = decode_json(await request.body())
    profile, created = await writer(request).run(lambda: profiles.put(engine, name, data))
    return Response(
        json.dumps(profile_to_dict(profile)),
        status_code=201 if created else 200,
        media_type="application/json",
    )


@router.delete("/profiles/{name:path}", status_code=204, responses=errors(401, 403, 404, 503))
async def delete_profile(name: str, request: Request, engine: EngineDep, _: Admin) -> Response:
    await writer(request).run(lambda: profiles.delete(engine, name))
    return Response(status_code=204)

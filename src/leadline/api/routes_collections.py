"""``/v1/collections`` (teams) and ``PUT /v1/org`` (org as code over HTTP)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from leadline.api.deps import Admin, EngineDep, Read, within, writer
from leadline.api.errors import decode_json
from leadline.api.media import JSON_ONLY
from leadline.api.schemas import errors, json_body
from leadline.services import collections
from leadline.services.apikeys import can_read

router = APIRouter(prefix="/v1", tags=["collections"])


async def _json(request: Request) -> Any:
    return decode_json(await request.body())


@router.get("/collections", responses=errors(401, 403))
def list_collections(engine: EngineDep, principal: Read) -> dict[str, Any]:
    """Every collection, parents first, with its effective profile and filters (a key
    limited to a collection sees that collection and those under it)."""
    nodes = collections.tree(engine)
    if principal.collection is not None:
        nodes = [n for n in nodes if can_read(engine, principal.collection, n.name)]
    return {"collections": [c.as_json() for c in nodes]}


@router.get("/collections/{name:path}", responses=errors(401, 403, 404))
def get_collection(name: str, engine: EngineDep, principal: Read) -> dict[str, Any]:
    within(engine, principal, name)
    return collections.get(engine, name).as_json()


@router.put(
    "/collections/{name:path}", response_model=None,
    responses={200: {"description": "Replaced."}, 201: {"description": "Created."},
               **errors(400, 401, 403, 415, 422, 503)},
    dependencies=[JSON_ONLY],
    openapi_extra=json_body(
        "CollectionBody",
        "parent (a collection's name, or null), profile (a stored profile's name; omitted: "
        "inherited), filters, exclude (rules added to the profile's), description. "
        "Children stay where they are.",
    ),
)  # fmt: skip
async def put_collection(name: str, request: Request, engine: EngineDep, _: Admin) -> Response:
    data = await _json(request)
    collection, created = await writer(request).run(lambda: collections.put(engine, name, data))
    return JSONResponse(collection.as_json(), status_code=201 if created else 200)


@router.delete("/collections/{name:path}", status_code=204, responses=errors(401, 403, 404, 503))
async def delete_collection(name: str, request: Request, engine: EngineDep, _: Admin) -> Response:
    await writer(request).run(lambda: collections.delete(engine, name))
    return Response(status_code=204)


@router.put(
    "/org", response_model=None, responses=errors(400, 401, 403, 415, 422, 503),
    dependencies=[JSON_ONLY],
    openapi_extra=json_body("OrgSpec", "An org file as JSON: inline profiles and collections."),
)  # fmt: skip
async def put_org(request: Request, engine: EngineDep, _: Admin) -> dict[str, Any]:
    """Make the collections equal to the org's (created, updated, removed), and the
    contributors when it gives them (``contributors``: their names, else null), all or
    nothing."""
    data = await _json(request)
    report = await writer(request).run(
        lambda: collections.apply_org(engine, data, source="body", inline_only=True)
    )
    return {
        "created": report.created, "updated": report.updated, "removed": report.removed,
        "unchanged": report.unchanged, "profiles": report.profiles,
        "contributors": report.contributors, "views": report.views,
    }  # fmt: skip

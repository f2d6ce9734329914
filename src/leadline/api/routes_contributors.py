"""``/v1/contributors``: the people behind the records (docs/collections.md, "People").

Reading takes the ``read`` scope (not a key limited to one collection: contributors span the
teams); writing takes ``admin``. ``GET /v1/contributors/unmatched`` lists the identities
records carry that belong to no contributor, with suggestions.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from leadline.api.deps import Admin, EngineDep, Read, within, writer
from leadline.api.errors import decode_json
from leadline.api.media import JSON_ONLY
from leadline.api.schemas import errors, json_body
from leadline.services import contributors

router = APIRouter(prefix="/v1", tags=["contributors"])


@router.get("/contributors", responses=errors(401, 403))
def list_contributors(engine: EngineDep, principal: Read) -> dict[str, Any]:
    """Every contributor (name, email, identities), by name: the ``contributors:`` of an
    org file."""
    within(engine, principal, None)
    return {"contributors": [c.as_json() for c in contributors.all_contributors(engine)]}


@router.get("/contributors/unmatched", responses=errors(401, 403))
def list_unmatched(engine: EngineDep, principal: Read) -> dict[str, Any]:
    """Identities seen in records (commit authors and e-mails, pull request authors,
    reviewers, ticket assignees) that belong to no contributor, most records first, each
    with where it was seen and suggested contributors (same e-mail, same name)."""
    within(engine, principal, None)
    return {"unmatched": [u.as_json() for u in contributors.unmatched(engine)]}


@router.get("/contributors/{name:path}", responses=errors(401, 403, 404))
def get_contributor(name: str, engine: EngineDep, principal: Read) -> dict[str, Any]:
    within(engine, principal, None)
    return contributors.get(engine, name).as_json()


@router.put(
    "/contributors/{name:path}", response_model=None,
    responses={200: {"description": "Replaced."}, 201: {"description": "Created."},
               **errors(400, 401, 403, 415, 422, 503)},
    dependencies=[JSON_ONLY],
    openapi_extra=json_body(
        "ContributorBody",
        "email (optional) and identities: the strings records carry as an author, matched "
        "ignoring case; each belongs to one contributor.",
    ),
)  # fmt: skip
async def put_contributor(name: str, request: Request, engine: EngineDep, _: Admin) -> Response:
    data = decode_json(await request.body())
    spec, created = await writer(request).run(lambda: contributors.put(engine, name, data))
    return JSONResponse(spec.as_json(), status_code=201 if created else 200)


@router.delete("/contributors/{name:path}", status_code=204,
               responses=errors(401, 403, 404, 422, 503))  # fmt: skip
async def delete_contributor(name: str, request: Request, engine: EngineDep, _: Admin) -> Response:
    """Remove a contributor (not while a collection names them as a member)."""
    await writer(request).run(lambda: contributors.delete(engine, name))
    return Response(status_code=204)

"""``/v1/views``: the org file's saved views (``leadline apply``); a key limited to a
collection lists only the views of collections it may read (``services/views.py``), and is
refused (403) any other, as ``/v1/collections`` refuses it other collections."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter

from leadline.api.deps import EngineDep, Read
from leadline.api.errors import ApiError
from leadline.api.schemas import errors
from leadline.errors import NotFoundError
from leadline.services import views

router = APIRouter(prefix="/v1", tags=["collections"])


@router.get("/views", responses=errors(401, 403))
def list_views(engine: EngineDep, principal: Read) -> dict[str, Any]:
    """Every saved view the key may see, in the org file's order: what it shows
    (``collection`` or ``profile``), its ``widgets`` in order, and its default ``range``
    (``days``, or ``from``/``to``), ``interval`` and ``stat`` (null: every report's)."""
    found = views.visible(engine, principal.collection)
    return {"views": [_json(v.as_json()) for v in found]}


@router.get("/views/{name:path}", responses=errors(401, 403, 404))
def get_view(name: str, engine: EngineDep, principal: Read) -> dict[str, Any]:
    """One saved view: 404 when there is none; 403 for a key limited to a collection when
    the view is not one of its tree's (whether or not it exists, as ``/v1/collections``)."""
    try:
        return _json(views.get(engine, name, principal.collection).as_json())
    except NotFoundError:
        if principal.collection is not None:
            only = f"this key reads collection {principal.collection!r} only"
            raise ApiError(403, only) from None
        raise


def _json(view: dict[str, Any]) -> dict[str, Any]:
    return {**view, "path": f"/v/{quote(view['name'], safe='')}"}

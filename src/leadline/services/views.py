"""Saved views (the org file's ``views:``, ``profiles/views.py``), as ``leadline apply``
stored them (``services/org_views.py``): read by ``GET /v1/views``, ``leadline views`` and
the dashboard's ``/v/NAME``.

Who sees a view is who sees what it shows (``services.apikeys.can_read``, the rule of the
API and the dashboard): a view of a collection is seen by a reader who may read that
collection; a view of a profile only by an unlimited reader. A limited reader is told of
no other view ("not found"), as of no other collection.
"""

from __future__ import annotations

from sqlalchemy import Engine

from leadline.errors import NotFoundError
from leadline.profiles.views import ViewSpec
from leadline.services.apikeys import can_read
from leadline.store import views as store
from leadline.store.db import reading


def every(engine: Engine) -> list[ViewSpec]:
    """Every stored view, in the org file's order."""
    with reading(engine) as conn:
        return [ViewSpec.model_validate(body) for body in store.all_bodies(conn)]


def visible(engine: Engine, limit: str | None) -> list[ViewSpec]:
    """The views a reader limited to ``limit`` (``None``: unlimited) may see."""
    return [v for v in every(engine) if sees(engine, limit, v)]


def get(engine: Engine, name: str, limit: str | None = None) -> ViewSpec:
    """The view named ``name`` (case-insensitive); ``NotFoundError`` when there is none or
    the reader may not see it."""
    for view in every(engine):
        if view.name.casefold() == name.casefold() and sees(engine, limit, view):
            return view
    raise NotFoundError(f"no view named {name!r}")


def sees(engine: Engine, limit: str | None, view: ViewSpec) -> bool:
    return can_read(engine, limit, view.collection)

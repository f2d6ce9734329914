"""Saved views (the org file's ``views:``, ``profiles/views.py``): checked and stored by
``leadline apply`` with the collections, read by ``GET /v1/views``, ``leadline views`` and
the dashboard's ``/v/NAME``.

Who sees a view is who sees what it shows (``services.apikeys.can_read``, the rule of the
API and the dashboard): a view of a collection is seen by a reader who may read that
collection; a view of a profile only by an unlimited reader. A limited reader is told of
no other view ("not found"), as of no other collection.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine

from leadline.errors import NotFoundError
from leadline.profiles.collections import OrgSpec, walk
from leadline.profiles.views import ViewSpec
from leadline.store import views as store
from leadline.store.db import reading


def problems(org: OrgSpec, profiles: set[str]) -> list[str]:
    """What is wrong with the org's views given its collections and the stored profiles
    (``profiles``): each must show a collection of the file or a stored profile."""
    names = {node.name.casefold() for _, node, _ in walk(org.collections)}
    found = []
    for i, view in enumerate(org.views):
        if view.collection is not None and view.collection.casefold() not in names:
            found.append(f"views[{i}].collection: no collection named {view.collection!r} "
                         "(give it under collections:)")  # fmt: skip
        if view.profile is not None and view.profile not in profiles:
            found.append(f"views[{i}].profile: no profile named {view.profile!r} "
                         "(give it under profiles:)")  # fmt: skip
    return found


def replace(conn: Connection, org: OrgSpec, now: int) -> None:
    """Store the org's views in place of the stored ones (a view names its collection as
    the file spells the collection's ``name``)."""
    spelled = {node.name.casefold(): node.name for _, node, _ in walk(org.collections)}
    bodies = []
    for view in org.views:
        if view.collection is not None:
            view = view.model_copy(update={"collection": spelled[view.collection.casefold()]})
        bodies.append(view.as_json())
    store.replace_all(conn, bodies, now)


def every(engine: Engine) -> list[ViewSpec]:
    """Every stored view, in the org file's order."""
    with reading(engine) as conn:
        return [ViewSpec.model_validate(body) for body in _bodies(conn)]


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
    # Imported here: apikeys reads services.collections, which stores the views.
    from leadline.services.apikeys import can_read

    return can_read(engine, limit, view.collection)


def _bodies(conn: Connection) -> list[dict[str, Any]]:
    return store.all_bodies(conn)

"""Dependencies: the engine, and authentication by API key with a scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import Engine

from leadline.api.batcher import Writer
from leadline.api.errors import ApiError
from leadline.services.apikeys import Principal, authenticate, can_read
from leadline.services.refresher import Refresher

SCHEMES = ("apikey", "bearer")


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def writer(request: Request) -> Writer:
    """The app's writer thread: every write of a request goes through it (api/batcher.py)."""
    found: Writer = request.app.state.writer
    return found


def get_refresher(request: Request) -> Refresher:
    refresher: Refresher = request.app.state.refresher
    return refresher


RefresherDep = Annotated[Refresher, Depends(get_refresher)]


def require(scope: str) -> Callable[..., Principal]:
    """A dependency that authenticates ``Authorization: Apikey <key>`` and checks ``scope``."""

    def check(
        engine: EngineDep,
        authorization: Annotated[str | None, Header()] = None,
    ) -> Principal:
        if not authorization:
            raise ApiError(401, "missing Authorization header (Authorization: Apikey <key>)")
        scheme, _, key = authorization.strip().partition(" ")
        if scheme.lower() not in SCHEMES or not key.strip():
            raise ApiError(401, "use Authorization: Apikey <key> (or Bearer <key>)")
        principal = authenticate(engine, key.strip())
        if principal is None:
            raise ApiError(401, "unknown or revoked API key")
        if not principal.allows(scope):
            raise ApiError(403, f"this key lacks the {scope!r} scope")
        return principal

    return check


Ingest = Annotated[Principal, Depends(require("ingest"))]
Read = Annotated[Principal, Depends(require("read"))]
Admin = Annotated[Principal, Depends(require("admin"))]


def within(engine: Engine, principal: Principal, collection: str | None) -> None:
    """403 unless the key may read ``collection`` (``None``: a profile, or anything that is
    not one collection): a collection-limited key reads its collection's subtree only
    (``services.apikeys.can_read``, the rule the dashboard applies too)."""
    if not can_read(engine, principal.collection, collection):
        raise ApiError(403, f"this key reads collection {principal.collection!r} only")

"""``/v/NAME``: a saved view (the org file's ``views:``, ``profiles/views.py``) — its
collection's (or profile's) overview restricted to its widgets, in their order, drawn by the
overview itself (``pages.overview``).

The view's ``range``, ``interval`` and ``stat`` are defaults: the page's query parameters
(``from``, ``to``, ``interval``, ``stat``, ``compare``) override each, and the window's own
links (presets, the comparison) keep ``/v/NAME``. A view whose collection is gone (deleted
since ``leadline apply``), or that the reader may not see, is a 404 page, never a 500.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import Engine

from leadline.errors import NotFoundError
from leadline.profiles.views import ViewSpec
from leadline.services import collections, profiles, views
from leadline.web.auth import ViewerDep
from leadline.web.formatting import bound
from leadline.web.pages import overview
from leadline.web.params import (
    EngineDep,
    Kind,
    Params,
    ParamsDep,
    RefresherDep,
    check_text,
    find_subject,
)
from leadline.web.render import html_errors

router = APIRouter(include_in_schema=False)


def view_path(name: str) -> str:
    return f"/v/{quote(name, safe='')}"


@router.get("/v/{name:path}")
@html_errors
def saved_view(
    name: str, engine: EngineDep, refresher: RefresherDep, params: ParamsDep, who: ViewerDep
) -> Response:
    saved = views.get(engine, check_text(name, "view"), who.limit)
    kind: Kind = "c" if saved.collection is not None else "p"
    try:
        subject = find_subject(engine, kind, saved.subject, who)
    except NotFoundError:
        if _exists(engine, saved):  # it is there: what is missing is its profile
            raise
        what = "collection" if kind == "c" else "profile"
        raise NotFoundError(
            f"view {saved.name!r} shows {what} {saved.subject!r}, which no longer exists: "
            "apply the org file again or change the view"
        ) from None
    view = defaults(saved, params).view()
    refresher.settle(subject.profile)
    return overview(engine, subject, view, who, saved, view_path(saved.name))


def _exists(engine: Engine, saved: ViewSpec) -> bool:
    """Whether what the view shows is still stored."""
    if saved.collection is not None:
        return any(c.name.casefold() == saved.subject.casefold() for c in collections.tree(engine))
    return saved.subject in profiles.names(engine)


def defaults(saved: ViewSpec, params: Params) -> Params:
    """The page's parameters with the view's defaults for those not given. A ``last``/
    ``days`` range gives ``from`` only (``to`` is then every report's default end, the end
    of today); a window given in the query (``from`` or ``to``) replaces the view's."""
    start, end = params.start, params.end
    found = saved.range
    if found is not None and not (start or end):
        start, end = found.start, found.end
    interval = params.interval or saved.interval
    stat = params.stat or saved.stat
    out = Params(start, end, interval, stat, params.compare)
    if found is not None and found.span is not None and not (params.start or params.end):
        return _last(out, found.span)
    return out


def _last(params: Params, days: int) -> Params:
    """``params`` whose window is the last ``days`` days ending where the default ends."""
    part = params.view().last(days)
    return Params(bound(part.start), bound(part.end), params.interval, params.stat,
                  params.compare)  # fmt: skip

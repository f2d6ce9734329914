"""``/`` (the organisation overview, the picker and the tree of collections) and
``/c/NAME`` or ``/p/NAME`` (the overview: the four DORA widgets and lead time by stage)."""

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import Engine

from leadline.metrics.choices import INTERVALS, STATISTICS
from leadline.profiles.models import Profile
from leadline.profiles.views import WIDGETS, ViewSpec, sections
from leadline.services import collections, profiles, views
from leadline.services.dora import dora
from leadline.services.leadtime import lead_time
from leadline.web import formatting
from leadline.web.auth import ViewerDep
from leadline.web.kept import kept
from leadline.web.org import org_table, read_sort
from leadline.web.params import (
    DRILLS,
    EngineDep,
    Kind,
    ParamsDep,
    RefresherDep,
    Subject,
    View,
    Viewer,
    find_subject,
    subject_path,
)
from leadline.web.render import html_errors, page, redirect
from leadline.web.view import REWORK_PAGE, SECTIONS, lead_time_view, widgets
from leadline.words import plural

router = APIRouter(include_in_schema=False)
PRESETS = (7, 30, 90, 180, 365)


def navigation(
    engine: Engine, subject: Subject | None, view: View, who: Viewer, here: str | None = None
) -> dict[str, Any]:
    """What every page's header needs: the picker's choices and the saved views (what
    ``who`` may see) and the current choice. The window presets link to ``here`` (a saved
    view's ``/v/NAME``), else to the subject's page."""
    here = here or (subject.base if subject else "")
    return {
        "saved_views": views.visible(engine, who.limit),
        "tree": [c for c in collections.tree(engine) if who.sees(engine, "c", c.name)],
        "profiles": [p for p in profiles.names(engine) if who.sees(engine, "p", p)],
        "subject": subject,
        "view": view,
        "intervals": INTERVALS,  # the picker's choices: the ones the CLI and the API offer
        "statistics": STATISTICS,
        "selected": f"{subject.kind}:{subject.name}" if subject else "",
        "presets": [
            (plural(n, "day"), f"{here}{view.last(n).query()}" if subject else "", n)
            for n in PRESETS
        ],
        "days": formatting.days(view.start, view.end),
        "from_day": formatting.day(view.start),
        "to_day": formatting.day(view.end),
        "drills": drills(subject),
    }


def drills(subject: Subject | None) -> tuple[str, ...]:
    """The drill-down tabs: the rework one only when the profile measures the rework rate."""
    dora = subject.profile.dora if subject is not None else None
    return (*DRILLS, REWORK_PAGE) if dora is not None and dora.rework is not None else DRILLS


@router.get("/")
@html_errors
def index(
    engine: EngineDep,
    refresher: RefresherDep,
    params: ParamsDep,
    who: ViewerDep,
    subject: str | None = Query(None),
    sort: str | None = Query(None),
    order: str | None = Query(None),
) -> Response:
    """The organisation overview (``web/org.py``: every team's DORA figures, sortable by
    ``sort``/``order``) and the picker; with ``subject=c:NAME`` (or ``p:NAME``) it goes to
    that overview."""
    if subject:
        kind, _, name = subject.partition(":")
        given = {"from": params.start, "to": params.end, "interval": params.interval,
                 "stat": params.stat, "compare": params.compare}  # fmt: skip
        query = {k: v for k, v in given.items() if v}
        if kind in ("c", "p") and name:
            params.view()  # a bad window is reported here, not after the redirect
            return redirect(subject_path(kind, name) + ("?" + urlencode(query) if query else ""))
    view = params.view()
    chosen, direction = read_sort(sort, order)
    shown = navigation(engine, None, view, who)
    deadline = time.monotonic() + refresher.read_wait  # one wait for the whole page

    def settle(profile: Profile) -> None:
        refresher.settle(profile, max(0.0, deadline - time.monotonic()))

    table = org_table(engine, view, who, chosen, direction, settle) if shown["tree"] else None
    previous = view.previous()
    return page(
        "index.html", **shown, org=table, previous_from=formatting.day(previous.start),
        previous_to=formatting.day(previous.end),
    )  # fmt: skip


def subject_router(kind: Kind) -> APIRouter:
    sub = APIRouter(include_in_schema=False)

    @sub.get("/{name:path}")
    @html_errors
    def overview_page(
        name: str, engine: EngineDep, refresher: RefresherDep, params: ParamsDep, who: ViewerDep
    ) -> Response:
        subject = find_subject(engine, kind, name, who)
        view = params.view()
        refresher.settle(subject.profile)
        return overview(engine, subject, view, who)

    return sub


def overview(
    engine: Engine,
    subject: Subject,
    view: View,
    who: Viewer,
    saved: ViewSpec | None = None,
    here: str | None = None,
) -> Response:
    """The overview of ``subject``; for a ``saved`` view (``profiles/views.py``) only its
    widgets, in their order, with the window's own links to ``here`` (its ``/v/NAME``)."""
    profile = subject.profile
    shown = saved.widgets if saved is not None else WIDGETS
    if profile.dora is not None:
        report = kept(engine, "dora", subject, view,
                      lambda: dora(engine, profile, view.window(), view.interval, view.stat,
                                   build=False, compare=view.compare),
                      view.interval, view.stat, str(view.compare))  # fmt: skip
        lead: Mapping[str, Any] = report["lead_time_for_changes"]
        fresh = report.get("as_of")
        built = {card.key: card for card in widgets(subject, view, report)}
        cards = [built[key] for key in shown if key in built]
        levels = report.get("levels")  # custom maturity levels: the page's legend
    else:
        levels = None
        report = None
        built = {}
        lead = lead_time(
            engine, profile, view.stat, view.window(), interval=view.interval, build=False
        )
        fresh = lead.get("as_of")
        cards = []
    previous = view.previous()
    here = here or subject.base
    return page(
        "overview.html",
        categories=_categories(engine, subject, view) if "lead_time_by_category" in shown else None,
        **navigation(engine, subject, view, who, here),
        layout=sections(shown),
        # a view's widget its profile does not measure (the rework rate without dora.rework)
        unmeasured=[k for k in shown if saved and report and k in SECTIONS and k not in built],
        here=here,
        saved=saved,
        previous=previous,
        previous_from=formatting.day(previous.start),
        previous_to=formatting.day(previous.end),
        report=report,
        widgets=cards,
        levels=levels,
        lead=lead_time_view(subject, view, lead),
        filters=subject.collection.filters.as_text() if subject.collection else {},
        freshness=formatting.freshness(fresh, int(time.time() * 1_000_000)),
    )


def _categories(engine: Engine, subject: Subject, view: View) -> list[dict[str, Any]] | None:
    """Lead time by category (the profile's ``categories``; ``leadline lead-time --by
    category``): each category's changes, total and stage figures, or ``None`` without
    categories."""
    profile = subject.profile
    if profile.categories is None:
        return None
    found = lead_time(engine, profile, view.stat, view.window(), build=False, by="category")
    return list(found.get("categories", []))

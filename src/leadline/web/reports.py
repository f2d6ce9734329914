"""``/c/NAME/lead-time?by=type`` (or ``/p/NAME/…``): lead time by type, priority, label,
project or category (``leadline lead-time --by``), from the last complete build.

A row per group: its changes (a link to exactly those changes, ``changes?group=by:name``),
its total, and a bar stacked by stage whose length is the total on the page's scale (the
longest total is the whole width). The bars are for the eye; the table under them (each
stage's figure per group) holds the same values for everyone.
"""

import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from leadline.errors import InputError
from leadline.services.leadtime import BY, lead_time
from leadline.web import formatting as fmt
from leadline.web.auth import ViewerDep
from leadline.web.charts import STACK_WIDTH, Part, Segment, stacked
from leadline.web.pages import navigation
from leadline.web.params import EngineDep, Kind, ParamsDep, RefresherDep, find_subject
from leadline.web.render import html_errors, page

DEFAULT_BY = "type"


@dataclass(frozen=True)
class GroupRow:
    name: str
    changes: int
    href: str  # the group's changes (changes?group=by:name)
    total_seconds: float | None  # None: no data
    rating: str | None
    stages: list[dict[str, Any]]
    segments: list[Segment]


def groupings(has_categories: bool) -> list[str]:
    """The selector's choices: the groupings the profile can give."""
    return [b for b in BY if b != "category" or has_categories]


def subject_router(kind: Kind) -> APIRouter:
    sub = APIRouter(include_in_schema=False)

    @sub.get("/{name:path}/lead-time")
    @html_errors
    def lead_time_page(
        name: str, engine: EngineDep, refresher: RefresherDep, params: ParamsDep,
        who: ViewerDep, by: str | None = None,
    ) -> Response:  # fmt: skip
        subject = find_subject(engine, kind, name, who)
        view = params.view()
        chosen = (by or DEFAULT_BY).strip().lower()
        choices = groupings(subject.profile.categories is not None)
        if chosen not in choices:
            raise InputError(f"by: unknown grouping {chosen!r} (expected one of "
                             f"{', '.join(choices)})")  # fmt: skip
        refresher.settle(subject.profile)
        report = lead_time(engine, subject.profile, view.stat, view.window(), build=False,
                           by=chosen)  # fmt: skip
        groups = report["categories"] if chosen == "category" else report["groups"]
        peak = max((g["total_seconds"] for g in groups if g["changes"]), default=0.0)
        rows = []
        for g in groups:
            total = g["total_seconds"] if g["changes"] else None
            href = f"{subject.base}/changes" + view.query(group=chosen + ":" + g["name"])
            width = (total or 0.0) / peak * STACK_WIDTH if peak > 0 else 0.0
            parts = [
                Part(s["name"], s["seconds"] if s["samples"] else 0.0,
                     f"rating-{s['rating'] or 'none'}",
                     f"{g['name']}, {s['name']}: {fmt.duration(s['seconds'])}", href)
                for s in g["stages"]
            ]  # fmt: skip
            rows.append(GroupRow(g["name"], g["changes"], href, total, g["rating"],
                                 g["stages"], stacked(parts, width)))  # fmt: skip
        links = {b: f"{subject.base}/lead-time{view.query(by=b)}" for b in choices}
        return page(
            "lead_time_groups.html", **navigation(engine, subject, view, who),
            page_name="lead-time", by=chosen, links=links, rows=rows, report=report,
            note=report.get("groups_note"),
            freshness=fmt.freshness(report.get("as_of"), int(time.time() * 1_000_000)),
        )  # fmt: skip

    return sub

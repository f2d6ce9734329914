"""Drill-downs: the deployments, failures, incidents and changes behind each number of the
overview (same window), one change's timeline with the record behind every stage, and the
records the ``exclude`` rules took out (``services/doctor_exclusions.py``, the doctor's
selection)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import Engine

from leadline.errors import InputError
from leadline.metrics.ratings import rate_stage
from leadline.services import drilldown, drilldown_records
from leadline.services.doctor import Subject as Named
from leadline.services.doctor_exclusions import excluded_report
from leadline.services.drilldown_rework import rework_deployments
from leadline.services.leadtime import explain
from leadline.web.auth import ViewerDep
from leadline.web.charts import Part, stacked
from leadline.web.formatting import duration, rating_text
from leadline.web.kept import kept
from leadline.web.pages import navigation
from leadline.web.params import (
    EngineDep,
    Kind,
    Params,
    ParamsDep,
    RefresherDep,
    Subject,
    View,
    Viewer,
    change_path,
    check_text,
    find_subject,
)
from leadline.web.render import html_errors, page

PAGE_SIZE = 500
BASELINE_SHOWN = 100  # baseline changes listed apart on the changes page, newest first
WHICH: tuple[drilldown.Which, ...] = ("all", "samples", "missing")
T = TypeVar("T")


@dataclass(frozen=True)
class Pager:
    total: int
    first: int  # 1-based number of the first row shown
    last: int
    previous: str | None
    next: str | None


def paginate(
    items: Sequence[T], offset: str | None, subject: Subject, page_name: str, view: View,
    **extra: str | None,
) -> tuple[Sequence[T], Pager]:  # fmt: skip
    try:
        start = int(offset or 0)
    except ValueError:
        raise InputError(f"offset: expected a whole number, got {offset!r}") from None
    if start < 0:
        raise InputError("offset: must not be negative")
    rows = items[start : start + PAGE_SIZE]

    def href(at: int) -> str:
        return f"{subject.base}/{page_name}{view.query(**extra, offset=at or None)}"

    previous = href(max(start - PAGE_SIZE, 0)) if start > 0 else None
    following = href(start + PAGE_SIZE) if start + PAGE_SIZE < len(items) else None
    return rows, Pager(len(items), start + 1, start + len(rows), previous, following)


def _open(
    engine: Engine, kind: Kind, name: str, params: Params, who: Viewer
) -> tuple[Subject, View]:
    return find_subject(engine, kind, name, who), params.view()


def subject_router(kind: Kind) -> APIRouter:
    sub = APIRouter(include_in_schema=False)

    @sub.get("/{name:path}/deployments")
    @html_errors
    def deployments_page(
        name: str, engine: EngineDep, params: ParamsDep, who: ViewerDep, offset: str | None = None
    ) -> Response:
        subject, view = _open(engine, kind, name, params, who)
        profile, start, end = subject.profile, view.start, view.end
        items = kept(engine, "deployments", subject, view,
                     lambda: drilldown.deployments(engine, profile, start, end))  # fmt: skip
        rows, pager = paginate(items, offset, subject, "deployments", view)
        nav = navigation(engine, subject, view, who)
        return page("deployments.html", **nav, page_name="deployments", rows=rows, pager=pager)

    @sub.get("/{name:path}/failures")
    @html_errors
    def failures_page(
        name: str, engine: EngineDep, params: ParamsDep, who: ViewerDep, offset: str | None = None
    ) -> Response:
        subject, view = _open(engine, kind, name, params, who)
        profile, start, end = subject.profile, view.start, view.end
        report = kept(engine, "failures", subject, view,
                      lambda: drilldown.failures(engine, profile, start, end))  # fmt: skip
        rows, pager = paginate(report.items, offset, subject, "failures", view)
        return page("failures.html", **navigation(engine, subject, view, who), page_name="failures",
                    report=report, rows=rows, pager=pager)  # fmt: skip

    @sub.get("/{name:path}/rework")
    @html_errors
    def rework_page(
        name: str, engine: EngineDep, params: ParamsDep, who: ViewerDep, offset: str | None = None
    ) -> Response:
        subject, view = _open(engine, kind, name, params, who)
        items = rework_deployments(engine, subject.profile, view.start, view.end)
        rows, pager = paginate(items, offset, subject, "rework", view)
        nav = navigation(engine, subject, view, who)
        return page("rework.html", **nav, page_name="rework", rows=rows, pager=pager)

    @sub.get("/{name:path}/incidents")
    @html_errors
    def incidents_page(
        name: str, engine: EngineDep, params: ParamsDep, who: ViewerDep, offset: str | None = None
    ) -> Response:
        subject, view = _open(engine, kind, name, params, who)
        report = drilldown.incidents(engine, subject.profile, view.start, view.end)
        rows, pager = paginate(report.resolved, offset, subject, "incidents", view)
        nav = navigation(engine, subject, view, who)
        return page("incidents.html", **nav, page_name="incidents", report=report, rows=rows,
                    pager=pager)  # fmt: skip

    @sub.get("/{name:path}/changes")
    @html_errors
    def changes_page(
        name: str, engine: EngineDep, refresher: RefresherDep, params: ParamsDep, who: ViewerDep,
        offset: str | None = None, stage: str | None = None, which: str | None = None,
        group: str | None = None,
    ) -> Response:  # fmt: skip
        subject, view = _open(engine, kind, name, params, who)
        refresher.settle(subject.profile)
        wanted = which or ("samples" if stage else "all")
        chosen = next((w for w in WHICH if w == wanted), None)
        if chosen is None:
            raise InputError(f"which: expected one of {', '.join(WHICH)}, got {wanted!r}")
        group = None if group is None else check_text(group, "group")
        report = drilldown.changes(
            engine, subject.profile, view.start, view.end, stage, chosen, build=False, group=group
        )
        rows, pager = paginate(report.items, offset, subject, "changes", view, stage=stage,
                               which=chosen if stage else None, group=group)  # fmt: skip
        links = {
            c.key: change_path(subject, c.key) + view.query()
            for c in [*rows, *report.baseline[:BASELINE_SHOWN], *report.excluded[:BASELINE_SHOWN]]
        }
        return page("changes.html", **navigation(engine, subject, view, who), page_name="changes",
                    report=report, rows=rows, pager=pager, stage=stage, which=chosen,
                    links=links if report.explainable else {},
                    shown=BASELINE_SHOWN, group=group)  # fmt: skip

    @sub.get("/{name:path}/excluded")
    @html_errors
    def excluded_page(name: str, engine: EngineDep, params: ParamsDep, who: ViewerDep) -> Response:
        subject, view = _open(engine, kind, name, params, who)
        named = Named(subject.profile.name, subject.name if kind == "c" else None)
        report = excluded_report(engine, subject.profile, view.window(), named)
        total = sum(r["count"] for r in report["rules"])
        return page("excluded.html", **navigation(engine, subject, view, who),
                    page_name="excluded", rules=report["rules"], total=total,
                    shown=PAGE_SIZE)  # fmt: skip

    @sub.get("/{name:path}/changes/{key:path}")
    @html_errors
    def change_page(
        name: str,
        key: str,
        engine: EngineDep,
        refresher: RefresherDep,
        params: ParamsDep,
        who: ViewerDep,
    ) -> Response:
        subject, view = _open(engine, kind, name, params, who)
        refresher.settle(subject.profile)
        return change(engine, subject, view, check_text(key, "change"), who)

    return sub


def change(engine: Engine, subject: Subject, view: View, key: str, who: Viewer) -> Response:
    explained = explain(engine, subject.profile, key, build=False)
    sources = [explained["start_source"], *(s["source"] for s in explained["stages"])]
    found = drilldown_records.records(engine, sources)
    stages = []
    for stage, spec in zip(explained["stages"], subject.profile.stages, strict=True):
        seconds = stage["seconds"]
        rating = None if seconds is None else rate_stage(seconds, spec)
        stages.append(stage | {"rating": rating, "record": found.get(stage["source"] or "")})
    segments = stacked(
        [Part(s["name"], s["seconds"] or 0.0, f"rating-{s['rating'] or 'none'}",
              f"{s['name']}: {duration(s['seconds'])} ({rating_text(s['rating'])})")
         for s in stages]
    )  # fmt: skip
    return page(
        "change.html", **navigation(engine, subject, view, who), page_name="changes",
        change=explained, stages=stages, start_record=found.get(explained["start_source"] or ""),
        segments=segments,
    )  # fmt: skip

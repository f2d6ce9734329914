"""``/c/NAME/time-in-status`` and ``/c/NAME/pr-lead-time`` (and ``/p/NAME/…``): time in
status with bounces, PR lead time by stage with its trend, and the issues and pull requests
behind every count (``…/time-in-status/issues``, ``…/pr-lead-time/prs``), in the page's
window (docs/flow.md, docs/dashboard.md).

Both reports read records, not the profile's timelines, so the pages never wait for a
build. The figures come from ``services/time_in_status.py`` and ``services/pr_lead_time.py``;
this module only lays them out: a stacked bar (for the eye) beside a table with the same
values and links, and for the PR trend a bar chart with its values table.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from leadline.metrics.pr_stages import STAGES
from leadline.services.pr_lead_time import pr_lead_time, pr_rows
from leadline.services.time_in_status import issue_list, time_in_status
from leadline.web import formatting as fmt
from leadline.web.auth import ViewerDep
from leadline.web.axes import unit_of
from leadline.web.buckets import bucket_views, short
from leadline.web.charts import Part, Point, bar_chart, stacked
from leadline.web.drill import paginate
from leadline.web.kept import kept
from leadline.web.pages import navigation
from leadline.web.params import EngineDep, Kind, ParamsDep, Subject, View, check_text, find_subject
from leadline.web.render import html_errors, page
from leadline.words import plural

TIS, PRS = "time-in-status", "pr-lead-time"
CSS = tuple(f"flow-{i}" for i in range(6))  # the stack's colours, in turn


@dataclass(frozen=True)
class Row:
    """A status or a stage of the table, with the links behind its counts."""

    name: str
    figure: dict[str, Any]
    href: str  # the records behind its sample count
    other: str | None = None  # bounced issues / missing PRs


def _link(subject: Subject, name: str, view: View, **extra: str | None) -> str:
    return f"{subject.base}/{name}{view.query(**extra)}"


def status_view(subject: Subject, view: View, report: Mapping[str, Any]) -> dict[str, Any]:
    rows, parts = [], []
    for i, s in enumerate(report["statuses"]):
        href = _link(subject, f"{TIS}/issues", view, status=s["name"])
        bounced = _link(subject, f"{TIS}/issues", view, status=s["name"], which="bounced")
        rows.append(Row(s["name"], s, href, bounced))
        title = f"{s['name']}: {fmt.duration(s['seconds'])} ({plural(s['issues'], 'issue')})"
        parts.append(Part(s["name"], s["seconds"] or 0.0, CSS[i % len(CSS)], title, href))
    return {"rows": rows, "segments": stacked(parts), "all": _link(subject, f"{TIS}/issues", view)}


def stage_view(subject: Subject, view: View, report: Mapping[str, Any]) -> dict[str, Any]:
    rows, parts = [], []
    for i, s in enumerate(report["stages"]):
        href = _link(subject, f"{PRS}/prs", view, stage=s["key"])
        missing = _link(subject, f"{PRS}/prs", view, stage=s["key"], which="missing")
        rows.append(Row(s["name"], s, href, missing))
        title = f"{s['name']}: {fmt.duration(s['seconds'])} ({plural(s['samples'], 'PR')})"
        parts.append(Part(s["name"], s["seconds"] or 0.0, CSS[i % len(CSS)], title, href))
    out: dict[str, Any] = {
        "rows": rows,
        "segments": stacked(parts),
        "all": _link(subject, f"{PRS}/prs", view),
    }
    points, trend = [], []
    for p, b in zip(report.get("series", []), bucket_views(view), strict=True):
        href = _link(subject, f"{PRS}/prs", b.view)
        value = None if b.future else p["total_seconds"]
        said = "no data" if value is None else fmt.duration(value)
        title = f"{b.label}: {said} over {plural(p['prs'], 'PR')}"
        points.append(Point(b.label, value, title, href, None, b.partial,
                            short(b.label, view.interval)))  # fmt: skip
        trend.append((p, href, b.label))  # the bucket as the chart labels it
    peak = max((p.value for p in points if p.value is not None), default=0.0)
    label = f"PR lead time per {view.interval}"
    out["chart"] = bar_chart("pr-lead-time", points, fmt.duration, label,
                             unit_of("duration", peak))  # fmt: skip
    out["trend"] = trend
    return out


def subject_router(kind: Kind) -> APIRouter:
    sub = APIRouter(include_in_schema=False)

    @sub.get("/{name:path}/time-in-status/issues")
    @html_errors
    def status_issues_page(
        name: str,
        engine: EngineDep,
        params: ParamsDep,
        who: ViewerDep,
        status: str | None = None,
        which: str = "visited",
        offset: str | None = None,
    ) -> Response:
        subject, view = find_subject(engine, kind, name, who), params.view()
        if status is not None:
            check_text(status, "status")
        names, items = issue_list(engine, subject.profile, view.window(), status, which)
        rows, pager = paginate(
            items,
            offset,
            subject,
            f"{TIS}/issues",
            view,
            status=status,
            which=which if which != "visited" else None,
        )
        return page(
            "flow_issues.html",
            **navigation(engine, subject, view, who),
            page_name=TIS,
            status_name=status,
            which=which,
            rows=rows,
            pager=pager,
            names=[status] if status else names,
        )

    @sub.get("/{name:path}/time-in-status")
    @html_errors
    def time_in_status_page(
        name: str, engine: EngineDep, params: ParamsDep, who: ViewerDep
    ) -> Response:
        subject, view = find_subject(engine, kind, name, who), params.view()
        report = kept(engine, TIS, subject, view,
                      lambda: time_in_status(engine, subject.profile, view.stat, view.window()),
                      view.stat)  # fmt: skip
        return page(
            "time_in_status.html",
            **navigation(engine, subject, view, who),
            page_name=TIS,
            report=report,
            shown=status_view(subject, view, report),
        )

    @sub.get("/{name:path}/pr-lead-time/prs")
    @html_errors
    def pr_list_page(
        name: str,
        engine: EngineDep,
        params: ParamsDep,
        who: ViewerDep,
        stage: str | None = None,
        which: str = Query("samples"),
        offset: str | None = None,
    ) -> Response:
        subject, view = find_subject(engine, kind, name, who), params.view()
        items = pr_rows(engine, subject.profile, view.window(), stage, which)
        rows, pager = paginate(
            items,
            offset,
            subject,
            f"{PRS}/prs",
            view,
            stage=stage,
            which=which if which != "samples" else None,
        )
        names = dict(STAGES)
        return page(
            "flow_prs.html",
            **navigation(engine, subject, view, who),
            page_name=PRS,
            stage=stage,
            stage_name=names.get(stage or ""),
            which=which,
            rows=rows,
            pager=pager,
            stages=list(STAGES),
        )

    @sub.get("/{name:path}/pr-lead-time")
    @html_errors
    def pr_lead_time_page(
        name: str, engine: EngineDep, params: ParamsDep, who: ViewerDep
    ) -> Response:
        subject, view = find_subject(engine, kind, name, who), params.view()
        report = kept(engine, PRS, subject, view,
                      lambda: pr_lead_time(engine, subject.profile, view.stat, view.window(),
                                           view.interval),
                      view.stat, view.interval)  # fmt: skip
        return page(
            "pr_lead_time.html",
            **navigation(engine, subject, view, who),
            page_name=PRS,
            report=report,
            shown=stage_view(subject, view, report),
        )

    return sub

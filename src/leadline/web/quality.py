"""``/c/NAME/quality`` and ``/p/NAME/quality``: the data-quality report (``leadline
doctor``) of a collection or profile for the page's window — a summary table, then a table
per check with its records, each linked to the page that shows it (a change's timeline, the
deployments or failures of the window)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import Engine

from leadline.services.doctor import Check, Outcome, Report, Subject
from leadline.services.doctor_checks import diagnose
from leadline.store.quality_queries import Finding
from leadline.web.auth import ViewerDep
from leadline.web.kept import kept
from leadline.web.pages import navigation
from leadline.web.params import (
    EngineDep,
    Kind,
    ParamsDep,
    RefresherDep,
    View,
    Viewer,
    change_path,
    find_subject,
)
from leadline.web.params import Subject as Page
from leadline.web.render import html_errors, page

# Where a check's records are listed, and which of a stage's changes (``which=``).
_STAGE_WHICH = {"stage_clamped": "samples", "stage_never_reached": "missing"}


@dataclass(frozen=True)
class Example:
    record: str
    at_us: int | None
    detail: str | None
    href: str | None


@dataclass(frozen=True)
class CheckRow:
    anchor: str
    id: str
    title: str
    severity: str
    count: int | None
    summary: str
    hint: str
    href: str | None  # the page listing what the check looks at
    examples: list[Example] = field(default_factory=list)


def rows(report: Report, subject: Page, view: View) -> list[CheckRow]:
    out = []
    for check, outcome in report.checks:
        anchor = check.id + (f"-{outcome.part}" if outcome.part else "")
        href = _drill(check, outcome, subject, view)
        out.append(CheckRow(
            anchor="check-" + "".join(ch if ch.isalnum() else "-" for ch in anchor.lower()),
            id=check.id,
            title=check.title + (f": {outcome.part}" if outcome.part else ""),
            severity=check.severity,
            count=outcome.count,
            summary=(outcome.note or "") if outcome.count is None else check.sentence(
                outcome.count, outcome.part),
            hint=check.hint,
            href=href,
            examples=[_example(x, href, subject, view) for x in outcome.examples],
        ))  # fmt: skip
    return out


def _drill(check: Check, outcome: Outcome, subject: Page, view: View) -> str | None:
    if check.drill is None or outcome.count is None:
        return None
    which = _STAGE_WHICH.get(check.id)
    query = view.query(stage=outcome.stage, which=which) if which else view.query()
    anchor = "#unlinked" if check.id == "failure_unlinked" else ""
    return f"{subject.base}/{check.drill}{query}{anchor}"


def _example(x: Finding, drill: str | None, subject: Page, view: View) -> Example:
    href = change_path(subject, x.change) + view.query() if x.change else drill
    return Example(x.record, x.at_us, x.detail, href)


def subject_router(kind: Kind) -> APIRouter:
    sub = APIRouter(include_in_schema=False)

    @sub.get("/{name:path}/quality")
    @html_errors
    def quality_page(
        name: str,
        engine: EngineDep,
        refresher: RefresherDep,
        params: ParamsDep,
        who: ViewerDep,
    ) -> Response:
        subject, view = find_subject(engine, kind, name, who), params.view()
        refresher.settle(subject.profile)
        return quality(engine, subject, view, who)

    return sub


def quality(engine: Engine, subject: Page, view: View, who: Viewer) -> Response:
    named = Subject(subject.profile.name, subject.name if subject.kind == "c" else None)
    report = kept(engine, "quality", subject, view,
                  lambda: diagnose(engine, subject.profile, view.window(), named, build=False),
                  subject.name)  # fmt: skip
    checks = rows(report, subject, view)
    found = sum(1 for c in checks if c.count)
    return page(
        "quality.html", **navigation(engine, subject, view, who), page_name="quality",
        checks=checks, found=found,
    )  # fmt: skip

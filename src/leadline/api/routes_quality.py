"""``GET /v1/quality``: ``leadline doctor --format json`` over HTTP (docs/doctor.md), and
``GET /v1/quality/excluded``: ``leadline doctor --excluded --format json``.

Read-only, with the rules of the other report routes (``routes_reports.py``): a read key (a
key limited to a collection reads that subtree only), ``profile=`` or ``collection=``, the
window of ``from``/``to`` (default: the one ``/v1/metrics/dora`` uses). It never builds:
the stage checks read the last complete build of the profile's timelines (with ``as_of``),
and while the first build runs the answer is 202 with its progress.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from leadline.api.deps import EngineDep, RefresherDep
from leadline.api.report_params import ReportDep
from leadline.api.schemas import BUILDING, ExcludedReport, QualityReport, errors
from leadline.services.doctor import Subject
from leadline.services.doctor_checks import diagnose
from leadline.services.doctor_exclusions import excluded_report

router = APIRouter(prefix="/v1", tags=["metrics"])


@router.get(
    "/quality", response_model=None,
    responses={200: {"model": QualityReport}, **BUILDING, **errors(401, 403, 404, 422)},
)  # fmt: skip
def get_quality(engine: EngineDep, refresher: RefresherDep, asked: ReportDep) -> dict[str, Any]:
    """The data-quality report: each check's count, severity, examples and fix."""
    refresher.settle(asked.profile)
    subject = Subject(asked.profile.name, asked.collection)
    return diagnose(engine, asked.profile, asked.window, subject, build=False).to_json()


@router.get(
    "/quality/excluded", response_model=None,
    responses={200: {"model": ExcludedReport}, **errors(401, 403, 404, 422)},
)  # fmt: skip
def get_excluded(engine: EngineDep, asked: ReportDep) -> dict[str, Any]:
    """Every record the ``exclude`` rules took out of the window, under the rule that did
    (the records behind the ``excluded_by_rule`` counts of ``/v1/quality``)."""
    subject = Subject(asked.profile.name, asked.collection)
    return excluded_report(engine, asked.profile, asked.window, subject)

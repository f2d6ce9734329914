"""The two parameters every report route reads the same way: the window (``from``/``to``,
closed by the one default-window rule of ``metrics/windows.py``; a bad bound is a 422) and
the subject (``profile=NAME`` or ``collection=NAME``, exactly one; a collection reports with
its narrowed profile and says so). ``ReportDep`` reads both, with the key's right to read
the collection, for the routes that take nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy import Engine

from leadline.api.deps import EngineDep, Read, within
from leadline.api.errors import ApiError
from leadline.domain.times import parse_bound
from leadline.metrics.windows import Window, closed
from leadline.profiles.models import Profile
from leadline.services import collections, profiles


def report_window(start: str | None, end: str | None) -> Window:
    """``from``/``to`` closed by the one default window rule (``metrics/windows.py``)."""
    try:
        given = Window(parse_bound(start) if start else None, parse_bound(end) if end else None)
    except ValueError as exc:
        raise ApiError(422, str(exc)) from None
    return closed(given, datetime.now(UTC))


def report_profile(
    engine: Engine, profile: str | None, collection: str | None
) -> tuple[Profile, dict[str, Any]]:
    """The profile to report with, and ``{"collection": name}`` when it is a collection's."""
    if (profile is None) == (collection is None):
        raise ApiError(422, "give either profile=NAME or collection=NAME")
    if profile is not None:
        return profiles.get(engine, profile), {}
    found, narrowed = collections.report_profile(engine, collection or "")
    return narrowed, {"collection": found.name}


@dataclass(frozen=True)
class Report:
    """What a report route was asked for: the profile (a collection's narrowed one), the
    collection's name (``None`` for a stored profile) and the window."""

    profile: Profile
    collection: str | None
    window: Window


def report(
    engine: EngineDep,
    principal: Read,
    profile: str | None = Query(None, description="a stored profile's name"),
    collection: str | None = Query(None, description="or a collection's name"),
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> Report:
    """The subject and window of a report route (a 403 first when the key may not read the
    collection, then a 404 or 422)."""
    within(engine, principal, collection)
    chosen, named = report_profile(engine, profile, collection)
    return Report(chosen, named.get("collection"), report_window(start, end))


ReportDep = Annotated[Report, Depends(report)]

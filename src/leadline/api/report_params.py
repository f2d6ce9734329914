"""The two parameters every report route reads the same way: the window (``from``/``to``,
closed by the one default-window rule of ``metrics/windows.py``; a bad bound is a 422) and
the subject (``profile=NAME`` or ``collection=NAME``, exactly one; a collection reports with
its narrowed profile and says so)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

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

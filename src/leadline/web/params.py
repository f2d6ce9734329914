"""What a page is about (a collection, or a stored profile) and for which window, read from
the URL; and the URLs of the pages, so every link carries the same window."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import quote, urlencode

from fastapi import Depends, Query, Request
from sqlalchemy import Engine

from leadline.domain.times import from_micros, parse_bound
from leadline.errors import InputError, NotFoundError
from leadline.metrics.choices import INTERVALS, STATISTICS
from leadline.metrics.windows import Window, default_window
from leadline.profiles.models import Profile
from leadline.services import collections, profiles
from leadline.services.apikeys import can_read
from leadline.services.collections import Collection
from leadline.services.refresher import Refresher
from leadline.web.formatting import DAY_US, bound

Kind = Literal["c", "p"]
INTERVAL_DAYS: dict[str, int] = {"day": 1, "week": 7, "month": 30}  # for MAX_POINTS
MAX_POINTS = 400  # bars per chart: more is unreadable and slow to draw
DRILLS = ("deployments", "failures", "incidents", "changes")
COMPARE = ("previous", "none")  # the overview's comparison with the previous window


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def get_refresher(request: Request) -> Refresher:
    """The server's background refresher: pages wait on it briefly, never build."""
    refresher: Refresher = request.app.state.refresher
    return refresher


RefresherDep = Annotated[Refresher, Depends(get_refresher)]


@dataclass(frozen=True)
class Subject:
    """A collection (``/c/NAME``) or a stored profile (``/p/NAME``) and its profile."""

    kind: Kind
    name: str
    profile: Profile
    collection: Collection | None = None

    @property
    def base(self) -> str:
        return subject_path(self.kind, self.name)

    @property
    def label(self) -> str:
        return "collection" if self.kind == "c" else "profile"


def subject_path(kind: str, name: str) -> str:
    return f"/{kind}/{quote(name, safe='')}"


def change_path(subject: Subject, key: str) -> str:
    return f"{subject.base}/changes/{quote(key, safe='')}"


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the dashboard (``web/auth.viewer`` works it out per request):
    ``limit`` is the collection a key limited to one may see, with those under it; ``None``
    sees everything. Every page takes it explicitly and hands it to ``find_subject`` and
    ``navigation``: a page cannot read a collection or profile without saying who looks,
    so it cannot fail open."""

    limit: str | None

    def sees(self, engine: Engine, kind: str, name: str) -> bool:
        """Whether this viewer may see the collection (``c``) or profile (``p``): the API's
        rule (``services.apikeys.can_read``)."""
        return can_read(engine, self.limit, name if kind == "c" else None)


def find_subject(engine: Engine, kind: Kind, name: str, who: Viewer) -> Subject:
    """Raises ``NotFoundError`` for an unknown name, or one ``who`` may not see (a 404
    page: a limited key does not learn which names exist)."""
    check_text(name, "name")
    if not who.sees(engine, kind, name):
        raise NotFoundError(f"no {'collection' if kind == 'c' else 'profile'} named {name!r}")
    if kind == "c":
        collection, profile = collections.report_profile(engine, name)
        return Subject("c", collection.name, profile, collection)
    profile = profiles.get(engine, name)
    return Subject("p", profile.name, profile)


def check_text(value: str, what: str) -> str:
    """A name or key from the URL: no control characters (PostgreSQL refuses NUL), bounded."""
    if len(value) > 1000 or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise NotFoundError(f"no such {what}: {value[:80]!r}")
    return value


@dataclass(frozen=True)
class View:
    """The window ``[start, end)`` (micros), the series interval, the lead-time statistic, and
    whether the overview compares each figure with the previous window (the default)."""

    start: int
    end: int
    interval: str
    stat: str
    compare: bool = True

    def window(self) -> Window:
        return Window(from_micros(self.start), from_micros(self.end))

    def params(self, **extra: str | int | None) -> dict[str, str]:
        out = {"from": bound(self.start), "to": bound(self.end), "interval": self.interval,
               "stat": self.stat}  # fmt: skip
        if not self.compare:
            out["compare"] = "none"
        out.update({k: str(v) for k, v in extra.items() if v is not None})
        return out

    def query(self, **extra: str | int | None) -> str:
        return "?" + urlencode(self.params(**extra))

    def between(self, start: int, end: int) -> View:
        """The same view narrowed to ``[start, end)`` (a chart bar's bucket)."""
        return replace(self, start=max(start, self.start), end=min(end, self.end))

    def last(self, days: int) -> View:
        return replace(self, start=self.end - days * DAY_US)

    def previous(self) -> View:
        """The window of the same length that ends where this one starts."""
        return replace(self, start=2 * self.start - self.end, end=self.start)


def read_view(
    start: str | None,
    end: str | None,
    interval: str | None,
    stat: str | None,
    now: datetime,
    compare: str | None = None,
) -> View:
    """The page's view from its query; every problem is an ``InputError`` (a 4xx page)."""
    compare = (compare or "previous").strip().lower()
    if compare not in COMPARE:
        raise InputError(f"compare: expected one of {', '.join(COMPARE)}, got {compare!r}")
    interval = (interval or "week").strip().lower()
    stat = (stat or "mean").strip().lower()
    if interval not in INTERVALS:
        raise InputError(f"interval: expected one of {', '.join(INTERVALS)}, got {interval!r}")
    if stat not in STATISTICS:
        raise InputError(f"stat: expected one of {', '.join(STATISTICS)}, got {stat!r}")
    bounds = []
    for name, value in (("from", start), ("to", end)):
        try:
            bounds.append(parse_bound(value) if value and value.strip() else None)
        except ValueError as exc:
            raise InputError(f"{name}: {exc}") from None
    start_us, end_us = default_window(Window(bounds[0], bounds[1]), now)
    points = (end_us - start_us) / (INTERVAL_DAYS[interval] * DAY_US)
    if points > MAX_POINTS:
        raise InputError(
            f"the window holds {points:.0f} {interval}s: choose a larger interval or a shorter "
            f"window (at most {MAX_POINTS} points a chart)"
        )
    return View(start_us, end_us, interval, stat, compare == "previous")


@dataclass(frozen=True)
class Params:
    start: str | None
    end: str | None
    interval: str | None
    stat: str | None
    compare: str | None = None

    def view(self) -> View:
        now = datetime.now(UTC)
        return read_view(self.start, self.end, self.interval, self.stat, now, self.compare)


def _params(
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    interval: str | None = None,
    stat: str | None = None,
    compare: str | None = None,
) -> Params:
    return Params(start, end, interval, stat, compare)


ParamsDep = Annotated[Params, Depends(_params)]

"""The organisation overview: every named collection's DORA report in one list (the
dashboard's ``/``, ``GET /v1/overview``, ``leadline overview``).

One function computes a team's row, so the three forms cannot disagree, and each row is
exactly what ``leadline dora --collection NAME [--compare previous] --format json`` prints:
``{"collection": NAME, **report}``. A collection whose profile has no ``dora`` block gets
its lead time (``leadline lead-time --collection NAME``) and ``"dora": null``; one with no
profile at all gets ``"error"`` and nothing else (the reason, never a zero).

Why a cache: a report reads every deployment, failure and incident of its team twice (this
window and the previous one), about 150 ms a team on the demo; seven teams are a second. The
server (``build=False``) keeps each row per process (``services/answer_cache.py``), keyed on
the narrowed profile (filters, people and rules included), the window, interval, statistic
and comparison, and the store's position: new data moves it, so the next request
recomputes. The CLI (``build=True``) never reads the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from leadline.errors import InputError, NotFoundError, NotReady
from leadline.metrics.windows import Window, closed
from leadline.profiles.models import Profile
from leadline.services import answer_cache, collections
from leadline.services.dora import dora
from leadline.services.leadtime import lead_time


@dataclass(frozen=True)
class Team:
    """A collection with the profile it reports with (``None``: ``error`` says why)."""

    name: str
    profile: Profile | None
    error: str = ""


def teams(engine: Engine, names: Iterable[str]) -> list[Team]:
    """Each collection of ``names`` with its narrowed profile (``collections.report_profile``)."""
    out = []
    for name in names:
        try:
            found, profile = collections.report_profile(engine, name)
        except (InputError, NotFoundError) as exc:  # no profile on it or above, or gone
            out.append(Team(name, None, str(exc)))
            continue
        out.append(Team(found.name, profile))
    return out


def overview(
    engine: Engine,
    names: Iterable[str],
    window: Window | None = None,
    interval: str = "week",
    stat: str = "mean",
    compare: bool = True,
    *,
    build: bool = False,
    settle: Callable[[Profile], None] | None = None,
) -> list[dict[str, Any]]:
    """One row per collection of ``names`` (in their order): ``{"collection": NAME,
    **dora report}`` as ``leadline dora --collection NAME --format json`` (with
    ``comparison`` when ``compare``); without a ``dora`` block ``{"collection", "dora":
    None, "lead_time_for_changes": lead-time report}``; without a profile ``{"collection",
    "error"}``. ``build``: bring the timelines up to date first (the CLI; no cache).
    ``settle``: called with the profile of each team about to be computed (not of one
    answered from the cache: nothing moved since); the server waits briefly there for its
    refresher, as a collection's own page does."""
    found = teams(engine, names)
    return rows(engine, found, window, interval, stat, compare, build=build, settle=settle)


def rows(
    engine: Engine,
    found: list[Team],
    window: Window | None = None,
    interval: str = "week",
    stat: str = "mean",
    compare: bool = True,
    *,
    build: bool = False,
    settle: Callable[[Profile], None] | None = None,
    partial: bool = False,
) -> list[dict[str, Any]]:
    """``overview`` of teams already resolved (``teams``). ``partial`` (the dashboard): a
    team whose first build still runs gets ``{"collection", "building": message}`` instead
    of the whole answer being ``NotReady`` (the API's 202)."""
    chosen = closed(window, datetime.now(UTC))
    out: list[dict[str, Any] | None] = []
    keys: list[tuple[Any, ...]] = []
    stamp = None if build else answer_cache.data_stamp(engine)
    for team in found:
        if team.profile is None:
            out.append({"collection": team.name, "error": team.error})
            keys.append(())
            continue
        key = (team.name, team.profile.model_dump_json(), chosen, interval, stat, compare)
        keys.append(key)
        out.append(None if stamp is None else answer_cache.get(key, stamp))
    missing = [i for i, row in enumerate(out) if row is None]
    if missing and settle is not None:
        for i in missing:
            settle(found[i].profile)  # type: ignore[arg-type]
        stamp = answer_cache.data_stamp(engine)  # what the settled builds brought
    for i in missing:
        team = found[i]
        assert team.profile is not None
        try:
            row = _row(engine, team.name, team.profile, chosen, interval, stat, compare, build)
        except NotReady as exc:
            if not partial:
                raise
            out[i] = {"collection": team.name, "building": str(exc)}
            continue
        if stamp is not None:
            answer_cache.put(keys[i], stamp, row)
        out[i] = row
    return [row for row in out if row is not None]


def _row(
    engine: Engine,
    name: str,
    profile: Profile,
    window: Window,
    interval: str,
    stat: str,
    compare: bool,
    build: bool,
) -> dict[str, Any]:
    row: dict[str, Any] = {"collection": name}
    if profile.dora is not None:
        row |= dora(engine, profile, window, interval, stat, build=build, compare=compare)
    else:
        lead = lead_time(engine, profile, stat, window, interval=interval, build=build)
        lead.pop("in_flight", None)
        row |= {"dora": None, "lead_time_for_changes": lead}
    return row

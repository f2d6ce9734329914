"""How numbers read on the dashboard: durations, rates, frequencies, times (UTC)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from leadline.domain.times import format_time, from_micros, parse_time, to_micros
from leadline.words import plural

BAND_TEXT = {"elite": "Elite", "high": "High", "medium": "Medium", "low": "Low"}
RATING_TEXT = {"good": "good", "needs_attention": "needs attention", "slow": "slow"}
DAY_US = 86_400_000_000
NO_DATA = "No data"  # a figure with no source or nothing to measure: never shown as 0


def duration(seconds: float | None) -> str:
    """``4200.0`` → ``1h 10m`` (the two largest units); ``—`` for none (as the CLI)."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.3g}s" if seconds else "0s"
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    return " ".join([f"{n}{u}" for n, u in parts if n][:2]) or "0s"


def percent(rate: float | None) -> str:
    if rate is None:
        return "—"
    return f"{rate * 100:.1f} %"


def frequency(per_day: float | None) -> str:
    """Deployments per day, with the unit that reads best."""
    if per_day is None:
        return NO_DATA
    if per_day >= 1 or per_day == 0:
        return f"{per_day:.2f} per day"
    if per_day * 7 >= 1:
        return f"{per_day * 7:.1f} per week"
    return f"{per_day * 30:.1f} per month"


def when(micros: int | None) -> str:
    """``2024-05-01 10:00`` (UTC), seconds when they are not zero."""
    if micros is None:
        return "—"
    at = from_micros(micros)
    return at.strftime("%Y-%m-%d %H:%M:%S" if at.second or at.microsecond else "%Y-%m-%d %H:%M")


def bound(micros: int) -> str:
    """A window bound as a query parameter: a date at midnight UTC, else RFC 3339."""
    at = from_micros(micros)
    if micros % DAY_US == 0:
        return at.date().isoformat()
    return format_time(at)


def day(micros: int) -> str:
    """The date of a bound, for a date input (the day before for an exclusive midnight end
    is the user's business: the form says ``to`` is exclusive)."""
    return from_micros(micros).astimezone(UTC).date().isoformat()


def days(start_us: int, end_us: int) -> str:
    return plural((end_us - start_us) / DAY_US, "day", spec="g")


def freshness(as_of: Mapping[str, object] | None, now_us: int) -> str | None:
    """``as_of`` of an answer as one line: ``Up to date (updated 12s ago).`` or
    ``Updated 3m 5s ago; 1,240 updates waiting.``; ``None`` without ``as_of``."""
    if not as_of:
        return None
    updated = parse_time(str(as_of["updated_at"]))
    ago = duration(max(0.0, (now_us - to_micros(updated)) / 1_000_000))
    waiting = int(str(as_of.get("waiting", 0)))
    if not waiting:
        return f"Up to date (updated {ago} ago)."
    return f"Updated {ago} ago; {plural(waiting, 'update', spec=',')} waiting."


def band_text(band: str | None) -> str:
    """A preset band capitalised (``Elite``), a custom level as named, ``No band`` for none."""
    return BAND_TEXT.get(band, band) if band else "No band"


def rating_text(rating: str | None) -> str:
    return RATING_TEXT.get(rating or "", "no target")


def versus(section: dict[str, Any], previous: str) -> str:
    """A ``comparison`` section in words (colour only repeats them): ``+12 %, worse (p =
    0.03)``, ``+5 %, no significant change``, or ``not enough data to compare``; ``previous``
    is the previous window's figure, as the widget shows figures."""
    verdict = str(section["verdict"])
    if verdict == "not enough data":
        return "not enough data to compare"
    change = section["change_percent"]
    shown = "" if change is None else f"{change:+.0f} %, "
    if verdict in ("better", "worse"):
        p = float(section["p_value"])
        odds = "p < 0.001" if p < 0.001 else f"p = {p:.2g}"
        return f"{shown}{verdict} ({odds}; was {previous})"
    return f"{shown}{verdict} (was {previous})"


def member(entry: Any) -> str:
    """A collection's ``members`` entry as a tag reads it: ``Ana (2026-01-01 → 2026-04-01)``,
    ``Ana (from 2026-01-01)``, ``members of Web`` (a ``MemberSpec``; ``to`` is exclusive)."""
    if entry.collection is not None:
        return f"members of {entry.collection}"
    start = entry.start.astimezone(UTC).strftime("%Y-%m-%d") if entry.start else None
    end = entry.end.astimezone(UTC).strftime("%Y-%m-%d") if entry.end else None
    if start and end:
        return f"{entry.contributor} ({start} → {end})"
    if start:
        return f"{entry.contributor} (from {start})"
    if end:
        return f"{entry.contributor} (until {end})"
    return str(entry.contributor)

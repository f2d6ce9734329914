"""The report window: one rule for every command, the API, the dashboard and the demo.

A report covers ``[from, to)``. Without ``--from``/``--to`` (or ``from=``/``to=``) it is the
**90 days ending at the end of today, UTC**: ``[today − 89 days 00:00, tomorrow 00:00)``, so
today's deployments count as soon as they happen and the window is 90 whole calendar days.
A missing ``to`` is the end of today (or 90 days after a ``from`` that is not before it); a
missing ``from`` is 90 days before ``to``. ``leadline dora``, ``leadline lead-time``,
``leadline git``, the demo's summary, ``GET /v1/metrics/*``, ``/metrics`` and the dashboard all
resolve their window here, which is why they agree to the microsecond (docs/metrics.md).

"All time" is never a default: ``leadline lead-time --all-time`` asks for it (``Window()``,
no bounds). Every report states its window (``window_json``).

The rule is pure (no database, no clock: ``now`` is an argument), so it lives with the
metrics, below both the services and the demo's generator, which places its incidents by
the same window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from leadline.domain.times import format_time, from_micros, to_micros
from leadline.errors import InputError
from leadline.metrics.series import window_json

__all__ = [
    "DEFAULT_DAYS",
    "Window",
    "closed",
    "default_window",
    "end_of_day",
    "summary_bounds",
    "summary_window",
    "window_json",
]

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class Window:
    """``[start, end)``; a missing bound is open (``default_window`` closes it)."""

    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start >= self.end:
            raise InputError(
                f"--from {format_time(self.start)} is not before --to {format_time(self.end)}"
            )

    def micros(self) -> tuple[int | None, int | None]:
        return (
            None if self.start is None else to_micros(self.start),
            None if self.end is None else to_micros(self.end),
        )


def end_of_day(now: datetime) -> datetime:
    """The next UTC midnight after ``now`` (``now`` itself never ends a day)."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1)


def default_window(window: Window | None, now: datetime) -> tuple[int, int]:
    """``[from, to)`` in micros: the given bounds, the missing ones by the rule above."""
    window = window or Window()
    end, start = window.end, window.start
    try:
        if end is None:
            end = end_of_day(now)
            if start is not None and start >= end:
                end = start + timedelta(days=DEFAULT_DAYS)
        if start is None:
            start = end - timedelta(days=DEFAULT_DAYS)
    except OverflowError:
        raise InputError(
            "the window runs past the representable dates: give both --from and --to"
        ) from None
    return to_micros(start), to_micros(end)


def closed(window: Window | None, now: datetime) -> Window:
    """``default_window`` as a ``Window`` with both bounds."""
    start, end = default_window(window, now)
    return Window(from_micros(start), from_micros(end))


def summary_bounds(anchor: datetime) -> tuple[datetime, datetime]:
    """``leadline demo``'s summary window: the default window on the anchor's day. With the
    default anchor (the start of today) it is exactly the window ``leadline dora`` and the
    dashboard show today; the demo's records all end before it does."""
    start, end = default_window(None, anchor)
    return from_micros(start), from_micros(end)


def summary_window(anchor: datetime) -> Window:
    """``summary_bounds`` as a ``Window``."""
    return Window(*summary_bounds(anchor))

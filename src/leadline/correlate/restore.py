"""When time to restore's clock starts and stops for one incident or ticket (pure).

``dora.restore`` picks the rules (docs/dora.md#mean-time-to-restore); each ``Clock`` names the
rule that picked each time, for the drill-down.

Incidents (``source: incidents``):

* start: ``created`` (default) — the incident's creation; ``acknowledged`` — its first
  acknowledgement, or its creation when it was never acknowledged (an alert resolved
  unacknowledged still had an outage since it opened).
* stop: its resolution (none: not restored).

Tickets (``source: issues``), from their status changes in time order (ties keep their
order):

* start: without ``start_statuses`` the ticket's creation; with them, the **first** entry into
  one of them (a reopened ticket does not restart the clock), or its creation when it never
  entered one.
* stop: without ``stop_statuses`` the first entry into a done-category status or the
  resolution time, whichever is earlier (with ``start_statuses``: the earliest not before the
  start); with them, the entry into the **final run** of stop statuses: the ticket must be in
  a stop status now (its last status change is into one), and the clock stops where that run
  began — ``Resolved`` then ``Closed`` stops at ``Resolved``; ``Done``, reopened, ``Done``
  again stops at the second ``Done``. A ticket not in a stop status now is not restored.

Statuses compare ignoring case and surrounding spaces, as stage statuses do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

StartRule = Literal["created", "acknowledged"]

CREATED = "created"
ACKNOWLEDGED = "acknowledged"
NEVER_ACKNOWLEDGED = "created (never acknowledged)"
NEVER_STARTED = "created (never entered a start status)"
RESOLVED = "resolved"
NOT_RESOLVED = "not resolved"
NO_STOP_STATUS = "not in a stop status"


@dataclass(frozen=True)
class Clock:
    start_us: int
    start_rule: str
    stop_us: int | None  # None: not restored
    stop_rule: str


@dataclass(frozen=True)
class Change:
    """A ticket's status change: when, into which status, and that status's category."""

    at_us: int
    to: str
    category: str | None = None


def incident_clock(
    created_us: int,
    acknowledged_us: int | None,
    resolved_us: int | None,
    start: StartRule = "created",
) -> Clock:
    if start == "acknowledged" and acknowledged_us is not None:
        begin, why = acknowledged_us, ACKNOWLEDGED
    else:
        begin, why = created_us, CREATED if start == "created" else NEVER_ACKNOWLEDGED
    if resolved_us is None:
        return Clock(begin, why, None, NOT_RESOLVED)
    return Clock(begin, why, resolved_us, RESOLVED)


def _fold(status: str) -> str:
    return status.strip().casefold()


def _names(statuses: Sequence[str] | None) -> frozenset[str] | None:
    return None if statuses is None else frozenset(_fold(s) for s in statuses)


def ticket_clock(
    created_us: int,
    resolved_us: int | None,
    changes: Sequence[Change],
    start_statuses: Sequence[str] | None = None,
    stop_statuses: Sequence[str] | None = None,
) -> Clock:
    ordered = sorted(changes, key=lambda c: c.at_us)  # stable: ties keep their order
    starts, stops = _names(start_statuses), _names(stop_statuses)
    begin, why = created_us, CREATED
    if starts is not None:
        entered = next((c for c in ordered if _fold(c.to) in starts), None)
        begin, why = (entered.at_us, f"entered {entered.to}") if entered else (begin, NEVER_STARTED)
    if stops is None:
        floor = begin if starts is not None else None
        end, end_why = _first_done(ordered, resolved_us, floor)
    else:
        end, end_why = _final_stop(ordered, stops)
    return Clock(begin, why, end, end_why)


def _first_done(
    ordered: Sequence[Change], resolved_us: int | None, floor: int | None
) -> tuple[int | None, str]:
    """The first entry into a done-category status or the resolution, whichever is earlier,
    not before ``floor`` (None: any)."""
    best: tuple[int, str] | None = None
    for c in ordered:
        if c.category == "done" and (floor is None or c.at_us >= floor):
            best = (c.at_us, f"entered {c.to} (done)")
            break
    if (
        resolved_us is not None
        and (floor is None or resolved_us >= floor)
        and (best is None or resolved_us < best[0])
    ):
        best = (resolved_us, RESOLVED)
    return (None, NOT_RESOLVED) if best is None else best


def _final_stop(ordered: Sequence[Change], stops: frozenset[str]) -> tuple[int | None, str]:
    """Where the final uninterrupted run of stop statuses began (none: not restored)."""
    first = len(ordered)
    while first > 0 and _fold(ordered[first - 1].to) in stops:
        first -= 1
    if first == len(ordered):
        now = f" (now {ordered[-1].to})" if ordered else ""
        return None, NO_STOP_STATUS + now
    entry = ordered[first]
    again = any(_fold(c.to) in stops for c in ordered[:first])
    return entry.at_us, f"entered {entry.to}" + (" again, after a reopen" if again else "")

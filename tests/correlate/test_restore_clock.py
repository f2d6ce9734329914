"""``correlate/restore.py``: when time to restore's clock starts and stops, and the rule named
for each, at every boundary (ties, equal times, case, empty inputs)."""

from __future__ import annotations

import pytest

from leadline.correlate.restore import (
    ACKNOWLEDGED,
    CREATED,
    NEVER_ACKNOWLEDGED,
    NEVER_STARTED,
    NO_STOP_STATUS,
    NOT_RESOLVED,
    RESOLVED,
    Change,
    Clock,
    incident_clock,
    ticket_clock,
)

STOPS = ["Resolved", "Closed"]


def done(at: int, to: str = "Done") -> Change:
    return Change(at, to, "done")


def doing(at: int, to: str = "In Progress") -> Change:
    return Change(at, to, "in_progress")


# --- incidents ----------------------------------------------------------------------------


def test_incident_from_creation() -> None:
    assert incident_clock(10, 15, 40) == Clock(10, CREATED, 40, RESOLVED)
    assert incident_clock(10, None, 40, "created") == Clock(10, CREATED, 40, RESOLVED)


def test_incident_from_the_acknowledgement() -> None:
    assert incident_clock(10, 15, 40, "acknowledged") == Clock(15, ACKNOWLEDGED, 40, RESOLVED)
    # an acknowledgement at the creation time is still the acknowledgement
    assert incident_clock(10, 10, 40, "acknowledged") == Clock(10, ACKNOWLEDGED, 40, RESOLVED)


def test_incident_never_acknowledged_starts_at_creation() -> None:
    got = incident_clock(10, None, 40, "acknowledged")
    assert got == Clock(10, NEVER_ACKNOWLEDGED, 40, RESOLVED)


def test_unresolved_incident() -> None:
    assert incident_clock(10, 15, None, "acknowledged") == Clock(
        15, ACKNOWLEDGED, None, NOT_RESOLVED
    )
    assert incident_clock(0, None, None) == Clock(0, CREATED, None, NOT_RESOLVED)


# --- tickets: the default rules (today's) -------------------------------------------------


def test_default_first_done_status() -> None:
    changes = [doing(5), done(20), doing(30), done(50)]
    assert ticket_clock(0, None, changes) == Clock(0, CREATED, 20, "entered Done (done)")


def test_default_resolved_when_earlier_than_any_done_status() -> None:
    assert ticket_clock(0, 19, [done(20)]) == Clock(0, CREATED, 19, RESOLVED)
    assert ticket_clock(0, 19, [doing(5)]) == Clock(0, CREATED, 19, RESOLVED)
    assert ticket_clock(0, 19, []) == Clock(0, CREATED, 19, RESOLVED)


def test_default_tie_names_the_status() -> None:
    assert ticket_clock(0, 20, [done(20)]) == Clock(0, CREATED, 20, "entered Done (done)")
    assert ticket_clock(0, 21, [done(20)]) == Clock(0, CREATED, 20, "entered Done (done)")


def test_default_without_done_or_resolution_is_not_restored() -> None:
    assert ticket_clock(0, None, [doing(5), Change(6, "Blocked")]) == Clock(
        0, CREATED, None, NOT_RESOLVED
    )
    assert ticket_clock(0, None, []) == Clock(0, CREATED, None, NOT_RESOLVED)


def test_default_reads_changes_in_time_order() -> None:
    assert ticket_clock(0, None, [done(50, "Closed"), done(20)]).stop_us == 20


def test_default_before_the_creation_counts_as_today() -> None:
    # no start statuses: no floor (a done status before creation is a data error, kept)
    assert ticket_clock(10, None, [done(5)]) == Clock(10, CREATED, 5, "entered Done (done)")


# --- tickets: start_statuses ----------------------------------------------------------------


def test_start_at_the_first_entry_into_a_start_status() -> None:
    changes = [Change(3, "To Do"), doing(5), done(9), doing(12), done(20)]
    got = ticket_clock(0, None, changes, ["In Progress"])
    assert got == Clock(5, "entered In Progress", 9, "entered Done (done)")


def test_start_statuses_ignore_case_and_spaces() -> None:
    got = ticket_clock(0, None, [doing(5, " in progress "), done(9)], ["IN PROGRESS"])
    assert (got.start_us, got.start_rule) == (5, "entered  in progress ")


def test_never_entered_a_start_status_starts_at_creation() -> None:
    got = ticket_clock(2, None, [done(9)], ["In Progress"])
    assert got == Clock(2, NEVER_STARTED, 9, "entered Done (done)")


def test_default_stop_not_before_the_start() -> None:
    # done at 4 is before the start at 5: the next done (at the start exactly) counts
    changes = [done(4), doing(5), done(5, "Closed")]
    got = ticket_clock(0, None, changes, ["In Progress"])
    assert got == Clock(5, "entered In Progress", 5, "entered Closed (done)")
    # resolved exactly at the start counts; before it does not
    assert ticket_clock(0, 5, [doing(5)], ["In Progress"]).stop_rule == RESOLVED
    assert ticket_clock(0, 4, [doing(5)], ["In Progress"]) == Clock(
        5, "entered In Progress", None, NOT_RESOLVED
    )


def test_start_from_a_never_started_ticket_is_the_floor() -> None:
    # start falls back to creation (10): a done status before it is not the stop
    got = ticket_clock(10, None, [done(5), done(12, "Closed")], ["In Progress"])
    assert got == Clock(10, NEVER_STARTED, 12, "entered Closed (done)")


# --- tickets: stop_statuses -----------------------------------------------------------------


def test_stop_where_the_final_run_of_stop_statuses_began() -> None:
    changes = [doing(5), Change(9, "Resolved"), Change(12, "Closed")]
    assert ticket_clock(0, 9, changes, None, STOPS) == Clock(0, CREATED, 9, "entered Resolved")


def test_reopened_ticket_stops_at_the_last_entry() -> None:
    changes = [doing(1), Change(3, "Resolved"), Change(5, "Reopened"), doing(6),
               Change(8, "Resolved"), Change(9, "Closed")]  # fmt: skip
    got = ticket_clock(0, 8, changes, ["In Progress"], STOPS)
    assert got == Clock(1, "entered In Progress", 8, "entered Resolved again, after a reopen")


def test_every_change_a_stop_status() -> None:
    got = ticket_clock(0, None, [Change(3, "resolved"), Change(4, "Closed")], None, STOPS)
    assert got == Clock(0, CREATED, 3, "entered resolved")


def test_not_in_a_stop_status_now_is_not_restored() -> None:
    changes = [Change(3, "Resolved"), Change(5, "Reopened")]
    got = ticket_clock(0, 3, changes, None, STOPS)  # resolved_at does not count here
    assert got == Clock(0, CREATED, None, NO_STOP_STATUS + " (now Reopened)")


def test_no_status_change_is_not_restored() -> None:
    assert ticket_clock(0, 3, [], None, STOPS) == Clock(0, CREATED, None, NO_STOP_STATUS)


def test_done_category_is_not_a_stop_status_unless_named() -> None:
    got = ticket_clock(0, 4, [done(4)], None, STOPS)
    assert got == Clock(0, CREATED, None, NO_STOP_STATUS + " (now Done)")


@pytest.mark.parametrize(
    ("changes", "stop"),
    [
        # equal times keep their order: the later-listed change is the current status
        ([Change(3, "Resolved"), Change(3, "Reopened")], None),
        ([Change(3, "Reopened"), Change(3, "Resolved")], 3),
    ],
)
def test_ties_keep_their_order(changes: list[Change], stop: int | None) -> None:
    assert ticket_clock(0, None, changes, None, STOPS).stop_us == stop


def test_unsorted_changes_are_read_in_time_order() -> None:
    changes = [Change(9, "Closed"), Change(5, "Reopened"), Change(8, "Resolved"),
               Change(3, "Resolved")]  # fmt: skip
    assert ticket_clock(0, None, changes, None, STOPS) == Clock(
        0, CREATED, 8, "entered Resolved again, after a reopen"
    )

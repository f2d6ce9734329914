"""Time in status: visits, bounces and per-status figures, expectations computed by hand."""

from __future__ import annotations

import pytest

from leadline.metrics.time_in_status import Change, History, aggregate, issue_times, visits

H = 3_600_000_000  # one hour in micros


def c(hour: float, to: str, category: str = "in_progress") -> Change:
    return Change(int(hour * H), to, category)


# (name, history, end hour, expected {status: (hours, visits)})
CASES = [
    ("no history", [], 10, {}),
    (
        "straight through: before the first change not counted, after the end not counted",
        [c(1, "To Do", "todo"), c(3, "In Progress"), c(7, "Review"), c(8, "Done", "done")],
        8,
        {"To Do": (2, 1), "In Progress": (4, 1), "Review": (1, 1)},
    ),
    (
        "a bounce: Review back to In Progress",
        [
            c(0, "In Progress"),
            c(2, "Review"),
            c(3, "In Progress"),
            c(6, "Review"),
            c(7, "Done", "done"),
        ],
        7,
        {"In Progress": (5, 2), "Review": (2, 2)},
    ),
    (
        "unsorted history gives the same visits",
        [
            c(6, "Review"),
            c(0, "In Progress"),
            c(7, "Done", "done"),
            c(3, "In Progress"),
            c(2, "Review"),
        ],
        7,
        {"In Progress": (5, 2), "Review": (2, 2)},
    ),
    (
        "same-time changes: the first is no visit, the last one recorded is where it went",
        [c(0, "To Do", "todo"), c(1, "In Progress"), c(1, "Review"), c(4, "Done", "done")],
        4,
        {"To Do": (1, 1), "Review": (3, 1)},
    ),
    (
        "a no-length visit between two of one status joins them",
        [c(0, "In Progress"), c(2, "Blocked"), c(2, "In Progress"), c(5, "Done", "done")],
        5,
        {"In Progress": (5, 1)},
    ),
    (
        "a change into the current status continues the visit",
        [c(0, "In Progress"), c(1, "In Progress"), c(4, "Done", "done")],
        4,
        {"In Progress": (4, 1)},
    ),
    (
        "reopened: the first Done visit counts, the end cuts the rest",
        [
            c(0, "In Progress"),
            c(2, "Done", "done"),
            c(5, "In Progress"),
            c(6, "Done", "done"),
            c(9, "In Progress"),
        ],
        6,
        {"In Progress": (3, 2), "Done": (3, 1)},
    ),
]


@pytest.mark.parametrize(("name", "changes", "end", "expected"), CASES, ids=[x[0] for x in CASES])
def test_issue_times(name: str, changes: list[Change], end: int, expected: dict) -> None:
    times = issue_times(History("X-1", changes, end * H))
    got = {s: (times.seconds[s] / 3600, times.visits[s]) for s in times.seconds}
    assert got == expected


def test_visit_cut_at_the_end() -> None:
    found = visits(History("X-1", [c(0, "In Progress"), c(5, "Review")], 3 * H))
    assert [(v.status, v.start, v.end) for v in found] == [("In Progress", 0, 3 * H)]


def test_aggregate_per_status_in_workflow_order() -> None:
    # A: In Progress 0–2, Review 2–3, In Progress 3–6, Review 6–7 (bounced in both).
    # B: Review 0–1 (first seen before To Do), To Do 1–2, In Progress 2–6.
    # C: no history.
    histories = [
        History(
            "A",
            [
                c(0, "In Progress"),
                c(2, "Review"),
                c(3, "In Progress"),
                c(6, "Review"),
                c(7, "Done", "done"),
            ],
            7 * H,
        ),
        History(
            "B",
            [c(0, "Review"), c(1, "To Do", "todo"), c(2, "In Progress"), c(6, "Done", "done")],
            6 * H,
        ),
        History("C", [], 5 * H),
    ]
    report = aggregate(histories, "mean")
    assert report.issues == 3
    assert report.bounced_issues == 1
    got = [
        (
            s.name,
            s.category,
            s.issues,
            s.seconds / 3600 if s.seconds is not None else None,
            s.total_seconds / 3600,
            s.visits,
            s.bounces,
            s.bounced_issues,
        )
        for s in report.statuses
    ]
    assert got == [
        ("To Do", "todo", 1, 1.0, 1.0, 1, 0, 0),
        # A 5 h, B 4 h: mean 4.5 h, total 9 h, visits 2 + 1, one bounce (A)
        ("In Progress", "in_progress", 2, 4.5, 9.0, 3, 1, 1),
        # A 2 h, B 1 h: mean 1.5 h
        ("Review", "in_progress", 2, 1.5, 3.0, 3, 1, 1),
    ]
    median = aggregate(histories, "p90").statuses[1]
    # p90 of [4, 5] h: 4 + 0.9 × (5 − 4) = 4.9 h
    assert median.seconds == pytest.approx(4.9 * 3600)


def test_no_issues_no_statuses() -> None:
    report = aggregate([], "median")
    assert report.statuses == [] and report.issues == 0

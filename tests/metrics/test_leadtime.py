"""Lead time by stage against the lead-time page's eight worked examples (to the second)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from leadline.metrics.leadtime import (
    aggregate,
    explain_change,
    stage_durations,
)
from leadline.profiles import Stage

NAN = math.nan
MIN = 60.0
# Every example starts when the ticket is created, at 9:50.
DAY = "2024-05-01"
CREATED = "09:50"


def at(clock: str | None) -> float:
    """Epoch seconds of a wall-clock time on the examples' day (``None`` → NaN)."""
    if clock is None:
        return NAN
    return datetime.fromisoformat(f"{DAY}T{clock}:00").replace(tzinfo=UTC).timestamp()


NINE_STAGES = [
    Stage(name="In Progress", event="issue_status", statuses=["In Progress"]),
    Stage(name="First Commit", event="commit"),
    Stage(name="PR Created", event="pr_created"),
    Stage(name="PR Approved", event="pr_approved"),
    Stage(name="PR Merged", event="pr_merged"),
    Stage(name="CI", event="ci_completed"),
    Stage(name="CD", event="cd_completed"),
    Stage(name="Done", event="issue_status", statuses=["Done"]),
    Stage(name="Released", event="released"),
]
# Example 7: one job does CI and CD, so the profile has a single CI/CD stage.
EIGHT_STAGES = [*NINE_STAGES[:5], Stage(name="CI/CD", event="cd_completed"), *NINE_STAGES[7:]]

# (example, stage times as on the page, per-stage minutes as on the page, total minutes)
EXAMPLES: list[tuple[int, list[str | None], list[float], float]] = [
    (
        1,
        ["10:00", "10:05", "10:10", "10:11", "10:15", "10:16", "10:17", "10:20", "11:00"],
        [10, 5, 5, 1, 4, 1, 1, 3, 40],
        70,
    ),
    (  # two sequential PRs: CI (10:16) before the last merge (10:45) → 0, CD from CI's 10:16
        2,
        ["10:00", "10:05", "10:10", "10:11", "10:45", "10:16", "10:17", "10:20", "11:00"],
        [10, 5, 5, 1, 34, 0, 1, 3, 40],
        99,
    ),
    (
        3,
        ["10:00", "10:05", "10:08", "10:11", "10:15", "10:16", "10:17", "10:20", "11:00"],
        [10, 5, 3, 3, 4, 1, 1, 3, 40],
        70,
    ),
    (
        4,
        ["10:00", "10:05", "10:08", "10:11", "10:50", "10:16", "10:17", "10:20", "11:00"],
        [10, 5, 3, 3, 39, 0, 1, 3, 40],
        104,
    ),
    (
        5,
        ["10:00", "10:05", "10:08", "10:11", "11:50", "10:16", "10:17", "10:20", "11:00"],
        [10, 5, 3, 3, 99, 0, 1, 3, 40],
        164,
    ),
    (  # no commit or PR linked: those stages (and so CI/CD) never happen
        6,
        ["10:00", None, None, None, None, None, None, "10:20", "11:00"],
        [10, 0, 0, 0, 0, 0, 0, 20, 40],
        70,
    ),
    (  # same job for CI and CD (8 stages)
        7,
        ["10:00", "10:05", "10:10", "10:11", "10:15", "10:20", "10:20", "11:00"],
        [10, 5, 5, 1, 4, 5, 0, 40],
        70,
    ),
    (
        8,
        ["10:00", "10:05", "10:10", "10:11", "10:15", "10:18", "10:20", "10:30", "11:00"],
        [10, 5, 5, 1, 4, 3, 2, 10, 30],
        70,
    ),
]


def timeline(rows: list[list[str | None]]) -> tuple[np.ndarray, np.ndarray]:
    start = np.full(len(rows), at(CREATED))
    times = np.array([[at(clock) for clock in row] for row in rows], dtype=float)
    return start, times


def stages_for(times: list[str | None]) -> list[Stage]:
    return EIGHT_STAGES if len(times) == 8 else NINE_STAGES


@pytest.mark.parametrize(("example", "times", "minutes", "total"), EXAMPLES)
@pytest.mark.parametrize("missing_stages", ["zero", "exclude"])
def test_page_example(
    example: int, times: list[str | None], minutes: list[float], total: float, missing_stages: str
) -> None:
    start, matrix = timeline([times])
    result = aggregate(stage_durations(start, matrix), stages_for(times), "mean", missing_stages)
    assert [s.seconds for s in result.stages] == [m * MIN for m in minutes]
    assert result.total_seconds == total * MIN
    assert result.changes == 1
    assert [s.name for s in result.stages] == [s.name for s in stages_for(times)]
    assert [s.missing for s in result.stages] == [int(t is None) for t in times]
    expected_samples = (
        [1] * len(times) if missing_stages == "zero" else [0 if t is None else 1 for t in times]
    )
    assert [s.samples for s in result.stages] == expected_samples


@pytest.mark.parametrize(("example", "times", "minutes", "total"), EXAMPLES)
def test_page_example_durations_and_explanation(
    example: int, times: list[str | None], minutes: list[float], total: float
) -> None:
    start, matrix = timeline([times])
    durations = stage_durations(start, matrix)[0]
    expected = [NAN if t is None else m * MIN for t, m in zip(times, minutes, strict=True)]
    np.testing.assert_array_equal(durations, expected)

    explained = explain_change(
        at(CREATED), [None if t is None else at(t) for t in times], stages_for(times)
    )
    assert explained["start"] == at(CREATED)
    assert explained["total_seconds"] == total * MIN
    assert [s["at"] for s in explained["stages"]] == [None if t is None else at(t) for t in times]
    assert [s["seconds"] for s in explained["stages"]] == [
        None if t is None else m * MIN for t, m in zip(times, minutes, strict=True)
    ]


# All eight examples together, example 7 mapped onto the nine-stage profile: its ci_cd job
# completes both the CI and the CD stage at 10:20 (CI 5 min, CD 0 min, Done 0 min).
ALL_EIGHT = [row for _, row, _, _ in EXAMPLES if len(row) == 9]
ALL_EIGHT.insert(
    6, ["10:00", "10:05", "10:10", "10:11", "10:15", "10:20", "10:20", "10:20", "11:00"]
)

# Hand-computed from the per-change minutes (sorted columns, position 1 + p·(n−1), n = 8 or 7).
ALL_EIGHT_EXPECTED: list[tuple[str, str, list[float], float]] = [
    ("mean", "zero", [10, 4.375, 3.625, 1.625, 23.5, 1.25, 0.875, 5.625, 38.75], 89.625),
    ("median", "zero", [10, 5, 4, 1, 4, 0.5, 1, 3, 40], 68.5),
    ("p90", "zero", [10, 5, 5, 3, 57, 3.6, 1.3, 13, 40], 137.9),
    ("p95", "zero", [10, 5, 5, 3, 78, 4.3, 1.65, 16.5, 40], 163.45),
    (
        "mean",
        "exclude",
        [10, 5, 29 / 7, 13 / 7, 188 / 7, 10 / 7, 1, 5.625, 38.75],
        10 + 5 + 29 / 7 + 13 / 7 + 188 / 7 + 10 / 7 + 1 + 5.625 + 38.75,
    ),
    ("median", "exclude", [10, 5, 5, 1, 4, 1, 1, 3, 40], 70),
    ("p90", "exclude", [10, 5, 5, 3, 63, 3.8, 1.4, 13, 40], 144.2),
]


@pytest.mark.parametrize(("stat", "missing_stages", "minutes", "total"), ALL_EIGHT_EXPECTED)
def test_all_eight_examples_together(
    stat: str, missing_stages: str, minutes: list[float], total: float
) -> None:
    start, matrix = timeline(ALL_EIGHT)
    result = aggregate(stage_durations(start, matrix), NINE_STAGES, stat, missing_stages)
    assert result.changes == 8
    assert [s.seconds for s in result.stages] == pytest.approx([m * MIN for m in minutes], abs=1e-6)
    assert result.total_seconds == pytest.approx(total * MIN, abs=1e-6)
    assert result.total_seconds == pytest.approx(sum(s.seconds for s in result.stages), abs=1e-9)
    assert [s.missing for s in result.stages] == [0, 1, 1, 1, 1, 1, 1, 0, 0]
    samples = 8 if missing_stages == "zero" else 7
    assert [s.samples for s in result.stages] == [
        8,
        samples,
        samples,
        samples,
        samples,
        samples,
        samples,
        8,
        8,
    ]


def test_mean_total_of_all_eight_is_the_mean_of_the_page_totals() -> None:
    start, matrix = timeline(ALL_EIGHT)
    result = aggregate(stage_durations(start, matrix), NINE_STAGES, "mean", "zero")
    assert result.total_seconds == pytest.approx(
        (70 + 99 + 70 + 104 + 164 + 70 + 70 + 70) / 8 * MIN
    )


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        # negative gaps are clamped; the next stage is measured from the early stage's own time
        ([100, 50, 70], [100, 0, 20]),
        ([100, 50, 40], [100, 0, 0]),
        # before the start → 0
        ([-10, 5], [0, 15]),
        # missing stages are skipped; the next one is measured from the last that happened
        ([NAN, NAN, 30], [NAN, NAN, 30]),
        ([10, NAN, 30, NAN, 45], [10, NAN, 20, NAN, 15]),
        ([10, NAN, 5, NAN, 45], [10, NAN, 0, NAN, 40]),
        ([NAN, NAN, NAN], [NAN, NAN, NAN]),
        # simultaneous stages
        ([0, 0, 0], [0, 0, 0]),
    ],
)
def test_stage_duration_rule(times: list[float], expected: list[float]) -> None:
    durations = stage_durations(np.array([0.0]), np.array([times]))
    np.testing.assert_array_equal(durations[0], expected)
    assert not np.any(durations[0] < 0)


def test_stage_durations_many_rows_at_once() -> None:
    start = np.array([0.0, 100.0, 5.0])
    times = np.array([[10, 20, 30], [NAN, 50, 300], [NAN, NAN, NAN]], dtype=float)
    np.testing.assert_array_equal(
        stage_durations(start, times), [[10, 10, 10], [NAN, 0, 250], [NAN, NAN, NAN]]
    )


def test_stage_durations_shape_errors() -> None:
    with pytest.raises(ValueError):
        stage_durations(np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError):
        stage_durations(np.zeros(3), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="start"):
        stage_durations(np.array([NAN]), np.zeros((1, 4)))


def test_explain_change_accepts_nan_as_missing() -> None:
    explained = explain_change(0.0, [60.0, NAN, None, 30.0], NINE_STAGES[:4])
    assert [s["name"] for s in explained["stages"]] == [s.name for s in NINE_STAGES[:4]]
    assert [s["at"] for s in explained["stages"]] == [60.0, None, None, 30.0]
    assert [s["seconds"] for s in explained["stages"]] == [60.0, None, None, 0.0]
    assert explained["total_seconds"] == 60.0
    with pytest.raises(ValueError):
        explain_change(0.0, [1.0], NINE_STAGES[:2])

"""The pure rules behind ``workflow_order`` and the stages' ``minimum``/``maximum``:
out-of-order changes (and why), outlier stage durations, and their effect on ``aggregate``.
Every expectation is worked out by hand in the test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from leadline.metrics.leadtime import aggregate, first_out_of_order, out_of_order, outliers
from leadline.profiles import Stage

NAN = math.nan


def stage(name: str, **bounds: float) -> Stage:
    return Stage.model_validate({"name": name, "event": "commit", **bounds})


def test_out_of_order_flags_a_stage_strictly_before_the_previous_one() -> None:
    start = np.array([0.0, 0.0, 0.0, 0.0, 10.0, 0.0])
    times = np.array(
        [
            [10.0, 20.0, 30.0],  # in order
            [10.0, 10.0, 10.0],  # equal times are in order (a zero duration)
            [10.0, 30.0, 20.0],  # the third before the second
            [10.0, NAN, 5.0],  # the third before the first (the second never happened)
            [5.0, 20.0, 30.0],  # the first before the start
            [NAN, NAN, NAN],  # nothing reached: nothing out of order
        ]
    )
    assert out_of_order(start, times).tolist() == [False, False, True, True, True, False]


def test_out_of_order_of_no_changes_is_empty() -> None:
    assert out_of_order(np.zeros(0), np.zeros((0, 2))).tolist() == []


@pytest.mark.parametrize(
    ("start", "times", "expected"),
    [
        (0.0, [10.0, 20.0, 30.0], None),
        (0.0, [10.0, 10.0], None),
        (0.0, [10.0, 30.0, 20.0], (2, 1)),
        (0.0, [10.0, None, 5.0], (2, 0)),  # measured against the nearest stage that happened
        (0.0, [10.0, NAN, 5.0], (2, 0)),
        (10.0, [9.0, 20.0], (0, None)),  # before the start
        (10.0, [None, 9.0], (1, None)),
        (0.0, [30.0, 20.0, 10.0], (1, 0)),  # the first violation is the one reported
        (0.0, [], None),
    ],
)
def test_first_out_of_order(
    start: float, times: list[float | None], expected: tuple[int, int | None] | None
) -> None:
    assert first_out_of_order(start, times) == expected


def test_outliers_are_outside_the_inclusive_bounds() -> None:
    stages = [stage("a", minimum=60.0, maximum=120.0), stage("b"), stage("c", maximum=10.0)]
    durations = np.array(
        [
            [59.0, 1e9, 10.0],  # below the minimum; b has no bounds; c at its maximum: kept
            [60.0, 0.0, 11.0],  # at the minimum: kept; c above its maximum
            [120.0, NAN, NAN],  # at the maximum: kept; not reached is never an outlier
            [121.0, 5.0, 0.0],
        ]
    )
    assert outliers(durations, stages).tolist() == [
        [True, False, False],
        [False, False, True],
        [False, False, False],
        [True, False, False],
    ]


def test_aggregate_leaves_outliers_out_of_the_statistic() -> None:
    # Coding [60m, 30m] with maximum 50m; Deploy [60m, 0] with minimum 1m; Review at its
    # maximum (kept). By hand: Coding 30m (1 sample), Review 60m, Deploy 60m (1 sample).
    stages = [
        stage("Coding", maximum=3000.0),
        stage("Review", maximum=3600.0),
        stage("Deploy", minimum=60.0),
    ]
    durations = np.array([[3600.0, 3600.0, 3600.0], [1800.0, 3600.0, 0.0]])
    result = aggregate(durations, stages, "mean", "zero")
    assert [s.seconds for s in result.stages] == [1800.0, 3600.0, 3600.0]
    assert [s.samples for s in result.stages] == [1, 2, 1]
    assert [s.outliers for s in result.stages] == [1, 0, 1]
    assert result.total_seconds == 9000.0
    assert result.changes == 2


def test_a_missing_stage_counted_as_zero_is_not_an_outlier() -> None:
    # Deploy [60m, 0 (measured), not reached]; minimum 1m. zero: the missing one counts 0 and
    # stays a sample; the measured 0 is an outlier: (3600 + 0) / 2 = 1800.
    stages = [stage("Deploy", minimum=60.0)]
    durations = np.array([[3600.0], [0.0], [NAN]])
    zero = aggregate(durations, stages, "mean", "zero")
    assert (zero.stages[0].seconds, zero.stages[0].samples) == (1800.0, 2)
    assert (zero.stages[0].outliers, zero.stages[0].missing) == (1, 1)
    exclude = aggregate(durations, stages, "mean", "exclude")
    assert (exclude.stages[0].seconds, exclude.stages[0].samples) == (3600.0, 1)


def test_a_stage_of_outliers_only_has_no_samples_and_no_rating() -> None:
    stages = [stage("a", minimum=100.0, ideal=200.0)]
    result = aggregate(np.array([[50.0], [99.0]]), stages, "median", "zero")
    assert (result.stages[0].seconds, result.stages[0].samples) == (0.0, 0)
    assert result.stages[0].outliers == 2
    assert result.stages[0].rating is None


def test_the_json_shows_bounds_and_outliers_only_for_a_bounded_stage() -> None:
    stages = [stage("a", minimum=60.0), stage("b")]
    result = aggregate(np.array([[30.0, 5.0]]), stages, "mean", "zero")
    bounded, plain = (s.to_json() for s in result.stages)
    assert bounded == {
        "name": "a", "seconds": 0.0, "samples": 0, "missing": 0, "rating": None,
        "minimum": 60.0, "maximum": None, "outliers": 1,
    }  # fmt: skip
    assert plain == {"name": "b", "seconds": 5.0, "samples": 1, "missing": 0, "rating": None}

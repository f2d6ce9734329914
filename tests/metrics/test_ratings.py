"""Ratings against a stage's ideal/acceptable thresholds, and of the total."""

from __future__ import annotations

import numpy as np
import pytest

from leadline.metrics.leadtime import aggregate
from leadline.metrics.ratings import rate, rate_total, total_thresholds
from leadline.profiles import Stage


@pytest.mark.parametrize(
    ("value", "ideal", "acceptable", "expected"),
    [
        # both thresholds: inclusive edges
        (0.0, 600.0, 3600.0, "good"),
        (599.999, 600.0, 3600.0, "good"),
        (600.0, 600.0, 3600.0, "good"),
        (600.001, 600.0, 3600.0, "needs_attention"),
        (3600.0, 600.0, 3600.0, "needs_attention"),
        (3600.001, 600.0, 3600.0, "slow"),
        (1e9, 600.0, 3600.0, "slow"),
        # ideal == acceptable: no needs_attention band
        (600.0, 600.0, 600.0, "good"),
        (601.0, 600.0, 600.0, "slow"),
        # only ideal: a pass/fail line
        (600.0, 600.0, None, "good"),
        (600.5, 600.0, None, "slow"),
        # only acceptable: a pass/fail line
        (3600.0, None, 3600.0, "good"),
        (3601.0, None, 3600.0, "slow"),
        # acceptable below ideal (a profile mistake): good up to ideal, slow above
        (700.0, 800.0, 600.0, "good"),
        (800.0, 800.0, 600.0, "good"),
        (900.0, 800.0, 600.0, "slow"),
        # ideal of zero: only an instant stage is good
        (0.0, 0.0, 60.0, "good"),
        (1.0, 0.0, 60.0, "needs_attention"),
        # no thresholds
        (0.0, None, None, None),
        (1e9, None, None, None),
    ],
)
def test_rate(value: float, ideal: float | None, acceptable: float | None, expected: str) -> None:
    assert rate(value, ideal, acceptable) == expected


def stage(name: str, ideal: str | None = None, acceptable: str | None = None) -> Stage:
    return Stage.model_validate(
        {"name": name, "event": "commit", "ideal": ideal, "acceptable": acceptable}
    )


@pytest.mark.parametrize(
    ("stages", "thresholds"),
    [
        ([stage("a", "10m", "1h"), stage("b", "5m", "30m")], (900.0, 5400.0)),
        # a stage with one threshold contributes it to both sums
        ([stage("a", "10m", "1h"), stage("b", "5m")], (900.0, 3900.0)),
        ([stage("a", "10m", "1h"), stage("b", None, "30m")], (2400.0, 5400.0)),
        # a stage without thresholds: the total is not rated
        ([stage("a", "10m", "1h"), stage("b")], None),
        ([stage("a"), stage("b")], None),
        ([], None),
    ],
)
def test_total_thresholds(stages: list[Stage], thresholds: tuple[float, float] | None) -> None:
    assert total_thresholds(stages) == thresholds


@pytest.mark.parametrize(
    ("total", "expected"),
    [(900.0, "good"), (901.0, "needs_attention"), (5400.0, "needs_attention"), (5401.0, "slow")],
)
def test_rate_total(total: float, expected: str) -> None:
    assert rate_total(total, [stage("a", "10m", "1h"), stage("b", "5m", "30m")]) == expected


def test_aggregate_rates_stages_and_total() -> None:
    stages = [stage("a", "10m", "1h"), stage("b", "5m", "30m"), stage("c", "1m")]
    # per-stage means: a = 600 (good), b = 900 (needs_attention), c = 120 (slow)
    durations = np.array([[300.0, 600.0, 60.0], [900.0, 1200.0, 180.0]])
    result = aggregate(durations, stages, "mean", "zero")
    assert [s.rating for s in result.stages] == ["good", "needs_attention", "slow"]
    # total 1620 against ideal 960 / acceptable 5460
    assert result.total_seconds == 1620.0
    assert result.rating == "needs_attention"


def test_aggregate_without_thresholds_has_no_ratings() -> None:
    result = aggregate(np.array([[1.0, 2.0]]), [stage("a"), stage("b")], "median", "zero")
    assert [s.rating for s in result.stages] == [None, None]
    assert result.rating is None

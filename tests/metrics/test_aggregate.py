"""Aggregation over changes: zero vs exclude, no changes, errors, the JSON document."""

from __future__ import annotations

import math

import numpy as np
import pytest

from leadline.errors import InputError
from leadline.metrics.choices import STATISTICS
from leadline.metrics.leadtime import aggregate, lead_time, stage_durations
from leadline.profiles import Profile, Stage

NAN = math.nan
NINE_STAGES = [
    Stage(name=name, event="commit")
    for name in (
        "In Progress",
        "First Commit",
        "PR Created",
        "PR Approved",
        "PR Merged",
        "CI",
        "CD",
        "Done",
        "Released",
    )
]


def test_zero_versus_exclude() -> None:
    # Two changes; the second never had a review stage.
    stages = NINE_STAGES[:3]
    durations = np.array([[60.0, 120.0, 30.0], [60.0, NAN, 90.0]])
    zero = aggregate(durations, stages, "mean", "zero")
    exclude = aggregate(durations, stages, "mean", "exclude")
    assert [s.seconds for s in zero.stages] == [60.0, 60.0, 60.0]
    assert [s.samples for s in zero.stages] == [2, 2, 2]
    assert zero.total_seconds == 180.0
    assert [s.seconds for s in exclude.stages] == [60.0, 120.0, 60.0]
    assert [s.samples for s in exclude.stages] == [2, 1, 2]
    assert exclude.total_seconds == 240.0
    assert [s.missing for s in zero.stages] == [s.missing for s in exclude.stages] == [0, 1, 0]


def test_exclude_with_a_stage_nobody_reached() -> None:
    stages = [NINE_STAGES[0].model_copy(update={"ideal": 60.0}), NINE_STAGES[1]]
    stages[1] = stages[1].model_copy(update={"ideal": 60.0})
    result = aggregate(np.array([[30.0, NAN], [50.0, NAN]]), stages, "p90", "exclude")
    assert [s.seconds for s in result.stages] == pytest.approx([48.0, 0.0])
    assert [s.samples for s in result.stages] == [2, 0]
    assert [s.missing for s in result.stages] == [0, 2]
    # no samples → no rating for that stage; the total is still rated
    assert [s.rating for s in result.stages] == ["good", None]
    assert result.rating == "good"


@pytest.mark.parametrize("stat", STATISTICS)
@pytest.mark.parametrize("missing_stages", ["zero", "exclude"])
def test_zero_changes(stat: str, missing_stages: str) -> None:
    stages = [s.model_copy(update={"ideal": 60.0, "acceptable": 120.0}) for s in NINE_STAGES]
    durations = stage_durations(np.empty(0), np.empty((0, 9)))
    assert durations.shape == (0, 9)
    result = aggregate(durations, stages, stat, missing_stages)
    assert result.changes == 0
    assert result.total_seconds == 0.0
    assert result.rating is None
    assert all(s.seconds == 0.0 and s.samples == 0 and s.missing == 0 for s in result.stages)
    assert all(s.rating is None for s in result.stages)


def test_aggregate_errors() -> None:
    with pytest.raises(InputError, match="mean, median, p90, p95"):
        aggregate(np.zeros((1, 9)), NINE_STAGES, "p99", "zero")
    with pytest.raises(InputError, match="zero, exclude"):
        aggregate(np.zeros((1, 9)), NINE_STAGES, "mean", "skip")
    with pytest.raises(ValueError, match="shape"):
        aggregate(np.zeros((1, 3)), NINE_STAGES, "mean", "zero")


def test_json_shape_matches_the_contract() -> None:
    profile = Profile.model_validate(
        {
            "name": "Ticket to production",
            "stages": [
                {
                    "name": "In Progress",
                    "event": "issue_status",
                    "statuses": ["In Progress"],
                    "ideal": "10m",
                    "acceptable": "1h",
                },
                {"name": "Released", "event": "released"},
            ],
        }
    )
    start = np.array([0.0, 0.0])
    times = np.array([[300.0, 3000.0], [900, NAN]])
    result = lead_time(start, times, profile, "mean")
    doc = result.to_json(profile.name, "mean")
    assert doc == {
        "profile": "Ticket to production",
        "statistic": "mean",
        "changes": 2,
        "stages": [
            {"name": "In Progress", "seconds": 600.0, "samples": 2, "missing": 0, "rating": "good"},
            {"name": "Released", "seconds": 1350.0, "samples": 2, "missing": 1, "rating": None},
        ],
        "total_seconds": 1950.0,
        "rating": None,
    }
    assert list(doc) == ["profile", "statistic", "changes", "stages", "total_seconds", "rating"]
    assert list(doc["stages"][0]) == ["name", "seconds", "samples", "missing", "rating"]
    assert all(type(s["seconds"]) is float for s in doc["stages"])
    assert type(doc["total_seconds"]) is float and type(doc["changes"]) is int
    assert all(type(s["samples"]) is int and type(s["missing"]) is int for s in doc["stages"])

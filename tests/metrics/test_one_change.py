"""One change is a report: its stages and its total are rated, and ``lead_time`` takes the
profile's ``missing_stages`` mode and the mean by default.

Hand-computed: a change created at 0 s reaching stage A at 600 s and stage B at 4,200 s has
A = 600 s (ideal 900 s → good) and B = 3,600 s (ideal 1,800 s, acceptable 7,200 s → needs
attention); total 4,200 s against the summed thresholds 2,700 s / 10,800 s → needs attention.
"""

from __future__ import annotations

import math

import numpy as np

from leadline.metrics.leadtime import aggregate, lead_time
from leadline.profiles.models import Profile

PROFILE = Profile.model_validate(
    {
        "name": "one",
        "stages": [
            {"name": "A", "event": "commit", "ideal": 900, "acceptable": 1800},
            {"name": "B", "event": "pr_merged", "ideal": 1800, "acceptable": 7200},
        ],
    }
)


def test_a_single_change_is_rated() -> None:
    result = aggregate(np.array([[600.0, 3600.0]]), PROFILE.stages, "mean")
    assert result.changes == 1
    assert [(s.seconds, s.samples, s.rating) for s in result.stages] == [
        (600.0, 1, "good"),
        (3600.0, 1, "needs_attention"),
    ]
    assert (result.total_seconds, result.rating) == (4200.0, "needs_attention")


def test_no_change_is_not_rated() -> None:
    result = aggregate(np.empty((0, 2)), PROFILE.stages, "mean")
    assert result.changes == 0
    assert [s.rating for s in result.stages] == [None, None]
    assert result.rating is None


def test_lead_time_uses_the_profile_mode_and_the_mean_by_default() -> None:
    # Three changes; the second never reaches A (NaN), the third is slow at B.
    start = np.array([0.0, 0.0, 0.0])
    times = np.array([[600.0, 4200.0], [math.nan, 1800.0], [300.0, 10300.0]])
    zero = lead_time(start, times, PROFILE)
    # zero: A = (600 + 0 + 300)/3 = 300; B = (3600 + 1800 + 10000)/3 = 5133.33…
    assert [s.seconds for s in zero.stages] == [300.0, 15400.0 / 3]
    assert [s.samples for s in zero.stages] == [3, 3]
    exclude = lead_time(start, times, PROFILE.model_copy(update={"missing_stages": "exclude"}))
    # exclude: A = (600 + 300)/2 = 450 over 2 samples; B unchanged.
    assert [s.seconds for s in exclude.stages] == [450.0, 15400.0 / 3]
    assert [(s.samples, s.missing) for s in exclude.stages] == [(2, 1), (3, 0)]
    median = lead_time(start, times, PROFILE, "median")
    assert [s.seconds for s in median.stages] == [300.0, 3600.0]

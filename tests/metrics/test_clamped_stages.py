"""``clamped_stages``: exactly where ``stage_durations`` turned a negative difference into 0
(the stage's event came before the previous reached stage's, or before the start)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from leadline.metrics.leadtime import clamped_stages, stage_durations

NAN = math.nan

# (start, stage times, clamped) — hand-worked: each stage is compared with the nearest
# earlier stage that happened (its own time, even when that one was clamped), else the start.
CASES = {
    "in order": (0, [10, 20, 30], [False, False, False]),
    "equal times are not clamped": (10, [10, 10, 30], [False, False, False]),
    "first stage before the start": (100, [50, 120, 130], [True, False, False]),
    "a stage before the one before": (0, [30, 20, 40], [False, True, False]),
    "measured from the clamped stage's own time": (0, [30, 20, 25], [False, True, False]),
    "a missing stage is skipped": (0, [30, NAN, 10], [False, False, True]),
    "missing is never clamped": (50, [NAN, NAN, 60], [False, False, False]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_clamped_where_the_duration_was_clamped(case: str) -> None:
    start, times, expected = CASES[case]
    flags = clamped_stages([start], [times])
    assert flags.tolist() == [expected]
    durations = stage_durations([start], [times])[0]
    for was_clamped, seconds in zip(expected, durations, strict=True):
        if was_clamped:
            assert seconds == 0


def test_many_changes_at_once() -> None:
    starts = [c[0] for c in CASES.values()]
    times = [c[1] for c in CASES.values()]
    flags = clamped_stages(starts, np.array(times, dtype=float))
    assert flags.tolist() == [c[2] for c in CASES.values()]
    assert clamped_stages(np.empty(0), np.empty((0, 3))).shape == (0, 3)

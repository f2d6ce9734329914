"""Properties of the lead-time calculation, checked with hypothesis."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from leadline.metrics.choices import STATISTICS
from leadline.metrics.leadtime import aggregate, explain_change, stage_durations
from leadline.profiles import Stage

NAN = math.nan
EPOCH_2001 = 1e9  # realistic epoch seconds (2001–2033): differences are exact (Sterbenz)


def stages(k: int) -> list[Stage]:
    return [Stage(name=f"stage {j}", event="commit") for j in range(k)]


def reference_durations(start: float, times: list[float]) -> list[float]:
    """The rule written the slow, obvious way (one change, Python loop)."""
    previous = start
    out = []
    for t in times:
        if math.isnan(t):
            out.append(NAN)
            continue
        out.append(max(t - previous, 0.0))
        previous = t
    return out


starts = st.floats(min_value=EPOCH_2001, max_value=2 * EPOCH_2001)
gaps = st.floats(min_value=0, max_value=1e7)  # up to ~4 months between stages
offsets = st.floats(min_value=-1e7, max_value=1e8)  # stage time relative to the start


@st.composite
def ordered_change(draw: st.DrawFn) -> tuple[float, list[float], list[bool]]:
    """One change whose stage times never go backwards; some stages may be missing."""
    start = draw(starts)
    k = draw(st.integers(1, 12))
    times = [start + total for total in np.cumsum(draw(st.lists(gaps, min_size=k, max_size=k)))]
    reached = draw(st.lists(st.booleans(), min_size=k, max_size=k))
    return start, [float(t) for t in times], reached


@st.composite
def changes(draw: st.DrawFn, min_rows: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Any changes: stage times in any order (even before the start), some missing."""
    k = draw(st.integers(1, 6))
    n = draw(st.integers(min_rows, 25))
    start = np.array(draw(st.lists(starts, min_size=n, max_size=n)))
    cells = st.one_of(offsets, st.just(NAN))
    rel = np.array(draw(st.lists(st.lists(cells, min_size=k, max_size=k), min_size=n, max_size=n)))
    return start, start[:, None] + rel.reshape(n, k)


@given(ordered_change())
def test_single_ordered_change_total_is_wall_clock(
    change: tuple[float, list[float], list[bool]],
) -> None:
    start, times, reached = change
    kept = [t if ok else NAN for t, ok in zip(times, reached, strict=True)]
    last = max([t for t in kept if not math.isnan(t)], default=start)
    for stat in STATISTICS:
        for mode in ("zero", "exclude"):
            durations = stage_durations(np.array([start]), np.array([kept]))
            result = aggregate(durations, stages(len(kept)), stat, mode)
            assert result.total_seconds == last - start
    explained = explain_change(
        start, [None if math.isnan(t) else t for t in kept], stages(len(kept))
    )
    assert explained["total_seconds"] == last - start


@given(changes())
def test_durations_follow_the_rule_and_are_never_negative(
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    start, times = data
    durations = stage_durations(start, times)
    assert durations.shape == times.shape
    np.testing.assert_array_equal(np.isnan(durations), np.isnan(times))
    assert not np.any(durations < 0)
    for i in range(times.shape[0]):
        np.testing.assert_array_equal(durations[i], reference_durations(start[i], list(times[i])))


@settings(max_examples=60)
@given(changes(), st.data())
def test_permuting_changes_changes_nothing(
    data: tuple[np.ndarray, np.ndarray], draw: st.DataObject
) -> None:
    start, times = data
    order = np.array(draw.draw(st.permutations(range(times.shape[0]))), dtype=np.intp)
    k = times.shape[1]
    durations = stage_durations(start, times)
    shuffled = stage_durations(start[order], times[order])
    np.testing.assert_array_equal(shuffled, durations[order])
    for stat in STATISTICS:
        for mode in ("zero", "exclude"):
            assert aggregate(shuffled, stages(k), stat, mode) == aggregate(
                durations, stages(k), stat, mode
            )


@given(st.data())
def test_zero_mode_mean_total_is_mean_wall_clock_when_ordered(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 25))
    k = data.draw(st.integers(1, 8))
    start = np.array(data.draw(st.lists(starts, min_size=n, max_size=n)))
    steps = data.draw(st.lists(st.lists(gaps, min_size=k, max_size=k), min_size=n, max_size=n))
    times = start[:, None] + np.cumsum(np.array(steps).reshape(n, k), axis=1)
    result = aggregate(stage_durations(start, times), stages(k), "mean", "zero")
    wall_clock = times[:, -1] - start
    assert math.isclose(result.total_seconds, float(wall_clock.mean()), rel_tol=1e-9, abs_tol=1e-6)

"""Mean time to restore: incidents resolved in the window (docs/dora.md)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadline.domain.times import parse_time, to_micros
from leadline.metrics.dora import mean_time_to_restore
from leadline.metrics.series import DAY_US

HOUR_US = 3_600_000_000
MINUTE_US = 60_000_000


def us(text: str) -> int:
    return to_micros(parse_time(text if "T" in text else text + "T00:00:00Z"))


START = us("2024-01-01")
END = us("2024-01-08")


def mttr(
    pairs: list[tuple[int, int | None]], interval: str = "week", band_set: str = "harness"
) -> dict[str, object]:
    created = [c for c, _ in pairs]
    resolved = [r for _, r in pairs]
    return dict(mean_time_to_restore(created, resolved, START, END, interval, band_set))


def test_seed_example() -> None:
    # The MTTR page: 60, 30 and 180 minutes → 90 minutes. The page labels it MEDIUM, but its
    # own scale (and docs/dora.md#bands) says under a day is high.
    result = mttr(
        [
            (us("2024-01-01T00:00:00Z"), us("2024-01-01T01:00:00Z")),
            (us("2024-01-02T04:30:00Z"), us("2024-01-02T05:00:00Z")),
            (us("2024-01-05T06:00:00Z"), us("2024-01-05T09:00:00Z")),
        ]
    )
    assert result["incidents"] == 3
    assert result["mean_seconds"] == 5400.0
    assert result["median_seconds"] == 3600.0
    assert result["band"] == "high"
    assert result["open"] == 0
    assert result["warnings"] == []


def test_sub_hour_restore_is_exact_seconds() -> None:
    result = mttr([(START + HOUR_US, START + HOUR_US + 30 * MINUTE_US)])
    assert result["mean_seconds"] == 1800.0
    assert result["median_seconds"] == 1800.0
    assert result["band"] == "elite"
    odd = mttr([(START, START + 1_234_567)])
    assert odd["mean_seconds"] == 1.234567


@pytest.mark.parametrize(
    ("seconds", "band_set", "band"),
    [
        (3599.999999, "harness", "elite"),
        (3600.0, "harness", "high"),
        (86_400.0, "harness", "medium"),
        (604_800.0, "harness", "low"),
        (3600.0, "dora-2023", "high"),
    ],
)
def test_band_edges(seconds: float, band_set: str, band: str) -> None:
    resolved = END - 1  # inside the window, even for the 1-week case
    result = mttr([(resolved - round(seconds * 1_000_000), resolved)], band_set=band_set)
    assert result["mean_seconds"] == seconds
    assert result["band"] == band


def test_median_of_even_count() -> None:
    durations = [600, 1200, 1800, 6000]
    result = mttr([(START, START + d * 1_000_000) for d in durations])
    assert result["median_seconds"] == 1500.0
    assert result["mean_seconds"] == 2400.0


def test_window_rules() -> None:
    result = mttr(
        [
            (START - DAY_US, START - 1),  # resolved before the window: neither counted nor open
            (START - DAY_US, START),  # resolved exactly at the start: counted (1 day)
            (START + DAY_US, END - 1),  # resolved inside
            (START + DAY_US, END),  # resolved exactly at the end: not counted, open at the end
            (START + DAY_US, END + DAY_US),  # resolved after the window: open
            (START - 30 * DAY_US, None),  # never resolved, created long before: open
            (START + 2 * DAY_US, None),  # never resolved: open
            (END, None),  # created at the end: not in the window yet
            (END + DAY_US, END + 2 * DAY_US),  # entirely after the window
        ]
    )
    assert result["incidents"] == 2
    assert result["open"] == 4
    assert result["mean_seconds"] == (86_400 + (6 * 86_400 - 1e-6)) / 2


def test_negative_durations_clamp_to_zero_with_a_warning() -> None:
    result = mttr([(START + 2 * HOUR_US, START + HOUR_US), (START, START + 2 * HOUR_US)])
    assert result["incidents"] == 2
    assert result["mean_seconds"] == 3600.0
    assert result["median_seconds"] == 3600.0
    assert result["warnings"] == ["1 incident resolved before created; counted as 0 seconds"]


def test_no_incidents() -> None:
    result = mttr([])
    assert result == {
        "incidents": 0,
        "mean_seconds": None,
        "median_seconds": None,
        "open": 0,
        "band": None,
        "series": [
            {"start": "2024-01-01", "incidents": 0, "mean_seconds": None, "median_seconds": None}
        ],
        "warnings": [],
        "reason": "no incident resolved in the window",
    }


def test_only_open_incidents() -> None:
    result = mttr([(START, None), (START + DAY_US, None)])
    assert (result["incidents"], result["open"], result["band"]) == (0, 2, None)


def test_series_by_resolution_day() -> None:
    result = mean_time_to_restore(
        [START, START, START + DAY_US],
        [START + HOUR_US, START + 3 * HOUR_US, START + 2 * DAY_US + 1800_000_000],
        START,
        START + 3 * DAY_US,
        "day",
    )
    assert result["series"] == [
        {"start": "2024-01-01", "incidents": 2, "mean_seconds": 7200.0, "median_seconds": 7200.0},
        {"start": "2024-01-02", "incidents": 0, "mean_seconds": None, "median_seconds": None},
        {"start": "2024-01-03", "incidents": 1, "mean_seconds": 88200.0, "median_seconds": 88200.0},
    ]


@pytest.mark.parametrize(
    "resolved",
    [
        [START + HOUR_US, math.nan],
        np.array([START + HOUR_US, np.nan]),
        [START + HOUR_US, None],
        np.ma.masked_array([START + HOUR_US, 0], mask=[False, True]),
    ],
)
def test_unresolved_representations(resolved: object) -> None:
    result = mean_time_to_restore([START, START], resolved, START, END, "week")  # type: ignore[arg-type]
    assert (result["incidents"], result["open"], result["mean_seconds"]) == (1, 1, 3600.0)


def test_int_resolved_array() -> None:
    created = np.array([START, START + DAY_US], dtype=np.int64)
    resolved = created + HOUR_US
    result = mean_time_to_restore(created, resolved, START, END, "day")
    assert (result["incidents"], result["open"], result["mean_seconds"]) == (2, 0, 3600.0)


def test_shape_mismatch() -> None:
    with pytest.raises(ValueError, match="shape"):
        mean_time_to_restore([START], [START, START], START, END, "week")


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-5 * DAY_US, max_value=10 * DAY_US),
            st.one_of(st.none(), st.integers(min_value=-2 * DAY_US, max_value=12 * DAY_US)),
        ),
        max_size=40,
    ),
    st.sampled_from(["day", "week", "month"]),
)
def test_properties(pairs: list[tuple[int, int | None]], interval: str) -> None:
    created = [START + c for c, _ in pairs]
    resolved = [None if r is None else START + r for _, r in pairs]
    result = mean_time_to_restore(created, resolved, START, END, interval)
    counted = [
        max(r - c, 0) / 1e6
        for c, r in zip(created, resolved, strict=True)
        if r is not None and START <= r < END
    ]
    still_open = [
        c for c, r in zip(created, resolved, strict=True) if c < END and (r is None or r >= END)
    ]
    assert result["incidents"] == len(counted)
    assert result["open"] == len(still_open)
    assert sum(p["incidents"] for p in result["series"]) == len(counted)
    if counted:
        assert result["mean_seconds"] == pytest.approx(float(np.mean(counted)), rel=1e-12)
        assert result["median_seconds"] == pytest.approx(float(np.median(counted)), rel=1e-12)
        assert result["band"] is not None
    else:
        assert result["mean_seconds"] is None and result["band"] is None


def test_open_counts_from_when_each_incident_opened() -> None:
    """``opened_us``: the clock starts later than the incident exists (dora.restore.start);
    open at the end counts from the opening, restore time from the clock's start."""
    # 1: opened before END, clock starts after END, unresolved → open (opened < END)
    # 2: opened exactly at END → not open (it does not exist yet in this window)
    # 3: opened one µs before END, clock started inside, unresolved → open
    # 4: opened at START, clock from START + 1 h, resolved START + 3 h → 2 h, not open
    began = [END + HOUR_US, END, END - 2, START + HOUR_US]
    opened = [START, END, END - 1, START]
    resolved = [None, None, None, START + 3 * HOUR_US]
    result = mean_time_to_restore(began, resolved, START, END, "week", opened_us=opened)
    assert (result["incidents"], result["mean_seconds"], result["open"]) == (1, 7200.0, 2)
    # Without it, ``open`` counts from the clock's start: 3 only.
    plain = mean_time_to_restore(began, resolved, START, END, "week")
    assert (plain["incidents"], plain["mean_seconds"], plain["open"]) == (1, 7200.0, 1)


def test_opened_shape_mismatch() -> None:
    with pytest.raises(ValueError, match="opened_us must have shape"):
        mean_time_to_restore([START], [None], START, END, "week", opened_us=[START, START])

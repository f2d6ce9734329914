"""Deployment frequency: count, per day, band and series (docs/cli.md, docs/dora.md)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadline.domain.times import parse_time, to_micros
from leadline.errors import InputError
from leadline.metrics.dora import deployment_frequency
from leadline.metrics.series import DAY_US


def us(text: str) -> int:
    return to_micros(parse_time(text if "T" in text else text + "T00:00:00Z"))


START = us("2024-01-01")


def evenly(count: int, days: float) -> list[int]:
    """``count`` deployments inside a window of ``days`` days from ``START``."""
    step = int(days * DAY_US) // max(count, 1)
    return [START + i * step for i in range(count)]


def test_contract_example() -> None:
    # 12 deployments in the 91 days from 2024-01-01 to 2024-04-01.
    times = [START + i * 7 * DAY_US + 5 for i in range(12)]
    result = deployment_frequency(times, START, us("2024-04-01"), "week")
    assert {k: v for k, v in result.items() if k != "series"} == {
        "deployments": 12,
        "days": 91.0,
        "per_day": 0.1319,
        "band": "medium",
    }
    assert result["series"][0] == {"start": "2024-01-01", "count": 1}
    assert len(result["series"]) == 13
    assert sum(p["count"] for p in result["series"]) == 12


@pytest.mark.parametrize(
    ("count", "window", "band_set", "band", "per_day"),
    [
        # Exactly once a week is high; a microsecond longer window is medium.
        (1, 7 * DAY_US, "harness", "high", 0.1429),
        (1, 7 * DAY_US + 1, "harness", "medium", 0.1429),
        (13, 91 * DAY_US, "harness", "high", 0.1429),
        (10, 70 * DAY_US + 1, "harness", "medium", 0.1429),
        # Exactly once a month (30 days) is medium; a microsecond longer window is low.
        (1, 30 * DAY_US, "harness", "medium", 0.0333),
        (1, 30 * DAY_US + 1, "harness", "low", 0.0333),
        (3, 90 * DAY_US, "dora-2023", "medium", 0.0333),
        # Exactly once a day: high for harness (elite is "more than"), elite for dora-2023.
        (7, 7 * DAY_US, "harness", "high", 1.0),
        (7, 7 * DAY_US, "dora-2023", "elite", 1.0),
        (7, 7 * DAY_US - 1, "harness", "elite", 1.0),
        (8, 7 * DAY_US, "harness", "elite", 1.1429),
        (1, DAY_US // 2, "harness", "elite", 2.0),
        (0, 91 * DAY_US, "harness", "low", 0.0),
        (0, 91 * DAY_US, "dora-2023", "low", 0.0),
    ],
)
def test_band_edges(count: int, window: int, band_set: str, band: str, per_day: float) -> None:
    result = deployment_frequency(evenly(count, 0.25), START, START + window, "day", band_set)
    assert result["deployments"] == count
    assert result["band"] == band
    assert result["per_day"] == per_day
    assert result["days"] == window / DAY_US


def test_window_semantics() -> None:
    end = us("2024-01-08")
    times = [START - 1, START, us("2024-01-04T12:00:00Z"), end - 1, end]
    result = deployment_frequency(times, START, end, "day")
    assert result["deployments"] == 3
    assert [p["count"] for p in result["series"]] == [1, 0, 0, 1, 0, 0, 1]


def test_zero_deployments() -> None:
    result = deployment_frequency([], START, us("2024-01-15"), "week")
    assert result == {
        "deployments": 0,
        "days": 14.0,
        "per_day": 0.0,
        "band": "low",
        "series": [{"start": "2024-01-01", "count": 0}, {"start": "2024-01-08", "count": 0}],
    }


def test_fractional_days_and_rounding() -> None:
    result = deployment_frequency([START, START + 1], START, START + DAY_US // 2, "day")
    assert result["days"] == 0.5
    assert result["per_day"] == 4.0
    three = deployment_frequency([START], START, START + 3 * DAY_US, "day")
    assert three["per_day"] == 0.3333


def test_order_does_not_matter() -> None:
    times = np.array([us("2024-01-05"), START, us("2024-01-02")], dtype=np.int64)
    a = deployment_frequency(times, START, us("2024-01-08"), "day")
    b = deployment_frequency(times[::-1].copy(), START, us("2024-01-08"), "day")
    assert a == b


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="empty window"):
        deployment_frequency([], START, START, "day")
    with pytest.raises(InputError, match="unknown interval"):
        deployment_frequency([], START, START + DAY_US, "year")
    with pytest.raises(InputError, match="unknown band set"):
        deployment_frequency([], START, START + DAY_US, "day", "dora-2021")


def test_output_types_are_plain_python() -> None:
    result = deployment_frequency(np.array([START]), START, START + DAY_US, "day")
    assert type(result["deployments"]) is int
    assert type(result["days"]) is float
    assert type(result["per_day"]) is float
    assert type(result["series"][0]["count"]) is int


@given(
    offsets=st.lists(st.integers(min_value=-5 * DAY_US, max_value=40 * DAY_US), max_size=80),
    length=st.integers(min_value=1, max_value=35 * DAY_US),
    interval=st.sampled_from(["day", "week", "month"]),
)
def test_properties(offsets: list[int], length: int, interval: str) -> None:
    times = [START + o for o in offsets]
    result = deployment_frequency(times, START, START + length, interval)
    inside = sum(START <= t < START + length for t in times)
    assert result["deployments"] == inside
    assert sum(p["count"] for p in result["series"]) == inside
    assert result["per_day"] == round(inside / (length / DAY_US), 4)
    assert result["band"] in {"elite", "high", "medium", "low"}

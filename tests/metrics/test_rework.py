"""``metrics/rework.py``: the deployment rework rate, counted and bucketed by hand."""

from __future__ import annotations

import pytest

from leadline.domain.times import parse_bound, to_micros
from leadline.metrics.rework import (
    NO_DEPLOYMENT,
    deployment_rework_rate,
    without_source,
)

START = to_micros(parse_bound("2024-01-01"))  # a Monday
END = to_micros(parse_bound("2024-01-15"))
DAY = 86_400_000_000


def test_rate_and_weekly_series() -> None:
    # Week 1: three deployments, one rework; week 2: one, rework. Outside: at END (excluded,
    # rework) and a microsecond before START (excluded, rework).
    times = [START, START + DAY, START + 7 * DAY - 1, START + 7 * DAY, END, START - 1]
    mask = [True, False, False, True, True, True]
    rr = deployment_rework_rate(times, mask, START, END, "week", ["pull_requests"])
    assert (rr["rework"], rr["deployments"], rr["rate"], rr["band"]) == (2, 4, 0.5, None)
    assert rr["series"] == [
        {"start": "2024-01-01", "rework": 1, "deployments": 3, "rate": 0.3333},
        {"start": "2024-01-08", "rework": 1, "deployments": 1, "rate": 1.0},
    ]
    assert rr["signals"] == ["pull_requests"] and "reason" not in rr


def test_rounding_to_four_decimals() -> None:
    rr = deployment_rework_rate([START] * 3, [True, True, False], START, END, "week", ["issues"])
    assert rr["rate"] == 0.6667  # 2/3
    rr = deployment_rework_rate([START] * 8, [True] + [False] * 7, START, END, "week", [])
    assert rr["rate"] == 0.125


def test_no_deployment_is_no_data_and_an_empty_bucket_has_no_rate() -> None:
    rr = deployment_rework_rate([], [], START, END, "week", ["incidents"])
    assert (rr["rework"], rr["deployments"], rr["rate"]) == (0, 0, None)
    assert rr["reason"] == NO_DEPLOYMENT
    assert [p["rate"] for p in rr["series"]] == [None, None]
    one = deployment_rework_rate([START + 8 * DAY], [False], START, END, "week", ["incidents"])
    assert [p["rate"] for p in one["series"]] == [None, 0.0]
    assert one["rate"] == 0.0 and "reason" not in one


def test_mask_must_match_the_times() -> None:
    with pytest.raises(ValueError, match="rework_mask must have shape"):
        deployment_rework_rate([START, START], [True], START, END, "week", [])


def test_without_source() -> None:
    rr = deployment_rework_rate([START], [True], START, END, "week", ["issues"])
    gone = without_source(rr, "why")
    assert gone["rate"] is None and gone["reason"] == "why"
    assert [p["rate"] for p in gone["series"]] == [None, None]
    assert [p["rework"] for p in gone["series"]] == [1, 0]  # counts are kept
    assert rr["rate"] == 1.0 and rr["series"][0]["rate"] == 1.0  # the input is not changed

"""PR lead time by stage: stages, missing events and the trend, computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from leadline.metrics.pr_stages import PrEvents, durations, matrix, summarize, trend

M = 60_000_000  # one minute in micros
DAY = 1440 * M


def pr(
    created: float,
    merged: float,
    commit: float | None = None,
    comment: float | None = None,
    approval: float | None = None,
    key: str = "r#1",
) -> PrEvents:
    def us(x: float | None) -> int | None:
        return None if x is None else int(x * M)

    return PrEvents(key, int(created * M), int(merged * M), us(commit), us(comment), us(approval))


# (name, events, expected minutes per stage)
CASES = [
    ("the seed's example: 5 + 1 + 4 + 4 = 14 min", pr(5, 14, 0, 6, 10), [5, 1, 4, 4]),
    ("no review: the merge stage from creation", pr(5, 14, 0), [5, None, None, 9]),
    ("comment but no approval", pr(5, 14, 0, 6), [5, 1, None, 8]),
    ("no known commit: no creation stage", pr(5, 14, None, 6, 10), [None, 1, 4, 4]),
    ("opened before its first commit: 0", pr(5, 14, 7, 8, 10), [0, 3, 2, 4]),
    ("reviews after the merge gated nothing", pr(5, 14, 0, 20, 21), [5, None, None, 9]),
    ("approval is the first review", pr(5, 14, 0, 6, 6), [5, 1, 0, 8]),
]


@pytest.mark.parametrize(("name", "events", "expected"), CASES, ids=[x[0] for x in CASES])
def test_durations(name: str, events: PrEvents, expected: list[float | None]) -> None:
    got = [None if d is None else d / 60 for d in durations(events)]
    assert got == expected


def test_summary_mean_and_missing() -> None:
    prs = [pr(5, 14, 0, 6, 10), pr(5, 14, 0), pr(0, 30, 0, 10, 20)]
    # creation 5, 5, 0 → mean 10/3; comment 1, 10 → 5.5; approval 4, 10 → 7; merge 4, 9, 10 → 23/3
    s = summarize(matrix(prs), "mean")
    assert s.prs == 3
    got = [(x["key"], round(x["seconds"] / 60, 6), x["samples"], x["missing"]) for x in s.stages]
    assert got == [
        ("pr_creation", round(10 / 3, 6), 3, 0),
        ("first_comment", 5.5, 2, 1),
        ("approval", 7.0, 2, 1),
        ("merge", round(23 / 3, 6), 3, 0),
    ]
    assert s.total_seconds == pytest.approx((10 / 3 + 5.5 + 7 + 23 / 3) * 60)
    median = summarize(matrix(prs), "median").stages
    assert [x["seconds"] / 60 for x in median] == [5, 5.5, 7, 9]


def test_summary_empty_is_no_data() -> None:
    s = summarize(matrix([]), "mean")
    assert s.prs == 0 and s.total_seconds is None
    assert all(x["seconds"] is None and x["samples"] == 0 for x in s.stages)


def test_trend_buckets_by_merge_with_no_data_for_empty() -> None:
    start = 0  # 1970-01-01, a Thursday
    prs = [pr(5, 14, 0, 6, 10), pr(DAY / M, DAY / M + 30, DAY / M - 10)]
    data = matrix(prs)
    points = trend(data, [p.merged for p in prs], "mean", start, 3 * DAY, "day")
    assert [p["start"] for p in points] == ["1970-01-01", "1970-01-02", "1970-01-03"]
    assert [p["prs"] for p in points] == [1, 1, 0]
    assert points[0]["total_seconds"] == 14 * 60
    # day 2: creation 10 min, no review, merge 30 min
    assert points[1]["stages"] == {
        "pr_creation": 600.0,
        "first_comment": None,
        "approval": None,
        "merge": 1800.0,
    }
    assert points[1]["total_seconds"] == 2400.0
    assert points[1]["samples"] == {"pr_creation": 1, "first_comment": 0, "approval": 0, "merge": 1}
    assert points[2]["total_seconds"] is None
    assert all(v is None for v in points[2]["stages"].values())
    assert np.isnan(data[1, 1])

"""Change failure rate, both modes (docs/cli.md, docs/dora.md)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadline.domain.times import parse_time, to_micros
from leadline.metrics.dora import change_failure_rate_cd, change_failure_rate_linked
from leadline.metrics.series import DAY_US


def us(text: str) -> int:
    return to_micros(parse_time(text if "T" in text else text + "T00:00:00Z"))


START = us("2024-01-01")
END = us("2024-01-15")


def at(*days: float) -> list[int]:
    return [START + int(d * DAY_US) for d in days]


# ---------------------------------------------------------------- failures.source: cd


@pytest.mark.parametrize(
    ("successes", "failures", "band_set", "rate", "band"),
    [
        (12, 1, "harness", 0.0769, "elite"),  # 1 / (12 + 1)
        (11, 1, "harness", 0.0833, "elite"),  # 1 / 12
        (17, 3, "harness", 0.15, "elite"),  # exactly 15 %
        (17, 3, "dora-2023", 0.15, "medium"),
        (7, 3, "harness", 0.3, "high"),
        (11, 9, "harness", 0.45, "medium"),
        (1, 1, "harness", 0.5, "low"),
        (19, 1, "dora-2023", 0.05, "elite"),
        (9, 1, "dora-2023", 0.1, "high"),
        (5, 0, "harness", 0.0, "elite"),
        (0, 4, "harness", 1.0, "low"),  # only failed runs: every deployment failed
        (0, 0, "harness", None, None),  # nothing deployed: no data, not 0 %
    ],
)
def test_cd_rates(
    successes: int, failures: int, band_set: str, rate: float, band: str | None
) -> None:
    result = change_failure_rate_cd(
        at(*[0.5] * successes), at(*[1.5] * failures), START, END, "week", band_set
    )
    assert result["failures"] == failures
    assert result["deployments"] == successes
    assert result["rate"] == rate
    assert result["band"] == band
    assert result["warnings"] == []
    assert "unlinked" not in result


def test_cd_window_and_series() -> None:
    successes = [START - 1, *at(0, 1, 2, 8), END]
    failures = [*at(1.5, 9), END, START - DAY_US]
    result = change_failure_rate_cd(successes, failures, START, END, "week")
    assert (result["failures"], result["deployments"], result["rate"]) == (2, 4, 0.3333)
    assert result["series"] == [
        {"start": "2024-01-01", "failures": 1, "deployments": 3, "rate": 0.25},
        {"start": "2024-01-08", "failures": 1, "deployments": 1, "rate": 0.5},
    ]


def test_cd_empty_series_buckets_are_zero() -> None:
    result = change_failure_rate_cd([], [], START, END, "day")
    assert len(result["series"]) == 14
    assert {(p["failures"], p["deployments"], p["rate"]) for p in result["series"]} == {(0, 0, 0.0)}
    # Nothing deployed: nothing to rate, so no rate at all (no data is not zero).
    assert (result["rate"], result["band"]) == (None, None)
    assert result["reason"] == "no deployment in the window: nothing to rate"


# ------------------------------------------------------ failures.source: incidents|issues


def test_linked_contract_example() -> None:
    deploys = at(*range(12))
    mask = [False] * 12
    mask[3] = True
    result = change_failure_rate_linked(deploys, mask, START, END, "week")
    assert result["failures"] == 1
    assert result["deployments"] == 12
    assert result["rate"] == 0.0833
    assert result["band"] == "elite"
    assert result["unlinked"] == 0
    assert result["warnings"] == []
    assert result["series"] == [
        {"start": "2024-01-01", "failures": 1, "deployments": 7, "rate": 0.1429},
        {"start": "2024-01-08", "failures": 0, "deployments": 5, "rate": 0.0},
    ]


def test_linked_no_failures_is_zero() -> None:
    result = change_failure_rate_linked(at(1, 2), [False, False], START, END, "week")
    assert (result["rate"], result["band"], result["warnings"]) == (0.0, "elite", [])


def test_linked_failures_but_no_deployments_is_null_with_warning() -> None:
    result = change_failure_rate_linked([], [], START, END, "week", unlinked_failures=2)
    assert result["rate"] is None
    assert result["band"] is None
    assert result["failures"] == 0
    assert result["deployments"] == 0
    assert result["unlinked"] == 2
    assert result["warnings"] == [
        "2 failures in the window but no deployments: the change failure rate is undefined"
    ]


def test_linked_deployments_outside_window_do_not_count() -> None:
    # The only (failing) deployment is before the window: no deployments inside it.
    result = change_failure_rate_linked(
        [START - 1], [True], START, END, "week", unlinked_failures=1
    )
    assert (result["deployments"], result["failures"], result["rate"]) == (0, 0, None)
    assert result["warnings"][0].startswith("1 failure in the window but no deployments")


def test_linked_unlinked_failures_with_deployments_warn_only() -> None:
    result = change_failure_rate_linked(
        at(1, 2, 3, 4), [True, False, False, False], START, END, "week", unlinked_failures=1
    )
    assert (result["failures"], result["deployments"], result["rate"]) == (1, 4, 0.25)
    assert result["band"] == "high"
    assert result["warnings"] == ["1 failure linked to no deployment, not counted in the rate"]


def test_linked_nothing_at_all() -> None:
    result = change_failure_rate_linked([], [], START, END, "day")
    assert (result["rate"], result["band"], result["warnings"]) == (None, None, [])
    assert result["reason"] == "no deployment in the window: nothing to rate"


def test_linked_no_failure_over_deployments_is_a_real_zero() -> None:
    result = change_failure_rate_linked(at(*range(12)), [False] * 12, START, END, "week")
    assert (result["rate"], result["band"], "reason" in result) == (0.0, "elite", False)


def test_linked_bad_arguments() -> None:
    with pytest.raises(ValueError, match="shape"):
        change_failure_rate_linked(at(1, 2), [True], START, END, "week")
    with pytest.raises(ValueError, match="unlinked_failures"):
        change_failure_rate_linked([], [], START, END, "week", unlinked_failures=-1)


# ------------------------------------------------------------------------- properties

offsets = st.lists(st.integers(min_value=-3 * DAY_US, max_value=17 * DAY_US), max_size=40)


@given(
    successes=offsets,
    failures=offsets,
    length=st.integers(min_value=1, max_value=20 * DAY_US),
    band_set=st.sampled_from(["harness", "dora-2023"]),
)
def test_cd_rate_is_a_fraction(
    successes: list[int], failures: list[int], length: int, band_set: str
) -> None:
    end = START + length
    result = change_failure_rate_cd(
        [START + o for o in successes], [START + o for o in failures], START, end, "day", band_set
    )
    assert all(0.0 <= p["rate"] <= 1.0 for p in result["series"])
    bad = sum(START <= START + o < end for o in failures)
    good = sum(START <= START + o < end for o in successes)
    assert (result["failures"], result["deployments"]) == (bad, good)
    if bad + good:
        assert result["rate"] == round(bad / (bad + good), 4)
    else:  # nothing ran: no data
        assert result["rate"] is None and result["band"] is None and "reason" in result


@given(
    deploys=st.lists(
        st.tuples(st.integers(min_value=-3 * DAY_US, max_value=17 * DAY_US), st.booleans()),
        max_size=40,
    ),
    unlinked=st.integers(min_value=0, max_value=5),
    length=st.integers(min_value=1, max_value=20 * DAY_US),
)
def test_linked_rate_is_a_fraction_or_null(
    deploys: list[tuple[int, bool]], unlinked: int, length: int
) -> None:
    times = np.array([START + o for o, _ in deploys], dtype=np.int64)
    mask = np.array([f for _, f in deploys], dtype=bool)
    result = change_failure_rate_linked(
        times, mask, START, START + length, "week", unlinked_failures=unlinked
    )
    assert result["failures"] <= result["deployments"]
    if result["rate"] is None:
        assert result["deployments"] == 0 and result["band"] is None and result["reason"]
        assert len(result["warnings"]) == (1 if unlinked else 0)
    else:
        assert 0.0 <= result["rate"] <= 1.0
    assert all(0.0 <= p["rate"] <= 1.0 for p in result["series"])
    assert sum(p["deployments"] for p in result["series"]) == result["deployments"]
    assert sum(p["failures"] for p in result["series"]) == result["failures"]

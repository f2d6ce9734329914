"""DORA bands: every edge of both band sets (docs/dora.md#bands)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadline.errors import InputError
from leadline.metrics.bands import (
    BAND_SETS,
    BANDS,
    EDGES,
    METRICS,
    REL_TOL,
    band,
    check_band_set,
    compare,
    edges,
    lead_time_band,
)

H = 3600.0
D = 86_400.0
W = 7 * D
M = 30 * D
US = 1e-6  # one microsecond, in seconds

CASES: list[tuple[str, str, float | Fraction, str]] = [
    # --- harness: deployment frequency (per day): elite > 1, high ≥ 1/7, medium ≥ 1/30
    ("harness", "deployment_frequency", 2.0, "elite"),
    ("harness", "deployment_frequency", 1.0001, "elite"),
    ("harness", "deployment_frequency", 1.0, "high"),  # exactly once a day is not "more than"
    ("harness", "deployment_frequency", Fraction(1), "high"),
    ("harness", "deployment_frequency", 1 + 1e-14, "high"),  # within REL_TOL: on the edge
    ("harness", "deployment_frequency", 1 / 7, "high"),
    ("harness", "deployment_frequency", 13 / 91, "high"),
    ("harness", "deployment_frequency", Fraction(1, 7), "high"),
    ("harness", "deployment_frequency", Fraction(1, 7) - Fraction(1, 10**15), "medium"),
    ("harness", "deployment_frequency", (1 / 7) * (1 - 1e-9), "medium"),
    ("harness", "deployment_frequency", 1 / 30, "medium"),
    ("harness", "deployment_frequency", 3 / 90, "medium"),
    ("harness", "deployment_frequency", Fraction(1, 30), "medium"),
    ("harness", "deployment_frequency", (1 / 30) * (1 - 1e-9), "low"),
    ("harness", "deployment_frequency", 0.0, "low"),
    ("harness", "deployment_frequency", 0, "low"),
    # --- dora-2023: deployment frequency: elite ≥ 1, high ≥ 1/7, medium ≥ 1/30
    ("dora-2023", "deployment_frequency", 1.0, "elite"),
    ("dora-2023", "deployment_frequency", 0.9999, "high"),
    ("dora-2023", "deployment_frequency", 1 / 7, "high"),
    ("dora-2023", "deployment_frequency", (1 / 7) * (1 - 1e-9), "medium"),
    ("dora-2023", "deployment_frequency", 1 / 30, "medium"),
    ("dora-2023", "deployment_frequency", 0.0333, "low"),
    # --- harness: change failure rate: elite ≤ 15 %, high ≤ 30 %, medium ≤ 45 %
    ("harness", "change_failure_rate", 0.0, "elite"),
    ("harness", "change_failure_rate", 0.15, "elite"),
    ("harness", "change_failure_rate", 3 / 20, "elite"),
    ("harness", "change_failure_rate", 0.1 + 0.05, "elite"),  # 0.15000000000000002
    ("harness", "change_failure_rate", Fraction(3, 20), "elite"),
    ("harness", "change_failure_rate", 0.1500001, "high"),
    ("harness", "change_failure_rate", 0.3, "high"),
    ("harness", "change_failure_rate", 0.3000001, "medium"),
    ("harness", "change_failure_rate", 0.45, "medium"),
    ("harness", "change_failure_rate", 9 / 20, "medium"),
    ("harness", "change_failure_rate", 0.4500001, "low"),
    ("harness", "change_failure_rate", 1.0, "low"),
    # --- dora-2023: change failure rate: elite ≤ 5 %, high ≤ 10 %, medium ≤ 15 %
    ("dora-2023", "change_failure_rate", 0.05, "elite"),
    ("dora-2023", "change_failure_rate", 1 / 20, "elite"),
    ("dora-2023", "change_failure_rate", 0.0500001, "high"),
    ("dora-2023", "change_failure_rate", 0.1, "high"),
    ("dora-2023", "change_failure_rate", 0.1000001, "medium"),
    ("dora-2023", "change_failure_rate", 0.15, "medium"),
    ("dora-2023", "change_failure_rate", 0.1500001, "low"),
    # --- harness: MTTR: elite < 1 h, high < 1 day, medium < 1 week
    ("harness", "mttr", 0.0, "elite"),
    ("harness", "mttr", 1800.0, "elite"),
    ("harness", "mttr", H - US, "elite"),  # one microsecond is still resolved
    ("harness", "mttr", H, "high"),
    ("harness", "mttr", 3600, "high"),
    ("harness", "mttr", D - US, "high"),
    ("harness", "mttr", D, "medium"),
    ("harness", "mttr", W - US, "medium"),
    ("harness", "mttr", W, "low"),
    ("harness", "mttr", 1e9, "low"),
    # --- dora-2023: restore: same edges
    ("dora-2023", "mttr", H - US, "elite"),
    ("dora-2023", "mttr", H, "high"),
    ("dora-2023", "mttr", D, "medium"),
    ("dora-2023", "mttr", W, "low"),
    # --- harness: lead time: elite ≤ 1 day, high ≤ 7 days, medium ≤ 30 days (inclusive)
    ("harness", "lead_time", 0.0, "elite"),
    ("harness", "lead_time", D, "elite"),
    ("harness", "lead_time", D + US, "high"),
    ("harness", "lead_time", W, "high"),
    ("harness", "lead_time", W + US, "medium"),
    ("harness", "lead_time", M, "medium"),
    ("harness", "lead_time", M + US, "low"),
    # --- dora-2023: lead time: elite < 1 day, high < 1 week, medium < 1 month (exclusive)
    ("dora-2023", "lead_time", D - US, "elite"),
    ("dora-2023", "lead_time", D, "high"),
    ("dora-2023", "lead_time", W - US, "high"),
    ("dora-2023", "lead_time", W, "medium"),
    ("dora-2023", "lead_time", M - US, "medium"),
    ("dora-2023", "lead_time", M, "low"),
    # --- dora-2024 (Accelerate State of DevOps 2024; docs/dora.md#dora-2024)
    # deployment frequency: elite ≥ 1/day, high ≥ 1/week, medium ≥ 1/month
    ("dora-2024", "deployment_frequency", Fraction(1), "elite"),
    ("dora-2024", "deployment_frequency", Fraction(6, 7), "high"),
    ("dora-2024", "deployment_frequency", Fraction(1, 7), "high"),
    ("dora-2024", "deployment_frequency", Fraction(1, 7) - Fraction(1, 10**15), "medium"),
    ("dora-2024", "deployment_frequency", Fraction(1, 30), "medium"),
    ("dora-2024", "deployment_frequency", Fraction(1, 31), "low"),
    # change failure rate: elite ≤ 5 %, high ≤ 10 %, medium ≤ 20 % (the one change from 2023)
    ("dora-2024", "change_failure_rate", Fraction(1, 20), "elite"),
    ("dora-2024", "change_failure_rate", 0.0500001, "high"),
    ("dora-2024", "change_failure_rate", 0.1, "high"),
    ("dora-2024", "change_failure_rate", 0.1000001, "medium"),
    ("dora-2024", "change_failure_rate", 0.15, "medium"),  # low under dora-2023
    ("dora-2024", "change_failure_rate", Fraction(1, 5), "medium"),
    ("dora-2024", "change_failure_rate", 0.2000001, "low"),
    # failed deployment recovery time: elite < 1 h, high < 1 day, medium < 1 week
    ("dora-2024", "mttr", H - US, "elite"),
    ("dora-2024", "mttr", H, "high"),
    ("dora-2024", "mttr", D - US, "high"),
    ("dora-2024", "mttr", D, "medium"),
    ("dora-2024", "mttr", W - US, "medium"),
    ("dora-2024", "mttr", W, "low"),
    # lead time: elite < 1 day, high < 1 week, medium < 30 days
    ("dora-2024", "lead_time", D - US, "elite"),
    ("dora-2024", "lead_time", D, "high"),
    ("dora-2024", "lead_time", W, "medium"),
    ("dora-2024", "lead_time", M - US, "medium"),
    ("dora-2024", "lead_time", M, "low"),
]


@pytest.mark.parametrize(("band_set", "metric", "value", "expected"), CASES)
def test_band_edges(band_set: str, metric: str, value: float | Fraction, expected: str) -> None:
    assert band(metric, value, band_set) == expected


def test_every_metric_and_set_has_a_case_per_band() -> None:
    seen = {(s, m, b) for s, m, _, b in CASES}
    for band_set in BAND_SETS:
        for metric in METRICS:
            for name in BANDS:
                assert (band_set, metric, name) in seen, (band_set, metric, name)


@pytest.mark.parametrize("band_set", BAND_SETS)
@pytest.mark.parametrize("metric", METRICS)
def test_none_has_no_band(metric: str, band_set: str) -> None:
    assert band(metric, None, band_set) is None


def test_default_band_set_is_harness() -> None:
    assert band("deployment_frequency", 1.0) == "high"
    assert band("change_failure_rate", 0.15) == "elite"


def test_infinite_values() -> None:
    assert band("deployment_frequency", math.inf) == "elite"
    assert band("mttr", math.inf) == "low"
    assert band("change_failure_rate", -math.inf) == "elite"


def test_nan_is_refused() -> None:
    with pytest.raises(ValueError, match="NaN"):
        band("mttr", math.nan)


def test_unknown_band_set_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown band set 'dora-2019'") as info:
        band("mttr", 1.0, "dora-2019")
    assert info.value.details == ["dora.bands: must be one of harness, dora-2023, dora-2024"]
    assert check_band_set("dora-2023") == "dora-2023"


def test_unknown_metric_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown DORA metric"):
        band("velocity", 1.0)


def test_edges_table_is_complete() -> None:
    assert set(EDGES) == {(s, m) for s in BAND_SETS for m in METRICS}
    for key, rules in EDGES.items():
        assert [rule.band for rule in rules] == ["elite", "high", "medium"], key
    assert [str(rule.edge) for rule in edges("deployment_frequency")] == ["1", "1/7", "1/30"]
    assert [rule.op for rule in edges("deployment_frequency", "dora-2023")] == [">=", ">=", ">="]


def test_compare_tolerance_is_relative() -> None:
    assert compare(1 / 7, Fraction(1, 7)) == 0
    assert compare(Fraction(1, 7), Fraction(1, 7)) == 0
    assert compare(3600.0 * (1 + REL_TOL / 2), Fraction(3600)) == 0
    assert compare(3600.0 * (1 + 10 * REL_TOL), Fraction(3600)) == 1
    assert compare(0.3, Fraction(3, 10)) == 0


def test_lead_time_band() -> None:
    assert lead_time_band(4200.0) == "elite"
    assert lead_time_band(D, "dora-2023") == "high"
    assert lead_time_band(None) is None


@given(
    deployments=st.integers(min_value=0, max_value=10**6),
    days=st.integers(min_value=1, max_value=10**5),
    band_set=st.sampled_from(BAND_SETS),
)
def test_float_per_day_bands_like_the_exact_ratio(
    deployments: int, days: int, band_set: str
) -> None:
    exact = band("deployment_frequency", Fraction(deployments, days), band_set)
    assert band("deployment_frequency", deployments / days, band_set) == exact


@given(
    failures=st.integers(min_value=0, max_value=10**6),
    extra=st.integers(min_value=0, max_value=10**6),
    band_set=st.sampled_from(BAND_SETS),
)
def test_float_rate_bands_like_the_exact_ratio(failures: int, extra: int, band_set: str) -> None:
    total = failures + extra
    if total == 0:
        return
    exact = band("change_failure_rate", Fraction(failures, total), band_set)
    assert band("change_failure_rate", failures / total, band_set) == exact


@given(
    metric=st.sampled_from(["lead_time", "mttr", "change_failure_rate"]),
    band_set=st.sampled_from(BAND_SETS),
    a=st.floats(min_value=0, max_value=1e8),
    b=st.floats(min_value=0, max_value=1e8),
)
def test_lower_is_never_worse(metric: str, band_set: str, a: float, b: float) -> None:
    low, high = sorted((a, b))
    rank = BANDS.index
    assert rank(str(band(metric, low, band_set))) <= rank(str(band(metric, high, band_set)))


@given(
    band_set=st.sampled_from(BAND_SETS),
    a=st.floats(min_value=0, max_value=1e4),
    b=st.floats(min_value=0, max_value=1e4),
)
def test_more_deployments_is_never_worse(band_set: str, a: float, b: float) -> None:
    low, high = sorted((a, b))
    rank = BANDS.index
    worse = rank(str(band("deployment_frequency", low, band_set)))
    assert rank(str(band("deployment_frequency", high, band_set))) <= worse

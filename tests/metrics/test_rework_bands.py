"""The deployment rework rate's level: only a custom scale with its range bands it (no preset
does); edges compared as the change failure rate's, worked out by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from leadline.domain.times import parse_bound, to_micros
from leadline.metrics.bands import BANDABLE, REWORK, band, custom_scale, edges, scale_of
from leadline.metrics.rework import deployment_rework_rate, without_source

LEVELS = [{"name": "Great"}, {"name": "OK"}, {"name": "Poor"}]
FOUR = {
    "deployment_frequency": {"edges": [1, 0.5]},
    "lead_time_for_changes": {"edges": [3600, 7200]},
    "change_failure_rate": {"edges": ["10%", "20%"]},
    "mean_time_to_restore": {"edges": [60, 120]},
}
SCALE = custom_scale({"levels": LEVELS, **FOUR, REWORK: {"edges": ["5%", 0.15]}})
WORSE = custom_scale(
    {"levels": LEVELS, "on_edge": "worse", **FOUR, REWORK: {"edges": ["5%", "15%"]}}
)
NONE = custom_scale({"levels": LEVELS, **FOUR})
TINY = Fraction(1, 10**9)
START = to_micros(parse_bound("2024-01-01"))  # a Monday
END = to_micros(parse_bound("2024-01-15"))
DAY = 86_400_000_000


def test_the_metric_is_bandable() -> None:
    assert REWORK == "deployment_rework_rate" and BANDABLE[-1] == REWORK and len(BANDABLE) == 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(0), "Great"),
        (Fraction(1, 20) - TINY, "Great"),
        (Fraction(1, 20), "Great"),  # on the edge: the better level
        (Fraction(1, 20) + TINY, "OK"),
        (Fraction(3, 20) - TINY, "OK"),
        (Fraction(3, 20), "OK"),
        (Fraction(3, 20) + TINY, "Poor"),
        (Fraction(1), "Poor"),
        (0.05, "Great"),  # a float within REL_TOL of 1/20
        (0.0500001, "OK"),
        (0.15, "OK"),
        (0.1500001, "Poor"),
        (None, None),
    ],
)
def test_on_just_above_and_just_below_each_edge(
    value: Fraction | float | None, expected: str | None
) -> None:
    assert SCALE.band(REWORK, value) == expected
    assert band(REWORK, value, SCALE) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(1, 20) - TINY, "Great"),
        (Fraction(1, 20), "OK"),  # on_edge: worse — the edge belongs to the worse level
        (Fraction(3, 20) - TINY, "OK"),
        (Fraction(3, 20), "Poor"),
    ],
)
def test_on_edge_worse(value: Fraction, expected: str) -> None:
    assert WORSE.band(REWORK, value) == expected


def test_the_edges_exactly() -> None:
    assert [(e.band, e.op, e.edge) for e in edges(REWORK, SCALE)] == [
        ("Great", "<=", Fraction(1, 20)),
        ("OK", "<=", Fraction(3, 20)),
    ]
    assert [e.op for e in edges(REWORK, WORSE)] == ["<", "<"]


@pytest.mark.parametrize("scale", ["harness", "dora-2023", "dora-2024"])
def test_no_preset_bands_it(scale: str) -> None:
    for value in (Fraction(0), Fraction(1, 2), Fraction(1), 0.0, 1.0):
        assert scale_of(scale).band(REWORK, value) is None
    assert edges(REWORK, scale) == ()


def test_a_custom_scale_without_the_range_leaves_it_unbanded() -> None:
    assert NONE.band(REWORK, Fraction(0)) is None and edges(REWORK, NONE) == ()
    assert NONE.band("change_failure_rate", Fraction(0)) == "Great"
    based = custom_scale({"preset": "dora-2024", REWORK: {"edges": ["2%", "8%", "20%"]}})
    assert [based.band(REWORK, Fraction(n, 100)) for n in (2, 3, 8, 9, 20, 21)] == [
        "elite", "high", "high", "medium", "medium", "low"
    ]  # fmt: skip
    assert based.band("change_failure_rate", Fraction(21, 100)) == "low"  # dora-2024: ≤ 20 %


def test_section_band() -> None:
    # One rework in 20 deployments: exactly 5 %, the edge (Great); 4 in 8: 50 % (Poor).
    one = deployment_rework_rate(
        [START + i for i in range(20)], [True] + [False] * 19, START, END, "week", [], SCALE
    )
    assert (one["rate"], one["band"]) == (0.05, "Great")
    two = deployment_rework_rate(
        [START + i for i in range(20)], [True, True] + [False] * 18, START, END, "week", [], SCALE
    )
    assert (two["rate"], two["band"]) == (0.1, "OK")
    half = deployment_rework_rate([START, START + DAY, START + 8 * DAY, START + 9 * DAY] * 2,
                                  [True, False] * 4, START, END, "week", [], SCALE)  # fmt: skip
    assert (half["rate"], half["band"]) == (0.5, "Poor")
    assert "band" not in half["series"][0]  # as the change failure rate's series: no band
    assert without_source(half, "why")["band"] is None


def test_section_band_without_a_range_or_a_deployment() -> None:
    times, mask = [START, START + DAY], [True, False]
    assert deployment_rework_rate(times, mask, START, END, "week", [])["band"] is None
    assert deployment_rework_rate(times, mask, START, END, "week", [], "dora-2024")["band"] is None
    assert deployment_rework_rate(times, mask, START, END, "week", [], NONE)["band"] is None
    assert deployment_rework_rate([], [], START, END, "week", [], SCALE)["band"] is None

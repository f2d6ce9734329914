"""Custom maturity levels (``dora.bands`` as a mapping): every edge computed by hand.

The scale of the docs' example: three levels Great / OK / Poor, durations in hours,
deployment frequency per week. Its edges, in the units the scale compares in:

* deployment frequency [5, 1] per week → 5/7 and 1/7 per day (more is better: ≥);
* lead time [24, 168] h → 86 400 s and 604 800 s (less is better: ≤);
* change failure rate ["10%", "20%"] → 1/10 and 1/5;
* time to restore [1, 24] h → 3 600 s and 86 400 s.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from leadline.errors import InputError
from leadline.metrics.bands import (
    CUSTOM,
    PRESETS,
    BandScale,
    add_stage_levels,
    band,
    custom_scale,
    edges,
    scale_of,
)
from leadline.profiles import load_profile_text

H = 3600.0
D = 86_400.0
W = 7 * D
US = 1e-6
TINY = Fraction(1, 10**15)

LEVELS = [
    {"name": "Great", "colour": "#1a7f37"},
    {"name": "OK", "colour": "#9a6700"},
    {"name": "Poor", "colour": "#cf222e"},
]
SPEC: dict[str, Any] = {
    "levels": LEVELS,
    "unit": "hours",
    "deployment_frequency": {"unit": "per_week", "edges": [5, 1]},
    "lead_time_for_changes": {"edges": [24, 168]},
    "change_failure_rate": {"edges": ["10%", "20%"]},
    "mean_time_to_restore": {"edges": [1, 24]},
}
SCALE = custom_scale(SPEC)

CASES: list[tuple[str, float | Fraction, str]] = [
    ("deployment_frequency", Fraction(5, 7), "Great"),  # exactly 5 a week
    ("deployment_frequency", 5 / 7, "Great"),  # the float, within REL_TOL
    ("deployment_frequency", Fraction(5, 7) + TINY, "Great"),
    ("deployment_frequency", Fraction(5, 7) - TINY, "OK"),
    ("deployment_frequency", Fraction(1, 7), "OK"),  # exactly once a week
    ("deployment_frequency", Fraction(1, 7) - TINY, "Poor"),
    ("deployment_frequency", 0, "Poor"),
    ("lead_time", D - US, "Great"),
    ("lead_time", D, "Great"),  # on the edge: the better level
    ("lead_time", D + US, "OK"),
    ("lead_time", W, "OK"),
    ("lead_time", W + US, "Poor"),
    ("change_failure_rate", 0.0, "Great"),
    ("change_failure_rate", Fraction(1, 10), "Great"),
    ("change_failure_rate", 0.1, "Great"),
    ("change_failure_rate", 0.1000001, "OK"),
    ("change_failure_rate", Fraction(1, 5), "OK"),
    ("change_failure_rate", 0.2000001, "Poor"),
    ("change_failure_rate", 1.0, "Poor"),
    ("mttr", H - US, "Great"),
    ("mttr", H, "Great"),
    ("mttr", H + US, "OK"),
    ("mttr", D, "OK"),
    ("mttr", D + US, "Poor"),
]


@pytest.mark.parametrize(("metric", "value", "expected"), CASES)
def test_custom_edges(metric: str, value: float | Fraction, expected: str) -> None:
    assert band(metric, value, SCALE) == expected
    assert SCALE.band(metric, value) == expected


def test_every_level_of_every_metric_is_reached() -> None:
    seen = {(metric, level) for metric, _, level in CASES}
    assert seen == {(m, lv) for m in SCALE.edges for lv in ("Great", "OK", "Poor")}


def test_the_edges_in_exact_units() -> None:
    shown = {m: [(e.band, e.op, e.edge) for e in rules] for m, rules in SCALE.edges.items()}
    assert shown == {
        "deployment_frequency": [("Great", ">=", Fraction(5, 7)), ("OK", ">=", Fraction(1, 7))],
        "lead_time": [("Great", "<=", 86_400), ("OK", "<=", 604_800)],
        "change_failure_rate": [("Great", "<=", Fraction(1, 10)), ("OK", "<=", Fraction(1, 5))],
        "mttr": [("Great", "<=", 3600), ("OK", "<=", 86_400)],
    }
    assert edges("lead_time", SCALE) == SCALE.edges["lead_time"]


def test_on_edge_worse_makes_edges_exclusive() -> None:
    scale = custom_scale({**SPEC, "on_edge": "worse"})
    assert scale.band("lead_time", D) == "OK"
    assert scale.band("lead_time", D - US) == "Great"
    assert scale.band("mttr", D) == "Poor"
    assert scale.band("deployment_frequency", Fraction(5, 7)) == "OK"
    assert scale.band("deployment_frequency", Fraction(5, 7) + TINY) == "Great"
    assert scale.band("change_failure_rate", Fraction(1, 5)) == "Poor"
    assert [e.op for e in scale.edges["deployment_frequency"]] == [">", ">"]
    assert [e.op for e in scale.edges["mttr"]] == ["<", "<"]


def test_none_has_no_level() -> None:
    for metric in SCALE.edges:
        assert SCALE.band(metric, None) is None


def test_unknown_metric() -> None:
    with pytest.raises(ValueError, match="unknown DORA metric"):
        SCALE.band("velocity", 1.0)


def test_levels_rank_and_colour() -> None:
    assert SCALE.name == CUSTOM == "custom"
    assert [SCALE.rank(n) for n in ("Great", "OK", "Poor")] == [1, 2, 3]
    assert SCALE.worst == "Poor"
    assert SCALE.levels_json() == [
        {"name": "Great", "rank": 1, "colour": "#1a7f37"},
        {"name": "OK", "rank": 2, "colour": "#9a6700"},
        {"name": "Poor", "rank": 3, "colour": "#cf222e"},
    ]


def test_levels_without_colours_take_the_palette() -> None:
    two = custom_scale({
        "levels": [{"name": "Yes"}, {"name": "No"}],
        **{m: {"edges": [1]} for m in ("lead_time_for_changes", "mean_time_to_restore",
                                        "deployment_frequency")},
        "change_failure_rate": {"edges": ["5%"]},
    })  # fmt: skip
    assert [lv.colour for lv in two.levels] == ["#1a7f37", "#cf222e"]
    assert two.band("lead_time", 1) == "Yes" and two.band("lead_time", 1.5) == "No"
    three = custom_scale({**SPEC, "levels": [{"name": n} for n in ("A", "B", "C")]})
    assert [lv.colour for lv in three.levels] == ["#1a7f37", "#9a6700", "#cf222e"]


@pytest.mark.parametrize(
    ("metric", "spec", "unit", "expected"),
    [
        ("lead_time", {"edges": [60, 600]}, None, [60, 600]),  # bare numbers: seconds
        ("lead_time", {"edges": [1, 7]}, "days", [86_400, 604_800]),
        ("lead_time", {"unit": "days", "edges": [1, 7]}, "hours", [86_400, 604_800]),
        ("lead_time", {"unit": "minutes", "edges": [30, 90]}, "hours", [1800, 5400]),
        ("lead_time", {"unit": "weeks", "edges": [1, 4]}, None, [604_800, 2_419_200]),
        ("lead_time", {"edges": ["30m", 2]}, "hours", [1800, 7200]),
        ("lead_time", {"edges": ["1h30m", 1.5]}, "days", [5400, 129_600]),
        ("mttr", {"edges": [0.5, "1d12h"]}, "hours", [1800, 129_600]),
        ("deployment_frequency", {"edges": [1, 0.5]}, "hours", [1, Fraction(1, 2)]),
        ("deployment_frequency", {"unit": "per_month", "edges": [4, 1]}, None,
         [Fraction(4, 30), Fraction(1, 30)]),
        ("change_failure_rate", {"edges": [0.05, 0.15]}, None, [Fraction(1, 20), Fraction(3, 20)]),
        ("change_failure_rate", {"edges": ["12.5%", "100%"]}, None, [Fraction(1, 8), 1]),
    ],
)  # fmt: skip
def test_units(metric: str, spec: dict[str, Any], unit: str | None, expected: list[Any]) -> None:
    section = {"deployment_frequency": "deployment_frequency", "lead_time": "lead_time_for_changes",
               "mttr": "mean_time_to_restore",
               "change_failure_rate": "change_failure_rate"}[metric]  # fmt: skip
    data = {**SPEC, section: spec}
    if unit is None:
        data.pop("unit")
    else:
        data["unit"] = unit
    assert [e.edge for e in custom_scale(data).edges[metric]] == expected


def test_a_mapping_without_levels_keeps_a_presets_levels_and_edges() -> None:
    scale = custom_scale({"preset": "dora-2024", "lead_time_for_changes": {
        "unit": "hours", "edges": [1, 24, 168]}})  # fmt: skip
    assert [lv.name for lv in scale.levels] == ["elite", "high", "medium", "low"]
    assert scale.name == "custom"
    assert scale.band("lead_time", H) == "elite" and scale.band("lead_time", H + US) == "high"
    assert scale.band("lead_time", W + US) == "low"
    assert scale.edges["change_failure_rate"] == PRESETS["dora-2024"].edges["change_failure_rate"]
    assert scale.band("change_failure_rate", 0.2) == "medium"
    harness = custom_scale({})
    assert harness.edges == PRESETS["harness"].edges
    assert harness.band("deployment_frequency", 1.0) == "high"  # harness: elite is > 1/day


STAGED = custom_scale({
    **SPEC,
    "stages": {"Coding": {"edges": ["4h", "1d"]}},
    "every_stage": {"unit": "minutes", "edges": [30, 120]},
})  # fmt: skip


@pytest.mark.parametrize(
    ("stage", "seconds", "expected"),
    [
        ("Coding", 4 * H, "Great"),
        ("coding ", 4 * H, "Great"),  # names compare ignoring case and outer spaces
        ("Coding", 4 * H + US, "OK"),
        ("Coding", D, "OK"),
        ("Coding", D + US, "Poor"),
        ("Review", 1800.0, "Great"),  # every_stage: 30 and 120 minutes
        ("Review", 1800.001, "OK"),
        ("Review", 7200.0, "OK"),
        ("Review", 7200.001, "Poor"),
        ("Coding", None, None),
    ],
)
def test_stage_levels(stage: str, seconds: float | None, expected: str | None) -> None:
    assert STAGED.stage_level(stage, seconds) == expected


def test_no_stage_ranges_no_stage_level() -> None:
    assert SCALE.stage_level("Coding", 1.0) is None
    assert PRESETS["harness"].stage_level("Coding", 1.0) is None
    only = custom_scale({**SPEC, "stages": {"Coding": {"edges": [1, 2]}}})
    assert only.stage_level("Review", 1.0) is None
    assert only.stage_level("Coding", 2 * H) == "OK"  # the mapping's unit: hours


def test_add_stage_levels() -> None:
    stages = [
        {"name": "Coding", "seconds": 5 * H, "samples": 3},
        {"name": "Review", "seconds": 0.0, "samples": 0},  # no samples: no level, not "Great"
        {"name": "Build", "seconds": 60.0, "samples": 1},
    ]
    add_stage_levels(stages, STAGED)
    assert [s["level"] for s in stages] == ["OK", None, "Great"]
    untouched = [{"name": "Coding", "seconds": 5 * H, "samples": 3}]
    add_stage_levels(untouched, SCALE)
    add_stage_levels(untouched, "harness")
    assert untouched == [{"name": "Coding", "seconds": 5 * H, "samples": 3}]


def test_scale_of_every_form() -> None:
    assert scale_of("dora-2024") is PRESETS["dora-2024"]
    assert scale_of(SCALE) is SCALE
    profile = load_profile_text(
        "name: P\nstages: [{name: a, event: commit}]\n"
        "dora: {bands: {levels: [{name: Up}, {name: Down}], deployment_frequency: {edges: [1]},"
        " lead_time_for_changes: {edges: [1d]}, change_failure_rate: {edges: ['10%']},"
        " mean_time_to_restore: {edges: [1h]}}}\n"
    )
    assert profile.dora is not None
    scale = scale_of(profile.dora.bands)
    assert isinstance(scale, BandScale)
    assert scale.band("lead_time", D) == "Up" and scale.band("lead_time", D + US) == "Down"
    assert scale.name == "custom"
    assert scale_of("dora-2023").name == "dora-2023"


def test_an_invalid_mapping_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        custom_scale({**SPEC, "lead_time_for_changes": {"edges": [168, 24]}})
    assert info.value.details == [
        "dora.bands: edges must strictly increase (less is better: the best level's edge "
        "first); edges[1] is not above edges[0]"
    ]


@pytest.mark.parametrize(
    ("count", "colours"),
    [
        (4, ["#116329", "#1a7f37", "#9a6700", "#cf222e"]),
        (5, ["#116329", "#1a7f37", "#9a6700", "#bc4c00", "#cf222e"]),
        (6, ["#116329", "#1a7f37", "#4b6b00", "#9a6700", "#bc4c00", "#cf222e"]),
    ],
)
def test_palettes(count: int, colours: list[str]) -> None:
    names = [f"L{i}" for i in range(count)]
    steps = [str(i + 1) + "h" for i in range(count - 1)]
    scale = custom_scale({
        "levels": [{"name": n} for n in names],
        "deployment_frequency": {"edges": list(range(count - 1, 0, -1))},
        "lead_time_for_changes": {"edges": steps},
        "change_failure_rate": {"edges": [f"{i + 1}%" for i in range(count - 1)]},
        "mean_time_to_restore": {"edges": steps},
    })  # fmt: skip
    assert [lv.colour for lv in scale.levels] == colours
    assert (
        scale.band("lead_time", H) == "L0"
        and scale.band("lead_time", (count - 1) * H + 1) == (names[-1])
    )


def test_preset_levels_json() -> None:
    assert PRESETS["harness"].levels_json() == [
        {"name": "elite", "rank": 1, "colour": "#116329"},
        {"name": "high", "rank": 2, "colour": "#1a7f37"},
        {"name": "medium", "rank": 3, "colour": "#9a6700"},
        {"name": "low", "rank": 4, "colour": "#cf222e"},
    ]
    assert PRESETS["dora-2024"].name == "dora-2024" and PRESETS["dora-2024"].worst == "low"


def test_edges_refuses_an_unknown_metric() -> None:
    with pytest.raises(ValueError, match="unknown DORA metric 'velocity'"):
        edges("velocity", SCALE)
    with pytest.raises(ValueError, match="unknown DORA metric"):
        band("velocity", None, SCALE)

"""``dora.bands.deployment_rework_rate``: optional (even with ``levels``), read as the change
failure rate; one exact ``PATH: where: what`` line per problem."""

from __future__ import annotations

from fractions import Fraction

import pytest

from leadline.metrics.bands import REWORK, scale_of
from leadline.profiles import load_profile_text
from leadline.profiles.dora_models import BandsSpec
from tests.profiles.support import problems
from tests.profiles.test_band_levels import LEVELS, RANGES, bands


def _spec(text: str) -> BandsSpec:
    profile = load_profile_text(text)
    assert profile.dora is not None and isinstance(profile.dora.bands, BandsSpec)
    return profile.dora.bands


def test_optional_with_levels_the_scale_then_leaves_rework_unbanded() -> None:
    spec = _spec(bands(LEVELS + RANGES))
    assert spec.deployment_rework_rate is None
    assert REWORK not in scale_of(spec).edges
    assert scale_of(spec).band(REWORK, Fraction(1, 2)) is None


def test_with_levels_percent_and_fraction_edges() -> None:
    spec = _spec(bands(LEVELS + RANGES + '    deployment_rework_rate: {edges: ["5%", 0.15]}\n'))
    assert spec.deployment_rework_rate is not None
    assert spec.deployment_rework_rate.edges == ["5%", 0.15]
    assert [e.edge for e in scale_of(spec).edges[REWORK]] == [Fraction(1, 20), Fraction(3, 20)]
    assert [e.band for e in scale_of(spec).edges[REWORK]] == ["Great", "OK"]


def test_with_a_preset_it_needs_three_edges() -> None:
    spec = _spec(
        bands('    preset: dora-2024\n    deployment_rework_rate: {edges: ["2%", "8%", 0.2]}\n')
    )
    assert [e.band for e in scale_of(spec).edges[REWORK]] == ["elite", "high", "medium"]
    assert [e.edge for e in scale_of(spec).edges[REWORK]] == [
        Fraction(1, 50), Fraction(2, 25), Fraction(1, 5)
    ]  # fmt: skip


WITH = bands(LEVELS + RANGES + '    deployment_rework_rate: {edges: ["5%", "15%"]}\n')

CASES: list[tuple[str, str, list[str]]] = [
    (
        "wrong count",
        WITH.replace('["5%", "15%"]', '["5%", "15%", "25%"]'),
        ["p.yaml: dora.bands.deployment_rework_rate.edges: 3 levels need 2 edges, got 3"],
    ),
    (
        "wrong count with preset levels",
        bands('    deployment_rework_rate: {edges: ["5%", "15%"]}\n'),
        ["p.yaml: dora.bands.deployment_rework_rate.edges: 4 levels need 3 edges, got 2"],
    ),
    (
        "not increasing",
        WITH.replace('["5%", "15%"]', '["15%", 0.05]'),
        [
            "p.yaml: dora.bands.deployment_rework_rate.edges[1]: edges must strictly increase "
            "(less is better: the best level's edge first); edges[1] is not above edges[0]"
        ],
    ),
    (
        "equal edges",
        WITH.replace('["5%", "15%"]', '["5%", 0.05]'),
        [
            "p.yaml: dora.bands.deployment_rework_rate.edges[1]: edges must strictly increase "
            "(less is better: the best level's edge first); edges[1] is not above edges[0]"
        ],
    ),
    (
        "over 100 %",
        WITH.replace('["5%", "15%"]', '["5%", "101%"]'),
        ["p.yaml: dora.bands.deployment_rework_rate.edges[1]: must be from 0 % to 100 %"],
    ),
    (
        "a percentage as a number",
        WITH.replace('["5%", "15%"]', '["5%", 15]'),
        [
            "p.yaml: dora.bands.deployment_rework_rate.edges[1]: a fraction from 0 to 1 "
            '(write "15%" for 15 percent)'
        ],
    ),
    (
        "a unit",
        WITH.replace('{edges: ["5%"', '{unit: hours, edges: ["5%"'),
        [
            "p.yaml: dora.bands.deployment_rework_rate.unit: not used by deployment_rework_rate "
            '(write "10%" or 0.1)'
        ],
    ),
    (
        "a duration",
        WITH.replace('["5%", "15%"]', '["5%", 4h]'),
        [
            "p.yaml: dora.bands.deployment_rework_rate.edges[1]: not a percentage: '4h' "
            '(expected e.g. "10%" or 0.1)'
        ],
    ),
    (
        "a boolean edge",
        WITH.replace('["5%", "15%"]', '["5%", true]'),
        [
            "p.yaml: dora.bands.deployment_rework_rate.edges[1]: expected a number or a "
            'percentage ("10%"), got the boolean true'
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_problems(text: str, expected: list[str]) -> None:
    assert problems(text) == expected

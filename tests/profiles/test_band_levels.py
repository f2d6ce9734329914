"""``dora.bands`` as a mapping (custom maturity levels): what loads, and one exact
``PATH: where: what`` line per problem."""

from __future__ import annotations

import json

import pytest

from leadline.profiles import load_profile_text, profile_from_data, profile_to_dict
from leadline.profiles.dora_models import BandsSpec
from tests.profiles.support import problems

HEAD = "name: P\nstages:\n  - {name: Coding, event: commit}\n  - {name: Review, event: pr_merged}\n"
LEVELS = """\
    levels:
      - {name: Great, colour: "#1a7f37"}
      - {name: OK, colour: "#9a6700"}
      - {name: Poor, colour: "#cf222e"}
"""
RANGES = """\
    deployment_frequency: {unit: per_week, edges: [5, 1]}
    lead_time_for_changes: {edges: [24, 168]}
    change_failure_rate: {edges: ["10%", "20%"]}
    mean_time_to_restore: {edges: [1, 24]}
"""
GOOD = HEAD + "dora:\n  bands:\n" + LEVELS + "    unit: hours\n" + RANGES


def bands(body: str) -> str:
    return HEAD + "dora:\n  bands:\n" + body


def test_the_docs_example_loads_and_round_trips() -> None:
    profile = load_profile_text(GOOD)
    assert profile.dora is not None and isinstance(profile.dora.bands, BandsSpec)
    spec = profile.dora.bands
    assert [lv.name for lv in spec.levels or []] == ["Great", "OK", "Poor"]
    assert spec.unit == "hours" and spec.lead_time_for_changes is not None
    assert spec.lead_time_for_changes.edges == [24, 168]
    assert spec.change_failure_rate is not None
    assert spec.change_failure_rate.edges == ["10%", "20%"]
    data = profile_to_dict(profile)
    assert data["dora"]["bands"]["deployment_frequency"] == {"unit": "per_week", "edges": [5, 1]}
    assert profile_from_data(json.loads(json.dumps(data))) == profile


def test_presets_still_load() -> None:
    for preset in ("harness", "dora-2023", "dora-2024"):
        profile = load_profile_text(HEAD + f"dora: {{bands: {preset}}}\n")
        assert profile.dora is not None and profile.dora.bands == preset
    default = load_profile_text(HEAD + "dora: {}\n")
    assert default.dora is not None and default.dora.bands == "harness"


def test_a_preset_with_stage_ranges() -> None:
    profile = load_profile_text(bands(
        "    preset: dora-2024\n    on_edge: worse\n"
        "    every_stage: {unit: hours, edges: [1, 4, 24]}\n"
        "    stages:\n      coding: {edges: [1h, 2h, 1d]}\n"
    ))  # fmt: skip
    assert profile.dora is not None and isinstance(profile.dora.bands, BandsSpec)
    assert profile.dora.bands.stages is not None and "coding" in profile.dora.bands.stages


CASES: list[tuple[str, str, list[str]]] = [
    (
        "bad colour",
        bands(LEVELS.replace('"#9a6700"', "orange") + RANGES),
        [
            "p.yaml: dora.bands.levels[1].colour: not a colour: 'orange' "
            "(expected #rgb or #rrggbb, e.g. #1a7f37)"
        ],
    ),
    (
        "same level name",
        bands(LEVELS.replace("name: Poor", "name: great") + RANGES),
        ["p.yaml: dora.bands.levels[2].name: level name 'great' is already used by levels[0]"],
    ),
    (
        "one level",
        bands("    levels: [{name: All}]\n" + RANGES),
        ["p.yaml: dora.bands.levels: give 2 to 6 levels, best first; got 1"],
    ),
    (
        "seven levels",
        bands("    levels: [" + ", ".join(f"{{name: L{i}}}" for i in range(7)) + "]\n" + RANGES),
        ["p.yaml: dora.bands.levels: give 2 to 6 levels, best first; got 7"],
    ),
    (
        "levels and preset",
        bands("    preset: harness\n" + LEVELS + RANGES),
        ["p.yaml: dora.bands.levels: give either preset or levels, not both"],
    ),
    (
        "a metric missing",
        bands(LEVELS + RANGES.replace('    change_failure_rate: {edges: ["10%", "20%"]}\n', "")),
        [
            "p.yaml: dora.bands.change_failure_rate: required when levels are given "
            "(one range per metric)"
        ],
    ),
    (
        "wrong count",
        bands(LEVELS + RANGES.replace("[24, 168]", "[24, 168, 720]")),
        ["p.yaml: dora.bands.lead_time_for_changes.edges: 3 levels need 2 edges, got 3"],
    ),
    (
        "wrong count with preset levels",
        bands("    lead_time_for_changes: {edges: [1d, 1w]}\n"),
        ["p.yaml: dora.bands.lead_time_for_changes.edges: 4 levels need 3 edges, got 2"],
    ),
    (
        "frequency increasing",
        bands(LEVELS + RANGES.replace("[5, 1]", "[1, 5]")),
        [
            "p.yaml: dora.bands.deployment_frequency.edges[1]: edges must strictly decrease (more "
            "is better: the best level's edge first); edges[1] is not below edges[0]"
        ],
    ),
    (
        "lead time equal edges",
        bands(LEVELS + "    unit: hours\n" + RANGES.replace("[24, 168]", "[24, 1d]")),
        [
            "p.yaml: dora.bands.lead_time_for_changes.edges[1]: edges must strictly increase (less "
            "is better: the best level's edge first); edges[1] is not above edges[0]"
        ],
    ),
    (
        "unknown rate unit",
        bands(LEVELS + RANGES.replace("per_week", "per_fortnight")),
        [
            "p.yaml: dora.bands.deployment_frequency.unit: must be one of per_day, per_week, "
            "per_month, got 'per_fortnight'"
        ],
    ),
    (
        "a rate unit on a duration",
        bands(LEVELS + RANGES.replace("{edges: [1, 24]}", "{unit: per_day, edges: [1, 24]}")),
        [
            "p.yaml: dora.bands.mean_time_to_restore.unit: must be one of seconds, minutes, hours, "
            "days, weeks, got 'per_day'"
        ],
    ),
    (
        "unknown default unit",
        bands(LEVELS + "    unit: fortnights\n" + RANGES),
        [
            "p.yaml: dora.bands.unit: must be one of seconds, minutes, hours, days, weeks, "
            "got 'fortnights'"
        ],
    ),
    (
        "a unit on the failure rate",
        bands(LEVELS + RANGES.replace('{edges: ["10%"', '{unit: hours, edges: ["10%"')),
        [
            "p.yaml: dora.bands.change_failure_rate.unit: not used by change_failure_rate "
            '(write "10%" or 0.1)'
        ],
    ),
    (
        "a percentage as a number",
        bands(LEVELS + RANGES.replace('["10%", "20%"]', '["10%", 20]')),
        [
            "p.yaml: dora.bands.change_failure_rate.edges[1]: a fraction from 0 to 1 "
            '(write "20%" for 20 percent)'
        ],
    ),
    (
        "not a percentage",
        bands(LEVELS + RANGES.replace('["10%", "20%"]', '["10%", "20 pct"]')),
        [
            "p.yaml: dora.bands.change_failure_rate.edges[1]: not a percentage: '20 pct' "
            '(expected e.g. "10%" or 0.1)'
        ],
    ),
    (
        "over 100 %",
        bands(LEVELS + RANGES.replace('["10%", "20%"]', '["10%", "120%"]')),
        ["p.yaml: dora.bands.change_failure_rate.edges[1]: must be from 0 % to 100 %"],
    ),
    (
        "a boolean edge",
        bands(LEVELS + RANGES.replace("[1, 24]", "[1, true]")),
        [
            "p.yaml: dora.bands.mean_time_to_restore.edges[1]: expected a number or a duration "
            '("4h"), got the boolean true'
        ],
    ),
    (
        "a bad duration",
        bands(LEVELS + RANGES.replace("[1, 24]", "[1, 1 day]")),
        [
            "p.yaml: dora.bands.mean_time_to_restore.edges[1]: not a duration: '1 day' "
            "(expected e.g. 90s, 10m, 4h, 2d, 1w or 1h30m)"
        ],
    ),
    (
        "a negative edge",
        bands(LEVELS + RANGES.replace("[1, 24]", "[-1, 24]")),
        ["p.yaml: dora.bands.mean_time_to_restore.edges[0]: must not be negative"],
    ),
    (
        "a frequency of 0",
        bands(LEVELS + RANGES.replace("[5, 1]", "[5, 0]")),
        [
            "p.yaml: dora.bands.deployment_frequency.edges[1]: must be above 0 "
            "(every frequency is at least 0)"
        ],
    ),
    (
        "a frequency as a string",
        bands(LEVELS + RANGES.replace("[5, 1]", "[5, 1/week]")),
        [
            "p.yaml: dora.bands.deployment_frequency.edges[1]: expected a number of "
            "deployments, got '1/week'"
        ],
    ),
    (
        "unknown stage",
        bands(LEVELS + RANGES + "    stages:\n      Codin: {edges: [1h, 4h]}\n"),
        [
            "p.yaml: dora.bands.stages.Codin: no stage named 'Codin' "
            "(the profile's stages: 'Coding', 'Review')"
        ],
    ),
    (
        "a stage twice",
        bands(
            LEVELS + RANGES + "    stages:\n      Coding: {edges: [1h, 4h]}\n"
            "      coding: {edges: [1h, 2h]}\n"
        ),
        ["p.yaml: dora.bands.stages.coding: the same stage as 'Coding'"],
    ),
    (
        "stage edges wrong",
        bands(LEVELS + RANGES + "    every_stage: {edges: [4h, 1h]}\n"),
        [
            "p.yaml: dora.bands.every_stage.edges[1]: edges must strictly increase (less is "
            "better: the best level's edge first); edges[1] is not above edges[0]"
        ],
    ),
    (
        "unknown key",
        bands(LEVELS + RANGES + "    on_edges: worse\n"),
        [
            "p.yaml: dora.bands.on_edges: unknown field 'on_edges' (expected one of preset, "
            "levels, unit, on_edge, deployment_frequency, lead_time_for_changes, "
            "change_failure_rate, mean_time_to_restore, deployment_rework_rate, every_stage, "
            "stages); did you mean 'on_edge'?"
        ],
    ),
    (
        "bad on_edge",
        bands(LEVELS + RANGES + "    on_edge: inside\n"),
        ["p.yaml: dora.bands.on_edge: must be one of better, worse, got 'inside'"],
    ),
    (
        "unknown preset",
        bands("    preset: dora-2025\n"),
        [
            "p.yaml: dora.bands.preset: must be one of harness, dora-2023, dora-2024, "
            "got 'dora-2025'; did you mean 'dora-2024'?"
        ],
    ),
    (
        "a level without a name",
        bands(
            "    levels: [{colour: '#000'}, {name: B}]\n"
            + RANGES.replace("[5, 1]", "[5]")
            .replace("[24, 168]", "[24]")
            .replace('["10%", "20%"]', '["10%"]')
            .replace("[1, 24]", "[1]")
        ),
        ["p.yaml: dora.bands.levels[0].name: required"],
    ),
    (
        "every problem at once",
        bands(
            LEVELS.replace('"#cf222e"', "red")
            + RANGES.replace("[24, 168]", "[24]").replace("per_week", "weekly")
        ),
        [
            "p.yaml: dora.bands.levels[2].colour: not a colour: 'red' "
            "(expected #rgb or #rrggbb, e.g. #1a7f37)",
            "p.yaml: dora.bands.deployment_frequency.unit: must be one of per_day, per_week, "
            "per_month, got 'weekly'",
            "p.yaml: dora.bands.lead_time_for_changes.edges: 3 levels need 2 edges, got 1",
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_problem_lines(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


def test_the_model_alone_refuses_what_the_loader_refuses() -> None:
    with pytest.raises(ValueError, match="3 levels need 2 edges, got 1"):
        BandsSpec.model_validate({
            "levels": [{"name": "A"}, {"name": "B"}, {"name": "C"}],
            "deployment_frequency": {"edges": [2, 1]},
            "lead_time_for_changes": {"edges": [1]},
            "change_failure_rate": {"edges": [0.1, 0.2]},
            "mean_time_to_restore": {"edges": [1, 2]},
        })  # fmt: skip


def test_the_options_profile_round_trips_and_bands_by_hand() -> None:
    from pathlib import Path

    from leadline.metrics.bands import scale_of
    from leadline.profiles import load_profile

    profile = load_profile(Path(__file__).parent / "options" / "maturity.yaml")
    assert profile_from_data(json.loads(json.dumps(profile_to_dict(profile)))) == profile
    assert profile.dora is not None
    scale = scale_of(profile.dora.bands)
    assert [lv.colour for lv in scale.levels] == ["#1a7f37", "#9a6700", "#cf222e"]  # Poor: palette
    # on_edge: worse — an edge belongs to the worse level.
    assert scale.stage_level("Review", 2.5 * 86400) == "Poor"  # days [1, 2.5]
    assert scale.stage_level("Review", 2.5 * 86400 - 1) == "OK"
    assert scale.stage_level("Coding", 4 * 3600) == "OK"  # hours (the mapping's unit) [4, 24]
    assert scale.stage_level("Coding", 4 * 3600 - 1) == "Great"
    assert scale.stage_level("Planning", 1800) == "OK"  # every_stage, minutes [30, 240]
    assert scale.stage_level("Planning", 1799) == "Great"
    assert scale.band("lead_time", 7 * 86400) == "Poor"  # days [1, 7]
    assert scale.band("mttr", 1799) == "Great"  # ["30m", 24 h]
    assert scale.band("change_failure_rate", 0.2) == "Poor"  # ["10%", 0.2]
    assert scale.band("deployment_frequency", 5 / 7) == "OK"  # [5, 1] a week, > needed


def test_a_preset_with_stage_ranges_round_trips() -> None:
    profile = load_profile_text(
        bands("    preset: dora-2024\n    stages:\n      Coding: {edges: [1h, 2h, 1d]}\n")
    )
    assert profile_from_data(profile_to_dict(profile)) == profile

"""Custom maturity levels (``dora.bands`` as a mapping) through ``leadline dora`` and
``leadline lead-time``, on the quarter of tests/fixtures/dora_quarter (SQLite or PostgreSQL).

The figures of that quarter, computed by hand in tests/cli/test_dora.py: 5 deployments in
91 days (5/91 a day = 35/91 ≈ 0.385 a week), change failure rate 2/7 ≈ 28.6 %, mean time to
restore (1800 + 10800 + 86400 + 172800) / 4 = 67 950 s = 18.875 h, mean lead time (1 d + 5 d)
/ 2 = 3 days = 72 h (one stage, Deployed, of 3 days).

The scale, in hours: frequency [1, 0.25] a week, lead time [24, 72], failure rate [10 %,
25 %], restore [1, 18.875], stage Deployed [1d, 3d]. Lead time, restore and the stage sit
exactly on an edge: the better level (OK) by default, the worse one (Poor) with
``on_edge: worse``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES

QUARTER = FIXTURES / "dora_quarter"
WINDOW = ("--from", "2024-01-01", "--to", "2024-04-01")
PROFILE = """\
name: Quarter (maturity)
stages:
  - {name: Deployed, event: cd_completed, environments: [production], ideal: 1d, acceptable: 1w}
dora:
  deployments: {source: cd, environments: [production], statuses: [success]}
  failures: {source: cd, environments: [production], statuses: [failure, rolled_back]}
  restore: {source: incidents}
  bands:
    levels:
      - {name: Great, colour: "#1a7f37"}
      - {name: OK, colour: "#9a6700"}
      - {name: Poor, colour: "#cf222e"}
    unit: hours
    deployment_frequency: {unit: per_week, edges: [1, 0.25]}
    lead_time_for_changes: {edges: [24, 72]}
    change_failure_rate: {edges: ["10%", "25%"]}
    mean_time_to_restore: {edges: [1, 18.875]}
    stages:
      deployed: {edges: [1d, 3d]}
"""
LEVELS = [
    {"name": "Great", "rank": 1, "colour": "#1a7f37"},
    {"name": "OK", "rank": 2, "colour": "#9a6700"},
    {"name": "Poor", "rank": 3, "colour": "#cf222e"},
]


def run(run_cli: Any, tmp_path: Path, text: str, *args: str) -> Any:
    assert run_cli("import", str(QUARTER / "records.ndjson")).code == 0
    path = tmp_path / "maturity.yaml"
    path.write_text(text)
    result = run_cli(*args[:1], "--profile", str(path), *WINDOW, *args[1:])
    assert result.code == 0, result.err
    return result


@pytest.mark.parametrize(
    ("on_edge", "expected"),
    [
        ("", {"deployment_frequency": "OK", "lead_time_for_changes": "OK",
              "change_failure_rate": "Poor", "mean_time_to_restore": "OK", "stage": "OK"}),
        ("    on_edge: worse\n",
         {"deployment_frequency": "OK", "lead_time_for_changes": "Poor",
          "change_failure_rate": "Poor", "mean_time_to_restore": "Poor", "stage": "Poor"}),
    ],
)  # fmt: skip
def test_dora_json_names_the_custom_levels(
    run_cli: Any, tmp_path: Path, on_edge: str, expected: dict[str, str]
) -> None:
    out = json.loads(run(run_cli, tmp_path, PROFILE + on_edge, "dora", "--format", "json").out)
    assert out["bands"] == "custom"
    assert out["levels"] == LEVELS
    assert list(out)[:8] == ["profile", "from", "to", "window", "interval", "bands", "levels",
                             "deployment_frequency"]  # fmt: skip
    lead = out["lead_time_for_changes"]
    assert (out["mean_time_to_restore"]["mean_seconds"], lead["total_seconds"]) == (
        67950.0,
        3 * 86400.0,
    )
    for section in ("deployment_frequency", "lead_time_for_changes", "change_failure_rate",
                    "mean_time_to_restore"):  # fmt: skip
        assert out[section]["band"] == expected[section], section
    assert lead["stages"][0]["name"] == "Deployed"
    assert lead["stages"][0]["level"] == expected["stage"]


def test_presets_keep_their_keys(run_cli: Any, tmp_path: Path) -> None:
    text = (QUARTER / "cd-failures.yaml").read_text()
    out = json.loads(run(run_cli, tmp_path, text, "dora", "--format", "json").out)
    assert out["bands"] == "harness" and "levels" not in out
    assert "level" not in out["lead_time_for_changes"]["stages"][0]
    preset = text + "  bands: dora-2024\n"
    out = json.loads(run(run_cli, tmp_path, preset, "dora", "--format", "json").out)
    assert out["bands"] == "dora-2024" and "levels" not in out
    # dora-2024: 2/7 ≈ 28.6 % > 20 % is low; 5/91 a day ≥ 1/30 medium; 3 days < 1 week high;
    # 18.875 h < 1 day high.
    assert [out[s]["band"] for s in ("change_failure_rate", "deployment_frequency",
                                     "lead_time_for_changes", "mean_time_to_restore")] == [
        "low", "medium", "high", "high"]  # fmt: skip


def test_dora_table_shows_level_names(run_cli: Any, tmp_path: Path) -> None:
    result = run(run_cli, tmp_path, PROFILE, "dora")
    assert "custom bands" in result.out
    rows = {line.split("│")[1].strip(): line for line in result.out.splitlines() if "│" in line}
    assert " OK " in rows["Deployment frequency"]
    assert " Poor " in rows["Change failure rate"]
    assert "levels, best first: Great, OK, Poor" in result.out


def test_lead_time_reports_the_stage_level(run_cli: Any, tmp_path: Path) -> None:
    out = json.loads(run(run_cli, tmp_path, PROFILE, "lead-time", "--format", "json").out)
    assert out["stages"][0]["seconds"] == 3 * 86400.0
    assert out["stages"][0]["level"] == "OK"
    table = run(run_cli, tmp_path, PROFILE, "lead-time").out
    header = next(line for line in table.splitlines() if "stage" in line and "time" in line)
    assert [c.strip() for c in header.split("┃") if c.strip()] == [
        "stage", "time", "level", "rating", "samples", "missing"]  # fmt: skip
    assert any("Deployed" in line and " OK " in line for line in table.splitlines())
    rows = list(csv.reader(io.StringIO(
        run(run_cli, tmp_path, PROFILE, "lead-time", "--format", "csv").out)))  # fmt: skip
    assert rows[0] == ["stage", "seconds", "samples", "missing", "rating", "level"]
    assert rows[1] == ["Deployed", "259200.0", "2", "0", "needs_attention", "OK"]
    assert rows[2][-1] == ""


def test_lead_time_without_stage_ranges_is_unchanged(run_cli: Any, tmp_path: Path) -> None:
    text = PROFILE.replace("    stages:\n      deployed: {edges: [1d, 3d]}\n", "")
    out = json.loads(run(run_cli, tmp_path, text, "lead-time", "--format", "json").out)
    assert "level" not in out["stages"][0]
    rows = list(csv.reader(io.StringIO(
        run(run_cli, tmp_path, text, "lead-time", "--format", "csv").out)))  # fmt: skip
    assert rows[0] == ["stage", "seconds", "samples", "missing", "rating"]

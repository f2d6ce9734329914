"""An efficiency profile with the default five phases gives the same per-phase figures as
the equivalent stage profile (issue 4, acceptance 6), and phase durations are end − end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES

ROOT = Path(__file__).parents[2]
EXAMPLES = FIXTURES / "lead_time_examples"
STAGES = """name: Stages
start: {event: ticket_created}
stages:
  - {name: Planning, event: issue_status, category: in_progress}
  - {name: Coding, event: commit}
  - {name: Review, event: pr_merged, occurrence: last}
  - {name: Build, event: ci_completed, occurrence: last}
  - {name: Deployment, event: cd_completed, occurrence: last, environments: [production]}
"""


def ok(result: Any) -> Any:
    assert result.code == 0, result.err
    return json.loads(result.out)


@pytest.mark.parametrize("stat", ["mean", "median", "p90", "p95"])
def test_default_phases_equal_the_stage_profile(run_cli: Any, tmp_path: Path, stat: str) -> None:
    ok(run_cli("import", *(str(p) for p in sorted(EXAMPLES.glob("example*.ndjson"))),
               "--format", "json"))  # fmt: skip
    stages = tmp_path / "stages.yaml"
    stages.write_text(STAGES)
    phases = ROOT / "examples" / "profiles" / "efficiency.yaml"
    by_phase = ok(
        run_cli(
            "lead-time", "--all-time", "--profile", str(phases), "--stat", stat, "--format", "json"
        )
    )
    by_stage = ok(
        run_cli(
            "lead-time", "--all-time", "--profile", str(stages), "--stat", stat, "--format", "json"
        )
    )
    assert by_phase["changes"] == by_stage["changes"] > 0
    assert by_phase["stages"] == by_stage["stages"]
    assert by_phase["total_seconds"] == by_stage["total_seconds"]


def test_each_phase_lasts_from_the_previous_phase_end(run_cli: Any) -> None:
    ok(run_cli("import", str(EXAMPLES / "example8.ndjson"), "--format", "json"))
    phases = ROOT / "examples" / "profiles" / "efficiency.yaml"
    out = ok(run_cli("lead-time", "--profile", str(phases), "--change", "PROP-8", "--format",
                     "json"))  # fmt: skip
    # Example 8: created 9:50, In Progress 10:00, first commit 10:05, merged 10:15,
    # CI 10:18, CD 10:20.
    assert [(s["name"], s["seconds"]) for s in out["stages"]] == [
        ("Planning", 600.0), ("Coding", 300.0), ("Review", 600.0),
        ("Build", 180.0), ("Deployment", 120.0),
    ]  # fmt: skip

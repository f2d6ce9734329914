"""No data is not zero (issue 16): a metric with no source is ``null`` with a ``reason`` in the
JSON and "no data" in the table (exit 0); a source with nothing in the window is a real figure.

Hand-built records, imported into the real test database (SQLite, or PostgreSQL with
``LEADLINE_TEST_DATABASE_URL``), run through the real CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.gitbuild import history

WINDOW = ("--from", "2024-03-01", "--to", "2024-04-01")
PROFILE = """name: No data
stages:
  - {name: Deployed, event: cd_completed, environments: [production]}
dora:
  deployments: {source: cd, environments: [production]}
  failures: {source: FAILURES}
  restore: {source: incidents}
"""
IMPORT = "; import incidents or tickets to measure it"
NO_FAILURE = "no failure source: no incident matches dora.failures (source: incidents)" + IMPORT
NO_RESTORE = "no restore source: no incident matches dora.restore (source: incidents)" + IMPORT
NO_DEPLOYMENT = "no deployment source: no deployment run matches dora.deployments"


def _run(run_id: int, day: int, status: str = "success", month: int = 3) -> dict[str, Any]:
    return {"kind": "pipeline_run", "system": "argo", "pipeline": "deploy", "run_id": str(run_id),
            "type": "cd", "status": status, "environment": "production", "service": "api",
            "finished_at": f"2024-{month:02d}-{day:02d}T12:00:00Z"}  # fmt: skip


# Twelve successful deployments in March, nothing failed.
TWELVE = [_run(i, i + 1) for i in range(12)]
# An incident in January (before the window): the failure and restore sources exist.
JANUARY_INCIDENT = {"kind": "incident", "source": "pd", "id": "1", "service": "api",
                    "created_at": "2024-01-10T10:00:00Z",
                    "resolved_at": "2024-01-10T11:00:00Z"}  # fmt: skip


def _dora(run_cli: Any, tmp_path: Path, records: list[dict[str, Any]], failures: str) -> Any:
    data = tmp_path / "records.ndjson"
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    if records:
        assert run_cli("import", str(data)).code == 0
    profile = tmp_path / "p.yaml"
    profile.write_text(PROFILE.replace("FAILURES", failures))
    table = run_cli("dora", "--profile", str(profile), *WINDOW)
    assert table.code == 0, table.err
    result = run_cli("dora", "--profile", str(profile), *WINDOW, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out), flat(table.out)


def flat(table: str) -> str:
    """The table's words with single spaces: no borders, no line breaks."""
    return " ".join(re.sub("[│┃]", " ", table).split())


@pytest.mark.parametrize(
    ("case", "records", "failures", "rate", "band", "reason"),
    [
        # Incidents are the failure source and none was ever recorded: no data.
        ("no incidents at all", TWELVE, "incidents", None, None, NO_FAILURE),
        # An incident exists (in January): 0 failed deployments of 12 is a real 0 %.
        ("incidents, none in March", [*TWELVE, JANUARY_INCIDENT], "incidents", 0.0, "elite",
         None),
        # failures: cd reads the deployment runs: 0 failed runs of 12 is a real 0 %.
        ("cd, no failed run", TWELVE, "cd", 0.0, "elite", None),
        # A failure source, but nothing deployed in March: nothing to rate.
        ("nothing deployed in March", [_run(1, 5, month=1), JANUARY_INCIDENT], "incidents", None,
         None, "no deployment in the window: nothing to rate"),
        # No deployment run at all: no source for the deployments, nor for failures: cd.
        ("no runs at all", [], "cd", None, None,
         "no failure source: no deployment run matches dora.deployments"),
    ],
)  # fmt: skip
def test_change_failure_rate(
    run_cli: Any, tmp_path: Path, case: str, records: list[dict[str, Any]], failures: str,
    rate: float | None, band: str | None, reason: str | None,
) -> None:  # fmt: skip
    report, table = _dora(run_cli, tmp_path, records, failures)
    cfr = report["change_failure_rate"]
    assert (cfr["rate"], cfr["band"], cfr.get("reason")) == (rate, band, reason), case
    if reason is not None and reason.startswith("no failure source"):
        assert {p["rate"] for p in cfr["series"]} == {None}  # nor in any bucket
    if rate is None:
        assert "Change failure rate no data" in table, table
        assert f"Change failure rate: no data: {reason}" in table
        assert cfr["interval"] is None
    else:
        assert f"Change failure rate {rate * 100:.2f} % {band}" in table, table
        assert cfr["interval"]["low"] == 0.0  # Wilson for 0 of 12: [0, 0.2425]
        assert cfr["interval"]["high"] == 0.2425


def test_no_deployment_source_is_no_frequency_and_no_lead_time(
    run_cli: Any, tmp_path: Path
) -> None:
    report, table = _dora(run_cli, tmp_path, [], "cd")
    df, lead = report["deployment_frequency"], report["lead_time_for_changes"]
    assert (df["deployments"], df["per_day"], df["band"], df["reason"]) == (
        0, None, None, NO_DEPLOYMENT,
    )  # fmt: skip
    assert df["interval"] is None
    assert (lead["changes"], lead["total_seconds"], lead["band"]) == (0, None, None)
    assert lead["reason"] == "no change counted in the window"
    mttr = report["mean_time_to_restore"]
    assert (mttr["mean_seconds"], mttr["band"], mttr["reason"]) == (None, None, NO_RESTORE)
    assert "Deployment frequency no data" in table and "Time to restore no data" in table
    assert "Lead time for changes no data" in table


def test_a_source_with_nothing_in_the_window_is_a_real_zero_per_day(
    run_cli: Any, tmp_path: Path
) -> None:
    """A team that deploys (in January) but not in March: 0 per day, rated low."""
    report, table = _dora(run_cli, tmp_path, [_run(1, 5, month=1), JANUARY_INCIDENT], "incidents")
    df, mttr = report["deployment_frequency"], report["mean_time_to_restore"]
    assert (df["per_day"], df["band"], "reason" in df) == (0.0, "low", False)
    assert "Deployment frequency 0/day low" in table
    # Restores have a source (January's incident) but none was resolved in March.
    assert (mttr["mean_seconds"], mttr["reason"]) == (None, "no incident resolved in the window")


def test_git_only_data_has_no_failure_rate_and_no_restore(run_cli: Any, tmp_path: Path) -> None:
    """``leadline git`` records releases, not failures: never "0.00 % elite"."""
    repo, _ = history(tmp_path / "app")
    args = ("git", str(repo.path), "--from", "2024-01-03", "--to", "2024-02-01", "--all-tags")
    table = run_cli(*args)
    assert table.code == 0, table.err
    text = flat(table.out)
    assert "Change failure rate no data" in text and "Time to restore no data" in text
    assert "0.00 %" not in text and "elite" not in text.split("Change failure rate")[1][:40]
    report = json.loads(run_cli(*args, "--format", "json").out)
    assert report["change_failure_rate"]["reason"] == NO_FAILURE
    assert report["mean_time_to_restore"]["reason"] == NO_RESTORE
    assert report["deployment_frequency"]["per_day"] == round(5 / 29, 4)  # a real figure

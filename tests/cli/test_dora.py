"""`leadline dora` on a quarter of data, every number computed by hand (issue 4, acceptance 1).

Window [2024-01-01, 2024-04-01): 91 days. tests/fixtures/dora_quarter/records.ndjson holds:

- production deployments (success) D1 api 01-10, D2 api 02-05, D3 web 02-20, D4 api 03-15,
  D5 web 03-31 23:59:59 (ci_cd) → 5 in the window; run 0 (12-31 23:59:59) and run 6
  (04-01 00:00:00, = `to`) are just outside; staging runs, CI runs and a cancelled run never
  count;
- failed production runs f1 (01-20, failure) and f2 (03-01, rolled_back) in the window, f3
  (04-02) after it; a failed staging run;
- incidents: I1 api 01-12 (30 min), I2 web 02-21 (3 h), I3 api 03-30 resolved 04-02 (after the
  window), I4 billing never resolved, I5 web 03-01 (1 day) naming run "2" explicitly, I6 created
  12-31 and resolved 01-02 (2 days);
- tickets T-1 (created 01-09 10:00, deployed by D1 01-10 10:00: 1 day), T-2 (03-10 08:00,
  deployed by D4 03-15 08:00: 5 days), T-3 (deployed before the window), T-4 (never deployed).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import FIXTURES

QUARTER = FIXTURES / "dora_quarter"
WINDOW = ("--from", "2024-01-01", "--to", "2024-04-01")
DAY = 86400.0


def dora(run_cli: Any, profile: str, *args: str) -> dict[str, Any]:
    result = run_cli("import", str(QUARTER / "records.ndjson"))
    assert result.code == 0, result.err
    result = run_cli(
        "dora", "--profile", str(QUARTER / profile), *WINDOW, "--format", "json", *args
    )
    assert result.code == 0, result.err
    out: dict[str, Any] = json.loads(result.out)
    return out


def test_failed_deployment_profile(run_cli: Any) -> None:
    out = dora(run_cli, "cd-failures.yaml", "--interval", "month")
    assert (out["from"], out["to"], out["interval"]) == (
        "2024-01-01T00:00:00Z", "2024-04-01T00:00:00Z", "month",
    )  # fmt: skip
    df = out["deployment_frequency"]
    assert (df["deployments"], df["days"], df["per_day"]) == (5, 91.0, round(5 / 91, 4))
    assert df["band"] == "medium"  # ≥ 1/month (5/91 ≈ 0.055 ≥ 1/30), < 1/week
    assert df["series"] == [
        {"start": "2024-01-01", "count": 1},
        {"start": "2024-02-01", "count": 2},
        {"start": "2024-03-01", "count": 2},
    ]
    cfr = out["change_failure_rate"]
    # Failed runs are deployments too: 2 / (5 + 2).
    assert (cfr["failures"], cfr["deployments"], cfr["rate"]) == (2, 5, round(2 / 7, 4))
    assert cfr["band"] == "high"  # 28.6 % ≤ 30 %
    mttr = out["mean_time_to_restore"]
    # Resolved inside the window: I1 1800 s, I2 10800 s, I5 86400 s, I6 172800 s.
    assert mttr["incidents"] == 4
    assert mttr["mean_seconds"] == (1800 + 10800 + 86400 + 172800) / 4 == 67950.0
    assert mttr["median_seconds"] == (10800 + 86400) / 2
    assert mttr["open"] == 2  # I3 (resolved after the window) and I4 (never)
    assert mttr["band"] == "high"  # < 1 day
    lt = out["lead_time_for_changes"]
    assert lt["changes"] == 2  # T-1 and T-2; T-3 before the window, T-4 in flight
    assert lt["total_seconds"] == (1 * DAY + 5 * DAY) / 2
    assert lt["stages"][0]["rating"] == "needs_attention"  # 3 days: > 1d, ≤ 1w
    assert lt["band"] == "high"  # ≤ 7 days
    assert lt["series"] == [  # each bucket with its one stage's figure (None: no change)
        {"start": "2024-01-01", "changes": 1, "total_seconds": 1 * DAY,
         "stages": [{"name": "Deployed", "seconds": 1 * DAY, "samples": 1}]},
        {"start": "2024-02-01", "changes": 0, "total_seconds": 0.0,
         "stages": [{"name": "Deployed", "seconds": None, "samples": 0}]},
        {"start": "2024-03-01", "changes": 1, "total_seconds": 5 * DAY,
         "stages": [{"name": "Deployed", "seconds": 5 * DAY, "samples": 1}]},
    ]  # fmt: skip
    assert [p["start"] for p in cfr["series"]] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert [p["start"] for p in mttr["series"]] == ["2024-01-01", "2024-02-01", "2024-03-01"]


def test_incident_profile_links_incidents_to_deployments(run_cli: Any) -> None:
    out = dora(run_cli, "incidents.yaml")
    assert out["bands"] == "dora-2023"
    cfr = out["change_failure_rate"]
    # I1 → D1 (api, 2 days before), I2 → D3 (web, 1 day before), I5 → D2 (explicit run id,
    # though its service is web); I3 is 15 days after D4 (outside 7 days), I4's service never
    # deployed; I6 was created before the window.
    assert (cfr["failures"], cfr["deployments"], cfr["rate"]) == (3, 5, 0.6)
    assert cfr["band"] == "low"
    assert out["deployment_frequency"]["band"] == "medium"
    assert out["mean_time_to_restore"]["band"] == "high"
    lt = out["lead_time_for_changes"]
    assert lt["total_seconds"] == 3 * DAY and lt["band"] == "high"  # dora-2023: < 1 week


def test_week_series_are_zero_filled_and_start_on_monday(run_cli: Any) -> None:
    out = dora(run_cli, "cd-failures.yaml", "--interval", "week")
    series = out["deployment_frequency"]["series"]
    assert series[0]["start"] == "2024-01-01"  # a Monday
    assert len(series) == 13
    assert sum(p["count"] for p in series) == 5
    assert [p["start"] for p in series if p["count"]] == [
        "2024-01-08", "2024-02-05", "2024-02-19", "2024-03-11", "2024-03-25",
    ]  # fmt: skip


def test_table_output(run_cli: Any) -> None:
    run_cli("import", str(QUARTER / "records.ndjson"))
    result = run_cli("dora", "--profile", str(QUARTER / "incidents.yaml"), *WINDOW)
    assert result.code == 0, result.err
    for text in ("Deployment frequency", "Lead time for changes", "Change failure rate",
                 "Time to restore", "60.00 %"):  # fmt: skip
        assert text in result.out


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("name: p\nstages: [{name: a, event: commit}]\n", "has no dora block"),
        ("name: p\nstages: [{name: a, event: commit}]\ndora: {deployments: {source: "
         "pull_requests}, failures: {source: cd}}\n", "needs dora.deployments.source 'cd'"),
    ],
)  # fmt: skip
def test_profile_problems_are_clear(
    run_cli: Any, tmp_path: Any, profile: str, message: str
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(profile)
    result = run_cli("dora", "--profile", str(path), *WINDOW)
    assert result.code == 2
    assert message in result.err and "Traceback" not in result.err


def test_failures_without_deployments_give_null_and_a_warning(run_cli: Any, tmp_path: Any) -> None:
    path = tmp_path / "r.ndjson"
    path.write_text(json.dumps({"kind": "incident", "source": "pd", "id": "1", "service": "api",
                                "created_at": "2024-02-01T00:00:00Z"}) + "\n")  # fmt: skip
    assert run_cli("import", str(path)).code == 0
    result = run_cli("dora", "--profile", str(QUARTER / "incidents.yaml"), *WINDOW,
                     "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    cfr = json.loads(result.out)["change_failure_rate"]
    assert cfr["rate"] is None and cfr["deployments"] == 0
    assert cfr["warnings"]


def test_a_failure_belongs_to_the_window_of_its_deployment(run_cli: Any, tmp_path: Any) -> None:
    path = tmp_path / "edge.ndjson"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"kind": "pipeline_run", "system": "a", "pipeline": "deploy", "run_id": "1",
         "type": "cd", "status": "success", "environment": "production", "service": "api",
         "finished_at": "2024-01-31T23:00:00Z"},
        {"kind": "incident", "source": "pd", "id": "1", "service": "api",
         "created_at": "2024-02-01T01:00:00Z", "resolved_at": "2024-02-01T02:00:00Z"},
    ]) + "\n")  # fmt: skip
    assert run_cli("import", str(path)).code == 0

    def cfr(start: str, end: str) -> dict[str, Any]:
        result = run_cli("dora", "--profile", str(QUARTER / "incidents.yaml"), "--from", start,
                         "--to", end, "--format", "json")  # fmt: skip
        assert result.code == 0, result.err
        out: dict[str, Any] = json.loads(result.out)["change_failure_rate"]
        return out

    january = cfr("2024-01-01", "2024-02-01")
    assert (january["failures"], january["deployments"], january["rate"]) == (1, 1, 1.0)
    february = cfr("2024-02-01", "2024-03-01")
    assert (february["failures"], february["deployments"]) == (0, 0)
    # Nothing deployed in February: no rate (it was 0.0), not a rated 0 %.
    assert february["rate"] is None and february["unlinked"] == 0
    assert february["reason"] == "no deployment in the window: nothing to rate"


@pytest.mark.parametrize(
    "args",
    [
        ("--from", "9999-12-01"),
        ("--to", "0001-01-05"),
        ("--from", "0001-01-01", "--to", "9999-01-01", "--interval", "day"),
    ],
)
def test_absurd_windows_are_input_errors(run_cli: Any, args: tuple[str, ...]) -> None:
    result = run_cli("dora", "--profile", str(QUARTER / "incidents.yaml"), *args)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err


@pytest.mark.parametrize(
    ("section", "text"),
    [
        ({"verdict": "worse", "change_percent": 12.4, "p_value": 0.03}, "+12 % (worse, p=0.03)"),
        ({"verdict": "better", "change_percent": -50.0, "p_value": 2e-5},
         "-50 % (better, p<0.001)"),
        ({"verdict": "better", "change_percent": None, "p_value": 0.004}, "(better, p=0.004)"),
        ({"verdict": "no significant change", "change_percent": 3.0, "p_value": 0.6},
         "no significant change"),
        ({"verdict": "not enough data", "change_percent": None, "p_value": None},
         "not enough data"),
    ],
)  # fmt: skip
def test_vs_previous_cell(section: dict[str, Any], text: str) -> None:
    from leadline.cli.render import versus

    assert versus(section) == text

"""``leadline time-in-status`` and ``leadline pr-lead-time`` end to end (figures by hand:
``tests/flow_records.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests import flow_records as data

WINDOW = ("--from", data.FROM, "--to", data.TO)


def _load(run_cli: Any, tmp_path: Path) -> str:
    records, profile = data.write(tmp_path)
    assert run_cli("import", str(records)).code == 0
    return str(profile)


def test_time_in_status_formats(run_cli: Any, tmp_path: Path) -> None:
    profile = _load(run_cli, tmp_path)
    out = run_cli("time-in-status", "--profile", profile, *WINDOW, "--format", "json")
    assert out.code == 0, out.err
    result = json.loads(out.out)
    assert result["window"]["from"].startswith("2024-03-01") and result["window"]["days"] == 31
    assert [(s["name"], s["seconds"], s["bounces"]) for s in result["statuses"]] == [
        (name, seconds, bounces) for name, _, _, seconds, _, _, bounces, _ in data.STATUSES
    ]
    csv = run_cli("time-in-status", "--profile", profile, *WINDOW, "--format", "csv").out
    assert csv.splitlines()[2] == "In Progress,in_progress,2,18000.0,36000.0,3,1,1"
    table = run_cli("time-in-status", "--profile", profile, *WINDOW, "--stat", "p90").out
    assert "3 issues resolved (1 bounced)" in table and "6h 36m" in table


def test_pr_lead_time_formats(run_cli: Any, tmp_path: Path) -> None:
    profile = _load(run_cli, tmp_path)
    out = run_cli(
        "pr-lead-time", "--profile", profile, *WINDOW, "--interval", "week", "--format", "json"
    )
    assert out.code == 0, out.err
    result = json.loads(out.out)
    assert [(s["key"], s["seconds"], s["samples"], s["missing"]) for s in result["stages"]] == (
        data.STAGES
    )
    assert result["total_seconds"] == data.TOTAL
    assert [(p["start"], p["prs"], p["total_seconds"]) for p in result["series"]] == data.WEEKS
    csv = run_cli("pr-lead-time", "--profile", profile, *WINDOW, "--format", "csv").out
    assert csv.splitlines()[1:] == [
        ",pr_creation,1950.0,2,1",
        ",first_comment,930.0,2,1",
        ",approval,1920.0,2,1",
        ",merge,3080.0,3,0",
        ",total,7880.0,3,",
    ]
    weekly = run_cli(
        "pr-lead-time", "--profile", profile, *WINDOW, "--interval", "week", "--format", "csv"
    ).out.splitlines()
    # the week of 2024-03-11: acme/pay#2, no review
    assert weekly[16:21] == [
        "2024-03-11,pr_creation,3600.0,1,0",
        "2024-03-11,first_comment,,0,1",
        "2024-03-11,approval,,0,1",
        "2024-03-11,merge,7200.0,1,0",
        "2024-03-11,total,10800.0,1,",
    ]
    table = run_cli("pr-lead-time", "--profile", profile, *WINDOW, "--interval", "week").out
    assert "3 PRs merged" in table and "no data" in table and "2h 11m" in table


def test_bad_input_exits_2_with_a_message(run_cli: Any, tmp_path: Path) -> None:
    profile = _load(run_cli, tmp_path)
    bad = run_cli("pr-lead-time", "--profile", profile, "--interval", "year")
    assert bad.code == 2 and "'year' is not one of" in bad.err and "Traceback" not in bad.err
    bad = run_cli(
        "time-in-status", "--profile", profile, "--from", "2024-04-01", "--to", "2024-03-01"
    )
    assert bad.code == 2 and "is not before" in bad.err
    bad = run_cli("time-in-status")
    assert bad.code == 2 and "--profile" in bad.err

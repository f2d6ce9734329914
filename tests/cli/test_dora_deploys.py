"""`leadline dora` with the deployment and failure-counting options (issue 17): tickets as
deployments, runs counted at their start, the all-runs denominator, failure priorities and
absolute failure counts — JSON and table, on the hand-built records of
``tests/services/deploys_data.py`` (its docstring explains each number), and every new rule of
the loader as one ``PATH: where: what`` line with exit code 2."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.services.deploys_data import (
    DAYS,
    FAILURE_TICKETS,
    RUNS,
    TICKETS,
    WINDOW,
    profile_data,
    write_records,
)

ARGS = ("--from", WINDOW[0], "--to", WINDOW[1], "--interval", "month")


def _profile(tmp_path: Path, **block: Any) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(profile_data("p", **block)))
    return path


def _dora(run_cli: Any, tmp_path: Path, **block: Any) -> tuple[dict[str, Any], str]:
    assert run_cli("import", str(write_records(tmp_path / "r.ndjson"))).code == 0
    profile = str(_profile(tmp_path, **block))
    result = run_cli("dora", "--profile", profile, *ARGS, "--format", "json")
    assert result.code == 0, result.err
    table = run_cli("dora", "--profile", profile, *ARGS)
    assert table.code == 0, table.err
    return json.loads(result.out), " ".join(re.sub("[│┃]", " ", table.out).split())


def test_tickets_as_deployments(run_cli: Any, tmp_path: Path) -> None:
    out, table = _dora(run_cli, tmp_path, deployments=TICKETS | {"occurrence": "last"},
                       failures=FAILURE_TICKETS)  # fmt: skip
    df, cfr = out["deployment_frequency"], out["change_failure_rate"]
    # PAY-1, PAY-2 (03-20), PAY-3 (03-03), PAY-5; INC-1 → PAY-1, INC-3 → PAY-5
    assert (df["deployments"], df["per_day"]) == (4, round(4 / DAYS, 4))
    assert (cfr["failures"], cfr["deployments"], cfr["rate"]) == (2, 4, 0.5)
    assert "4 deployments in 31 days" in table and "50.00 %" in table


def test_count_at_start_and_all_runs(run_cli: Any, tmp_path: Path) -> None:
    out, table = _dora(run_cli, tmp_path, deployments=RUNS | {"count_at": "start"},
                       failures={"total": "all_runs"})  # fmt: skip
    df, cfr = out["deployment_frequency"], out["change_failure_rate"]
    assert df["deployments"] == 4  # r2 r3 r10 r4
    # r5 of the six runs started in the window (r2 r3 r10 r4 r5 r7)
    assert (cfr["failures"], cfr["deployments"], cfr["rate"], cfr["total"]) == (
        1, 6, round(1 / 6, 4), "all_runs",
    )  # fmt: skip
    assert "1 failure / 6 deployments" in table


def test_absolute_failures(run_cli: Any, tmp_path: Path) -> None:
    out, table = _dora(run_cli, tmp_path, deployments=RUNS, failures={"count": "absolute"})
    cfr = out["change_failure_rate"]
    assert (cfr["count"], cfr["failures"], cfr["rate"], cfr["band"]) == ("absolute", 2, None, None)
    assert "Change failures 2 failures" in table
    assert "absolute count, over 3 deployments" in table
    assert "Change failure rate" not in table


def test_failure_priorities(run_cli: Any, tmp_path: Path) -> None:
    out, _ = _dora(run_cli, tmp_path, deployments=TICKETS,
                   failures=FAILURE_TICKETS | {"priorities": ["HIGHEST"]})  # fmt: skip
    cfr = out["change_failure_rate"]
    assert (cfr["failures"], cfr["deployments"], cfr["unlinked"]) == (1, 3, 0)  # INC-3 only


@pytest.mark.parametrize(
    ("block", "line"),
    [
        ({"deployments": {"source": "issues"}, "failures": {"source": "incidents"}},
         "dora.deployments.statuses: required for source 'issues' (or give category, e.g. done)"),
        ({"deployments": {"source": "issues", "statuses": ["Done"], "category": "done"},
          "failures": {"source": "incidents"}},
         "dora.deployments.category: give either statuses or category, not both"),
        ({"deployments": {"source": "issues", "category": "done"}},
         "dora.failures.source: 'cd' (the default) needs dora.deployments.source 'cd', not "
         "'issues': give incidents or issues"),
        ({"deployments": {"source": "issues", "category": "done", "count_at": "start"},
          "failures": {"source": "incidents"}},
         "dora.deployments.count_at: not used by source 'issues'"),
        ({"deployments": {"source": "cd", "names": ["v*"]}},
         "dora.deployments.names: not used by source 'cd'"),
        ({"deployments": {"source": "releases", "occurrence": "every"},
          "failures": {"source": "incidents"}},
         "dora.deployments.occurrence: not used by source 'releases'"),
        ({"failures": {"priorities": ["P1"]}},
         "dora.failures.priorities: not used by source 'cd'"),
        ({"deployments": {"source": "releases"},
          "failures": {"source": "incidents", "total": "all_runs"}},
         "dora.failures.total: 'all_runs' needs dora.deployments.source 'cd', not 'releases'"),
        ({"failures": {"count": "absolute", "total": "deployments"}},
         "dora.failures.total: not used with count 'absolute' (no rate, no denominator)"),
        ({"deployments": {"source": "issues", "category": "done"},
          "failures": {"source": "incidents"}, "lead_time": "commits"},
         "dora.lead_time: 'commits' needs deployments that ship commits, not tickets "
         "(dora.deployments.source 'issues')"),
        ({"failures": {"count": "percent"}},
         "dora.failures.count: must be one of rate, absolute, got 'percent'"),
        ({"deployments": {"count_at": "begin"}},
         "dora.deployments.count_at: must be one of finish, start, got 'begin'"),
    ],
)  # fmt: skip
def test_bad_options_are_one_line_each(
    run_cli: Any, tmp_path: Path, block: dict[str, Any], line: str
) -> None:
    profile = _profile(tmp_path, **block)
    result = run_cli("profile", "check", str(profile))
    assert result.code == 2
    assert result.err.strip().splitlines() == [f"leadline: error: {profile}: {line}"]

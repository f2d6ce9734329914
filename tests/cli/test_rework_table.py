"""``leadline dora``: the rework rate's table row and JSON, on the PR quarter of
tests/services/test_unplanned_quarter.py (by hand there: rework 4 of 8, Wilson [21.5 %,
78.5 %]; CFR 3 of 8 from two reverts and a hotfix branch)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.services.test_unplanned_quarter import FAILURES, RECORDS, REWORK

WINDOW = ["--from", "2024-01-01", "--to", "2024-04-01", "--interval", "month"]


def _setup(run_cli: Any, tmp_path: Path, **more: Any) -> Path:
    data = tmp_path / "prs.ndjson"
    data.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    assert run_cli("import", str(data)).code == 0
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({
        "name": "PRs", "stages": [{"name": "Merged", "event": "pr_merged"}],
        "dora": {"deployments": {"source": "pull_requests", "target_branches": ["main"]},
                 "failures": FAILURES, **more},
    }))  # fmt: skip
    return profile


def test_table_row_and_json(run_cli: Any, tmp_path: Path) -> None:
    profile = _setup(run_cli, tmp_path, rework=REWORK)
    table = run_cli("dora", "--profile", str(profile), *WINDOW, "--compare", "previous")
    assert table.code == 0, table.err
    row = next(line for line in table.out.splitlines() if "Deployment rework rate" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells == ["Deployment rework rate", "50.00 %", "21.5–78.5 %", "—",
                     "4 rework / 8 deployments; few samples", "not enough data"]  # fmt: skip
    assert "37.50 %" in table.out  # CFR, 3 of 8
    out = json.loads(run_cli("dora", "--profile", str(profile), *WINDOW, "--format", "json").out)
    assert list(out)[-1] == "deployment_rework_rate"
    assert out["deployment_rework_rate"]["rate"] == 0.5


def test_no_row_without_a_rework_block(run_cli: Any, tmp_path: Path) -> None:
    profile = _setup(run_cli, tmp_path)
    table = run_cli("dora", "--profile", str(profile), *WINDOW)
    assert table.code == 0, table.err
    assert "rework" not in table.out.lower()

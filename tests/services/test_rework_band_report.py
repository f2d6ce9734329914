"""The rework rate's level in a report through the service and the CLI table, when the
profile's custom ``dora.bands`` gives its range — on the PR quarter of
tests/services/test_unplanned_quarter.py (by hand there: rework 4 of 8 = 50 %; by month
1 of 3, 1 of 2, 2 of 3). SQLite and PostgreSQL.

Levels Great / OK / Poor, rework edges 5 % and 15 % (``on_edge: better``): 50 % is above
15 %: Poor. Edges 40 % and 50 %: 50 % is on the second edge, which belongs to the better
level: OK. Without the range (levels given, or a preset): ``band`` null as before.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from leadline.profiles.loader import profile_from_data
from leadline.services.dora import dora
from tests.services.test_unplanned_quarter import RECORDS, REWORK, WINDOW

LEVELS = [{"name": "Great"}, {"name": "OK"}, {"name": "Poor"}]
FOUR = {
    "deployment_frequency": {"unit": "per_week", "edges": [5, 1]},
    "lead_time_for_changes": {"unit": "days", "edges": [1, 7]},
    "change_failure_rate": {"edges": ["10%", "20%"]},
    "mean_time_to_restore": {"unit": "hours", "edges": [1, 24]},
}


def band_data(bands: Any, **more: Any) -> dict[str, Any]:
    return {
        "name": "PR quarter",
        "stages": [{"name": "Merged", "event": "pr_merged"}],
        "dora": {
            "deployments": {"source": "pull_requests", "target_branches": ["main"]},
            "failures": {"source": "incidents"},
            "rework": REWORK,
            "bands": bands,
            **more,
        },
    }


@pytest.fixture
def quarter(engine: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    path = tmp_path / "prs.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    assert run_cli("import", str(path)).code == 0
    return engine


@pytest.mark.parametrize(
    ("edges", "expected"), [(["5%", "15%"], "Poor"), ([0.4, "50%"], "OK"), (["50%", 0.6], "Great")]
)
def test_a_custom_range_bands_the_rework_rate(
    quarter: Engine, edges: list[Any], expected: str
) -> None:
    bands = {"levels": LEVELS, **FOUR, "deployment_rework_rate": {"edges": edges}}
    report = dora(quarter, profile_from_data(band_data(bands), "test"), WINDOW, "month")
    rr = report["deployment_rework_rate"]
    assert (rr["rework"], rr["deployments"], rr["rate"], rr["band"]) == (4, 8, 0.5, expected)
    assert report["bands"] == "custom"
    # As the change failure rate's series: counts and rates, no band per bucket.
    assert [sorted(p) for p in rr["series"]] == [["deployments", "rate", "rework", "start"]] * 3
    assert sorted(report["change_failure_rate"]["series"][0]) == [
        "deployments", "failures", "rate", "start"
    ]  # fmt: skip


def test_without_the_range_the_band_stays_null(quarter: Engine) -> None:
    with_levels = {"levels": LEVELS, **FOUR}
    for bands in ("harness", "dora-2024", with_levels, {"preset": "dora-2023"}):
        rr = dora(quarter, profile_from_data(band_data(bands), "test"), WINDOW, "month")
        assert (rr["deployment_rework_rate"]["rate"], rr["deployment_rework_rate"]["band"]) == (
            0.5, None
        ), bands  # fmt: skip


def test_a_preset_based_mapping_with_the_range(quarter: Engine) -> None:
    # dora-2024's four levels; rework edges 10 %, 30 %, 50 %: 50 % is on the last: medium.
    bands = {"preset": "dora-2024", "deployment_rework_rate": {"edges": ["10%", "30%", "50%"]}}
    report = dora(quarter, profile_from_data(band_data(bands), "test"), WINDOW, "month")
    assert report["deployment_rework_rate"]["band"] == "medium"
    assert report["change_failure_rate"]["band"] is None  # incidents: none imported


def test_the_cli_table_shows_the_level(quarter: Engine, run_cli: Any, tmp_path: Path) -> None:
    bands = {"levels": LEVELS, **FOUR, "deployment_rework_rate": {"edges": ["5%", "15%"]}}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(band_data(bands)))
    window = ("--from", "2024-01-01", "--to", "2024-04-01", "--interval", "month")
    result = run_cli("dora", "--profile", str(path), *window)
    assert result.code == 0, result.err
    row = next(line for line in result.out.splitlines() if "Deployment rework rate" in line)
    assert "50.00 %" in row and "Poor" in row
    got = run_cli("dora", "--profile", str(path), *window, "--format", "json")
    assert json.loads(got.out)["deployment_rework_rate"]["band"] == "Poor"

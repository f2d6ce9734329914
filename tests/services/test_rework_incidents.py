"""``dora.rework.incidents``: the deployment that restored an incident is rework — on the
quarter fixture (tests/fixtures/dora_quarter, production deployments of ``incidents.yaml``)
plus three incidents of our own, by hand, on SQLite and PostgreSQL.

Production deployments in [2024-01-01, 2024-04-01): runs 1 (api, 01-10 10:00), 2 (api, 02-05
12:00), 3 (web, 02-20 09:00), 4 (api, 03-15 08:00), 5 (web, 03-31 23:59:59); run 0 (api,
2023-12-31 23:59:59) and run 6 (web, 04-01 00:00) are outside.

The rule: the latest deployment of the incident's service with created ≤ finished ≤ resolved.

- I8 (api, 02-05 11:00 → 12:00): run 2 finished exactly at the resolution → rework;
- I9 (api, 03-15 08:00 → 09:00): run 4 finished exactly at the creation → rework;
- I7 (web, 03-31 20:00 → 04-01 02:00): runs 5 and 6 both finished while it was open; the
  latest, run 6, restored it — outside the window, so run 5 is not rework;
- the fixture's own incidents: I6 (api, 12-31 12:00 → 01-02 12:00) was restored by run 0
  (December); I1, I2, I3, I5 saw no deployment of their service while open; I4 is open.

So 2 of 5 = 0.4 in the quarter, and December's window has run 0: 1 of 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from leadline.domain.times import parse_bound, to_micros
from leadline.profiles.loader import profile_from_data
from leadline.services.dora import dora
from leadline.services.drilldown_rework import rework_deployments
from leadline.services.leadtime import Window
from tests.conftest import FIXTURES

QUARTER = FIXTURES / "dora_quarter"
MORE = [
    {"kind": "incident", "source": "pagerduty", "id": "I7", "service": "web",
     "created_at": "2024-03-31T20:00:00Z", "resolved_at": "2024-04-01T02:00:00Z"},
    {"kind": "incident", "source": "pagerduty", "id": "I8", "service": "API",
     "created_at": "2024-02-05T11:00:00Z", "resolved_at": "2024-02-05T12:00:00Z"},
    {"kind": "incident", "source": "pagerduty", "id": "I9", "service": "api",
     "created_at": "2024-03-15T08:00:00Z", "resolved_at": "2024-03-15T09:00:00Z"},
]  # fmt: skip


@pytest.fixture
def quarter(engine: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    more = tmp_path / "more.ndjson"
    more.write_text("".join(json.dumps(r) + "\n" for r in MORE))
    for path in (QUARTER / "records.ndjson", more):
        result = run_cli("import", str(path))
        assert result.code == 0, result.err
    return engine


def _profile() -> Any:
    data = yaml.safe_load((QUARTER / "incidents.yaml").read_text())
    data["dora"]["rework"] = {"incidents": True}
    return profile_from_data(data, "test")


def test_restoring_deployments_are_rework(quarter: Engine) -> None:
    window = Window(parse_bound("2024-01-01"), parse_bound("2024-04-01"))
    rr = dora(quarter, _profile(), window, "month")["deployment_rework_rate"]
    assert (rr["rework"], rr["deployments"], rr["rate"]) == (2, 5, 0.4)
    assert rr["signals"] == ["incidents"]
    # Jan: run 1; Feb: runs 2 (rework) and 3; Mar: runs 4 (rework) and 5.
    assert [(p["rework"], p["deployments"]) for p in rr["series"]] == [(0, 1), (1, 2), (1, 2)]
    items = rework_deployments(quarter, _profile(), to_micros(window.start),  # type: ignore[arg-type]
                               to_micros(window.end))  # type: ignore[arg-type]  # fmt: skip
    assert [(x.deployment.id, x.rules) for x in items] == [
        ("argo/deploy-api/4", ("restored incident pagerduty/I9",)),
        ("argo/deploy-api/2", ("restored incident pagerduty/I8",)),
    ]
    assert items[0].deployment.service == "api" and items[0].deployment.status == "success"


def test_a_restore_counts_in_the_window_of_its_deployment(quarter: Engine) -> None:
    december = Window(parse_bound("2023-12-01"), parse_bound("2024-01-01"))
    rr = dora(quarter, _profile(), december, "month")["deployment_rework_rate"]
    assert (rr["rework"], rr["deployments"], rr["rate"]) == (1, 1, 1.0)
    assert rr["interval"]["high"] == 1.0 and rr["few_samples"] is True

"""``GET /v1/time-in-status`` and ``GET /v1/pr-lead-time``: the CLI's JSON over HTTP (figures
by hand: ``tests/flow_records.py``), and clear 4xx answers for bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from leadline.api.routes_flow import PrLeadTimeReport, TimeInStatusReport
from tests import flow_records as data
from tests.api.conftest import auth


def _load(client: TestClient, keys: dict[str, str], run_cli: Any, tmp: Path) -> dict[str, str]:
    records, _ = data.write(tmp)
    assert run_cli("import", str(records)).code == 0
    put = client.put("/v1/profiles/pay", json=data.PROFILE, headers=auth(keys["admin"]))
    assert put.status_code in (200, 201), put.text
    return {"profile": "pay", "from": data.FROM, "to": data.TO}


def test_reports(client: TestClient, keys: dict[str, str], run_cli: Any, tmp_path: Path) -> None:
    params = _load(client, keys, run_cli, tmp_path)
    read = auth(keys["read"])
    got = client.get("/v1/time-in-status", params=params, headers=read)
    assert got.status_code == 200, got.text
    body = TimeInStatusReport.model_validate(got.json())
    assert [(s.name, s.seconds, s.bounces) for s in body.statuses] == [
        (name, seconds, bounces) for name, _, _, seconds, _, _, bounces, _ in data.STATUSES
    ]
    assert body.window.days == 31
    got = client.get("/v1/pr-lead-time", params={**params, "interval": "week"}, headers=read)
    assert got.status_code == 200, got.text
    pr = PrLeadTimeReport.model_validate(got.json())
    assert [(s.key, s.seconds, s.samples, s.missing) for s in pr.stages] == data.STAGES
    assert pr.total_seconds == data.TOTAL and pr.prs == 3
    assert [(p.start, p.prs, p.total_seconds) for p in pr.series or []] == data.WEEKS


def test_bad_input_is_4xx(
    client: TestClient, keys: dict[str, str], run_cli: Any, tmp_path: Path
) -> None:
    params = _load(client, keys, run_cli, tmp_path)
    read = auth(keys["read"])
    assert client.get("/v1/pr-lead-time", params=params).status_code == 401
    for path, extra, status in [
        ("/v1/pr-lead-time", {"interval": "year"}, 422),
        ("/v1/time-in-status", {"stat": "p42"}, 422),
        ("/v1/time-in-status", {"from": "2024-05-01"}, 422),
        ("/v1/pr-lead-time", {"profile": "nope"}, 404),
    ]:
        got = client.get(path, params={**params, **extra}, headers=read)
        assert got.status_code == status, (path, extra, got.text)
        assert "error" in got.json()

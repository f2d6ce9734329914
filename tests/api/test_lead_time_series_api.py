"""``GET /v1/metrics/lead-time?interval=week``: the trend stacked by stage, the same series
as ``leadline lead-time --interval week`` (figures by hand: tests/services/test_stage_series.py)."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi.testclient import TestClient

from tests.api.conftest import auth
from tests.conftest import FIXTURES
from tests.services.test_stage_series import EXPECTED, PROFILE


def test_the_api_gives_the_same_series(
    client: TestClient, keys: dict[str, str], run_cli: Any
) -> None:
    assert run_cli("import", str(FIXTURES / "stage_series" / "records.ndjson")).code == 0
    data = yaml.safe_load(PROFILE.read_text())
    put = client.put("/v1/profiles/Stage series", json=data, headers=auth(keys["admin"]))
    assert put.is_success, put.text
    params = {"profile": "Stage series", "from": "2024-01-01", "to": "2024-01-22"}
    got = client.get("/v1/metrics/lead-time", params={**params, "interval": "week"},
                     headers=auth(keys["read"]))  # fmt: skip
    assert got.status_code == 200, got.text
    assert got.json()["series"] == EXPECTED
    plain = client.get("/v1/metrics/lead-time", params=params, headers=auth(keys["read"]))
    assert "series" not in plain.json()
    bad = client.get("/v1/metrics/lead-time", params={**params, "interval": "year"},
                     headers=auth(keys["read"]))  # fmt: skip
    assert bad.status_code == 422

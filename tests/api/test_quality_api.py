"""``GET /v1/quality`` gives the CLI's numbers on the hand-built dataset of
``tests/services/test_doctor.py``, with the other report routes' rules: a read key, 4xx JSON
naming the bad parameter, ``as_of`` of the timelines' build it read."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from leadline.api.schemas import ErrorBody, QualityReport
from tests.api.conftest import auth
from tests.services.test_doctor import DATA, EXPECTED, PROFILE, WINDOW, found_records


@pytest.fixture
def loaded(run_cli: Any) -> Any:
    result = run_cli("import", str(DATA / "records.ndjson"))
    assert result.code == 0, result.err
    return run_cli


def test_http_gives_the_cli_numbers(loaded: Any, client: TestClient, keys: dict[str, str]) -> None:
    data = yaml.safe_load(PROFILE.read_text())
    put = client.put("/v1/profiles/Doctor", json=data, headers=auth(keys["admin"]))
    assert put.is_success, put.text
    cli = loaded("doctor", "--profile", str(PROFILE), *WINDOW, "--format", "json")
    params = {"profile": "Doctor", "from": "2024-03-01", "to": "2024-04-01"}
    http = client.get("/v1/quality", params=params, headers=auth(keys["read"]))
    assert http.status_code == 200, http.text
    answer = http.json()
    QualityReport.model_validate(answer)
    assert answer.pop("as_of")["waiting"] == 0
    assert answer == json.loads(cli.out)
    assert found_records(answer) == EXPECTED


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({}, 422, "profile"),
        ({"profile": "Doctor", "collection": "X"}, 422, "profile"),
        ({"profile": "Doctor", "from": "soon"}, 422, "soon"),
        ({"profile": "Nobody"}, 404, "Nobody"),
    ],
)
def test_http_bad_params_are_4xx_json(
    client: TestClient, keys: dict[str, str], params: dict[str, str], status: int, field: str
) -> None:
    data = yaml.safe_load(PROFILE.read_text())
    assert client.put("/v1/profiles/Doctor", json=data, headers=auth(keys["admin"])).is_success
    answer = client.get("/v1/quality", params=params, headers=auth(keys["read"]))
    assert answer.status_code == status
    ErrorBody.model_validate(answer.json())
    assert field in answer.json()["error"]["message"]
    assert client.get("/v1/quality", params={"profile": "Doctor"}).status_code == 401

"""The HTTP API through the real ASGI app (docs/api.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import auth
from tests.conftest import FIXTURES

EXAMPLES = FIXTURES / "lead_time_examples"
SEED_EVENT = {"component": "jira", "key": "PROP-1460", "event_type": "incident_1",
              "event_time": 1664925769}  # fmt: skip


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return body


def test_seed_generic_event_call_is_accepted_with_an_ingest_key(
    client: TestClient, keys: dict[str, str]
) -> None:
    headers = {"accept": "application/json", "Content-Type": "application/json",
               "Cookie": "JSESSIONID=23F...BA12", **auth(keys["ingest"])}  # fmt: skip
    response = client.post("/v1/generic-events", content=json.dumps(SEED_EVENT), headers=headers)
    assert response.status_code == 202, response.text
    again = client.post(
        "/v1/generic-events", json=SEED_EVENT, headers=auth(keys["ingest"], "ApiKey")
    )
    assert again.status_code == 202 and again.json()["new"] == 0


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "unauthorized"),
        ({"Authorization": "Apikey ll_nope_nope"}, 401, "unauthorized"),
        ({"Authorization": "Basic abc"}, 401, "unauthorized"),
    ],
)
def test_missing_or_unknown_keys_are_401(
    client: TestClient, headers: dict[str, str], status: int, code: str
) -> None:
    assert_error(client.post("/v1/generic-events", json=SEED_EVENT, headers=headers), status, code)


def test_a_read_key_cannot_ingest(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post("/v1/generic-events", json=SEED_EVENT, headers=auth(keys["read"]))
    assert_error(response, 403, "forbidden")


def test_admin_implies_every_scope(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(
        "/v1/generic-events", json=SEED_EVENT, headers=auth(keys["admin"], "Bearer")
    )
    assert response.status_code == 202


def test_bad_generic_events_are_4xx(client: TestClient, keys: dict[str, str]) -> None:
    h = auth(keys["ingest"])
    assert_error(client.post("/v1/generic-events", content=b"{nope", headers=h), 400, "bad_request")
    assert_error(client.post("/v1/generic-events", json=[1], headers=h), 422, "invalid_input")
    bad = {**SEED_EVENT, "event_time": "yesterday"}
    body = assert_error(
        client.post("/v1/generic-events", json=bad, headers=h), 422, "invalid_input"
    )
    assert "event_time" in body["error"]["message"]


def test_records_ndjson_then_metrics_and_profiles(client: TestClient, keys: dict[str, str]) -> None:
    body = (EXAMPLES / "example1.ndjson").read_bytes()
    response = client.post("/v1/records", content=body, headers=auth(keys["ingest"]))
    assert response.status_code == 202, response.text
    assert response.json()["kinds"]["issue"]["new"] >= 1
    profile = (EXAMPLES / "profile.yaml").read_text()
    import yaml

    data = yaml.safe_load(profile)
    put = client.put(f"/v1/profiles/{data['name']}", json=data, headers=auth(keys["admin"]))
    assert put.status_code == 201, put.text
    assert client.put(f"/v1/profiles/{data['name']}", json=data,
                      headers=auth(keys["admin"])).status_code == 200  # fmt: skip
    # Without from/to: the default window, which the example (May 2024) is not in.
    default = client.get("/v1/metrics/lead-time", params={"profile": data["name"]},
                         headers=auth(keys["read"]))  # fmt: skip
    assert default.status_code == 200, default.text
    assert default.json()["changes"] == 0 and default.json()["window"]["days"] == 90.0
    may = {"profile": data["name"], "from": "2024-05-01", "to": "2024-06-01"}
    got = client.get("/v1/metrics/lead-time", params=may, headers=auth(keys["read"]))
    assert got.status_code == 200, got.text
    assert got.json()["total_seconds"] == 70 * 60.0
    assert got.json()["window"] == {"from": "2024-05-01T00:00:00Z", "to": "2024-06-01T00:00:00Z",
                                    "days": 31.0}  # fmt: skip
    assert client.get(f"/v1/profiles/{data['name']}", headers=auth(keys["read"])).json()["name"]
    assert client.delete(f"/v1/profiles/{data['name']}",
                         headers=auth(keys["admin"])).status_code == 204  # fmt: skip
    assert_error(client.get("/v1/metrics/lead-time", params={"profile": data["name"]},
                            headers=auth(keys["read"])), 404, "not_found")  # fmt: skip


def test_bad_records_are_422_and_nothing_is_written(
    client: TestClient, keys: dict[str, str]
) -> None:
    records = [{"kind": "issue", "key": "A-1", "created_at": "2024-05-01T10:00:00Z"},
               {"kind": "issue", "key": "A-2", "created_at": "2024-05-01T10:00:00"}]  # fmt: skip
    body = assert_error(client.post("/v1/records", json=records, headers=auth(keys["ingest"])),
                        422, "invalid_records")  # fmt: skip
    assert body["error"]["details"] == [
        "body:2: created_at: naive time '2024-05-01T10:00:00': add an offset or Z "
        "(e.g. 2024-05-01T10:00:00Z)"
    ]
    metrics = client.get("/metrics", headers=auth(keys["read"], "Bearer")).text
    assert 'leadline_records{kind="issue"} 0' in metrics


def test_bad_profiles_are_422_with_every_problem(client: TestClient, keys: dict[str, str]) -> None:
    bad = {"name": "p", "stages": [{"name": "a", "event": "teleport"}]}
    body = assert_error(client.put("/v1/profiles/p", json=bad, headers=auth(keys["admin"])),
                        422, "invalid_profile")  # fmt: skip
    assert any("stages[0].event: unknown event 'teleport'" in d for d in body["error"]["details"])


def test_health_and_unknown_routes(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert_error(client.get("/nope"), 404, "not_found")
    assert_error(client.delete("/healthz"), 405, "method_not_allowed")


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/records", "/v1/generic-events", "/v1/metrics/lead-time",
                 "/v1/metrics/dora", "/v1/profiles/{name}", "/healthz", "/metrics"):  # fmt: skip
        assert path in paths


def test_apikey_cli_prints_the_key_alone_on_the_last_line(run_cli: Any, client: TestClient) -> None:
    result = run_cli("apikey", "create", "ci-bot", "--scope", "ingest")
    assert result.code == 0, result.err
    key = result.out.strip().splitlines()[-1]
    assert key.startswith("ll_") and " " not in key
    response = client.post("/v1/generic-events", json=SEED_EVENT, headers=auth(key))
    assert response.status_code == 202
    listed = run_cli("apikey", "list")
    assert "ci-bot" in listed.out and key not in listed.out
    prefix = key.split("_")[1]
    assert run_cli("apikey", "revoke", prefix).code == 0
    assert_error(client.post("/v1/generic-events", json=SEED_EVENT, headers=auth(key)), 401,
                 "unauthorized")  # fmt: skip

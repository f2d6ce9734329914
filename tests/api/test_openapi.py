"""The OpenAPI document: complete (every body, answer and error documented, every reference
resolves) and true (real requests and answers fit the schemas it gives)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from leadline.api.app import create_app
from leadline.api.dora_schemas import DoraReport
from leadline.api.schemas import CustomCicdJob, ErrorBody, LeadTimeReport
from leadline.config import Settings
from leadline.profiles.models import Profile
from tests.api.conftest import auth
from tests.conftest import FIXTURES

ROOT = FIXTURES.parents[1]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(Settings(database_url="sqlite://")).openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, ms in document["paths"].items() for m, op in ms.items()]


def test_every_body_and_answer_is_documented(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        where = f"{method} {path}"
        if method in ("POST", "PUT"):
            content = op.get("requestBody", {}).get("content", {})
            assert content, f"{where}: no request body schema"
            assert all("schema" in c for c in content.values()), where
        codes = set(op["responses"])
        assert any(c.startswith("2") for c in codes), f"{where}: no success answer"
        if path.startswith("/v1/"):
            assert {"401", "403"} <= codes, f"{where}: auth errors undocumented"
        for code, answer in op["responses"].items():
            if code.startswith("4"):
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, f"{where} {code}"


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    schemas = document["components"]["schemas"]
    refs = {part.split('"')[0] for part in text.split('"$ref": "')[1:]}
    assert refs, "no references at all?"
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in schemas, ref


def test_the_record_schema_has_every_kind(document: dict[str, Any]) -> None:
    body = document["paths"]["/v1/records"]["post"]["requestBody"]["content"]
    items = body["application/json"]["schema"]["items"]
    mapped = items["discriminator"]["mapping"]
    assert sorted(mapped) == sorted(
        ["issue", "version", "commit", "pull_request", "pipeline_run", "incident", "event"]
    )


def test_real_payloads_fit_the_request_schemas() -> None:
    for path in sorted((FIXTURES / "custom_cicd").glob("*.json")):
        if path.name.startswith(("seed", "edge")) and path.name != "edge-wrapped.json":
            CustomCicdJob.model_validate(json.loads(path.read_text()))
    profiles = [yaml.safe_load(p.read_text()) for p in (ROOT / "examples/profiles").glob("*.yaml")]
    stage_profiles = [p for p in profiles if "phases" not in p]  # efficiency form: see PUT doc
    assert len(stage_profiles) >= 2
    for data in stage_profiles:
        TypeAdapter(Profile).validate_python(data)


def test_real_answers_fit_the_response_schemas(
    client: TestClient, keys: dict[str, str], run_cli: Any
) -> None:
    quarter = FIXTURES / "dora_quarter"
    assert run_cli("import", str(quarter / "records.ndjson")).code == 0
    data = yaml.safe_load((quarter / "incidents.yaml").read_text())
    client.put(f"/v1/profiles/{data['name']}", json=data, headers=auth(keys["admin"]))
    params = {"profile": data["name"], "from": "2024-01-01", "to": "2024-04-01"}
    dora = client.get("/v1/metrics/dora", params=params, headers=auth(keys["read"]))
    lead = client.get("/v1/metrics/lead-time", params=params, headers=auth(keys["read"]))
    assert dora.status_code == lead.status_code == 200
    report = DoraReport.model_validate(dora.json())
    assert report.deployment_frequency.deployments > 0
    LeadTimeReport.model_validate(lead.json())
    for response in (
        client.get("/v1/metrics/dora", params=params),
        client.get(
            "/v1/metrics/dora", params={**params, "profile": "nope"}, headers=auth(keys["read"])
        ),
        client.post("/v1/records", content=b"{", headers=auth(keys["ingest"])),
        client.get(
            "/v1/metrics/lead-time", params={**params, "stat": "p42"}, headers=auth(keys["read"])
        ),
    ):
        assert response.status_code >= 400
        ErrorBody.model_validate(response.json())

"""``GET /v1/metrics/dora``: the OpenAPI document declares every key the answer has.

The report is typed end to end (``metrics/dora_json.DoraReport``); ``api/dora_schemas.DoraReport``
mirrors it for the OpenAPI document. Real answers — for profiles that reach every optional
part of the report: custom levels, a comparison, the rework rate, ``count: absolute``,
``total: all_runs``, unlinked failures, a collection — are walked key by key against the
served schema, as a model with extra keys forbidden would check them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from leadline.api.dora_schemas import DoraReport
from tests.api.conftest import auth
from tests.conftest import FIXTURES

OPTIONS = Path(__file__).resolve().parents[1] / "profiles" / "options"
QUARTER = FIXTURES / "dora_quarter"
PROFILES = [
    QUARTER / "incidents.yaml",
    QUARTER / "cd-failures.yaml",
    OPTIONS / "maturity.yaml",  # custom levels, stage levels
    OPTIONS / "deploys.yaml",  # tickets as deployments, count: absolute
    OPTIONS / "deploys-runs.yaml",  # total: all_runs
    OPTIONS / "prfailures.yaml",  # hotfix PRs as failures, the rework rate
    OPTIONS / "profnames.yaml",  # every stage filter, lead_time by commits
]


def _alternatives(schema: dict[str, Any], document: dict[str, Any]) -> list[dict[str, Any]]:
    """The schemas a value may have: references resolved, ``anyOf`` spread, null left out."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        return _alternatives(document["components"]["schemas"][name], document)
    if "anyOf" in schema or "oneOf" in schema:
        return [
            alt
            for part in schema.get("anyOf", schema.get("oneOf", []))
            for alt in _alternatives(part, document)
        ]
    if "allOf" in schema:
        return [alt for part in schema["allOf"] for alt in _alternatives(part, document)]
    return [] if schema.get("type") == "null" else [schema]


def undeclared(
    value: Any, schema: dict[str, Any], document: dict[str, Any], path: str
) -> list[str]:
    """The paths of ``value`` (recursively) that ``schema`` does not declare."""
    options = _alternatives(schema, document)
    if isinstance(value, dict):
        objects = [s for s in options if "properties" in s]
        if not objects:
            return [f"{path}: an object the schema does not describe"]
        properties = {k: v for s in objects for k, v in s["properties"].items()}
        out = []
        for key, item in value.items():
            if key not in properties:
                out.append(f"{path}.{key}")
            else:
                out += undeclared(item, properties[key], document, f"{path}.{key}")
        return out
    if isinstance(value, list):
        arrays = [s for s in options if s.get("type") == "array"]
        if not arrays:
            return [f"{path}: a list the schema does not describe"]
        return [
            miss
            for item in value
            for miss in undeclared(item, arrays[0].get("items", {}), document, f"{path}[]")
        ]
    return []


def _dora_schema(document: dict[str, Any]) -> dict[str, Any]:
    answer = document["paths"]["/v1/metrics/dora"]["get"]["responses"]["200"]
    schema: dict[str, Any] = answer["content"]["application/json"]["schema"]
    return schema


def test_the_document_declares_series_and_warnings(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schema = _dora_schema(document)
    assert schema == {"$ref": "#/components/schemas/DoraReport"}
    (report,) = _alternatives(schema, document)

    def section(name: str) -> dict[str, Any]:
        (found,) = _alternatives(report["properties"][name], document)
        return found

    for name in ("deployment_frequency", "change_failure_rate", "mean_time_to_restore",
                 "deployment_rework_rate", "lead_time_for_changes"):  # fmt: skip
        properties = section(name)["properties"]
        assert {"series", "interval", "few_samples", "reason"} <= set(properties), name
    for name in ("change_failure_rate", "mean_time_to_restore"):
        assert "warnings" in section(name)["properties"], name
    assert {"comparison", "levels", "as_of", "window"} <= set(report["properties"])


@pytest.fixture
def answers(client: TestClient, keys: dict[str, str], run_cli: Any) -> list[dict[str, Any]]:
    assert run_cli("import", str(QUARTER / "records.ndjson")).code == 0
    admin, read = auth(keys["admin"]), auth(keys["read"])
    names = []
    for path in PROFILES:
        data = yaml.safe_load(path.read_text())
        put = client.put(f"/v1/profiles/{data['name']}", json=data, headers=admin)
        assert put.status_code in (200, 201), put.text
        names.append(data["name"])
    team = client.put("/v1/collections/Team", json={"profile": names[0]}, headers=admin)
    assert team.status_code in (200, 201), team.text
    window = {"from": "2024-01-01", "to": "2024-04-01"}
    asks = [{"profile": n, **window} for n in names]
    asks += [{"profile": n, "compare": "previous", **window} for n in names]
    asks += [{"collection": "Team", "interval": "month", **window}]
    out = []
    for params in asks:
        got = client.get("/v1/metrics/dora", params=params, headers=read)
        assert got.status_code == 200, (params, got.text)
        out.append(got.json())
    return out


def test_real_answers_have_only_declared_keys(
    client: TestClient, answers: list[dict[str, Any]]
) -> None:
    document = client.get("/openapi.json").json()
    schema = _dora_schema(document)
    seen: set[str] = set()
    for answer in answers:
        DoraReport.model_validate(answer)
        assert undeclared(answer, schema, document, "$") == [], answer["profile"]
        seen |= set(answer) | {f"change_failure_rate.{k}" for k in answer["change_failure_rate"]}
    # The answers reach the optional parts, so the check above covered them.
    assert {"levels", "comparison", "collection", "as_of"} <= seen, seen
    assert {"change_failure_rate.count", "change_failure_rate.total"} <= seen, seen
    assert "change_failure_rate.unlinked" in seen, seen

"""``GET /v1/metrics/lead-time?by=category``: the same figures as ``leadline lead-time --by
category`` (worked out by hand from ``tests/correlate/workflow_case.py``), and a profile
without categories is a 4xx, not a traceback."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.services.ingest import import_records
from tests.api.conftest import auth
from tests.correlate.builders import record
from tests.correlate.workflow_case import CATEGORIES, RECORDS, profile_data

M = 60.0
DEFECT = [30 * M, 60 * M, 0.0]


def _category(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in report["categories"] if c["name"] == name)


def figures(report: dict[str, Any]) -> list[float]:
    return [s["seconds"] for s in report["stages"]]


def test_the_api_gives_the_categories_too(
    engine: Engine, client: TestClient, keys: dict[str, Any]
) -> None:
    import_records(engine, [record(r["kind"], **{k: v for k, v in r.items() if k != "kind"})
                            for r in RECORDS])  # fmt: skip
    data = profile_data(categories=CATEGORIES)
    put = client.put("/v1/profiles/Workflow", json=data, headers=auth(keys["admin"]))
    assert put.status_code == 201, put.text
    params = {"profile": "Workflow", "from": "2024-05-01", "to": "2024-05-02", "by": "category"}
    got = client.get("/v1/metrics/lead-time", params=params, headers=auth(keys["read"]))
    assert got.status_code == 200, got.text
    body = got.json()
    assert [(c["name"], c["changes"]) for c in body["categories"]] == [
        ("Hotfix", 1), ("Defect", 1), ("Feature", 0)
    ]  # fmt: skip
    assert figures(_category(body, "Defect")) == DEFECT
    plain = client.put("/v1/profiles/Plain", json=profile_data(name="Plain"),
                       headers=auth(keys["admin"]))  # fmt: skip
    assert plain.status_code == 201, plain.text
    bad = client.get("/v1/metrics/lead-time", params={**params, "profile": "Plain"},
                     headers=auth(keys["read"]))  # fmt: skip
    assert bad.status_code == 422
    assert "has no categories" in bad.json()["error"]["message"]

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


def test_metrics_give_lead_time_by_category(
    engine: Engine, client: TestClient, keys: dict[str, Any]
) -> None:
    # Hotfix: WF-1, 60 + 60 + 60 min; Defect: WF-2, 30 + 60 + 0 min; Feature: no change.
    import_records(engine, [record(r["kind"], **{k: v for k, v in r.items() if k != "kind"})
                            for r in RECORDS])  # fmt: skip
    put = client.put("/v1/profiles/Workflow", json=profile_data(categories=CATEGORIES),
                     headers=auth(keys["admin"]))  # fmt: skip
    assert put.status_code == 201, put.text
    got = client.get("/metrics", params={"from": "2024-05-01", "to": "2024-05-02"},
                     headers=auth(keys["read"]))  # fmt: skip
    assert got.status_code == 200, got.text
    lines = [x for x in got.text.splitlines() if x.startswith("leadline_lead_time_category")]
    assert lines == [
        'leadline_lead_time_category_changes{profile="Workflow",category="Hotfix"} 1',
        'leadline_lead_time_category_changes{profile="Workflow",category="Defect"} 1',
        'leadline_lead_time_category_changes{profile="Workflow",category="Feature"} 0',
        'leadline_lead_time_category_seconds{profile="Workflow",category="Hotfix"} 10800.0',
        'leadline_lead_time_category_seconds{profile="Workflow",category="Defect"} 5400.0',
    ]

"""Collections over HTTP: the same figures as the CLI, org as code, scopes and errors."""

from __future__ import annotations

import json
from typing import Any

import yaml
from fastapi.testclient import TestClient

from tests.api.conftest import auth
from tests.conftest import FIXTURES
from tests.helpers import current

HERE = FIXTURES / "collections"
WINDOW = {"from": "2024-01-01", "to": "2024-03-01"}


def org_body() -> dict[str, Any]:
    data = yaml.safe_load((HERE / "org.yaml").read_text())
    data["profiles"] = [yaml.safe_load((HERE / "team.yaml").read_text())]
    return data  # type: ignore[no-any-return]


def test_org_collections_and_metrics_over_http(
    client: TestClient, keys: dict[str, str], run_cli: Any
) -> None:
    assert run_cli("import", str(HERE / "records.ndjson")).code == 0
    admin, read = auth(keys["admin"]), auth(keys["read"])
    assert client.put("/v1/org", json=org_body(), headers=read).status_code == 403
    applied = client.put("/v1/org", json=org_body(), headers=admin)
    assert applied.status_code == 200, applied.text
    assert applied.json()["created"] == ["Acme", "Team A", "Team B", "Team B deploys"]
    listed = client.get("/v1/collections", headers=read).json()["collections"]
    assert [c["name"] for c in listed] == ["Acme", "Team A", "Team B", "Team B deploys"]
    one = client.get("/v1/collections/Team%20A", headers=read).json()
    assert one["profile"] == "Team flow" and one["inherits_profile"] is True
    for path in ("/v1/metrics/dora", "/v1/metrics/lead-time"):
        http = client.get(path, params={"collection": "Team A", **WINDOW}, headers=read)
        assert http.status_code == 200, http.text
        command = "dora" if path.endswith("dora") else "lead-time"
        cli = run_cli(command, "--collection", "Team A", "--from", WINDOW["from"], "--to",
                      WINDOW["to"], "--format", "json")  # fmt: skip
        assert current(http.json()) == json.loads(cli.out)
    both = client.get("/v1/metrics/dora", params={"collection": "Team A", "profile": "Team flow"},
                      headers=read)  # fmt: skip
    assert both.status_code == 422 and "either" in both.json()["error"]["message"]
    missing = client.get("/v1/metrics/dora", params={"collection": "Nope"}, headers=read)
    assert missing.status_code == 404


def test_put_and_delete_a_collection(client: TestClient, keys: dict[str, str]) -> None:
    admin, read = auth(keys["admin"]), auth(keys["read"])
    assert client.put("/v1/org", json=org_body(), headers=admin).status_code == 200
    made = client.put("/v1/collections/Team%20C", headers=admin,
                      json={"parent": "Acme", "filters": {"projects": ["C"]}})  # fmt: skip
    assert made.status_code == 201 and made.json()["filters"]["repositories"] == ["acme/*"]
    again = client.put("/v1/collections/Team%20C", headers=admin,
                       json={"parent": "Acme", "filters": {"projects": ["C", "D"]}})  # fmt: skip
    assert again.status_code == 200
    bad = client.put("/v1/collections/X", headers=admin, json={"filters": {"repos": ["a"]}})
    assert bad.status_code == 422
    assert "did you mean 'repositories'" in json.dumps(bad.json()["error"])
    assert client.put("/v1/collections/X", headers=admin, content=b"{").status_code == 400
    assert client.delete("/v1/collections/Team%20B", headers=read).status_code == 403
    assert client.delete("/v1/collections/Team%20B", headers=admin).status_code == 204
    names = [c["name"] for c in client.get("/v1/collections", headers=read).json()["collections"]]
    assert names == ["Acme", "Team A", "Team C"]
    assert client.delete("/v1/collections/Team%20B", headers=admin).status_code == 404


def test_exclusions_of_the_org_and_a_collection_over_http(
    client: TestClient, keys: dict[str, str]
) -> None:
    admin, read = auth(keys["admin"]), auth(keys["read"])
    body = org_body()
    body["exclude"] = {"authors": ["*[bot]"]}
    body["collections"][0]["children"][1]["exclude"] = {"titles": ["WIP*"]}
    assert client.put("/v1/org", json=body, headers=admin).status_code == 200
    # Team B deploys inherits Team B's rule and the org's, each with where it came from.
    child = client.get("/v1/collections/Team%20B%20deploys", headers=read).json()
    assert child["exclude"] == {
        "authors": ["*[bot]"], "titles": ["WIP*"],
        "origins": {"authors *[bot]": "org", "titles WIP*": "collection Team B"},
    }  # fmt: skip
    # A collection PUT on its own carries its rules; a wrong key is a 422 naming it.
    made = client.put("/v1/collections/Team%20C", headers=admin,
                      json={"parent": "Acme", "exclude": {"labels": ["deps"]}})  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["exclude"]["labels"] == ["deps"]
    bad = client.put("/v1/collections/X", headers=admin, json={"exclude": {"author": ["a"]}})
    assert bad.status_code == 422
    assert "exclude.author: unknown field (did you mean 'authors'?)" in json.dumps(
        bad.json()["error"]
    )

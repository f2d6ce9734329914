"""Contributors over HTTP: the same people as the org file, the CSV import and the CLI; the
members of a collection PUT over HTTP; scopes and 4xx errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.services.apikeys import create
from tests.api.conftest import auth
from tests.conftest import FIXTURES

HERE = FIXTURES / "people"


def test_put_get_delete_and_the_cli_sees_the_same(
    client: TestClient, keys: dict[str, str], run_cli: Any
) -> None:
    admin, read = auth(keys["admin"]), auth(keys["read"])
    body = {"email": "ana@acme.com", "identities": ["alopez", "Ana López"]}
    assert client.put("/v1/contributors/Ana", json=body, headers=read).status_code == 403
    created = client.put("/v1/contributors/Ana", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json() == {"name": "Ana", **body}
    again = client.put("/v1/contributors/ana", json={"identities": ["alopez"]}, headers=admin)
    assert again.status_code == 200  # the same contributor (name ignoring case), replaced
    assert again.json() == {"name": "Ana", "email": None, "identities": ["alopez"]}
    client.put("/v1/contributors/Bo Chen", json={"identities": ["bo"]}, headers=admin)
    listed = client.get("/v1/contributors", headers=read).json()["contributors"]
    cli = json.loads(run_cli("contributors", "list", "--format", "json").out)
    assert listed == cli == [again.json(), {"name": "Bo Chen", "email": None,
                                            "identities": ["bo"]}]  # fmt: skip
    assert client.get("/v1/contributors/bo%20chen", headers=read).json() == listed[1]
    assert client.delete("/v1/contributors/Bo Chen", headers=admin).status_code == 204
    gone = client.get("/v1/contributors/Bo Chen", headers=read)
    assert gone.status_code == 404 and "no contributor named" in gone.json()["error"]["message"]


def _error(response: Any) -> tuple[int, str, list[str]]:
    error = response.json()["error"]
    return response.status_code, error["message"], error.get("details", [])


def test_bad_bodies_are_4xx_with_the_problem(client: TestClient, keys: dict[str, str]) -> None:
    admin = auth(keys["admin"])
    client.put("/v1/contributors/Ana", json={"identities": ["alopez"]}, headers=admin)
    cases = [
        ({"identities": ["ALOPEZ"]}, "Bo", "identities: 'ALOPEZ' is already 'Ana''s identity"),
        ({}, "Bo", "(body): give an email or at least one identity"),
        ({"identities": "bo"}, "Bo", "identities: Input should be a valid list"),
        ({"identities": ["bo"], "login": "bo"}, "Bo", "login: unknown field"),
        # the databases cannot hold a NUL character: a 422, not a 500
        ({"identities": ["b\u0000o"]}, "Bo", "identities[0]: contains a NUL character"),
        ({"name": "Other", "identities": ["bo"]}, "Bo",
         "name: 'Other' is not the name in the path ('Bo')"),
        (["bo"], "Bo", "expected a JSON object with email and identities"),
    ]  # fmt: skip
    for body, name, message in cases:
        status, got, details = _error(client.put(f"/v1/contributors/{name}", json=body,
                                                 headers=admin))  # fmt: skip
        assert status == 422 and message in [got, *details], (body, got, details)
    raw = client.put("/v1/contributors/Bo", content=b"{", headers={
        **admin, "Content-Type": "application/json"})  # fmt: skip
    assert raw.status_code == 400


def test_org_members_and_collection_put_over_http(
    client: TestClient, keys: dict[str, str], engine: Engine
) -> None:
    admin, read = auth(keys["admin"]), auth(keys["read"])
    # As JSON: YAML's dates (2026-02-15) as text.
    org = json.loads(json.dumps(yaml.safe_load((HERE / "org.yaml").read_text()), default=str))
    applied = client.put("/v1/org", json=org, headers=admin)
    assert applied.status_code == 200, applied.text
    assert applied.json()["contributors"] == ["Ana López", "Bo Chen", "Cy Dev"]
    one = client.get("/v1/collections/Payments", headers=read).json()
    assert one["members"] == [{"contributor": "Ana López", "to": "2026-02-15T00:00:00Z"},
                              {"collection": "Platform"}]  # fmt: skip
    people = client.get("/v1/contributors", headers=read).json()["contributors"]
    assert [p["name"] for p in people] == ["Ana López", "Bo Chen", "Cy Dev"]
    put = client.put(
        "/v1/collections/Infra",
        headers=admin,
        json={"parent": "Eng", "members": [{"contributor": "Cy Dev", "from": "2026-01-01"}]},
    )
    assert put.status_code == 201, put.text
    assert put.json()["members"] == [{"contributor": "Cy Dev", "from": "2026-01-01T00:00:00Z"}]
    unknown = client.put(
        "/v1/collections/Infra",
        headers=admin,
        json={"parent": "Eng", "members": [{"contributor": "Dee"}]},
    )
    assert _error(unknown)[:2] == (422, "collection 'Infra': members: no contributor named 'Dee'")
    cycle = client.put(
        "/v1/collections/Platform",
        headers=admin,
        json={"parent": "Eng", "members": [{"collection": "Payments"}]},
    )
    assert cycle.status_code == 422
    assert "collections name each other" in cycle.json()["error"]["message"]
    # A contributor a collection names stays; a key limited to one collection reads none.
    named = client.delete("/v1/contributors/Cy Dev", headers=admin)
    assert _error(named)[:2] == (422, "collection 'Infra' names contributor 'Cy Dev' as a "
                                      "member: change its members first")  # fmt: skip
    limited = auth(create(engine, "team", "read", collection="Payments"))
    for path in ("/v1/contributors", "/v1/contributors/unmatched", "/v1/contributors/Cy Dev"):
        assert client.get(path, headers=limited).status_code == 403


def test_csv_import_equals_api_and_unmatched_equals_cli(
    client: TestClient, keys: dict[str, str], run_cli: Any, tmp_path: Path
) -> None:
    assert run_cli("import", str(HERE / "records.ndjson")).code == 0
    csv = tmp_path / "people.csv"
    csv.write_text("name,email,identities\nAna López,ana@acme.com,alopez\nBo Chen,,bo\n"
                   "Cy Dev,,cy@acme.com\n", encoding="utf-8")  # fmt: skip
    assert run_cli("contributors", "import", str(csv)).code == 0
    read = auth(keys["read"])
    api = client.get("/v1/contributors", headers=read).json()["contributors"]
    org = yaml.safe_load((HERE / "org.yaml").read_text())["contributors"]
    assert api == [{"email": None, "identities": [], **c} for c in org]
    unmatched = client.get("/v1/contributors/unmatched", headers=read).json()["unmatched"]
    cli = json.loads(run_cli("contributors", "unmatched", "--format", "json").out)
    assert unmatched == cli
    assert [u["identity"] for u in unmatched] == [
        "Ana López",
        "cy-dev",
        "dependabot[bot]",
        "5b10ac8d82e05b22cc7d4ef5",
        "bo.chen@gmail.com",
    ]

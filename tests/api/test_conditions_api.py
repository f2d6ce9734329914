"""Conditions over HTTP: a collection and a profile whose filters are conditions round-trip
as written; a bad one is a 422 naming the key, never a 5xx."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import auth
from tests.api.test_api import assert_error

PROFILE = {
    "name": "Flow",
    "scope": {"repos": {"starts_with": ["acme/pay"], "not": ["acme/payments-legacy"]}},
    "stages": [
        {"name": "Deployed", "event": "cd_completed", "pipelines": {"regex": "^deploy-"}},
    ],
}


def test_a_profile_and_a_collection_of_conditions(client: TestClient, keys: dict[str, str]) -> None:
    admin, read = auth(keys["admin"]), auth(keys["read"])
    put = client.put("/v1/profiles/Flow", json=PROFILE, headers=admin)
    assert put.status_code in (200, 201), put.text
    got = client.get("/v1/profiles/Flow", headers=read).json()
    assert got["scope"] == {"repos": {"not": ["acme/payments-legacy"], "starts_with": ["acme/pay"]}}
    assert got["stages"][0]["pipelines"] == {"regex": ["^deploy-"]}
    filters = {"repositories": {"not": ["acme/legacy*"]}, "labels": {"contains": ["team-"]}}
    made = client.put("/v1/collections/Pay", json={"profile": "Flow", "filters": filters},
                      headers=admin)  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["filters"] == filters
    assert client.get("/v1/collections/Pay", headers=read).json()["own_filters"] == filters


def test_bad_conditions_are_422_naming_the_key(client: TestClient, keys: dict[str, str]) -> None:
    admin = auth(keys["admin"])
    bad = {**PROFILE, "scope": {"repos": {"regex": "("}}}
    body = assert_error(client.put("/v1/profiles/Flow", json=bad, headers=admin),
                        422, "invalid_profile")  # fmt: skip
    assert body["error"]["details"] == [
        "profile 'Flow': scope.repos.regex: bad regular expression '(': missing ), unterminated "
        "subpattern at position 0"
    ]
    assert client.put("/v1/profiles/Flow", json=PROFILE, headers=admin).status_code == 201
    wrong = {"profile": "Flow", "filters": {"labels": {"near": ["x"]}}}
    response = client.put("/v1/collections/Pay", headers=admin, json=wrong)
    assert 400 <= response.status_code < 500, response.text
    assert any("filters.labels.near: unknown field" in d
               for d in response.json()["error"]["details"])  # fmt: skip

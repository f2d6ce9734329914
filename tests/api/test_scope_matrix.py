"""Every endpoint × every kind of caller: no key, an ingest, read or admin key, and a read key
limited to one collection. A new endpoint must be classified here, or this test fails."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.services.apikeys import create
from tests.api.conftest import auth
from tests.conftest import FIXTURES

PUBLIC, SIGNED = "public", "signed"
#: What each endpoint needs; "read*" endpoints take a collection-limited key for its subtree,
#: "read+" ones answer it with its subtree only.
NEEDS = {
    "GET /healthz": PUBLIC,
    "GET /metrics": "read",
    "POST /v1/generic-events": "ingest",
    "POST /v1/records": "ingest",
    "POST /v1/custom-cicd": "ingest",
    "POST /v1/webhooks/github": SIGNED,
    "POST /v1/webhooks/gitlab": SIGNED,
    "POST /v1/webhooks/jira": SIGNED,
    "POST /v1/webhooks/pagerduty": SIGNED,
    "POST /v1/webhooks/bitbucket": SIGNED,
    "POST /v1/webhooks/jenkins": SIGNED,
    "POST /v1/webhooks/azure-devops": SIGNED,
    "POST /v1/webhooks/servicenow": SIGNED,
    "POST /v1/webhooks/opsgenie": SIGNED,
    "POST /v1/webhooks/circleci": SIGNED,
    "POST /v1/webhooks/harness": SIGNED,
    "POST /v1/webhooks/argocd": SIGNED,
    "GET /v1/metrics/lead-time": "read*",
    # The what-if compares stored profiles (not a collection): a limited key reads none.
    "GET /v1/metrics/lead-time/compare": "read",
    "GET /v1/metrics/dora": "read*",
    "GET /v1/quality": "read*",
    "GET /v1/quality/excluded": "read*",
    "GET /v1/time-in-status": "read*",
    "GET /v1/pr-lead-time": "read*",
    "GET /v1/profiles": "read",
    "GET /v1/profiles/{name}": "read",
    "PUT /v1/profiles/{name}": "admin",
    "DELETE /v1/profiles/{name}": "admin",
    "GET /v1/collections": "read+",
    "GET /v1/collections/{name}": "read*",
    "PUT /v1/collections/{name}": "admin",
    "DELETE /v1/collections/{name}": "admin",
    "PUT /v1/org": "admin",
    "GET /v1/views": "read+",
    "GET /v1/overview": "read+",  # a team key: the teams of its tree
    # A team key reads the views of its tree (tests/web/test_saved_views.py); the matrix's
    # name is no view of it, so it is refused here.
    "GET /v1/views/{name}": "read",
    # Contributors span teams: a key limited to one collection reads none of them.
    "GET /v1/contributors": "read",
    "GET /v1/contributors/unmatched": "read",
    "GET /v1/contributors/{name}": "read",
    "PUT /v1/contributors/{name}": "admin",
    "DELETE /v1/contributors/{name}": "admin",
}
ROUTES = sorted(
    f"{method.upper()} {path}"
    for path, methods in create_app(Settings(database_url="sqlite://")).openapi()["paths"].items()
    for method in methods
)
FOR_COLLECTION = ("/v1/metrics", "/v1/quality", "/v1/time-in-status", "/v1/pr-lead-time")
CALLERS = ("none", "ingest", "read", "admin", "team")
GRANTS = {"none": set(), "ingest": {"ingest"}, "read": {"read"},
          "admin": {"ingest", "read", "admin"}, "team": {"read"}}  # fmt: skip


def test_every_endpoint_is_classified() -> None:
    assert sorted(NEEDS) == ROUTES


@pytest.fixture
def callers(client: TestClient, engine: Any, run_cli: Any) -> dict[str, dict[str, str]]:
    assert run_cli("apply", str(FIXTURES / "collections" / "org.yaml")).code == 0
    keys = {s: create(engine, s, s) for s in ("ingest", "read", "admin")}
    keys["team"] = create(engine, "team-b", "read", collection="team b")
    return {"none": {}, **{name: auth(key) for name, key in keys.items()}}


def _call(client: TestClient, route: str, headers: dict[str, str], collection: str) -> Any:
    method, path = route.split(" ", 1)
    url = re.sub(r"\{name\}", collection if "collections" in path else "Team flow", path)
    params = {"collection": collection} if path.startswith(FOR_COLLECTION) else {}
    body = b"{}" if method in ("POST", "PUT") else None
    return client.request(method, url, params=params, content=body, headers=headers)


@pytest.mark.parametrize("route", ROUTES)
def test_scope_matrix(client: TestClient, callers: dict[str, dict[str, str]], route: str) -> None:
    need = NEEDS[route]
    for caller in CALLERS:
        for collection in ("Team B deploys", "Team A"):  # inside / outside the team key's tree
            status = _call(client, route, callers[caller], collection).status_code
            where = f"{route} as {caller} ({collection}): {status}"
            if need == PUBLIC:
                assert status not in (401, 403), where
            elif need == SIGNED:
                assert status in (401, 403), where  # keys never stand in for a signature
            elif caller == "none":
                assert status == 401, where
            elif need.rstrip("*+") not in GRANTS[caller]:
                assert status == 403, where
            elif need.endswith("+"):
                assert status == 200, where
            elif caller == "team" and (not need.endswith("*") or collection == "Team A"):
                assert status == 403, where  # a team key reads its collection, nothing else
            else:
                assert status not in (401, 403), where


def test_a_team_key_lists_only_its_collections(
    client: TestClient, callers: dict[str, dict[str, str]]
) -> None:
    listed = client.get("/v1/collections", headers=callers["team"]).json()["collections"]
    assert [c["name"] for c in listed] == ["Team B", "Team B deploys"]
    everything = client.get("/v1/collections", headers=callers["read"]).json()["collections"]
    assert len(everything) == 4


def test_only_read_keys_can_be_limited(engine: Any, run_cli: Any) -> None:
    assert run_cli("apply", str(FIXTURES / "collections" / "org.yaml")).code == 0
    result = run_cli("apikey", "create", "x", "--scope", "admin", "--collection", "Team A")
    assert result.code == 2 and "only read keys can be limited" in result.err
    missing = run_cli("apikey", "create", "x", "--collection", "Nope")
    assert missing.code != 0 and "no collection named 'Nope'" in missing.err
    made = run_cli("apikey", "create", "x", "--collection", "team a")
    assert made.code == 0 and "limited to collection 'team a'" in made.err
    assert "(collection 'Team A')" in run_cli("apikey", "list").out

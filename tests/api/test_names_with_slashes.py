"""Profile and collection names holding ``/``, ``%``, spaces or non-ASCII letters are
reachable through ``/v1/profiles/{name}`` and ``/v1/collections/{name}`` (the dashboard
allows them): PUT, GET and DELETE round-trip with the name percent-encoded, and a ``/`` may
also be sent as it is.

Requests go through ``httpx.ASGITransport``, which decodes the path once as a server does
(Starlette's ``TestClient`` decodes it twice, so it would turn ``a%252Fb`` into ``a/b``)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import auth

NAMES = ["team/backend", "a%2Fb", "with space", "ünï/cödé", "deep/er/still", "50% off"]
PROFILE = {
    "start": {"event": "commit_created"},
    "stages": [{"name": "Merged", "event": "pr_merged"}],
}


class Once:
    """A synchronous client that decodes the path once, like a real server."""

    def __init__(self, client: TestClient) -> None:
        self.app = client.app

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await c.request(method, url, **kw)

        return asyncio.run(go())

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def put(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", url, **kw)

    def delete(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", url, **kw)


@pytest.mark.parametrize("name", NAMES)
def test_profiles_round_trip(client: TestClient, keys: dict[str, Any], name: str) -> None:
    http = Once(client)
    admin = {**auth(keys["admin"]), "Content-Type": "application/json"}
    url = "/v1/profiles/" + quote(name, safe="")
    put = http.put(url, json=PROFILE, headers=admin)
    assert put.status_code == 201, put.text
    assert put.json()["name"] == name
    assert http.get("/v1/profiles", headers=admin).json()["profiles"] == [name]
    got = http.get(url, headers=auth(keys["read"]))
    assert got.status_code == 200 and got.json()["name"] == name
    if "/" in name and "%" not in name:  # the slash unencoded reaches the same profile
        plain = http.get("/v1/profiles/" + quote(name, safe="/"), headers=admin)
        assert plain.status_code == 200 and plain.json()["name"] == name
    assert http.delete(url, headers=admin).status_code == 204
    assert http.get(url, headers=admin).status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_collections_round_trip(client: TestClient, keys: dict[str, Any], name: str) -> None:
    http = Once(client)
    admin = {**auth(keys["admin"]), "Content-Type": "application/json"}
    assert http.put("/v1/profiles/p", json=PROFILE, headers=admin).status_code == 201
    url = "/v1/collections/" + quote(name, safe="")
    put = http.put(url, json={"profile": "p"}, headers=admin)
    assert put.status_code == 201, put.text
    assert put.json()["name"] == name
    child = http.put("/v1/collections/" + quote(name + "/child", safe=""),
                       json={"parent": name}, headers=admin)  # fmt: skip
    assert child.status_code == 201, child.text
    got = http.get(url, headers=auth(keys["read"]))
    assert got.status_code == 200, got.text
    assert got.json()["name"] == name and got.json()["children"] == [name + "/child"]
    if "%" not in name:
        plain = http.get("/v1/collections/" + quote(name, safe="/"), headers=admin)
        assert plain.status_code == 200 and plain.json()["name"] == name
    assert http.delete(url, headers=admin).status_code == 204
    assert http.get(url, headers=admin).status_code == 404
    assert http.get("/v1/collections", headers=admin).json()["collections"] == []

"""Every endpoint answers every error with the one error body, and never a 5xx for bad input."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from leadline.api.app import create_app
from leadline.config import Settings
from tests.api.conftest import auth

ROUTES = [
    (method.upper(), path)
    for path, methods in create_app(Settings(database_url="sqlite://")).openapi()["paths"].items()
    for method in sorted(methods)
]
BODIES = [b"", b"{", b"[]", b'{"a": 1}', b"\xff\xfe", b'"x"']


def check(response: object) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert status < 500, (status, response.text)  # type: ignore[attr-defined]
    if status >= 400:
        body = response.json()  # type: ignore[attr-defined]
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"code", "message", "details"}, body
        assert isinstance(body["error"]["details"], list)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_endpoint_has_one_error_shape(
    client: TestClient, keys: dict[str, str], method: str, path: str
) -> None:
    url = re.sub(r"\{[^}]+\}", "nope", path)
    for headers in ({}, auth("ll_bad_bad"), auth(keys["read"]), auth(keys["admin"])):
        for body in BODIES:
            check(client.request(method, url, content=body, headers=headers))
        check(client.request(method, url + "?profile=nope&from=yesterday&stat=p99",
                             headers=headers))  # fmt: skip


def test_routes_cover_the_contract() -> None:
    paths = {p for _, p in ROUTES}
    for path in ("/v1/generic-events", "/v1/records", "/v1/custom-cicd", "/v1/webhooks/github",
                 "/v1/webhooks/gitlab", "/v1/webhooks/jira", "/v1/webhooks/pagerduty",
                 "/v1/metrics/lead-time", "/v1/metrics/dora", "/v1/profiles/{name}",
                 "/healthz", "/metrics"):  # fmt: skip
        assert path in paths

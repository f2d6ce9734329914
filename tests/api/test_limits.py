"""Hostile bodies: over the size limit → 413 (announced or streamed); JSON nested too deeply →
400; never a 5xx, always the one error body, on every endpoint that reads a body."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.domain import jsonio
from leadline.services.apikeys import create

LIMIT = 4096
SECRET = "s3cret"
WRITES = [
    (method.upper(), re.sub(r"\{[^}]+\}", "x", path))
    for path, methods in create_app(Settings(database_url="sqlite://")).openapi()["paths"].items()
    for method in methods
    if method in ("post", "put")
]


@pytest.fixture
def small(db_url: str, engine: Engine) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(database_url=db_url, max_body_bytes=LIMIT, github_webhook_secret=SECRET,
                        gitlab_webhook_token=SECRET, jira_webhook_secret=SECRET,
                        pagerduty_webhook_secret=SECRET)  # fmt: skip
    app = create_app(settings)
    key = create(engine, "admin", "admin")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, {"Authorization": f"Apikey {key}"}


def _signed(path: str, body: bytes) -> dict[str, str]:
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {
        "X-Hub-Signature-256": f"sha256={digest}", "X-Hub-Signature": f"sha256={digest}",
        "X-Gitlab-Token": SECRET, "X-PagerDuty-Signature": f"v1={digest}",
        "X-GitHub-Event": "push", "X-GitHub-Delivery": f"d-{len(body)}-{path}",
    }  # fmt: skip


def _assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, (response.status_code, response.text[:200])
    error = response.json()["error"]
    assert error["code"] == code and isinstance(error["details"], list)


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_bodies_over_the_limit_get_413(
    small: tuple[TestClient, dict[str, str]], method: str, path: str
) -> None:
    client, admin = small
    big = b'{"a": "' + b"x" * LIMIT + b'"}'
    headers = {**admin, **_signed(path, big)}
    announced = client.request(method, path, content=big, headers=headers)
    _assert_error(announced, 413, "payload_too_large")
    assert "LEADLINE_MAX_BODY_BYTES" in announced.json()["error"]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts what streams in
        for i in range(0, len(big), 1000):
            yield big[i : i + 1000]

    _assert_error(client.request(method, path, content=chunks(), headers=headers), 413,
                  "payload_too_large")  # fmt: skip
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
@pytest.mark.parametrize("depth", [jsonio.MAX_DEPTH + 1, 1100, 3000])
def test_deep_json_gets_a_4xx(
    small: tuple[TestClient, dict[str, str]], method: str, path: str, depth: int
) -> None:
    client, admin = small
    for body in (
        b"[" * depth + b"]" * depth,
        b'{"kind": "event", "x": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}",
    ):
        if len(body) > LIMIT:
            continue
        response = client.request(method, path, content=body,
                                  headers={**admin, **_signed(path, body)})  # fmt: skip
        assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
        assert set(response.json()) == {"error"}


def test_json_at_the_depth_limit_is_fine() -> None:
    ok = b"[" * jsonio.MAX_DEPTH + b"]" * jsonio.MAX_DEPTH
    assert jsonio.loads(ok) is not None
    with pytest.raises(ValueError, match="nested deeper than 256 levels"):
        jsonio.loads(b"[" + ok + b"]")
    wide = b"[" + b"[1]," * 5000 + b"[1]]"  # many brackets, shallow: decoded, then walked
    assert len(jsonio.loads(wide)) == 5001
    assert len(jsonio.loads(wide.decode())) == 5001
    assert jsonio.loads(b'{"big": 123456789012345678901234567890}')["big"] == (
        123456789012345678901234567890  # past 64 bits: the exact fallback
    )

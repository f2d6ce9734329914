"""``Content-Type`` per endpoint (``api/media.py``): every operation that reads a body answers
415 with the one error body for a type that does not fit it, and accepts JSON (with
parameters, and ``+json`` types), NDJSON for records, and a body with no type at all."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.services.apikeys import create

SECRET = "s3cret"
APP = create_app(Settings(database_url="sqlite://"))
BODIES = [(m.upper(), p) for p, ms in APP.openapi()["paths"].items() for m in ms
          if m in ("post", "put", "patch")]  # fmt: skip
WRONG = ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/html",
         "application/xml", "application/jsonx", "json", "application/json-patch"]  # fmt: skip


@pytest.fixture
def setup(db_url: str, engine: Engine) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(
        database_url=db_url, github_webhook_secret=SECRET, gitlab_webhook_token=SECRET,
        jira_webhook_secret=SECRET, pagerduty_webhook_secret=SECRET,
    )  # fmt: skip
    app = create_app(settings)
    admin = create(engine, "admin", "admin")
    ingest = create(engine, "ingest", "ingest")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, {"admin": admin, "ingest": ingest}


def _headers(path: str, body: bytes, keys: dict[str, str]) -> dict[str, str]:
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    key = (
        keys["ingest"]
        if path in ("/v1/records", "/v1/generic-events", "/v1/custom-cicd")
        else keys["admin"]
    )
    return {"Authorization": f"Apikey {key}", "X-Hub-Signature-256": f"sha256={digest}",
            "X-Hub-Signature": f"sha256={digest}", "X-Gitlab-Token": SECRET,
            "X-PagerDuty-Signature": f"v1={digest}", "X-GitHub-Event": "ping"}  # fmt: skip


def test_every_body_endpoint_is_covered() -> None:
    assert len(BODIES) >= 10, BODIES
    for method, path in BODIES:
        responses = APP.openapi()["paths"][path][method.lower()]["responses"]
        assert "415" in responses, f"{method} {path}: 415 undocumented"


@pytest.mark.parametrize(("method", "path"), BODIES, ids=[f"{m} {p}" for m, p in BODIES])
def test_a_wrong_type_is_415(setup: Any, method: str, path: str) -> None:
    client, keys = setup
    body = b'{"a": 1}'
    url = path.replace("{name}", "team")
    for media in WRONG:
        headers = {**_headers(path, body, keys), "Content-Type": media}
        response = client.request(method, url, content=body, headers=headers)
        assert response.status_code == 415, (media, response.status_code, response.text)
        error = response.json()["error"]
        assert error["code"] == "unsupported_media_type"
        assert "application/json" in error["message"]
        assert set(error) == {"code", "message", "details"}


@pytest.mark.parametrize(("method", "path"), BODIES, ids=[f"{m} {p}" for m, p in BODIES])
def test_json_and_no_type_are_accepted(setup: Any, method: str, path: str) -> None:
    client, keys = setup
    body = b'{"a": 1}'
    url = path.replace("{name}", "team")
    for media in (None, "application/json", "application/json; charset=utf-8",
                  "Application/JSON", "application/vnd.github+json"):  # fmt: skip
        headers = _headers(path, body, keys)
        if media is not None:
            headers["Content-Type"] = media
        response = client.request(method, url, content=body, headers=headers)
        assert response.status_code not in (415, 500), (media, response.text)


def test_github_form_delivery_says_what_to_set(setup: Any) -> None:
    client, keys = setup
    body = b"payload=%7B%7D"
    headers = {**_headers("/v1/webhooks/github", body, keys),
               "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
    response = client.post("/v1/webhooks/github", content=body, headers=headers)
    assert response.status_code == 415
    assert (
        "set the webhook's content type to application/json" in response.json()["error"]["message"]
    )


@pytest.mark.parametrize(
    "media", ["application/x-ndjson", "application/jsonl", "text/plain; charset=utf-8",
              "application/ndjson", "application/x-jsonlines"],
)  # fmt: skip
def test_records_take_ndjson_types(setup: Any, media: str) -> None:
    client, keys = setup
    line = b'{"kind":"event","component":"c","key":"k","event_type":"t","event_time":1}\n'
    headers = {"Authorization": f"Apikey {keys['ingest']}", "Content-Type": media}
    response = client.post("/v1/records", content=line * 2, headers=headers)
    assert response.status_code == 202, response.text
    headers["Content-Type"] = "text/csv"
    assert client.post("/v1/records", content=line, headers=headers).status_code == 415

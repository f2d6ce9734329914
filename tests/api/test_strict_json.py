"""Strict JSON over HTTP and in NDJSON import: NaN, Infinity and duplicate keys are refused
with the problem named (webhooks and JSON bodies 400, NDJSON records 422 per line)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.api.app import create_app
from leadline.config import Settings
from tests.api.conftest import auth

SECRET = "s3cret"
JSON = {"Content-Type": "application/json"}
DUPLICATE = b'{"action": "closed", "pull_request": {"title": "a", "number": 1, "title": "b"}}'


@pytest.fixture
def hooks(db_url: str, engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=db_url, github_webhook_secret=SECRET))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "problem"),
    [(DUPLICATE, 'duplicate key "title" in $.pull_request'),
     (b'{"action": "closed", "number": NaN}', "NaN is not a JSON number"),
     (b'{"action": "closed", "number": -Infinity}', "-Infinity is not a JSON number"),
     (b'{"action": "closed", "number": 1e400}', "overflows to infinity")],
)  # fmt: skip
def test_github_webhook_refuses_with_400(hooks: TestClient, body: bytes, problem: str) -> None:
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {**JSON, "X-Hub-Signature-256": signature, "X-GitHub-Event": "pull_request"}
    response = hooks.post("/v1/webhooks/github", content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert problem in response.json()["error"]["message"]


EVENT = b'{"kind": "event", "component": "c", "key": "k", "event_type": "t", "at": 1, "key": "x"}'


def test_records_and_events_refuse(client: TestClient, keys: dict[str, Any]) -> None:
    ingest = auth(keys["ingest"])
    lines = b'{"kind": "event", "x": NaN}\n' + EVENT + b"\n"
    response = client.post("/v1/records", content=lines,
                           headers={**ingest, "Content-Type": "application/x-ndjson"})  # fmt: skip
    assert response.status_code == 422, response.text
    details = response.json()["error"]["details"]
    assert details[0].startswith("body:1: (line): not valid JSON (NaN is not a JSON number")
    assert details[1] == 'body:2: (line): not valid JSON (duplicate key "key" in $)'
    array = client.post("/v1/records", content=b"[" + EVENT + b"]", headers={**ingest, **JSON})
    assert array.status_code == 400
    assert 'duplicate key "key" in $[0]' in array.json()["error"]["message"]
    generic = b'{"component": "c", "key": "k", "event_type": "t", "event_time": Infinity}'
    event = client.post("/v1/generic-events", content=generic, headers={**ingest, **JSON})
    assert event.status_code == 400
    assert "Infinity is not a JSON number" in event.json()["error"]["message"]
    profile = b'{"name": "p", "stages": [], "name": "q"}'
    put = client.put("/v1/profiles/p", content=profile, headers={**auth(keys["admin"]), **JSON})
    assert put.status_code == 400
    assert 'duplicate key "name" in $' in put.json()["error"]["message"]


def test_ndjson_import_names_one_line_number(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "broken.ndjson"
    good = b'{"kind":"event","component":"c","key":"k","event_type":"t","event_time":1}\n'
    path.write_bytes(good * 4 + b'{"kind": "event", "key": "ab\n' + EVENT + b"\n")
    result = run_cli("import", str(path))
    assert result.code != 0
    lines = [line for line in result.err.splitlines() if "broken.ndjson:" in line]
    assert lines[0].endswith(
        "broken.ndjson:5: (line): not valid JSON (unexpected control character in string at "
        "column 29)"
    ), lines
    assert lines[1].endswith('broken.ndjson:6: (line): not valid JSON (duplicate key "key" in $)')
    assert " line " not in lines[0].split("broken.ndjson:5:")[1]

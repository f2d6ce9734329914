"""The server never waits on the database on its event loop, never waits unboundedly for the
write lock, and never builds derived data in a read (the real ASGI app, a real database).

Another writer holding the write lock (an import, another process) is played by a
``writing()`` transaction held open in a thread.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.services.apikeys import create
from leadline.store.db import writing
from leadline.store.tables import pull_requests, raw_events, timeline_sets
from tests.conftest import FIXTURES

PR = FIXTURES / "github" / "derived" / "pull_request.closed.merged.json"
QUARTER = FIXTURES / "dora_quarter"
SECRET = "stall"
WINDOW = {"from": "2024-01-01", "to": "2024-04-01"}


@pytest.fixture
def app_client(db_url: str, engine: Engine) -> Iterator[tuple[TestClient, Any]]:
    settings = Settings(
        database_url=db_url, github_webhook_secret=SECRET, write_wait=0.5, read_wait=0.2
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, app


@contextmanager
def lock_held(engine: Engine) -> Iterator[None]:
    """Another writer holds the write lock until the block ends."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with writing(engine):
            taken.set()
            release.wait(60)

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(30)
    try:
        yield
    finally:
        release.set()
        thread.join()


def deliver(client: TestClient, delivery: str) -> Any:
    body = PR.read_bytes()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": delivery,
               "X-Hub-Signature-256": signature, "Content-Type": "application/json"}  # fmt: skip
    return client.post("/v1/webhooks/github", content=body, headers=headers)


def pause(app: Any) -> None:
    """No refreshing until ``resume``: the refresher acts as if another process did it."""
    app.state.refresher.external = True
    app.state.refresher.stop()


def resume(app: Any) -> None:
    app.state.refresher.external = False
    app.state.refresher.start()
    app.state.refresher.settle_stored(timeout=60)


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_write_that_cannot_get_the_lock_is_503_with_retry_after(
    app_client: tuple[TestClient, Any], engine: Engine
) -> None:
    client, _ = app_client
    key = create(engine, "writer", "ingest")
    with lock_held(engine):
        busy = deliver(client, "d-1")
        records = client.post("/v1/records", content=b'{"kind": "version", "project": "A", '
                              b'"name": "1.0", "released": true}\n',
                              headers={"Authorization": f"Apikey {key}"})  # fmt: skip
        assert client.get("/healthz").json() == {"status": "ok"}  # reads go on meanwhile
    for answer in (busy, records):
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"] == "5"
        assert answer.json()["error"]["code"] == "busy"
    # Nothing of the refused delivery was kept (not even as "failed"): the sender retries.
    assert count(engine, raw_events) == 0 and count(engine, pull_requests) == 0
    again = deliver(client, "d-1")
    assert again.status_code == 202, again.text
    assert count(engine, raw_events) == 1 and count(engine, pull_requests) == 1


def test_health_answers_while_a_delivery_waits_for_the_lock(
    app_client: tuple[TestClient, Any], engine: Engine
) -> None:
    client, app = app_client
    app.state.writer.wait = 5.0  # a wide window: the delivery waits 5 s for the lock
    answers: list[int] = []
    with lock_held(engine):
        sender = threading.Thread(target=lambda: answers.append(deliver(client, "d-2").status_code))
        sender.start()
        time.sleep(0.5)  # the delivery is waiting for the lock (for up to 5 s)
        health = client.get("/healthz")  # the event loop is free while the delivery waits
        health_while_waiting = not answers
        sender.join()
    assert health.status_code == 200 and health_while_waiting
    assert answers == [503]


def test_first_read_reports_the_build_progress_and_never_builds(
    app_client: tuple[TestClient, Any], engine: Engine, run_cli: Any
) -> None:
    client, app = app_client
    pause(app)  # nothing builds in the background during the first read
    assert run_cli("import", str(QUARTER / "records.ndjson")).code == 0
    read, admin = create(engine, "r", "read"), create(engine, "a", "admin")
    profile = yaml.safe_load((QUARTER / "incidents.yaml").read_text())
    put = client.put(f"/v1/profiles/{profile['name']}", json=profile,
                     headers={"Authorization": f"Apikey {admin}"})  # fmt: skip
    assert put.status_code == 201
    params = {"profile": profile["name"], **WINDOW}
    auth = {"Authorization": f"Apikey {read}"}
    first = client.get("/v1/metrics/lead-time", params=params, headers=auth)
    assert first.status_code == 202, first.text
    assert first.headers["Retry-After"] == "5"
    assert first.json()["status"] == "building"
    assert first.json()["progress"] == {"done": 0, "total": 0}
    page = client.get(f"/p/{profile['name']}", params=WINDOW)
    assert page.status_code == 202 and "being built for the first time" in page.text
    dora = client.get("/v1/metrics/dora", params=params, headers=auth)
    assert dora.status_code == 202
    quality = client.get("/v1/quality", params=params, headers=auth)
    assert quality.status_code == 202 and quality.json()["status"] == "building"
    quality_page = client.get(f"/p/{profile['name']}/quality", params=WINDOW)
    assert quality_page.status_code == 202
    # The read built nothing: no timeline set exists.
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(timeline_sets)).scalar_one() == 0
    resume(app)
    ready = client.get("/v1/metrics/lead-time", params=params, headers=auth)
    assert ready.status_code == 200, ready.text
    assert ready.json()["as_of"]["waiting"] == 0


def test_a_read_answers_from_the_last_build_and_says_how_old_it_is(
    app_client: tuple[TestClient, Any], engine: Engine, run_cli: Any
) -> None:
    client, app = app_client
    read, admin = create(engine, "r", "read"), create(engine, "a", "admin")
    profile = yaml.safe_load((QUARTER / "incidents.yaml").read_text())
    client.put(f"/v1/profiles/{profile['name']}", json=profile,
               headers={"Authorization": f"Apikey {admin}"})  # fmt: skip
    params = {"profile": profile["name"], **WINDOW}
    auth = {"Authorization": f"Apikey {read}"}
    app.state.refresher.settle_stored(timeout=60)
    empty = client.get("/v1/metrics/lead-time", params=params, headers=auth).json()
    assert empty["changes"] == 0 and empty["as_of"]["waiting"] == 0
    pause(app)
    assert run_cli("import", str(QUARTER / "records.ndjson")).code == 0
    stale = client.get("/v1/metrics/lead-time", params=params, headers=auth).json()
    assert stale["changes"] == 0  # the last complete build: before the import
    fresh_of = stale["as_of"]
    assert fresh_of["waiting"] == fresh_of["head"] - fresh_of["position"] > 0
    page = client.get(f"/p/{profile['name']}", params=WINDOW)
    assert page.status_code == 200 and "updates waiting" in page.text
    resume(app)
    now = client.get("/v1/metrics/lead-time", params=params, headers=auth).json()
    assert now["changes"] > 0 and now["as_of"]["waiting"] == 0
    cli = run_cli("lead-time", "--profile", str(QUARTER / "incidents.yaml"), "--from",
                  WINDOW["from"], "--to", WINDOW["to"], "--format", "json")  # fmt: skip
    expected = json.loads(cli.out)
    assert {k: v for k, v in now.items() if k != "as_of"} == expected

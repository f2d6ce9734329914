"""Many writers at once through a real server: nothing fails, nothing doubles."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import httpx
import pytest
from sqlalchemy import Engine, func, select

from leadline.services.apikeys import create
from leadline.store.tables import events, pull_requests, raw_events
from tests import server
from tests.conftest import FIXTURES

SECRET = "concurrency"


@pytest.fixture
def live(db_url: str, engine: Engine) -> Iterator[tuple[server.Server, str]]:
    key = create(engine, "writer", "ingest")
    running = server.start(db_url, env={"LEADLINE_GITHUB_WEBHOOK_SECRET": SECRET})
    try:
        yield running, key
    finally:
        running.stop()


def count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_8_threads_x_25_identical_generic_events(
    live: tuple[server.Server, str], engine: Engine
) -> None:
    running, key = live
    event = {"component": "jira", "key": "PAY-1", "event_type": "security_scan",
             "event_time": 1714557600}  # fmt: skip
    barrier = Barrier(8)

    def writer(_: int) -> list[int]:
        with httpx.Client(base_url=running.url, timeout=60,
                          headers={"Authorization": f"Apikey {key}"}) as client:  # fmt: skip
            barrier.wait()
            return [client.post("/v1/generic-events", json=event).status_code for _ in range(25)]

    with ThreadPoolExecutor(8) as pool:
        codes = [c for batch in pool.map(writer, range(8)) for c in batch]
    assert codes == [202] * 200
    assert count(engine, events) == 1


def test_the_same_delivery_racing_in_is_stored_once(
    live: tuple[server.Server, str], engine: Engine
) -> None:
    running, _ = live
    body = (FIXTURES / "github" / "derived" / "pull_request.closed.merged.json").read_bytes()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "same-one",
               "X-Hub-Signature-256": signature, "Content-Type": "application/json"}  # fmt: skip
    barrier = Barrier(8)

    def deliver(_: int) -> list[int]:
        with httpx.Client(base_url=running.url, timeout=60) as client:
            barrier.wait()
            return [client.post("/v1/webhooks/github", content=body,
                                headers=headers).status_code for _ in range(5)]  # fmt: skip

    with ThreadPoolExecutor(8) as pool:
        codes = [c for batch in pool.map(deliver, range(8)) for c in batch]
    assert sorted(set(codes)) == [200, 202] and codes.count(202) == 1
    assert count(engine, raw_events) == 1 and count(engine, pull_requests) == 1

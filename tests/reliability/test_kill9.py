"""Durability: a 2xx means committed. Records and webhook deliveries stream into a real
server, which is killed with SIGKILL mid-stream; every acknowledged one is there after."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import Engine, select

from leadline.services.apikeys import create
from leadline.store.tables import events, raw_events
from tests import server

SECRET = "kill-9"
KILL_AFTER = 150  # acknowledgements before the kill


def test_every_acknowledged_record_survives_kill_9(db_url: str, engine: Engine) -> None:
    key = create(engine, "writer", "ingest")
    running = server.start(db_url, env={"LEADLINE_GITHUB_WEBHOOK_SECRET": SECRET})
    acked_events: list[str] = []
    acked_deliveries: list[str] = []
    lock = threading.Lock()
    killed = threading.Event()

    def note(kind: list[str], name: str) -> None:
        with lock:
            kind.append(name)
            if len(acked_events) + len(acked_deliveries) >= KILL_AFTER and not killed.is_set():
                killed.set()
                running.kill()

    def stream(worker: int) -> None:
        with httpx.Client(base_url=running.url, timeout=30) as client:
            for i in range(10_000):
                if killed.is_set():
                    return
                name = f"w{worker}-{i}"
                try:
                    if i % 2:
                        body = json.dumps({"zen": name, "hook_id": i}).encode()
                        sig = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                        r = client.post("/v1/webhooks/github", content=body, headers={
                            "X-GitHub-Event": "ping", "X-GitHub-Delivery": name,
                            "X-Hub-Signature-256": f"sha256={sig}"})  # fmt: skip
                        if r.status_code in (200, 202):
                            note(acked_deliveries, name)
                    else:
                        event = {"component": "ci", "key": name, "event_type": "deploy",
                                 "event_time": 1714557600 + i}  # fmt: skip
                        r = client.post("/v1/generic-events", json=event,
                                        headers={"Authorization": f"Apikey {key}"})  # fmt: skip
                        if r.status_code == 202:
                            note(acked_events, name)
                except httpx.HTTPError:
                    return  # the server is gone: what was not acknowledged may be lost

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(stream, range(6)))
    assert killed.is_set() and running.process.returncode == -9
    assert len(acked_events) >= 20 and len(acked_deliveries) >= 20
    # Restart on the same database: it opens (recovery) and everything acknowledged is there.
    again = server.start(db_url, env={"LEADLINE_GITHUB_WEBHOOK_SECRET": SECRET})
    try:
        assert httpx.get(again.url + "/healthz").json() == {"status": "ok"}
    finally:
        again.stop()
    engine.dispose()
    with engine.connect() as conn:
        stored_events = {r[0] for r in conn.execute(select(events.c.key))}
        stored_deliveries = {r[0] for r in conn.execute(select(raw_events.c.delivery_id))}
    assert set(acked_events) <= stored_events
    assert set(acked_deliveries) <= stored_deliveries

"""The webhook bench's sources (``bench/webhook_sources.py``), not timed: three deliveries of
every source, built exactly as the bench builds them, through the real ASGI app with the
secrets in the environment as the bench gives them to ``leadline serve``: each is stored
(202) as one new record, and the raw deliveries and the source's record table hold all
three. Every ``/v1/webhooks/…`` route has a source, and the bytes the load generator writes
parse back to the same request."""

from __future__ import annotations

from collections.abc import Iterator

import h11
import pytest
from bench.webhook_sources import (
    BY_NAME,
    SOURCES,
    Delivery,
    Source,
    deliveries,
    environment,
    parse_names,
    wire,
)
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.store.tables import raw_events

N = 3


@pytest.fixture
def hooks(db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    for name, value in environment().items():
        monkeypatch.setenv(name, value)
    app = create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def count(engine: Engine, source: Source) -> tuple[int, int]:
    with engine.connect() as conn:
        raw = conn.execute(select(func.count()).select_from(raw_events)
                           .where(raw_events.c.source == source.name)).scalar_one()  # fmt: skip
        records = conn.execute(select(func.count()).select_from(source.record)).scalar_one()
    return raw, records


@pytest.mark.parametrize("source", SOURCES, ids=[s.name for s in SOURCES])
def test_each_delivery_is_stored_as_a_new_record(
    hooks: TestClient, engine: Engine, source: Source
) -> None:
    for delivery in deliveries(source, N):
        response = hooks.post(delivery.path, content=delivery.body, headers=delivery.headers)
        assert response.status_code == 202, response.text
        assert response.json()["status"] == "stored"
        assert response.json()["records"] == 1
    assert count(engine, source) == (N, N)


def test_every_webhook_route_has_a_source() -> None:
    app = create_app(Settings(database_url="sqlite://"))
    hooks = {path.removeprefix("/v1/webhooks/") for path in app.openapi()["paths"]
             if path.startswith("/v1/webhooks/")}  # fmt: skip
    assert hooks == set(BY_NAME)


def read_back(data: bytes) -> tuple[Delivery, bytes]:
    """``data`` parsed by a strict HTTP/1.1 server parser: the request and its Host."""
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(data)
    request = conn.next_event()
    assert isinstance(request, h11.Request)
    body = conn.next_event()
    assert isinstance(body, h11.Data)
    assert isinstance(conn.next_event(), h11.EndOfMessage)
    headers = {k.decode(): v.decode() for k, v in request.headers}
    host = headers.pop("host").encode()
    assert request.method == b"POST"
    assert int(headers.pop("content-length")) == len(body.data)
    return Delivery(request.target.decode(), headers, bytes(body.data)), host


@pytest.mark.parametrize("source", SOURCES, ids=[s.name for s in SOURCES])
def test_the_wire_bytes_are_the_request(source: Source) -> None:
    delivery = deliveries(source, 1)[0]
    back, host = read_back(wire(delivery, 8123))
    lowered = {k.lower(): v for k, v in delivery.headers.items()}
    assert (back.path, back.headers, back.body) == (delivery.path, lowered, delivery.body)
    assert host == b"127.0.0.1:8123"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("github", ["github"]),
        ("argocd, github,argocd", ["argocd", "github"]),
        ("all", [s.name for s in SOURCES]),
    ],
)
def test_source_names(text: str, names: list[str]) -> None:
    assert [s.name for s in parse_names(text)] == names


@pytest.mark.parametrize(("text", "says"), [("github,jenkins2", "unknown source jenkins2"),
                                            (",", "unknown source (none)")])  # fmt: skip
def test_unknown_source_names_are_refused(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=r"known: github, gitlab") as error:
        parse_names(text)
    assert says in str(error.value)

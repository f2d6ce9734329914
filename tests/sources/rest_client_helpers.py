"""A fake clock and a replay server for the ``RestClient`` tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from leadline.sources.http import RestClient
from tests.replay_server import ReplayServer

TOKEN = "ghp_S3cr3tT0k3nValue"


class Clock:
    """A fake clock and sleep: sleeping moves the clock; every wait is recorded."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []
        self.waits: list[tuple[float, str]] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def on_wait(self, seconds: float, reason: str) -> None:
        self.waits.append((seconds, reason))


@pytest.fixture
def clock() -> Clock:
    return Clock()


def client_for(server: ReplayServer, clock: Clock, **kwargs: Any) -> RestClient:
    return RestClient(
        server.base_url,
        headers={"Authorization": f"Bearer {TOKEN}"},
        sleep=clock.sleep,
        on_wait=clock.on_wait,
        clock=clock.time,
        **kwargs,
    )


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ReplayServer] = []

    def start(routes: dict[str, Any], **kwargs: Any) -> ReplayServer:
        server = ReplayServer(routes, **kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()

"""An in-process client of the real ASGI app on the test database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.services.apikeys import create


@pytest.fixture
def client(db_url: str, engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def keys(engine: Engine) -> dict[str, Any]:
    return {scope: create(engine, f"test-{scope}", scope) for scope in ("ingest", "read", "admin")}


def auth(key: str, scheme: str = "Apikey") -> dict[str, str]:
    return {"Authorization": f"{scheme} {key}"}

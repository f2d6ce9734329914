"""The real ASGI app on the test database, with the two-team organisation loaded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.api.app import create_app
from leadline.config import Settings
from tests.conftest import FIXTURES

COLLECTIONS = FIXTURES / "collections"


@pytest.fixture
def client(db_url: str, engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def org(engine: Engine, run_cli: Any) -> Engine:
    assert run_cli("import", str(COLLECTIONS / "records.ndjson")).code == 0
    result = run_cli("apply", str(COLLECTIONS / "org.yaml"))
    assert result.code == 0, result.err
    return engine

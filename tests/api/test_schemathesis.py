"""Schemathesis against our own OpenAPI document, over every endpoint: generated requests
(valid and invalid, with a key of every scope and none) never get a server error.

Bounded (``MAX_EXAMPLES`` per endpoint) so the suite stays fast; ``docs/reliability.md``
records what longer runs found. It runs on a SQLite file of its own on either backend.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.services.apikeys import create

MAX_EXAMPLES = int(os.environ.get("LEADLINE_API_FUZZ_EXAMPLES", "15"))
SECRET = "fuzz"
DB = Path(tempfile.mkdtemp(prefix="leadline-fuzz-")) / "fuzz.db"
APP = create_app(Settings(
    database_url=f"sqlite:///{DB}", github_webhook_secret=SECRET, gitlab_webhook_token=SECRET,
    jira_webhook_secret=SECRET, pagerduty_webhook_secret=SECRET,
))  # fmt: skip
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def keys() -> dict[str, str]:
    engine = APP.state.engine()
    return {scope: create(engine, f"fuzz-{scope}", scope) for scope in ("ingest", "read", "admin")}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
    suppress_health_check=list(HealthCheck),
)  # fmt: skip
def test_no_server_errors(case: Any, keys: dict[str, str]) -> None:
    for scope in (None, "ingest", "read", "admin"):
        headers = {} if scope is None else {"Authorization": f"Apikey {keys[scope]}"}
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error])

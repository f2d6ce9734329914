"""Schemathesis against our own OpenAPI document, over every endpoint: generated requests
(valid and invalid, with a key of every scope and none) never get a server error.

Bounded (``MAX_EXAMPLES`` per endpoint) so the suite stays fast; ``docs/reliability.md``
records what longer runs found. It runs on a SQLite file of its own on either backend.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from leadline.api import (
    routes_collections,
    routes_contributors,
    routes_flow,
    routes_health,
    routes_ingest,
    routes_overview,
    routes_quality,
    routes_reports,
    routes_views,
    routes_webhooks,
    routes_webhooks_tools,
)
from leadline.api.app import create_app
from leadline.config import Settings
from leadline.services.apikeys import create
from leadline.services.database import open_database

MAX_EXAMPLES = int(os.environ.get("LEADLINE_API_FUZZ_EXAMPLES", "15"))
SECRET = "fuzz"
DB = Path(tempfile.mkdtemp(prefix="leadline-fuzz-")) / "fuzz.db"
SETTINGS = Settings(
    database_url=f"sqlite:///{DB}", github_webhook_secret=SECRET, gitlab_webhook_token=SECRET,
    jira_webhook_secret=SECRET, pagerduty_webhook_secret=SECRET,
)  # fmt: skip
APP = create_app(SETTINGS)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: Any, value: Any) -> bytes:
    """NDJSON records are documented as a string (the lines): sent as its UTF-8 bytes, so
    ``POST /v1/records`` is fuzzed with NDJSON too, not only with JSON arrays."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass")


SCOPES = ("ingest", "read", "admin")


@pytest.fixture(scope="module")
def keys() -> dict[str, str]:
    """Made before the first request starts the app's lifespan (and its engine)."""
    engine = open_database(SETTINGS)
    try:
        return {
            scope: create(engine, f"fuzz-{scope}", scope) for scope in ("ingest", "read", "admin")
        }
    finally:
        engine.dispose()


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


def test_the_document_has_every_operation() -> None:
    """Schemathesis fuzzes what the document lists: every JSON API route must be in it, the
    webhooks with the headers (and Jira's query secret) that carry their signatures."""
    document = APP.openapi()
    listed = {(m.upper(), p) for p, ms in document["paths"].items() for m in ms}
    modules = (
        routes_collections,
        routes_contributors,
        routes_flow,
        routes_health,
        routes_ingest,
        routes_overview,
        routes_quality,
        routes_reports,
        routes_views,
        routes_webhooks,
        routes_webhooks_tools,
    )
    routes = {(m, r.path_format) for module in modules for r in module.router.routes
              if isinstance(r, APIRoute) and r.include_in_schema for m in r.methods}  # fmt: skip
    assert routes == listed and len(listed) >= 20
    signed = {"github": "X-Hub-Signature-256", "gitlab": "X-Gitlab-Token",
              "jira": "X-Hub-Signature", "pagerduty": "X-PagerDuty-Signature",
              "circleci": "circleci-signature", "servicenow": "X-Leadline-Secret",
              "opsgenie": "X-Leadline-Secret", "harness": "X-Leadline-Secret",
              "argocd": "X-Leadline-Secret", "azure-devops": "Authorization",
              "bitbucket": "X-Hub-Signature", "jenkins": "X-Leadline-Secret"}  # fmt: skip
    for source, header in signed.items():
        names = [
            p["name"] for p in document["paths"][f"/v1/webhooks/{source}"]["post"]["parameters"]
        ]
        assert header in names, source
    jira = document["paths"]["/v1/webhooks/jira"]["post"]["parameters"]
    assert {"name": "secret", "in": "query"}.items() <= next(
        p for p in jira if p["name"] == "secret"
    ).items()

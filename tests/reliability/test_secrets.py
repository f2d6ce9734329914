"""Secrets stay secret: not in logs, not in error messages, not in the database."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import httpx
from sqlalchemy import Engine, select

from leadline.api.logs import RedactSecrets
from leadline.services.apikeys import create
from leadline.store.tables import api_keys
from tests import server

JIRA_SECRET = "jira-shared-s3cret"
GH_SECRET = "github-hmac-s3cret"


def test_no_secret_reaches_the_log_or_an_answer(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    key = create(engine, "reader", "read")
    log = tmp_path / "serve.log"
    env = {"LEADLINE_JIRA_WEBHOOK_SECRET": JIRA_SECRET, "LEADLINE_GITHUB_WEBHOOK_SECRET": GH_SECRET}
    running = server.start(db_url, log=log, env=env)
    answers = []
    try:
        with httpx.Client(base_url=running.url) as client:
            body = b'{"webhookEvent": "jira:issue_updated"}'
            answers.append(client.post(f"/v1/webhooks/jira?secret={JIRA_SECRET}", content=body))
            answers.append(client.post("/v1/webhooks/jira?secret=wrong", content=body))
            bad_sig = hmac.new(b"wrong", body, hashlib.sha256).hexdigest()
            signed = {"X-Hub-Signature-256": f"sha256={bad_sig}"}
            answers.append(client.post("/v1/webhooks/github", content=body, headers=signed))
            answers.append(client.get("/v1/profiles", headers={"Authorization": f"Apikey {key}"}))
            answers.append(client.get("/v1/profiles", params={"api_key": key}))
            answers.append(client.get("/v1/profiles", headers={"Authorization": f"Apikey {key}x"}))
    finally:
        running.stop()
    text = log.read_text()
    assert "POST /v1/webhooks/jira?secret=***" in text  # the line is there, masked
    for secret in (JIRA_SECRET, GH_SECRET, key, key.split("_", 2)[2]):
        assert secret not in text, "a secret in the server log"
        assert all(secret not in a.text for a in answers), "a secret in an answer"
    with engine.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(select(api_keys)) for v in row)
    assert key.split("_", 2)[2] not in stored  # only the prefix and a hash are kept


def test_the_filter_masks_every_secret_looking_value() -> None:
    import logging

    record = logging.LogRecord("uvicorn.access", 20, "", 0, '%s - "%s %s"', (
        "1.2.3.4", "GET", "/x?secret=a&token=b&ok=c&API_KEY=d&access_token=e"), None)  # fmt: skip
    RedactSecrets().filter(record)
    assert record.getMessage() == (
        '1.2.3.4 - "GET /x?secret=***&token=***&ok=c&API_KEY=***&access_token=***"'
    )

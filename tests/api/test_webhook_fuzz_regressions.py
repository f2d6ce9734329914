"""What fuzzing the webhooks found (``test_webhook_fuzz.py``, ``bench/webhook_fuzz.py``), each
with the smallest delivery that showed it, through the real ASGI app.

1. A lone surrogate (the JSON escape ``\\ud800``, or its invalid UTF-8 bytes ``ED A0 80``)
   quoted by an "ignored" reason — an Opsgenie action, a ServiceNow table, a Harness event
   type — made the JSON answer unencodable: 500 ``UnicodeEncodeError``, after the delivery
   was committed. The reason now carries the escape.
2. The same surrogate as a duplicated key: the 400 naming the key was a 500.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.store.tables import raw_events

SECRET = "s3cret"


@pytest.fixture
def hooks(db_url: str, engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=db_url, opsgenie_webhook_secret=SECRET,
                              servicenow_webhook_secret=SECRET, harness_webhook_secret=SECRET))  # fmt: skip
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine().dispose()


def post(client: TestClient, tool: str, body: bytes) -> tuple[int, dict[str, object]]:
    headers = {"X-Leadline-Secret": SECRET, "Content-Type": "application/json"}
    response = client.post(f"/v1/webhooks/{tool}", content=body, headers=headers)
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("tool", "body", "reason"),
    [
        ("opsgenie", rb'{"action": "\ud800"}', r"\ud800: not an alert action leadline uses"),
        ("opsgenie", b'{"action": "\xed\xa0\x80"}', r"\ud800: not an alert action leadline uses"),
        ("servicenow", rb'{"sys_class_name": "x\udfff"}', r"x\udfff: not a table leadline uses"),
        ("harness", rb'{"eventData": {"eventType": "\ud83d"}}',
         r"\ud83d: not a pipeline or stage outcome"),
    ],
)  # fmt: skip
def test_an_ignored_reason_quoting_a_lone_surrogate_is_answered(
    hooks: TestClient, engine: Engine, tool: str, body: bytes, reason: str
) -> None:
    assert post(hooks, tool, body) == (200, {"status": "ignored", "records": 0, "reason": reason})
    with engine.connect() as conn:
        assert conn.execute(select(raw_events.c.parse_status)).scalars().all() == ["ignored"]


@pytest.mark.parametrize("body", [rb'{"\ud800": 1, "\ud800": 2}', b'{"\xed\xa0\x80": 1, "\xed\xa0\x80": 2}'])
def test_a_duplicate_key_that_is_a_lone_surrogate_is_a_400(hooks: TestClient, body: bytes) -> None:
    status, answer = post(hooks, "opsgenie", body)
    assert status == 400
    assert answer["error"] == {"code": "bad_request", "details": [],  # type: ignore[comparison-overlap]
                               "message": r'body is not valid JSON: duplicate key "\ud800" in $'}  # fmt: skip

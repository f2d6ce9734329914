"""Every webhook source fuzzed through the real ASGI app: each real fixture its tests use,
mutated structurally (``webhook_fuzz.mutate``: keys dropped, values of the wrong type, huge
integers, NaN-like and very long strings, NUL and control characters, deep nesting, times out
of range, arrays for objects, invalid UTF-8), signed as the tool signs, and POSTed together
with a good delivery of the same source (``bench/webhook_sources.py``), concurrently so the
server's writer can batch them.

The properties, for every delivery:

- the answer is 200 or 202 (stored, ignored) or a 4xx JSON error body, never a 5xx;
- a 422 is a ``failed`` raw event whose reason names the JSON path, never a database error
  (``records could not be stored: …``: the parser let through what the database refuses) or
  an exception of the parser;
- the database holds all of the delivery's records (202) or none of them (anything else):
  every other stored record is unchanged;
- the good delivery is stored with its record, whatever happened to the bad one — through
  HTTP, and through one ``receive_batch`` holding both.

``LEADLINE_WEBHOOK_FUZZ_EXAMPLES`` (default 30 per source, derandomized) runs it harder;
docs/reliability.md records what the long runs found.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import re
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from bench.webhook_sources import BY_NAME
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select

from leadline.api import routes_webhooks
from leadline.api.app import create_app
from leadline.config import Settings
from leadline.domain import jsonio
from leadline.domain.parse import parse_object
from leadline.domain.storable import unstorable
from leadline.services import webhooks as svc
from leadline.services.apikeys import create
from leadline.sources import opsgenie
from leadline.sources.argocd import webhook as argocd
from leadline.sources.base import Parsed, PayloadError
from leadline.sources.circleci import webhook as circleci
from leadline.sources.harness import webhook as harness
from leadline.sources.jenkins import webhook as jenkins
from leadline.store.mapping import MAPPINGS
from leadline.store.tables import raw_events
from leadline.store.upsert import Key, record_key
from tests.api.webhook_fuzz import (
    CORPUS,
    FIXTURES,
    encode,
    environment,
    event,
    mutate,
    request,
)

EXAMPLES = int(os.environ.get("LEADLINE_WEBHOOK_FUZZ_EXAMPLES", "30"))
T = TypeVar("T")
# ``PATH: problem``: a JSON path (``pull_request.created_at``, ``event.data[0].id``,
# ``(body)``) or, for a delivery that is not the tool's at all, what is missing.
NAMES_A_PATH = re.compile(r"^[^\s:][^:]*: \S")
NOT_A_PATH = ("records could not be stored", "Traceback")


class Drawn:
    """A ``webhook_fuzz.Chooser`` drawing from Hypothesis (so failures shrink)."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def pick(self, options: Any) -> Any:
        return self.data.draw(st.sampled_from(options))

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(st.integers(low, high))


@pytest.fixture
def hooks(db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    for name, value in environment().items():
        monkeypatch.setenv(name, value)
    app = create_app(Settings(database_url=db_url))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


Snapshot = dict[Key, str]


def snapshot(engine: Engine) -> Snapshot:
    """Every stored record: its kind and natural key → its stored JSON."""
    out: Snapshot = {}
    with engine.connect() as conn:
        for kind, m in MAPPINGS.items():
            columns = [m.table.c[c] for c in m.key_columns]
            for row in conn.execute(select(*columns, m.table.c.data)):
                out[(kind, tuple(row[:-1]))] = row[-1]
    return out


def keys_of(source: str, event: str | None, body: bytes) -> set[Key] | None:
    """The keys of the records ``body`` yields, ``None`` when it yields none (an oracle for
    "all or nothing", not for the records' values)."""
    try:
        parsed = svc.PARSERS[source](event, jsonio.loads(body))
    except (PayloadError, ValueError):
        return None
    assert isinstance(parsed, Parsed)
    return {record_key(r) for r in parsed.records} or None


def good(source: str, i: int) -> tuple[str, dict[str, str], bytes, str | None]:
    """Delivery ``i`` of ``source`` that must be stored: the bench's (a new record, a new
    delivery id, signed), or for the custom CI/CD API a new run of its seed example."""
    if source == "custom-cicd":
        payload = json.loads((FIXTURES / "custom_cicd" / "seed-example.json").read_text())
        payload["execution_id"] = f"fuzz-good-{i}"
        body = json.dumps(payload).encode()
        return *request(source, None, body), body, None
    bench = BY_NAME[source]
    payload = json.loads(bench.fixture.read_text())
    bench.mutate(payload, i)
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **bench.auth(body, payload, i)}
    event = headers.get("X-GitHub-Event") or headers.get("X-Gitlab-Event") or (
        headers.get("X-Event-Key") or headers.get("circleci-event-type"))  # fmt: skip
    return bench.path, headers, body, event


def check(client: TestClient, engine: Engine, apikey: str, source: str, event: str | None,
          body: bytes, i: int) -> None:  # fmt: skip
    """POST ``body`` and a good delivery together; the properties of the module docstring."""
    with engine.begin() as conn:  # delivery ids derived from the body must not de-duplicate
        conn.execute(delete(raw_events))
    before = snapshot(engine)
    path, headers = request(source, event, body)
    good_path, good_headers, good_body, good_event = good(source, i)
    if source == "custom-cicd":
        headers["Authorization"] = good_headers["Authorization"] = f"Apikey {apikey}"
    with ThreadPoolExecutor(2) as pool:
        answers = [pool.submit(client.post, p, content=b, headers=h) for p, h, b in
                   ((path, headers, body), (good_path, good_headers, good_body))]  # fmt: skip
        bad, ok = (a.result() for a in answers)
    assert bad.status_code in (200, 202) or 400 <= bad.status_code < 500, bad.text
    answer = bad.json()  # every answer is JSON
    assert ok.status_code == 202 and ok.json()["records"] == 1, ok.text
    good_keys = keys_of(source, good_event, good_body) or set()
    after = snapshot(engine)
    assert good_keys <= after.keys()
    if bad.status_code == 422:
        message = answer["error"]["message"]
        reason = message.removeprefix("payload not understood: ")
        assert NAMES_A_PATH.match(reason) and not reason.startswith(NOT_A_PATH), message
    expected = keys_of(source, event, body) if bad.status_code == 202 else None
    if bad.status_code == 202:
        assert expected is not None and expected <= after.keys(), (answer, expected)
        assert answer["records"] >= len(expected)
    changed = {k for k in after.keys() | before.keys() if after.get(k) != before.get(k)}
    assert changed <= good_keys | (expected or set()), (answer, changed)
    with engine.connect() as conn:
        rows = conn.execute(select(raw_events.c.delivery_id, raw_events.c.parse_status)).all()
    statuses = sorted(status for _, status in rows)
    stored_raw = bad.status_code == 422 or (bad.status_code in (200, 202) and
                                            answer["status"] != "duplicate")  # fmt: skip
    assert len(rows) == 1 + stored_raw, rows
    if bad.status_code == 422:
        assert "failed" in statuses, rows
    # The same two in one batch of the writer's transaction, deterministically.
    with engine.begin() as conn:
        conn.execute(delete(raw_events))
    j = i + 500_000
    _, _, second, second_event = good(source, j)
    outcomes = svc.receive_batch(engine, [
        svc.Delivery(source, event, str(uuid.uuid4()), body),
        svc.Delivery(source, second_event, str(uuid.uuid4()), second),
    ])  # fmt: skip
    assert outcomes[1].status == "stored", outcomes
    assert not (outcomes[0].reason or "").startswith(NOT_A_PATH), outcomes[0]
    assert (keys_of(source, second_event, second) or set()) <= snapshot(engine).keys()


@pytest.mark.slow
@pytest.mark.parametrize("source", sorted(CORPUS))
def test_mutated_deliveries_answer_4xx_or_store_all_and_spare_the_batch(
    source: str, hooks: TestClient, engine: Engine
) -> None:
    apikey = create(engine, "fuzz", "ingest")
    counter = itertools.count(10_000)

    @settings(max_examples=EXAMPLES, derandomize="LEADLINE_WEBHOOK_FUZZ_EXAMPLES" not in
              os.environ, suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.data())
    def run(data: st.DataObject) -> None:
        choose = Drawn(data)
        case = choose.pick(CORPUS[source])
        body = encode(choose, mutate(choose, copy.deepcopy(case.payload)))
        check(hooks, engine, apikey, source, event(choose, case), body, next(counter))

    run()


PARSER_EXAMPLES = EXAMPLES * 10
DELIVERY_IDS: dict[str, Callable[[Any], str | None]] = {
    "pagerduty": routes_webhooks.pagerduty_delivery_id, "opsgenie": opsgenie.delivery_id,
    "harness": harness.delivery_id, "argocd": argocd.delivery_id, "jenkins": jenkins.delivery_id,
    "circleci": circleci.delivery_id,
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("source", sorted(CORPUS))
def test_mutated_deliveries_parse_into_storable_records_or_name_the_path(source: str) -> None:
    """The same mutations on the parser alone, ten times as many (no database): records that
    validate and the database can hold, or a ``PayloadError`` naming the path — never another
    exception (which the receiver could only report as ``records could not be stored``). The
    delivery id the route reads from the body first never fails."""

    @settings(max_examples=PARSER_EXAMPLES, derandomize="LEADLINE_WEBHOOK_FUZZ_EXAMPLES" not in
              os.environ, suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.data())
    def run(data: st.DataObject) -> None:
        choose = Drawn(data)
        case = choose.pick(CORPUS[source])
        body = encode(choose, mutate(choose, copy.deepcopy(case.payload)))
        try:
            payload = jsonio.loads(body)
        except ValueError:
            return
        if source in DELIVERY_IDS:
            found = DELIVERY_IDS[source](payload)
            assert found is None or isinstance(found, str)
        try:
            parsed = svc.PARSERS[source](event(choose, case), payload)
        except PayloadError as exc:
            assert NAMES_A_PATH.match(exc.message), exc.message
            return
        for record in parsed.records:
            assert unstorable(record.model_dump()) is None, record
            assert parse_object(record.model_dump(mode="json"), "fuzz", 1) == record

    run()


def test_the_corpus_has_every_webhook_route() -> None:
    app = create_app(Settings(database_url="sqlite://"))
    routes = {p.removeprefix("/v1/webhooks/") for p in app.openapi()["paths"]
              if p.startswith("/v1/webhooks/")} | {"custom-cicd"}  # fmt: skip
    assert set(CORPUS) == routes
    assert all(len(cases) >= 5 for cases in CORPUS.values()), {s: len(c) for s, c in CORPUS.items()}

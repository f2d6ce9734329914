"""Group commit of webhook deliveries (``receive_batch``): a batch behaves exactly like its
deliveries received one by one, in order, on both databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from leadline.domain.parse import parse_line
from leadline.domain.records import PullRequest
from leadline.services import webhooks
from leadline.services.webhooks import Delivery, receive_batch
from leadline.store.tables import pull_requests, raw_events
from tests.conftest import FIXTURES

GH = FIXTURES / "github" / "derived"
OCTOKIT = FIXTURES / "github" / "octokit" / "pull_request"


def gh(event: str, path: Path, delivery: str, **changes: Any) -> Delivery:
    payload = json.loads(path.read_text())
    for dotted, value in changes.items():
        target = payload
        *parents, last = dotted.split("__")
        for name in parents:
            target = target[name]
        target[last] = value
    return Delivery("github", event, delivery, json.dumps(payload).encode())


def stored_prs(engine: Engine) -> dict[int, PullRequest]:
    with engine.connect() as conn:
        rows = conn.execute(select(pull_requests.c.number, pull_requests.c.data)).all()
    out = {}
    for number, data in rows:
        record = parse_line(data, "<db>", 0)
        assert isinstance(record, PullRequest)
        out[number] = record
    return out


def raw_statuses(engine: Engine) -> list[tuple[str | None, str]]:
    with engine.connect() as conn:
        query = select(raw_events.c.delivery_id, raw_events.c.parse_status)
        return [tuple(r) for r in conn.execute(query.order_by(raw_events.c.id))]  # type: ignore[misc]


def deliveries() -> list[Delivery]:
    """Opened, approved, merged (the same PR), a second PR, a repeat, a ping and a bad one."""
    opened = OCTOKIT / "opened.payload.json"
    return [
        gh("pull_request", opened, "a1"),
        gh("pull_request_review", GH / "pull_request_review.submitted.approved.json", "a2"),
        gh("pull_request", GH / "pull_request.closed.merged.json", "a3"),
        gh(
            "pull_request",
            GH / "pull_request.closed.merged.json",
            "b1",
            number=7,
            pull_request__number=7,
        ),
        gh("pull_request", GH / "pull_request.closed.merged.json", "a3"),  # repeated id
        gh("ping", FIXTURES / "github" / "go-playground" / "ping.json", "p1"),
        Delivery("github", "pull_request", "x1", b'{"pull_request": {"number": "x"}}'),
    ]


@pytest.mark.parametrize("split", [1, 3, 7])
def test_a_batch_equals_its_deliveries_one_by_one(engine: Engine, split: int) -> None:
    """Batches of 1 (one by one), 3 and 7 (all at once) store the same records and statuses,
    and answer every delivery the same way."""
    items = deliveries()
    outcomes = []
    for start in range(0, len(items), split):
        outcomes += receive_batch(engine, items[start : start + split])
    assert [o.status for o in outcomes] == [
        "stored", "stored", "stored", "stored", "duplicate", "ignored", "failed",
    ]  # fmt: skip
    assert raw_statuses(engine) == [
        ("a1", "parsed"), ("a2", "parsed"), ("a3", "parsed"), ("b1", "parsed"),
        ("p1", "ignored"), ("x1", "failed"),
    ]  # fmt: skip
    prs = stored_prs(engine)
    assert sorted(prs) == [2, 7]
    merged = prs[2]
    # Merged from three deliveries, in order: the review survives the later merge delivery.
    assert merged.merged_at is not None
    assert [r.state for r in merged.reviews] == ["approved"]


def test_batches_of_every_split_store_identical_rows(engine: Engine, db_url: str) -> None:
    items = deliveries()
    receive_batch(engine, items)
    with engine.connect() as conn:
        all_at_once = conn.execute(select(pull_requests.c.data).order_by("number")).all()
    with engine.begin() as conn:
        conn.execute(pull_requests.delete())
        conn.execute(raw_events.delete())
    for item in items:
        receive_batch(engine, [item])
    with engine.connect() as conn:
        one_by_one = conn.execute(select(pull_requests.c.data).order_by("number")).all()
    assert all_at_once == one_by_one


def test_one_commit_per_batch(engine: Engine) -> None:
    commits: list[int] = []
    event.listen(engine, "commit", lambda _conn: commits.append(1))
    receive_batch(engine, deliveries())
    assert len(commits) == 1


def test_a_delivery_the_database_refuses_costs_only_itself(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database error while writing one delivery's records: the batch is retried one by
    one, the others are stored, and the bad one is kept raw as failed (replayable)."""
    real_write = webhooks.write_parsed

    def fussy(conn: Any, results: list[Any]) -> None:
        if any(r.number == 7 for p in results for r in p.records if isinstance(r, PullRequest)):
            from sqlalchemy.exc import IntegrityError

            raise IntegrityError("INSERT …", {}, Exception("pretend constraint"))
        real_write(conn, results)

    monkeypatch.setattr(webhooks, "write_parsed", fussy)
    outcomes = receive_batch(engine, deliveries()[:4])
    assert [o.status for o in outcomes] == ["stored", "stored", "stored", "failed"]
    assert "records could not be stored" in (outcomes[3].reason or "")
    assert "pretend constraint" in (outcomes[3].reason or "")
    assert raw_statuses(engine) == [
        ("a1", "parsed"), ("a2", "parsed"), ("a3", "parsed"), ("b1", "failed"),
    ]  # fmt: skip
    assert sorted(stored_prs(engine)) == [2]
    monkeypatch.setattr(webhooks, "write_parsed", real_write)
    replayed = webhooks.replay(engine)
    assert [o.status for o in replayed] == ["stored"]
    assert sorted(stored_prs(engine)) == [2, 7]


def test_an_empty_batch_writes_nothing(engine: Engine) -> None:
    assert receive_batch(engine, []) == []
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(raw_events)).scalar_one() == 0

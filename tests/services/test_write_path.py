"""One write path for webhooks, sync and the HTTP API (``store.upsert``), values the
database cannot hold refused before anything is written, and one poisoned webhook delivery
costing only itself — on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from leadline.domain.records import PullRequest
from leadline.errors import WriteBusy
from leadline.services import ingest, webhooks
from leadline.services.ingest import import_records, ingest_records
from leadline.services.sync import engine as sync_engine
from leadline.services.sync.engine import Batch, SyncContext, run_sync
from leadline.services.webhooks import Delivery, receive_batch
from leadline.sources import base
from leadline.sources.github import signature as github_signature
from leadline.sources.github import webhook as github
from leadline.store import upsert
from leadline.store.tables import commits, pipeline_runs, pull_requests, raw_events
from leadline.store.upsert import UnstorableRecord
from tests.conftest import FIXTURES
from tests.helpers import snapshot

GH = FIXTURES / "github" / "derived"
OPENED = FIXTURES / "github" / "octokit" / "pull_request" / "opened.payload.json"
SECRET = "s3cret"


def signed(event: str, path: Path, delivery: str, **changes: Any) -> Delivery:
    """A GitHub delivery of a real payload with ``changes`` (``a__b``: nested key), whose
    signature the receiver would accept."""
    payload = json.loads(path.read_text())
    for dotted, value in changes.items():
        target = payload
        *parents, last = dotted.split("__")
        for name in parents:
            target = target[name]
        target[last] = value
    body = json.dumps(payload).encode()  # ensure_ascii: "\ud800" stays an escape
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert github_signature.signature_ok(body, signature, [SECRET])
    return Delivery("github", event, delivery, body)


def forty() -> list[Delivery]:
    return [
        signed("pull_request", OPENED, f"d{n}", number=n, pull_request__number=n)
        for n in range(1, 41)
    ]


def raw_rows(engine: Engine) -> dict[str, tuple[str, str | None, str]]:
    r = raw_events.c
    with engine.connect() as conn:
        rows = conn.execute(select(r.delivery_id, r.parse_status, r.parse_error, r.payload))
        return {d: (s, e, p) for d, s, e, p in rows}


def pr_numbers(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(pull_requests.c.number)).scalars())


POISONS = [
    ({"pull_request__title": "\ud800"}, "pull_request.title: contains a lone surrogate (\\ud800)"),
    ({"pull_request__title": "a\x00b"}, "pull_request.title: contains a NUL character"),
    (
        {"number": 2**70, "pull_request__number": 2**70},
        "pull_request.number: Input should be less than or equal to 9223372036854775807",
    ),
]


@pytest.mark.parametrize(("changes", "reason"), POISONS, ids=["surrogate", "nul", "2**70"])
def test_a_poisoned_delivery_costs_only_itself(
    engine: Engine, changes: dict[str, Any], reason: str
) -> None:
    good = forty()
    poisoned = signed("pull_request", OPENED, "poison", **changes)
    batch = [*good[:20], poisoned, *good[20:]]
    outcomes = receive_batch(engine, batch)  # one call, one transaction
    assert [o.status for o in outcomes] == ["stored"] * 20 + ["failed"] + ["stored"] * 20
    assert (outcomes[20].reason or "").startswith(reason)
    assert outcomes[20].as_json()["status"] == "failed"
    assert pr_numbers(engine) == list(range(1, 41))
    raw = raw_rows(engine)
    assert len(raw) == 41
    status, error, payload = raw["poison"]
    assert status == "failed" and (error or "").startswith(reason)
    assert payload == poisoned.body.decode()  # verbatim: the escapes are plain ASCII
    assert all(raw[f"d{n}"][0] == "parsed" for n in range(1, 41))


def test_a_body_with_a_nul_byte_is_kept_with_the_nul_escaped(engine: Engine) -> None:
    body = b'{"zen": "a\x00b"}'
    outcomes = receive_batch(engine, [*forty()[:3], Delivery("github", "ping", "nul", body)])
    assert [o.status for o in outcomes] == ["stored", "stored", "stored", "failed"]
    status, error, payload = raw_rows(engine)["nul"]
    assert status == "failed"
    assert payload == '{"zen": "a\\u0000b"}'
    assert (error or "").startswith("not valid JSON")
    assert "NUL bytes are kept as \\u0000" in (error or "")


def test_any_error_writing_a_batch_is_retried_one_delivery_at_a_time(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only database errors: a ``UnicodeEncodeError`` from deep in the writer (what a
    lone surrogate used to cause) costs only the delivery whose records raise it."""
    real = webhooks.merge_and_upsert

    def fussy(conn: Any, records: list[Any], *args: Any, **kwargs: Any) -> Any:
        if any(isinstance(r, PullRequest) and r.number == 7 for r in records):
            "\ud800".encode()
        return real(conn, records, *args, **kwargs)

    monkeypatch.setattr(webhooks, "merge_and_upsert", fussy)
    outcomes = receive_batch(engine, forty()[:10])
    assert [o.status for o in outcomes] == ["stored"] * 6 + ["failed"] + ["stored"] * 3
    reason = outcomes[6].reason or ""
    assert reason.startswith("records could not be stored: UnicodeEncodeError: ")
    assert "\\ud800" in reason  # the surrogate in the message escaped: storable
    assert pr_numbers(engine) == [1, 2, 3, 4, 5, 6, 8, 9, 10]
    assert raw_rows(engine)["d7"][:2] == ("failed", reason)


def test_write_busy_propagates_at_once_and_nothing_is_stored(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float | None] = []

    def busy(_engine: Engine, wait: float | None = None) -> Iterator[Any]:
        waits.append(wait)
        raise WriteBusy(wait or 0)

    monkeypatch.setattr(webhooks, "writing", busy)
    with pytest.raises(WriteBusy):
        receive_batch(engine, forty()[:5], wait=0.25)
    assert waits == [0.25]  # passed on, and no delivery retried one by one
    assert raw_rows(engine) == {} and pr_numbers(engine) == []


# --- the HTTP API's and the CLI's way in ------------------------------------------------

PR = {"kind": "pull_request", "repo": "acme/api", "number": 1, "created_at": "2024-05-01T10:00:00Z"}


def test_import_records_refuses_an_unstorable_record_and_writes_nothing(engine: Engine) -> None:
    good = PullRequest.model_validate(PR)
    bad = good.model_copy(update={"number": 2, "title": "x\ud800"})  # no validation
    before = snapshot(engine)
    with pytest.raises(UnstorableRecord) as caught:
        import_records(engine, [good, bad])
    assert str(caught.value) == (
        "pull_request acme/api#2: title: contains a lone surrogate (\\ud800) "
        "the database cannot store"
    )
    assert snapshot(engine) == before


def test_ingest_records_reports_end_before_start_and_stores_it(engine: Engine) -> None:
    late = PullRequest.model_validate({**PR, "merged_at": "2024-04-30T10:00:00Z"})
    report = ingest_records(engine, [late])
    assert report.counts["pull_request"].new == 1
    assert report.warnings == [
        "pull_request acme/api#1: merged_at 2024-04-30T10:00:00Z is before created_at "
        "2024-05-01T10:00:00Z"
    ]
    assert report.as_json()["warning_count"] == 1
    assert pr_numbers(engine) == [1]
    assert import_records(engine, [late])["pull_request"].unchanged == 1  # old signature


def test_cli_import_names_line_and_field_of_a_lone_surrogate(
    run_cli: Any, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "bad.ndjson"
    lines = [json.dumps(PR), json.dumps({**PR, "number": 2, "title": "\ud800"})]
    path.write_text("\n".join(lines) + "\n")
    assert "\\ud800" in lines[1]
    before = snapshot(engine)
    result = run_cli("import", str(path))
    assert result.code == 2
    assert (
        f"{path}:2: title: contains a lone surrogate (\\ud800) the database cannot store"
        in result.err.splitlines()
    )
    assert snapshot(engine) == before


def test_cli_import_prints_warnings_and_stores_the_records(
    run_cli: Any, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "late.ndjson"
    late = {**PR, "closed_at": "2024-05-01T09:00:00Z"}
    path.write_text(json.dumps(PR | {"number": 9}) + "\n" + json.dumps(late) + "\n")
    result = run_cli("import", str(path))
    assert result.code == 0
    assert result.err.splitlines() == [
        f"{path}:2: closed_at: closed_at 2024-05-01T09:00:00Z is before created_at "
        "2024-05-01T10:00:00Z (warning: stored)",
        "leadline: warning: 1 record stored with an end before their start",
    ]
    assert pr_numbers(engine) == [1, 9]


# --- one write path ---------------------------------------------------------------------

SNAPSHOTS = [
    ("pull_request", OPENED),
    ("pull_request_review", GH / "pull_request_review.submitted.approved.json"),
    ("pull_request", GH / "pull_request.closed.merged.json"),
    ("workflow_run", GH / "workflow_run.completed.merge-commit.json"),
]


class _Replay:
    name = "replay"

    def __init__(self, records: list[Any]) -> None:
        self.records = records

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        yield Batch(self.records, cursor="done", items=len(self.records))


def _stored_data(engine: Engine) -> dict[str, list[str]]:
    out = {}
    with engine.connect() as conn:
        for table in (pull_requests, commits, pipeline_runs):
            out[table.name] = list(
                conn.execute(select(table.c.data).order_by(table.c.id)).scalars()
            )
    return out


def test_webhooks_and_sync_store_the_same_rows_for_the_same_records(engine: Engine) -> None:
    """The review of the second delivery survives the merge delivery after it, both ways."""
    deliveries = [signed(e, p, f"s{i}") for i, (e, p) in enumerate(SNAPSHOTS)]
    receive_batch(engine, deliveries)
    by_webhook = _stored_data(engine)
    with engine.begin() as conn:
        for table in (pull_requests, commits, pipeline_runs):
            conn.execute(table.delete())
    records = [r for e, p in SNAPSHOTS for r in github.parse(e, json.loads(p.read_text())).records]
    report = run_sync(engine, "test", "scope", [_Replay(records)])
    by_sync = _stored_data(engine)
    assert by_sync == by_webhook
    (pr,) = [json.loads(d) for d in by_sync["pull_requests"]]
    assert pr["merged_at"] is not None and [r["state"] for r in pr["reviews"]] == ["approved"]
    assert sum(c.total for c in report.counts.values()) == len(
        {upsert.record_key(r) for r in records}
    )


def test_the_old_copies_of_the_write_path_are_gone() -> None:
    for name in ("_stored", "_key"):
        assert not hasattr(webhooks, name)
    for name in ("write_batch", "record_key"):
        assert not hasattr(sync_engine, name)
    assert sync_engine.stored_records is upsert.stored_records
    assert base.merge is upsert.merge  # one merge rule: domain.merge
    assert not hasattr(base, "_has_nul")
    assert ingest.import_records.__doc__ and "ingest_records" in ingest.import_records.__doc__

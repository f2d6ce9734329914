"""``leadline sync servicenow`` and ``leadline sync opsgenie`` end to end, through the CLI,
against a real local HTTP server replaying the tools' answers (``tests/services/itsm_replay``):
a full run (with a rate-limit episode), a re-run that fetches only what changed, a run killed
midway and resumed, and the credentials' messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.replay_server import ReplayServer
from tests.services.itsm_replay import FakeOpsgenie, FakeServiceNow
from tests.services.sync_harness import counts, fresh_db_url, kill_after, opened, records, run
from tests.services.test_sync_gitlab import assert_same_records

USER, PASSWORD, KEY = "leadline.sync", "sn-pa55word", "eb243592-faa2-4ba2-a551-1afdf565c889"
SN_ARGS = ("sync", "servicenow", "--per-page", "2", "--no-progress")
OG_ARGS = ("sync", "opsgenie", "--incidents", "--per-page", "2", "--no-progress")
SN_EXPECTED = {"incident": 5, "pipeline_run": 5}  # 6 change requests, one not carried out
OG_EXPECTED = {"incident": 7}  # 5 alerts, 2 incidents
ENV = {"SERVICENOW_USER": USER, "SERVICENOW_PASSWORD": PASSWORD, "OPSGENIE_API_KEY": KEY}


@contextmanager
def serving(fake: Any) -> Iterator[ReplayServer]:
    server = ReplayServer()
    fake.install(server)
    with server:
        yield server


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LEADLINE_SERVICENOW_TIMEZONE", raising=False)


def sync(run_cli: Any, args: tuple[str, ...], server: ReplayServer) -> tuple[dict[str, Any], str]:
    where = "--instance" if args[1] == "servicenow" else "--base-url"
    result = run_cli(*args, where, server.base_url, "--format", "json")
    assert result.code == 0, result.err
    assert PASSWORD not in result.out + result.err and KEY not in result.out + result.err
    report: dict[str, Any] = json.loads(result.out)
    return report, result.err


def same_time(a: str, b: str) -> bool:
    return datetime.fromisoformat(a) == datetime.fromisoformat(b)


def _utc(value: str) -> str:
    naive = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return naive.isoformat().replace("+00:00", "Z")


# --- ServiceNow ------------------------------------------------------------------------------


def test_servicenow_full_run(run_cli: Any, engine: Engine) -> None:
    fake = FakeServiceNow(USER, PASSWORD)
    fake.rate_limit_once("/api/now/table/incident", 2)
    with serving(fake) as server:
        report, err = sync(run_cli, SN_ARGS, server)
    assert counts(engine) == SN_EXPECTED
    assert report["counts"]["pipeline_run"] == {"new": 5, "updated": 0, "unchanged": 0}
    assert report["warnings"] == []
    assert "leadline: servicenow: date-times without a zone are read as UTC (the default" in err
    assert "leadline: rate limited (HTTP 429, Retry-After), waiting 1 s" in err
    offsets = [r.query["sysparm_offset"] for r in server.requests
               if r.path == "/api/now/table/incident"]  # fmt: skip
    assert offsets == ["0", "2", "2", "4", "5"]  # 5 incidents in pages of 2, the 429, an empty end
    # Every record, field by field against the Table API answer.
    stored = {r["id"]: r for r in records(engine)["incident"]}
    for sent in fake.tables["incident"]:
        got = stored[sent["number"]["value"]]
        assert got["created_at"] == _utc(sent["opened_at"]["value"])
        resolved = sent["resolved_at"]["value"] or sent["closed_at"]["value"]
        assert got["resolved_at"] == (_utc(resolved) if resolved else None)
        ci = sent["cmdb_ci"]["display_value"] or sent["business_service"]["display_value"]
        assert (got["service"], got["severity"]) == (ci, sent["priority"]["display_value"])
    runs = {r["run_id"]: r for r in records(engine)["pipeline_run"]}
    statuses = {n: (r["pipeline"], r["status"]) for n, r in runs.items()}
    assert statuses == {
        "CHG0030001": ("change_request/normal", "success"),
        "CHG0030002": ("change_request/normal", "successful_issues"),
        "CHG0030003": ("change_request/emergency", "failure"),
        "CHG0030004": ("change_request/normal", "canceled"),
        "CHG0030005": ("change_request/standard", "review"),
    }
    for sent in fake.tables["change_request"]:
        got = runs.get(sent["number"]["value"])
        if got is not None:
            end = sent["work_end"]["value"] or sent["closed_at"]["value"]
            assert got["finished_at"] == _utc(end)


def test_servicenow_rerun_fetches_only_what_changed(run_cli: Any, engine: Engine) -> None:
    fake = FakeServiceNow(USER, PASSWORD)
    with serving(fake) as server:
        sync(run_cli, SN_ARGS, server)
        before = records(engine)
        server.reset_log()
        report, _ = sync(run_cli, SN_ARGS, server)
        assert records(engine) == before
        assert all(c["new"] == c["updated"] == 0 for c in report["counts"].values())
        assert server.paths() == ["/api/now/table/incident", "/api/now/table/change_request"]
        # The newest incident was updated 2024-03-10 07:30:00: a day of slack in the query.
        assert fake.queries[-2].startswith("sys_updated_on>=2024-03-09 07:30:00^")

        fake.touch("incident", "INC0010003", "2024-03-11 09:00:00",
                   state={"value": "6", "display_value": "Resolved"},
                   resolved_at={"value": "2024-03-11 08:55:00", "display_value": "x"})  # fmt: skip
        server.reset_log()
        report, _ = sync(run_cli, SN_ARGS, server)
    # INC0010003, and the incident at the last watermark read again (inclusive bound).
    assert report["counts"]["incident"] == {"new": 0, "updated": 1, "unchanged": 1}
    (inc,) = [i for i in records(engine)["incident"] if i["id"] == "INC0010003"]
    assert (inc["resolved_at"], inc["state"]) == ("2024-03-11T08:55:00Z", "Resolved")


@pytest.mark.slow
@pytest.mark.parametrize("answered", [1, 4])
def test_servicenow_killed_sync_resumes(engine: Engine, db_url: str, tmp_path: Path,
                                        answered: int) -> None:  # fmt: skip
    _killed_and_resumed(engine, db_url, tmp_path, lambda: FakeServiceNow(USER, PASSWORD),
                        (*SN_ARGS, "--instance"), answered, SN_EXPECTED)  # fmt: skip


# --- Opsgenie --------------------------------------------------------------------------------


def test_opsgenie_full_run(run_cli: Any, engine: Engine) -> None:
    fake = FakeOpsgenie(KEY)
    fake.rate_limit_once("/v2/alerts", 2)
    with serving(fake) as server:
        report, err = sync(run_cli, OG_ARGS, server)
    assert counts(engine) == OG_EXPECTED
    assert report["counts"]["incident"] == {"new": 7, "updated": 0, "unchanged": 0}
    assert "waiting 1 s" in err
    assert {r.headers["authorization"] for r in server.requests} == {f"GenieKey {KEY}"}
    offsets = [r.query["offset"] for r in server.requests if r.path == "/v2/alerts"]
    assert offsets == ["0", "2", "2", "4"]  # 5 alerts in pages of 2, the 429; a short end
    stored = {r["id"]: r for r in records(engine)["incident"]}
    for sent in fake.listings["/v2/alerts"]:
        got = stored[sent["id"]]
        assert same_time(got["created_at"], sent["createdAt"])
        assert (got["title"], got["severity"]) == (sent["message"], sent["priority"])
        close = sent["report"].get("closeTime")
        if sent["status"] != "closed":
            assert got["resolved_at"] is None
        elif close is None:
            assert same_time(got["resolved_at"], sent["updatedAt"])
        else:
            created_ms = int(datetime.fromisoformat(sent["createdAt"]).timestamp() * 1000)
            at = datetime.fromtimestamp((created_ms + close) / 1000, UTC)
            assert got["resolved_at"] == at.isoformat().replace("+00:00", "Z")
    for sent in fake.listings["/v1/incidents"]:
        got = stored[sent["id"]]
        assert got["opsgenie_kind"] == "incident" and got["url"] == sent["links"]["web"]
        assert got["service"] == sent["impactedServices"][0]
        end = sent.get("impactEndDate")
        assert (got["resolved_at"] is None) == (end is None)


def test_opsgenie_rerun_fetches_only_what_changed(run_cli: Any, engine: Engine) -> None:
    fake = FakeOpsgenie(KEY)
    with serving(fake) as server:
        sync(run_cli, OG_ARGS, server)
        before = records(engine)
        server.reset_log()
        report, _ = sync(run_cli, OG_ARGS, server)
        assert records(engine) == before
        assert all(c["new"] == c["updated"] == 0 for c in report["counts"].values())
        assert server.paths() == ["/v2/alerts", "/v1/incidents"]
        newest = "2024-03-09T21:58:00Z"  # the newest alert's updatedAt, in epoch ms
        ms = int(datetime.fromisoformat(newest).timestamp() * 1000)
        assert f"updatedAt>={ms}" in fake.queries

        closed_at = datetime(2024, 3, 12, 10, 0, tzinfo=UTC)
        fake.touch("/v2/alerts", "5f1b2a20-8d4c-4f0e-9a57-1f0d2c7e1a13", closed_at,
                   status="closed", report={"closeTime": 60_000})  # fmt: skip
        report, _ = sync(run_cli, OG_ARGS, server)
    assert report["counts"]["incident"] == {"new": 0, "updated": 1, "unchanged": 2}
    (alert,) = [i for i in records(engine)["incident"]
                if i["id"] == "5f1b2a20-8d4c-4f0e-9a57-1f0d2c7e1a13"]  # fmt: skip
    assert alert["resolved_at"] == "2024-03-08T08:00:30Z"  # createdAt + 60 s


@pytest.mark.slow
@pytest.mark.parametrize("answered", [1, 3])
def test_opsgenie_killed_sync_resumes(engine: Engine, db_url: str, tmp_path: Path,
                                      answered: int) -> None:  # fmt: skip
    _killed_and_resumed(engine, db_url, tmp_path, lambda: FakeOpsgenie(KEY),
                        (*OG_ARGS, "--base-url"), answered, OG_EXPECTED)  # fmt: skip


# --- shared ----------------------------------------------------------------------------------


def _killed_and_resumed(engine: Engine, db_url: str, tmp_path: Path, make: Any,
                        args: tuple[str, ...], answered: int,
                        expected: dict[str, int]) -> None:  # fmt: skip
    with serving(make()) as server:
        kill_after(server, answered, db_url, *args, server.base_url, env=ENV)
    assert counts(engine) != expected  # stopped midway…
    with serving(make()) as server:  # …resumed on a new server (another port, same cursors)
        done = run(db_url, *args, server.base_url, env=ENV)
        assert done.returncode == 0, done.stderr
        resumed = len(server.requests)
    with fresh_db_url(tmp_path, "clean") as clean_url, serving(make()) as server:
        clean = run(clean_url, *args, server.base_url, env=ENV)
        assert clean.returncode == 0, clean.stderr
        with opened(clean_url) as clean_engine:
            assert_same_records(records(engine), records(clean_engine))
        uninterrupted = len(server.requests)
    assert counts(engine) == expected
    # Went on where it stopped: the two runs ask about as much as one clean run (the page
    # being fetched when killed is asked again, and the resumed run makes one short new pass
    # per listing).
    assert answered + resumed <= uninterrupted + 1 + 2


@pytest.mark.parametrize(
    ("args", "unset", "message"),
    [
        ((*SN_ARGS, "--instance", "http://127.0.0.1:9"), ["SERVICENOW_PASSWORD"],
         "ServiceNow credentials: SERVICENOW_PASSWORD not set"),
        ((*SN_ARGS, "--instance", "http://127.0.0.1:9"), ["SERVICENOW_USER", "SERVICENOW_PASSWORD"],
         "ServiceNow credentials: SERVICENOW_USER and SERVICENOW_PASSWORD not set"),
        ((*OG_ARGS, "--base-url", "http://127.0.0.1:9"), ["OPSGENIE_API_KEY"],
         "Opsgenie credentials: OPSGENIE_API_KEY is not set"),
    ],
)  # fmt: skip
def test_missing_credentials_are_one_clear_line(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], unset: list[str],
    message: str,
) -> None:  # fmt: skip
    for name in unset:
        monkeypatch.delenv(name)
    result = run_cli(*args)
    assert result.code == 2
    assert result.err.startswith(f"leadline: error: {message}")
    assert len(result.err.splitlines()) == 1


def test_servicenow_zone_is_named_and_used(run_cli: Any, engine: Engine,
                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("LEADLINE_SERVICENOW_TIMEZONE", "Europe/Paris")
    with serving(FakeServiceNow(USER, PASSWORD)) as server:
        _, err = sync(run_cli, (*SN_ARGS, "--table", "incident"), server)
    assert "read as Europe/Paris (LEADLINE_SERVICENOW_TIMEZONE)" in err
    (inc,) = [i for i in records(engine)["incident"] if i["id"] == "INC0010001"]
    assert inc["created_at"] == "2024-03-04T08:15:00Z"  # 09:15 in Paris (CET, +01:00)
    assert counts(engine) == {"incident": 5}


SERVICENOW_PROFILE = """\
name: ServiceNow mode
start: {event: ticket_created}
stages:
  - {name: Deployed, event: cd_completed}
dora:
  deployments: {source: cd, pipelines: ["change_request/*"], statuses: [success, successful_issues]}
  failures: {source: incidents, window: 1d}
  restore: {source: incidents}
"""


def test_dora_in_servicenow_mode(run_cli: Any, engine: Engine, tmp_path: Path) -> None:
    """Deployment frequency counts the qualifying change requests, change failure rate is
    linked incidents ÷ deployments, time to restore is resolved − opened (hand-computed from
    the constructed table: docs/sources-servicenow.md's profile)."""
    with serving(FakeServiceNow(USER, PASSWORD)) as server:
        sync(run_cli, SN_ARGS, server)
    profile = tmp_path / "servicenow.yaml"
    profile.write_text(SERVICENOW_PROFILE)
    window = ("--from", "2024-03-01", "--to", "2024-04-01", "--format", "json")
    result = run_cli("dora", "--profile", str(profile), *window)
    assert result.code == 0, result.err
    dora = json.loads(result.out)
    # CHG0030001 (success) and CHG0030002 (successful_issues); not the unsuccessful
    # emergency change, the canceled one, the one in review or the one being implemented.
    assert dora["deployment_frequency"]["deployments"] == 2
    # INC0010001 (payments-api, 35 min after CHG0030001) is the only incident linked: the
    # others name another service (checkout-web, Payments) or come more than a day after
    # the last payments-api change.
    cfr = dora["change_failure_rate"]
    assert (cfr["failures"], cfr["deployments"], cfr["rate"]) == (1, 2, 0.5)
    assert cfr["unlinked"] == 4
    # Resolved in March: INC0010001 09:15 → 10:45 (5400 s), INC0010002 14:00 → 14:30
    # (1800 s), INC0010005 canceled 07:00 → closed 07:30 (1800 s); two still open.
    mttr = dora["mean_time_to_restore"]
    assert (mttr["incidents"], mttr["mean_seconds"], mttr["median_seconds"], mttr["open"]) == (
        3,
        3000.0,
        1800.0,
        2,
    )

"""A server that keeps answering while history loads (a real `leadline serve`, a real
`leadline import` of 350,000 records into its database, real sockets).

During the import: signed webhooks are either stored (2xx) or refused with 503 and
``Retry-After`` (then retried, as senders do), never anything else; ``/healthz``, the
dashboard and the metric reads answer without a 5xx; every acknowledged delivery is stored.
After it: the first metric read answers at once (from an older build, or with the first
build's progress), the background refresher finishes, and the server's figures equal the
CLI's. ``bench/mixed.py`` runs the same load and reports its figures.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import Engine

from leadline.services.apikeys import create
from tests import server
from tests.helpers import current

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import mixed  # noqa: E402
from gen_org import write  # noqa: E402

TICKETS = 73_000  # ≈ 352,000 records
STALL = 1.0  # seconds: a /healthz slower than this is a stalled server (it used to be 30 s)


@pytest.mark.slow
def test_the_server_answers_while_history_loads(
    db_url: str, engine: Engine, tmp_path: Path, run_cli: Any
) -> None:
    records = tmp_path / "org.ndjson"
    with records.open("wb") as out:
        assert write(TICKETS, out) >= 350_000
    read, admin = create(engine, "reader", "read"), create(engine, "admin", "admin")
    profile = yaml.safe_load(mixed.PROFILE.read_text())
    env = {"LEADLINE_GITHUB_WEBHOOK_SECRET": mixed.SECRET, "LEADLINE_READ_WAIT": "0.5"}
    running = server.start(db_url, env=env)
    try:
        put = httpx.put(f"{running.url}/v1/profiles/{profile['name']}", json=profile,
                        headers={"Authorization": f"Apikey {admin}"})  # fmt: skip
        assert put.status_code == 201, put.text
        report = mixed.run(running.url, db_url, records, read, profile["name"], senders=3)
        print("\n".join(report.lines()))
        assert report.import_code == 0, report.import_err

        # Nothing but 2xx-and-stored or 503-with-Retry-After for a webhook.
        assert set(report.webhooks.statuses) <= {200, 202, 503}, report.webhooks.statuses
        assert report.busy_without_retry_after == 0
        assert len(report.acked) >= 10
        raw, prs = mixed.stored_numbers(engine)
        lost = [n for n in report.acked if f"mixed-{n}" not in raw or n not in prs]
        assert lost == []

        # Health checks and reads kept answering, with no server error.
        assert set(report.health.statuses) == {200}
        assert report.health.pct(0.99) < STALL, report.health.line("/healthz")
        for name, timings in report.reads.items():
            assert timings.statuses and max(timings.statuses) < 500, (name, timings.statuses)
        for name, status, answer in report.read_answers:
            if name in ("lead-time", "dora") and status == 202:
                assert json.loads(answer)["status"] == "building"

        # After the load: the first read answers at once, from an older build or with the
        # first build's progress; a new profile's first read reports its build's progress.
        auth = {"Authorization": f"Apikey {read}"}
        params = {"profile": profile["name"], **mixed.YEAR}
        started = time.perf_counter()
        first = httpx.get(f"{running.url}/v1/metrics/lead-time", params=params, headers=auth,
                          timeout=30)  # fmt: skip
        waited = time.perf_counter() - started
        print(f"first read after the import: {first.status_code} in {waited * 1000:.0f} ms")
        assert first.status_code in (200, 202), first.text
        assert waited < 5 * STALL  # a bounded wait, not a build (which takes a minute here)
        if first.status_code == 200:
            assert set(first.json()["as_of"]) == {"position", "head", "waiting", "updated_at"}
        other = {**profile, "name": "Second look", "missing_stages": "exclude"}
        other["stages"] = profile["stages"][:4]
        put = httpx.put(f"{running.url}/v1/profiles/Second%20look", json=other,
                        headers={"Authorization": f"Apikey {admin}"})  # fmt: skip
        assert put.status_code == 201, put.text
        building = httpx.get(f"{running.url}/v1/metrics/lead-time", timeout=30, headers=auth,
                             params={"profile": "Second look", **mixed.YEAR})  # fmt: skip
        assert building.status_code in (200, 202), building.text
        if building.status_code == 202:
            body = building.json()
            assert body["status"] == "building" and building.headers["Retry-After"]
            assert (
                0 <= body["progress"]["done"] <= body["progress"]["total"]
                or not body["progress"]["total"]
            )

        # The refresher finishes in the background; then the server equals the CLI.
        for name, spec in ((profile["name"], profile), ("Second look", other)):
            answer = _settled(running.url, auth, name)
            path = tmp_path / f"{len(name)}.yaml"
            path.write_text(yaml.safe_dump(spec))
            cli = run_cli("lead-time", "--profile", str(path), "--from", mixed.YEAR["from"],
                          "--to", mixed.YEAR["to"], "--format", "json")  # fmt: skip
            assert cli.code == 0, cli.err
            assert current(answer) == json.loads(cli.out)
    finally:
        running.stop()


def _settled(url: str, auth: dict[str, str], name: str) -> dict[str, Any]:
    """The server's lead time once the refresher has caught up with every record."""
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        r = httpx.get(f"{url}/v1/metrics/lead-time", headers=auth, timeout=60,
                      params={"profile": name, **mixed.YEAR})  # fmt: skip
        assert r.status_code in (200, 202), r.text
        if r.status_code == 200 and r.json()["as_of"]["waiting"] == 0:
            answer: dict[str, Any] = r.json()
            answer.pop("in_flight", None)
            return answer
        time.sleep(1)
    raise AssertionError(f"the refresher did not catch up with profile {name!r}")

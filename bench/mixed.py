"""Mixed load: a big `leadline import` into the database of a running `leadline serve`, while
signed webhooks arrive and people read metrics and the dashboard.

    python bench/mixed.py [--tickets 42000] [--pg URL] [--senders 4] [--keep DIR]

What a team meets on its first day: history loading while the server keeps answering. It
starts `leadline serve` on a fresh database (a SQLite file, or a fresh schema with --pg),
stores a profile, then runs `leadline import` of a generated organisation (``gen_org.py``;
42,000 tickets ≈ 200,000 records) against the same database. During the import:

- ``--senders`` threads post signed GitHub `pull_request` deliveries (each a distinct PR); a
  503 with ``Retry-After`` is retried after a pause, as GitHub and GitLab do;
- one thread asks ``/healthz`` every 50 ms;
- one thread reads ``/v1/metrics/lead-time``, ``/v1/metrics/dora``, ``/`` and the profile's
  dashboard page in turn.

It prints webhook throughput and answers by status, ``/healthz`` and read latencies (p50,
p99, max) and the statuses of the reads, then checks that every acknowledged delivery is
stored (raw and as a pull request). The same driver backs the acceptance test
``tests/reliability/test_server_under_import.py``.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, select, text

ROOT = Path(__file__).parents[1]
FIXTURE = ROOT / "tests/fixtures/github/derived/pull_request.closed.merged.json"
PROFILE = ROOT / "bench/org-profile.yaml"  # nine stages and a dora block
YEAR = {"from": "2024-01-01", "to": "2025-01-01"}  # the generated organisation's year
SECRET = "mixed-secret"


@dataclass
class Timings:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def add(self, seconds: float, status: int) -> None:
        self.latencies.append(seconds)
        self.statuses[status] += 1

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self, name: str) -> str:
        if not self.latencies:
            return f"{name:<12} no requests"
        return (
            f"{name:<12} n={len(self.latencies):>6}  p50 {self.pct(0.5) * 1000:7.1f} ms  "
            f"p99 {self.pct(0.99) * 1000:7.1f} ms  max {max(self.latencies) * 1000:7.1f} ms  "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


@dataclass
class Report:
    import_seconds: float = 0.0
    import_code: int = 0
    import_err: str = ""
    health: Timings = field(default_factory=Timings)
    reads: dict[str, Timings] = field(default_factory=dict)
    webhooks: Timings = field(default_factory=Timings)  # every attempt
    acked: list[int] = field(default_factory=list)  # PR numbers whose delivery got a 2xx
    busy_without_retry_after: int = 0
    read_answers: list[tuple[str, int, Any]] = field(default_factory=list)
    first_read: tuple[int, float] = (0, 0.0)  # status and seconds of the read after the load

    def lines(self) -> list[str]:
        rate = len(self.acked) / self.import_seconds if self.import_seconds else 0.0
        out = [
            f"import       {self.import_seconds:.1f} s (exit {self.import_code})",
            f"webhooks     {len(self.acked)} stored during the import ({rate:.0f}/s); "
            f"503 without Retry-After: {self.busy_without_retry_after}",
            self.webhooks.line("  attempts"),
            self.health.line("/healthz"),
        ]
        out += [timings.line(name) for name, timings in sorted(self.reads.items())]
        status, seconds = self.first_read
        out.append(f"first read after the import: {status} in {seconds * 1000:.0f} ms")
        return out


def signed_delivery(base: dict[str, Any], number: int) -> tuple[bytes, dict[str, str]]:
    payload = copy.deepcopy(base)
    payload["number"] = payload["pull_request"]["number"] = number
    body = json.dumps(payload).encode()
    sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "X-GitHub-Event": "pull_request", "X-GitHub-Delivery": f"mixed-{number}",
        "X-Hub-Signature-256": sig, "Content-Type": "application/json",
    }  # fmt: skip
    return body, headers


def run(
    url: str, db_url: str, records: Path, read_key: str, profile: str, senders: int = 4
) -> Report:
    """Import ``records`` into ``db_url`` (served at ``url``) under mixed load."""
    report = Report()
    done = threading.Event()
    lock = threading.Lock()
    base = json.loads(FIXTURE.read_text())
    numbers = iter(range(100_000, 10_000_000))

    def send() -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            while not done.is_set():
                with lock:
                    number = next(numbers)
                body, headers = signed_delivery(base, number)
                while True:
                    started = time.perf_counter()
                    try:
                        r = client.post("/v1/webhooks/github", content=body, headers=headers)
                    except httpx.HTTPError:
                        continue
                    with lock:
                        report.webhooks.add(time.perf_counter() - started, r.status_code)
                    if r.status_code in (200, 202):
                        with lock:
                            report.acked.append(number)
                        break
                    if r.status_code == 503:
                        if "retry-after" not in r.headers:
                            with lock:
                                report.busy_without_retry_after += 1
                        if done.is_set():
                            break
                        time.sleep(1.0)  # a sender retries later
                        continue
                    break  # any other answer is recorded and not retried

    def health() -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            while not done.is_set():
                started = time.perf_counter()
                try:
                    status = client.get("/healthz").status_code
                except httpx.HTTPError:
                    status = 0
                report.health.add(time.perf_counter() - started, status)
                time.sleep(0.05)

    def read() -> None:
        auth = {"Authorization": f"Apikey {read_key}"}
        paths = [
            ("lead-time", "/v1/metrics/lead-time", {"profile": profile, **YEAR}, auth),
            ("dora", "/v1/metrics/dora", {"profile": profile, **YEAR}, auth),
            ("dashboard /", "/", {}, {}),
            ("dashboard p", f"/p/{profile}", YEAR, {}),
        ]
        with httpx.Client(base_url=url, timeout=120) as client:
            while not done.is_set():
                for name, path, params, headers in paths:
                    started = time.perf_counter()
                    try:
                        r = client.get(path, params=params, headers=headers)
                        status, answer = r.status_code, r.text
                    except httpx.HTTPError as exc:
                        status, answer = 0, repr(exc)
                    report.reads.setdefault(name, Timings()).add(
                        time.perf_counter() - started, status
                    )
                    report.read_answers.append((name, status, answer[:300]))
                time.sleep(0.2)

    threads = [threading.Thread(target=send) for _ in range(senders)]
    threads += [threading.Thread(target=health), threading.Thread(target=read)]
    for t in threads:
        t.start()
    started = time.perf_counter()
    imported = subprocess.run(
        [sys.executable, "-m", "leadline", "--db", db_url, "import", str(records)],
        capture_output=True, text=True,
    )  # fmt: skip
    report.import_seconds = time.perf_counter() - started
    report.import_code, report.import_err = imported.returncode, imported.stderr[-2000:]
    done.set()
    for t in threads:
        t.join()
    started = time.perf_counter()  # the first read once everything is loaded
    first = httpx.get(f"{url}/v1/metrics/lead-time", timeout=120,
                      params={"profile": profile, **YEAR},
                      headers={"Authorization": f"Apikey {read_key}"})  # fmt: skip
    report.first_read = (first.status_code, time.perf_counter() - started)
    return report


def stored_numbers(engine: Engine) -> tuple[set[str], set[int]]:
    """Delivery ids kept raw, and PR numbers stored, of the mixed load's deliveries."""
    with engine.connect() as conn:
        raw = {
            str(r[0])
            for r in conn.execute(text("SELECT delivery_id FROM raw_events WHERE source='github'"))
        }
        from leadline.store.tables import pull_requests

        prs = {int(r[0]) for r in conn.execute(select(pull_requests.c.number))}
    return raw, prs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=42_000)
    parser.add_argument("--pg", help="a PostgreSQL URL: run on a fresh schema there")
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--keep", type=Path, help="keep the generated file and database here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from gen_org import write
    from tests import server

    from leadline.config import Settings, normalise_database_url
    from leadline.services.apikeys import create
    from leadline.services.database import open_database

    work = args.keep or Path(tempfile.mkdtemp(prefix="leadline-mixed-"))
    work.mkdir(parents=True, exist_ok=True)
    records = work / f"org-{args.tickets}.ndjson"
    if not records.exists():
        with records.open("wb") as out:
            write(args.tickets, out)
    schema = None
    if args.pg:
        base = normalise_database_url(args.pg)
        schema = f"mixed_{uuid.uuid4().hex[:12]}"
        with create_engine(base).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        db_url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    else:
        for old in work.glob("mixed.db*"):
            old.unlink()  # a fresh database each run (PR numbers and delivery ids repeat)
        db_url = f"sqlite:///{work / 'mixed.db'}"
    engine = open_database(Settings(database_url=db_url))
    key = create(engine, "mixed", "read")
    running = server.start(
        db_url, env={"LEADLINE_GITHUB_WEBHOOK_SECRET": SECRET, "LEADLINE_READ_WAIT": "0.5"}
    )
    try:
        admin = create(engine, "mixed-admin", "admin")
        import yaml

        body = yaml.safe_load(PROFILE.read_text())
        httpx.put(f"{running.url}/v1/profiles/{body['name']}", json=body,
                  headers={"Authorization": f"Apikey {admin}"}).raise_for_status()  # fmt: skip
        lines = sum(1 for _ in records.open("rb"))
        backend = "PostgreSQL" if args.pg else "SQLite"
        print(f"{records.name}: {lines:,} records, {backend}, {os.cpu_count()} CPUs", flush=True)
        report = run(running.url, db_url, records, key, body["name"], args.senders)
    finally:
        running.stop()
    for line in report.lines():
        print(line)
    raw, prs = stored_numbers(engine)
    lost = [n for n in report.acked if f"mixed-{n}" not in raw or n not in prs]
    print(f"lost         {len(lost)} of {len(report.acked)} acknowledged deliveries")
    errors = sum(n for s, n in report.health.statuses.items() if s >= 500 or s == 0)
    errors += sum(n for t in report.reads.values() for s, n in t.statuses.items() if s >= 500)
    print(f"5xx answers  {errors}")
    if schema:
        with create_engine(normalise_database_url(args.pg)).begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    print("median of healthz", f"{statistics.median(report.health.latencies) * 1000:.1f} ms")


if __name__ == "__main__":
    main()

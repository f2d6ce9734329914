"""Fuzz a real `leadline serve` over a socket: mutated webhook deliveries of every source,
sent concurrently, interleaved with good ones, for a while; then check what came back and
what the server logged.

    PYTHONPATH=src:. python bench/webhook_fuzz.py [--minutes 3] [--connections 16]
                                                  [--source all] [--pg URL] [--seed 1]

Starts `leadline serve` on 127.0.0.1 with a fresh database (a SQLite file, or a fresh schema
with --pg) and every source's secret, like ``bench/webhooks.py``, then each connection sends,
over keep-alive, a mutated delivery (``tests/api/webhook_fuzz.py``: every fixture the source's
tests use, changed structurally, signed as the tool signs) and every fourth time a good one
(``bench/webhook_sources.py``). Prints the answers per source and status, the distinct 422
reasons (their path and problem, values cut), and fails (exit 1) on any 5xx, a connection the
server dropped, an answer slower than ``--stall`` seconds, a good delivery not stored, a raw
event count that differs from the deliveries the server acknowledged, or a traceback or
ERROR in the server's log.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import itertools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import httpx
import yaml
from sqlalchemy import create_engine, func, select
from tests.api.webhook_fuzz import (
    CORPUS,
    FIXTURES,
    encode,
    environment,
    event,
    mutate,
    request,
)
from webhook_sources import BY_NAME
from webhooks import _stop, free_port, pg_databases, sqlite_databases

from leadline.config import Settings
from leadline.services.apikeys import create
from leadline.services.database import open_database
from leadline.store.tables import raw_events

T = TypeVar("T")
ROOT = Path(__file__).parents[1]
KEEP_ALIVE = 4.5  # uvicorn's keep-alive timeout is 5 s


class Random:
    """``webhook_fuzz.Chooser`` on ``random.Random``."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def pick(self, options: Sequence[T]) -> T:
        return self.random.choice(options)

    def integer(self, low: int, high: int) -> int:
        return self.random.randint(low, high)


def good(source: str, i: int, apikey: str) -> tuple[str, dict[str, str], bytes]:
    if source == "custom-cicd":
        payload = json.loads((FIXTURES / "custom_cicd" / "seed-example.json").read_text())
        payload["execution_id"] = f"live-good-{i}"
        body = json.dumps(payload).encode()
        path, headers = request(source, None, body)
        return path, {**headers, "Authorization": f"Apikey {apikey}"}, body
    bench = BY_NAME[source]
    payload = json.loads(bench.fixture.read_text())
    bench.mutate(payload, i)
    body = json.dumps(payload).encode()
    return bench.path, {"Content-Type": "application/json", **bench.auth(body, payload, i)}, body


def wire(path: str, headers: dict[str, str], body: bytes, port: int) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}",
             *(f"{k}: {v}" for k, v in headers.items()),
             f"Content-Length: {len(body)}"]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Tally:
    def __init__(self) -> None:
        self.codes: Counter[tuple[str, int]] = Counter()
        self.reasons: Counter[str] = Counter()
        self.problems: list[str] = []
        self.acknowledged = 0  # answers that store a raw event
        self.sent = 0
        self.good = 0
        self.reconnects = 0
        self.reports: Counter[int] = Counter()


_VALUE = re.compile(r"(got|the string|the number) .*$")


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    data: bytes) -> tuple[int, bytes]:  # fmt: skip
    writer.write(data)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return int(head.split(b" ", 2)[1]), await reader.readexactly(length)


async def _connection(n: int, port: int, sources: list[str], apikey: str, until: float,
                      stall: float, seed: int, tally: Tally) -> None:  # fmt: skip
    choose = Random(seed * 1000 + n)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    last = time.monotonic()
    i = 0
    try:
        while time.monotonic() < until:
            i += 1
            source = choose.pick(sources)
            is_good = i % 4 == 0
            if is_good:
                path, headers, body = good(source, n * 10_000_000 + i, apikey)
            else:
                case = choose.pick(CORPUS[source])
                body = encode(choose, mutate(choose, copy.deepcopy(case.payload)))
                path, headers = request(source, event(choose, case), body)
                if source == "custom-cicd":
                    headers["Authorization"] = f"Apikey {apikey}"
            tally.sent += 1
            data = wire(path, headers, body, port)
            try:
                status, answer = await asyncio.wait_for(_exchange(reader, writer, data), stall)
            except TimeoutError:
                tally.problems.append(f"{source}: no answer within {stall} s")
                return
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                # uvicorn closes a keep-alive connection idle for 5 s (this busy client may
                # leave one idle that long): then the request is sent again on a new one.
                if time.monotonic() - last < KEEP_ALIVE:
                    tally.problems.append(f"{source}: connection dropped ({exc!r})")
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                tally.reconnects += 1
                status, answer = await asyncio.wait_for(_exchange(reader, writer, data), stall)
            last = time.monotonic()
            tally.codes[(source, status)] += 1
            _judge(tally, source, is_good, status, answer, body)
    finally:
        writer.close()


def _judge(tally: Tally, source: str, is_good: bool, status: int, answer: bytes,
           body: bytes) -> None:  # fmt: skip
    try:
        decoded = json.loads(answer)
    except ValueError:
        tally.problems.append(f"{source}: {status} answer is not JSON: {answer[:200]!r}")
        return
    if status >= 500:
        tally.problems.append(f"{source}: {status} {answer[:300]!r} for {body[:300]!r}")
    if is_good:
        tally.good += 1
        if status != 202:
            tally.problems.append(f"{source}: good delivery answered {status} {answer[:300]!r}")
    if status == 422 or (status in (200, 202) and decoded.get("status") != "duplicate"):
        tally.acknowledged += 1
    if status == 422:
        reason = decoded["error"]["message"].removeprefix("payload not understood: ")
        short = _VALUE.sub(r"\1 …", reason)[:140]
        tally.reasons[f"{source}: {short}"] += 1
        if reason.startswith("records could not be stored") or ": " not in reason:
            tally.problems.append(f"{source}: 422 without a path: {reason[:300]}")


PROFILES = sorted((ROOT / "examples" / "profiles").glob("*.*"))
WINDOWS: tuple[dict[str, str], ...] = (
    {}, {"from": "2000-01-01", "to": "2030-01-01"}, {"from": "2019-01-01", "to": "2019-12-31"},
)  # fmt: skip


def put_profiles(port: int, admin: str) -> list[str]:
    """The example profiles, stored before the run: the server builds them while it is fuzzed."""
    names = []
    for path in PROFILES:
        data = yaml.safe_load(path.read_text())
        response = httpx.put(f"http://127.0.0.1:{port}/v1/profiles/{data['name']}", json=data,
                             headers={"Authorization": f"Apikey {admin}"}, timeout=60)  # fmt: skip
        if response.status_code not in (200, 201):
            raise SystemExit(f"{path.name}: {response.status_code} {response.text}")
        names.append(data["name"])
    return names


def read_reports(port: int, read: str, profiles: list[str], stall: float, tally: Tally) -> None:
    """Every report of every profile, over a few windows, on the fuzzed data: 200 (after 202
    "building"), never a 5xx — a stored record must not break a report."""
    headers = {"Authorization": f"Apikey {read}"}
    urls = [f"/v1/{what}" for what in ("metrics/lead-time", "metrics/dora", "quality")]
    for profile, url, window in itertools.product(profiles, urls, WINDOWS):
        params = {"profile": profile, **window}
        deadline = time.monotonic() + stall * 4
        while True:
            response = httpx.get(f"http://127.0.0.1:{port}{url}", params=params,
                                 headers=headers, timeout=stall)  # fmt: skip
            if response.status_code != 202 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        tally.reports[response.status_code] += 1
        if response.status_code != 200:
            tally.problems.append(f"{url} {params}: {response.status_code} {response.text[:500]}")
    prometheus = httpx.get(f"http://127.0.0.1:{port}/metrics", headers=headers, timeout=stall)
    tally.reports[prometheus.status_code] += 1
    if prometheus.status_code != 200:
        tally.problems.append(f"/metrics: {prometheus.status_code} {prometheus.text[:500]}")


def run(db: str, seconds: float, connections: int, sources: list[str], stall: float,
        seed: int, log: Path) -> Tally:  # fmt: skip
    engine = open_database(Settings(database_url=db))
    apikey, admin, read = (create(engine, f"fuzz-{s}", s) for s in ("ingest", "admin", "read"))
    engine.dispose()
    port = free_port()
    env = {**os.environ, **environment()}
    cmd = [sys.executable, "-m", "leadline", "--db", db, "serve", "--port", str(port)]
    with log.open("wb") as out:
        server = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"leadline serve did not start: {log.read_text()[-2000:]}")
        tally = Tally()
        profiles = put_profiles(port, admin)
        until = time.monotonic() + seconds
        asyncio.run(_drive(port, sources, apikey, until, stall, seed, connections, tally))
        read_reports(port, read, profiles, stall, tally)
        if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=stall).status_code != 200:
            tally.problems.append("the server is not healthy after the run")
    finally:
        _stop(server)
    engine = create_engine(db)
    with engine.connect() as conn:
        raw = conn.execute(select(func.count()).select_from(raw_events)).scalar_one()
    engine.dispose()
    if raw != tally.acknowledged:
        tally.problems.append(f"{raw} raw events stored, {tally.acknowledged} acknowledged")
    text = log.read_text(errors="replace")
    for word in ("Traceback", "ERROR", "Exception"):
        if word in text:
            at = text.index(word)
            tally.problems.append(f"server log has {word}: {text[max(0, at - 300) : at + 1500]}")
    return tally


async def _drive(port: int, sources: list[str], apikey: str, until: float, stall: float,
                 seed: int, connections: int, tally: Tally) -> None:  # fmt: skip
    await asyncio.gather(*(_connection(n, port, sources, apikey, until, stall, seed, tally)
                           for n in range(connections)))  # fmt: skip


def report(label: str, tally: Tally, seconds: float) -> None:
    print(f"\n{label}: {tally.sent} deliveries in {seconds / 60:.1f} min "
          f"({tally.good} good), {tally.acknowledged} acknowledged, "
          f"{tally.reconnects} reconnections after an idle keep-alive\n")  # fmt: skip
    statuses = sorted({status for _, status in tally.codes})
    print("| source | " + " | ".join(map(str, statuses)) + " |")
    print("|---|" + "---:|" * len(statuses))
    for source in sorted({s for s, _ in tally.codes}):
        counts = " | ".join(str(tally.codes[(source, s)]) for s in statuses)
        print(f"| {source} | {counts} |")
    print(f"\nreports read afterwards: {dict(tally.reports)}")
    print(f"\n{len(tally.reasons)} distinct 422 reasons; the most frequent:")
    for reason, n in tally.reasons.most_common(40):
        print(f"  {n:6} {reason}")
    for problem in tally.problems[:50]:
        print("PROBLEM", problem[:3000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--source", default="all")
    parser.add_argument("--pg", metavar="URL", help="run on this PostgreSQL server instead")
    parser.add_argument("--stall", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reasons", type=Path, help="write every distinct 422 reason here")
    args = parser.parse_args()
    sources = sorted(CORPUS) if args.source == "all" else args.source.split(",")
    databases = pg_databases(args.pg) if args.pg else sqlite_databases()
    with databases as dbs, tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        tally = run(next(dbs), args.minutes * 60, args.connections, sources, args.stall,
                    args.seed, log)  # fmt: skip
    report("postgresql" if args.pg else "sqlite", tally, args.minutes * 60)
    if args.reasons:
        args.reasons.write_text("".join(f"{n:6} {r}\n" for r, n in tally.reasons.most_common()))
    if tally.problems:
        raise SystemExit(f"{len(tally.problems)} problems")


if __name__ == "__main__":
    main()

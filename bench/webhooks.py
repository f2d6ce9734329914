"""Signed GitHub deliveries per second sustained by a real `leadline serve` (a real socket).

    python bench/webhooks.py [N] [--connections 32] [--pg URL] [--no-access-log]

Starts `leadline serve` on 127.0.0.1 with a fresh database (a SQLite file, or a fresh schema
on PostgreSQL with --pg), sends N signed `pull_request` deliveries (each a distinct PR, made
from the real fixture) over C concurrent keep-alive connections, then checks that every
acknowledged delivery is stored, raw and as a pull request: nothing lost.

The load generator is a lean asyncio client writing pre-built requests (signature computed
up front), like `wrk`: on a 2-core machine a heavy client would steal the server's CPU and
measure itself.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

from leadline.store.tables import pull_requests, raw_events

FIXTURE = (
    Path(__file__).parents[1] / "tests/fixtures/github/derived/pull_request.closed.merged.json"
)
SECRET = "bench-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def requests(n: int, port: int) -> list[bytes]:
    """N complete HTTP/1.1 requests, each a signed delivery of a distinct pull request."""
    base = json.loads(FIXTURE.read_text())
    out = []
    for i in range(n):
        payload = copy.deepcopy(base)
        payload["number"] = payload["pull_request"]["number"] = 1000 + i
        body = json.dumps(payload).encode()
        sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        head = (
            f"POST /v1/webhooks/github HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: d-{i}\r\n"
            f"X-Hub-Signature-256: {sig}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out


async def _connection(port: int, work: list[bytes], next_i: list[int], codes: list[int],
                      latencies: list[float]) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while next_i[0] < len(work):
            i = next_i[0]
            next_i[0] += 1
            started = time.perf_counter()
            writer.write(work[i])
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            codes[i] = int(head.split(b" ", 2)[1])
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def _drive(port: int, work: list[bytes], connections: int) -> tuple[list[int], list[float]]:
    codes = [0] * len(work)
    latencies: list[float] = []
    next_i = [0]
    await asyncio.gather(
        *(_connection(port, work, next_i, codes, latencies) for _ in range(connections))
    )
    return codes, latencies


def _start(db: str, port: int, access_log: bool, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LEADLINE_GITHUB_WEBHOOK_SECRET": SECRET}
    cmd = [sys.executable, "-m", "leadline", "--db", db, "serve", "--port", str(port),
           "--workers", str(workers)]  # fmt: skip
    if not access_log:
        cmd.append("--no-access-log")
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("leadline serve did not start")


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(db: str, label: str, n: int, connections: int, access_log: bool, workers: int = 1) -> None:
    port = free_port()
    work = requests(n, port)
    server = _start(db, port, access_log, workers)
    try:
        cpu0, client0 = _cpu(server.pid), time.process_time()
        started = time.perf_counter()
        codes, latencies = asyncio.run(_drive(port, work, connections))
        seconds = time.perf_counter() - started
        server_cpu, client_cpu = _cpu(server.pid) - cpu0, time.process_time() - client0
    finally:
        server.terminate()
        server.wait(timeout=60)
    engine = create_engine(db)
    with engine.connect() as conn:
        raw = conn.execute(select(func.count()).select_from(raw_events)).scalar_one()
        prs = conn.execute(select(func.count()).select_from(pull_requests)).scalar_one()
    engine.dispose()
    acked = sum(1 for c in codes if c in (200, 202))
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
    print(f"{label:<10} {n} signed deliveries, {connections} connections: {seconds:.1f} s, "
          f"{n / seconds:,.0f} deliveries/s (latency p50 {p50 * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms); acknowledged {acked}, stored raw {raw}, "
          f"pull requests {prs}; lost {acked - min(raw, prs)}")  # fmt: skip
    print(f"{'':<10} CPU per delivery: server {server_cpu / n * 1e6:,.0f} µs, "
          f"load generator {client_cpu / n * 1e6:,.0f} µs")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=5000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--pg", metavar="URL", help="also run on this PostgreSQL database")
    parser.add_argument("--no-access-log", dest="access_log", action="store_false")
    parser.add_argument("--workers", type=int, default=1, help="leadline serve --workers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.db", "sqlite", args.n, args.connections, args.access_log,
            args.workers)  # fmt: skip
    if args.pg:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in args.pg else "?"
        url = f"{args.pg}{sep}options=-csearch_path%3D{schema}"
        try:
            run(url, "postgresql", args.n, args.connections, args.access_log, args.workers)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()

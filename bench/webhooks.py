"""Signed GitHub deliveries per second sustained by a real `leadline serve` (a real socket).

    python bench/webhooks.py [N] [--threads 8] [--pg URL]

Starts `leadline serve` on 127.0.0.1 with a fresh database, sends N signed `pull_request`
deliveries (each a distinct PR, from the real fixture) from a thread pool over keep-alive
connections, then checks that every acknowledged delivery is stored: nothing lost.
"""

from __future__ import annotations

import argparse
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

from leadline.store.tables import pull_requests, raw_events

FIXTURE = (
    Path(__file__).parents[1] / "tests/fixtures/github/derived/pull_request.closed.merged.json"
)
SECRET = "bench-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bodies(n: int) -> list[bytes]:
    base = json.loads(FIXTURE.read_text())
    out = []
    for i in range(n):
        payload = copy.deepcopy(base)
        payload["number"] = payload["pull_request"]["number"] = 1000 + i
        out.append(json.dumps(payload).encode())
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=3000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.db"
        port = free_port()
        env = {**os.environ, "LEADLINE_GITHUB_WEBHOOK_SECRET": SECRET}
        server = subprocess.Popen(
            [sys.executable, "-m", "leadline", "--db", db, "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            payloads = bodies(args.n)
            clients = [httpx.Client(base_url=url, timeout=30) for _ in range(args.threads)]

            def send(i: int) -> int:
                body = payloads[i]
                sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                headers = {
                    "X-GitHub-Event": "pull_request",
                    "X-GitHub-Delivery": f"d-{i}",
                    "X-Hub-Signature-256": sig,
                    "Content-Type": "application/json",
                }
                return clients[i % args.threads].post("/v1/webhooks/github", content=body,
                                                      headers=headers).status_code  # fmt: skip

            started = time.perf_counter()
            with ThreadPoolExecutor(args.threads) as pool:
                codes = list(pool.map(send, range(args.n)))
            seconds = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
        engine = create_engine(db)
        with engine.connect() as conn:
            raw = conn.execute(select(func.count()).select_from(raw_events)).scalar_one()
            prs = conn.execute(select(func.count()).select_from(pull_requests)).scalar_one()
        acked = sum(1 for c in codes if c in (200, 202))
        print(f"sqlite  {args.n} signed deliveries, {args.threads} threads: {seconds:.1f} s, "
              f"{args.n / seconds:,.0f} deliveries/s; acknowledged {acked}, stored raw {raw}, "
              f"pull requests {prs}; lost {acked - raw}")  # fmt: skip


if __name__ == "__main__":
    main()

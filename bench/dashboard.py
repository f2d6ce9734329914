"""How fast the dashboard's pages answer on the demo organisation, through a real server.

    python bench/dashboard.py [--requests 20] [--pg URL] [--anchor DATE]

Loads the demo (`leadline demo`: four teams, six months) into a fresh database (a SQLite file,
or a fresh schema on PostgreSQL with --pg), starts `leadline serve` on 127.0.0.1, and requests
each dashboard page with its default window (the 90 days ending today): once cold (the
server's first request for that page) and then --requests times warm; prints the cold time,
the median and the slowest warm time, and the page's size. The target is a warm median under
300 ms per page (docs/dashboard.md).
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import create_engine, text

TARGET_MS = 300.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def leadline(db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "leadline", "--db", db, *args]


def pages(client: httpx.Client) -> list[tuple[str, str]]:
    """(label, path) of every kind of page, the change page for a real change of Acme."""
    changes = client.get("/c/Acme/changes").text
    found = re.search(r'href="(/c/Acme/changes/[^"?]+)', changes)
    assert found, "the demo's Acme has no change in the default window"
    team = quote("Payments")
    return [
        ("index", "/"),
        ("overview Acme (week)", "/c/Acme"),
        ("overview Acme (day)", "/c/Acme?interval=day"),
        ("overview Payments", f"/c/{team}"),
        ("overview profile", "/p/" + quote("PR to production")),
        ("deployments Acme", "/c/Acme/deployments"),
        ("failures Acme", "/c/Acme/failures"),
        ("incidents Acme", "/c/Acme/incidents"),
        ("changes Acme", "/c/Acme/changes"),
        ("one change", found.group(1)),
    ]


def timed(client: httpx.Client, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return elapsed, len(response.content)


def run(db: str, n: int, anchor: str | None) -> None:
    demo = leadline(db, "demo") + (["--anchor", anchor] if anchor else [])
    started = time.perf_counter()
    subprocess.run(demo, check=True, stdout=subprocess.DEVNULL)
    print(f"demo loaded in {time.perf_counter() - started:.1f} s")
    port = free_port()
    server = subprocess.Popen(
        leadline(db, "serve", "--port", str(port), "--no-access-log"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for _ in range(200):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            # Cold: each page's first request in this server process (the change page's key
            # comes from a first look at the changes list, which is then not cold any more).
            targets = pages(client)
            print(f"\n{'page':<24} {'cold ms':>8} {'warm median':>12} {'warm max':>9} {'KiB':>6}")
            worst = 0.0
            for label, path in targets:
                cold, size = timed(client, path)
                warm = [timed(client, path)[0] for _ in range(n)]
                median = statistics.median(warm)
                worst = max(worst, median)
                flag = "" if median < TARGET_MS else "  > target"
                print(f"{label:<24} {cold:>8.0f} {median:>12.1f} {max(warm):>9.1f} "
                      f"{size / 1024:>6.1f}{flag}")  # fmt: skip
            verdict = "under" if worst < TARGET_MS else "OVER"
            print(f"\nslowest warm median {worst:.1f} ms: {verdict} the {TARGET_MS:.0f} ms target "
                  f"({n} warm requests a page)")  # fmt: skip
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="warm requests per page")
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL server (a fresh schema)")
    parser.add_argument("--anchor", metavar="DATE", help="the demo's end (default: today)")
    args = parser.parse_args()
    if not args.pg:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.requests, args.anchor)
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(args.pg)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in args.pg else "?"
        run(f"{args.pg}{sep}options=-csearch_path%3D{schema}", args.requests, args.anchor)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()

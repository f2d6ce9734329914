"""Authenticated webhook deliveries per second sustained by a real `leadline serve` (a real
socket), per source.

    python bench/webhooks.py [N] [--source github,azure-devops,…|all] [--connections 32]
                             [--pg URL] [--no-access-log] [--workers 1]

For each source (default ``github``; the list is ``bench/webhook_sources.py``), starts
`leadline serve` on 127.0.0.1 with a fresh database (a SQLite file, or a fresh schema on
PostgreSQL with --pg) and every source's secret in its environment, sends N deliveries (each a
new record and a new delivery id, made from the source's real fixture and authenticated as
the tool does) over C concurrent keep-alive connections, then checks that every acknowledged
delivery is stored, raw and in the source's record table: nothing lost. Prints one row per
source, with its throughput as a ratio of GitHub's in the same run when github is among the
sources. Exits 1 when a delivery was lost or refused.

The load generator is a lean asyncio client writing pre-built requests (signature computed
up front), like `wrk`: on a 2-core machine a heavy client would steal the server's CPU and
measure itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text
from webhook_sources import Source, deliveries, environment, parse_names, wire

from leadline.store.tables import raw_events


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
    env = {**os.environ, **environment()}
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


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and wait for its children (the refresher) to end too: uvicorn re-raises
    the SIGTERM it handled, so the server dies before stopping its refresher, which ends by
    itself about a second later; until then it can open the database, and would re-create a
    removed SQLite file."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    server.terminate()
    server.wait(timeout=60)
    deadline = time.monotonic() + 30
    for pid in map(int, children):
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _running(pid):
            os.kill(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and has not exited (a zombie has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Row:
    """One source's run: N deliveries in ``seconds``; what was answered and what was stored."""

    source: str
    n: int
    seconds: float
    p50: float
    p99: float
    server_cpu: float
    client_cpu: float
    acknowledged: int  # 200 or 202
    refused: int  # any other answer
    raw: int
    records: int

    @property
    def rate(self) -> float:
        return self.n / self.seconds

    @property
    def lost(self) -> int:
        return self.acknowledged - min(self.raw, self.records)


def run(db: str, source: Source, n: int, connections: int, access_log: bool,
        workers: int) -> Row:  # fmt: skip
    """N deliveries of ``source`` to a new server on the empty database ``db``."""
    port = free_port()
    work = [wire(delivery, port) for delivery in deliveries(source, n)]
    server = _start(db, port, access_log, workers)
    try:
        cpu0, client0 = _cpu(server.pid), time.process_time()
        started = time.perf_counter()
        codes, latencies = asyncio.run(_drive(port, work, connections))
        seconds = time.perf_counter() - started
        server_cpu, client_cpu = _cpu(server.pid) - cpu0, time.process_time() - client0
    finally:
        _stop(server)
    engine = create_engine(db)
    with engine.connect() as conn:
        raw = conn.execute(select(func.count()).select_from(raw_events)
                           .where(raw_events.c.source == source.name)).scalar_one()  # fmt: skip
        records = conn.execute(select(func.count()).select_from(source.record)).scalar_one()
    engine.dispose()
    acked = sum(1 for c in codes if c in (200, 202))
    latencies.sort()
    return Row(source.name, n, seconds, latencies[len(latencies) // 2],
               latencies[int(len(latencies) * 0.99)], server_cpu, client_cpu, acked,
               n - acked, raw, records)  # fmt: skip


HEAD = ("| source | deliveries/s | vs github | p50 / p99 latency | server CPU per delivery "
        "| load generator CPU per delivery | acknowledged | refused | stored raw | records "
        "| lost |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")  # fmt: skip


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table; ``vs github`` is the ratio of throughputs in this run
    (``—`` when github did not run)."""
    github = next((row.rate for row in rows if row.source == "github"), None)
    lines = [HEAD]
    for r in rows:
        ratio = f"{r.rate / github:.0%}" if github else "—"
        lines.append(
            f"| {r.source} | {r.rate:,.0f} | {ratio} | {r.p50 * 1000:.0f} / "
            f"{r.p99 * 1000:.0f} ms | {r.server_cpu / r.n * 1e6:,.0f} µs | "
            f"{r.client_cpu / r.n * 1e6:,.0f} µs | {r.acknowledged} | {r.refused} | {r.raw} | "
            f"{r.records} | {r.lost} |"
        )
    return "\n".join(lines)


@contextmanager
def sqlite_databases() -> Iterator[Iterator[str]]:
    """A new SQLite file per source, in a directory removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        yield (f"sqlite:///{tmp}/bench-{i}.db" for i in range(1_000_000))


@contextmanager
def pg_databases(url: str) -> Iterator[Iterator[str]]:
    """A new schema per source on the PostgreSQL server at ``url``, all dropped afterwards."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    schemas: list[str] = []

    def fresh() -> Iterator[str]:
        sep = "&" if "?" in url else "?"
        while True:
            schemas.append(f"bench_{uuid.uuid4().hex[:8]}")
            with admin.connect() as conn:
                conn.execute(text(f"CREATE SCHEMA {schemas[-1]}"))
            yield f"{url}{sep}options=-csearch_path%3D{schemas[-1]}"

    try:
        yield fresh()
    finally:
        with admin.connect() as conn:
            for schema in schemas:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def bench(label: str, databases: Iterator[str], sources: list[Source],
          args: argparse.Namespace) -> list[Row]:  # fmt: skip
    rows = [run(next(databases), source, args.n, args.connections, args.access_log,
                args.workers) for source in sources]  # fmt: skip
    log = "on" if args.access_log else "off"
    print(f"\n{label}: {args.n} deliveries per source, {args.connections} connections, "
          f"access log {log}, {args.workers} worker(s)\n")  # fmt: skip
    print(table(rows))
    return rows


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {n}")
    return n


def _sources(value: str) -> list[Source]:
    try:
        return parse_names(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=_positive, nargs="?", default=5000)
    parser.add_argument("--source", type=_sources, default="github",
                        help="comma-separated sources, or all (default: github)")  # fmt: skip
    parser.add_argument("--connections", type=_positive, default=32)
    parser.add_argument("--pg", metavar="URL", help="also run on this PostgreSQL database")
    parser.add_argument("--no-access-log", dest="access_log", action="store_false")
    parser.add_argument("--workers", type=_positive, default=1, help="leadline serve --workers")
    args = parser.parse_args()
    with sqlite_databases() as databases:
        rows = bench("sqlite", databases, args.source, args)
    if args.pg:
        with pg_databases(args.pg) as databases:
            rows += bench("postgresql", databases, args.source, args)
    bad = [f"{r.source}: {r.lost} lost, {r.refused} refused" for r in rows
           if r.lost or r.refused]  # fmt: skip
    if bad:
        raise SystemExit("not every delivery was stored: " + "; ".join(bad))


if __name__ == "__main__":
    main()

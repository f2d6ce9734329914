"""The scale benchmark: import, lead time, DORA, webhooks, start-up and memory at each size.

    python bench/run.py [--size 10k,100k,1m] [--pg URL [--pg-sizes 10k,100k]] [--no-webhooks]
                        [--keep DIR]

For each size (tickets) it generates an organisation (``bench/gen_org.py``), measures the
**floor** on the same file (``bench/floor.py``: ``json.loads`` of every line and one
``executemany`` of the raw lines into a one-table SQLite file), then runs the real CLI, each
command in its own child process under ``/usr/bin/time`` (its own peak RSS):

- ``leadline import`` on a fresh SQLite file (and a fresh PostgreSQL schema with ``--pg``);
- ``lead-time`` with the nine-stage profile ``bench/org-profile.yaml`` over 2024: the first
  call (cold: it builds every change's timeline), then ``--stat mean`` and ``--stat p90``
  again (warm: timelines are current);
- ``dora`` over 2024: cold (first call: records what each deployment shipped) and warm.

Every time is also shown as a ratio to the floor's time on the same data. Before measuring,
the bench checks its answers on an exact case computed by hand (``tests/fixtures/
dora_quarter``: 5 deployments, 2 failures, lead time mean 3 days and p90 4.6 days).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).parent))
from floor import floor
from gen_org import write

HERE = Path(__file__).parent
ROOT = HERE.parent
PROFILE = HERE / "org-profile.yaml"
YEAR = ("--from", "2024-01-01", "--to", "2025-01-01")
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
QUARTER = ROOT / "tests/fixtures/dora_quarter"


@dataclass
class Run:
    seconds: float
    peak_mb: float
    out: str


def leadline(db: str, *args: str, timeout: float | None = None) -> Run:
    """Run the CLI in a child under ``/usr/bin/time``; its wall time and own peak RSS."""
    started = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "leadline", "--db", db, *args],
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"leadline {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    peak = int(proc.stderr.strip().splitlines()[-1]) / 1024
    return Run(seconds, peak, proc.stdout)


def check_exact(tmp: Path) -> None:
    """The bench's answers on a case computed by hand (see tests/cli/test_dora.py)."""
    db = f"sqlite:///{tmp}/exact.db"
    leadline(db, "import", "--no-progress", str(QUARTER / "records.ndjson"))
    window = ("--from", "2024-01-01", "--to", "2024-04-01", "--format", "json")
    profile = str(QUARTER / "cd-failures.yaml")
    dora = json.loads(leadline(db, "dora", "--profile", profile, *window).out)
    mean = json.loads(leadline(db, "lead-time", "--profile", profile, *window).out)
    p90 = json.loads(leadline(db, "lead-time", "--profile", profile, "--stat", "p90", *window).out)
    got = (
        dora["deployment_frequency"]["deployments"],
        dora["change_failure_rate"]["failures"],
        mean["total_seconds"],
        p90["total_seconds"],
    )
    want = (5, 2, 259200.0, 397440.0)  # 3 days; 1 d + 0.9 × (5 d − 1 d) = 4.6 days
    if got != want:
        raise SystemExit(f"exact case: got {got}, want {want}")
    print(
        f"exact case ok: {want[0]} deployments, {want[1]} failures, lead time mean 3 d, p90 4.6 d"
    )


@dataclass
class Row:
    size: str
    records: int = 0
    cells: dict[str, str] = field(default_factory=dict)
    # Each figure's cost in seconds (or MB), for the growth column: cost per record at the
    # largest size over cost per record at the smallest.
    costs: dict[str, float] = field(default_factory=dict)


def fmt_s(seconds: float, floor_s: float) -> str:
    return f"{seconds:.2f} s ({seconds / floor_s:.1f}×)"


def bench_backend(label: str, db: str, path: Path, row: Row, floor_s: float) -> None:
    records = row.records

    def put(name: str, seconds: float) -> None:
        row.cells[name] = fmt_s(seconds, floor_s)
        row.costs[name] = seconds

    imp = leadline(db, "import", "--no-progress", str(path))
    row.cells[f"import {label}"] = f"{records / imp.seconds:,.0f}/s ({imp.seconds / floor_s:.1f}×)"
    row.costs[f"import {label}"] = imp.seconds
    lt = ("lead-time", "--profile", str(PROFILE), *YEAR, "--format", "json")
    cold = leadline(db, *lt)
    warm_mean = [leadline(db, *lt) for _ in range(3)]
    warm_p90 = [leadline(db, *lt, "--stat", "p90") for _ in range(3)]
    answer = json.loads(warm_p90[0].out)
    put(f"lead-time cold {label}", cold.seconds)
    put(f"lead-time mean warm {label}", _median(warm_mean))
    put(f"lead-time p90 warm {label}", _median(warm_p90))
    dora_args = ("dora", "--profile", str(PROFILE), *YEAR, "--format", "json")
    dcold = leadline(db, *dora_args)
    dwarm = [leadline(db, *dora_args) for _ in range(3)]
    d = json.loads(dwarm[0].out)
    put(f"dora cold {label}", dcold.seconds)
    put(f"dora warm {label}", _median(dwarm))
    peaks = {
        "import": imp.peak_mb,
        "lead-time cold": cold.peak_mb,
        "queries warm": max(r.peak_mb for r in [*warm_mean, *warm_p90, dcold, *dwarm]),
    }
    for what, mb in peaks.items():
        row.cells[f"peak RSS {what} {label}"] = f"{mb:,.0f} MB"
        row.costs[f"peak RSS {what} {label}"] = mb
    print(
        f"  {label}: {answer['changes']:,} changes done in 2024 (p90 total "
        f"{answer['total_seconds'] / 86400:.1f} d); "
        f"{d['deployment_frequency']['deployments']:,} deployments, "
        f"CFR {d['change_failure_rate']['rate']}",
        flush=True,
    )


def _median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def startup() -> float:
    times = []
    for _ in range(7):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "leadline", "--help"], capture_output=True, check=True
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def webhooks(pg: str | None) -> str:
    args = [sys.executable, str(HERE / "webhooks.py"), "5000", "--no-access-log"]
    if pg:
        args += ["--pg", pg]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return out.strip()


def pg_schema(pg: str) -> tuple[str, str]:
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(pg)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return schema, f"{pg}?options=-csearch_path%3D{schema}"


def drop_schema(pg: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(pg)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="10k,100k", help="comma-separated: 1k, 10k, 100k, 1m")
    parser.add_argument("--pg", metavar="URL", help="also measure PostgreSQL at this URL")
    parser.add_argument(
        "--pg-sizes", metavar="SIZES", help="only these sizes on PostgreSQL (default: every size)"
    )
    parser.add_argument("--no-webhooks", dest="webhooks", action="store_false")
    parser.add_argument("--keep", type=Path, help="keep generated files and databases here")
    args = parser.parse_args()
    sizes = [s.strip().lower() for s in args.size.split(",")]
    pg_sizes = (
        sizes if args.pg_sizes is None else [s.strip().lower() for s in args.pg_sizes.split(",")]
    )
    for size in {*sizes, *pg_sizes}:
        if size not in SIZES:
            parser.error(f"--size: unknown size {size!r} (one of {', '.join(SIZES)})")
    print(
        f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmpname:
        tmp = args.keep or Path(tmpname)
        tmp.mkdir(parents=True, exist_ok=True)
        check_exact(tmp)
        rows: list[Row] = []
        for size in sizes:
            tickets = SIZES[size]
            path = tmp / f"org-{size}.ndjson"
            started = time.perf_counter()
            if args.keep and path.exists():  # the generator is deterministic: reuse its file
                with path.open("rb") as f:
                    records = sum(1 for line in f if line.strip())
                how = "kept from an earlier run"
            else:
                with path.open("wb") as f:
                    records = write(tickets, f)
                how = f"generated in {time.perf_counter() - started:.1f} s"
            mb = path.stat().st_size / 1e6
            print(
                f"{size}: {tickets:,} tickets → {records:,} records, {mb:,.0f} MB ({how})",
                flush=True,
            )
            floors = [floor(path)[1] for _ in range(1 if tickets >= 1_000_000 else 3)]
            floor_s = statistics.median(floors)
            row = Row(size, records)
            row.cells["records"] = f"{records:,}"
            row.cells["floor"] = f"{records / floor_s:,.0f}/s ({floor_s:.2f} s)"
            row.costs["floor"] = floor_s
            sqlite_db = tmp / f"bench-{size}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_db}{suffix}").unlink(missing_ok=True)
            bench_backend("SQLite", f"sqlite:///{sqlite_db}", path, row, floor_s)
            if args.pg and size in pg_sizes:
                schema, url = pg_schema(args.pg)
                try:
                    bench_backend("PostgreSQL", url, path, row, floor_s)
                finally:
                    drop_schema(args.pg, schema)
            rows.append(row)
            print_table(rows, file=sys.stderr)  # so far: survives an interrupted run
            if not args.keep:
                path.unlink()
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{sqlite_db}{suffix}").unlink(missing_ok=True)
        start = startup()
        hooks = webhooks(args.pg) if args.webhooks else "(skipped)"
    print()
    print_table(rows)
    print()
    print(f"leadline --help start-up: {start:.3f} s (median of 7)")
    print("webhooks (bench/webhooks.py 5000 --no-access-log):")
    print(hooks)


def print_table(rows: list[Row], file: TextIO = sys.stdout) -> None:
    """A Markdown table: one row per figure, one column per size, and with two sizes or more
    a growth column: the figure's cost per record at the largest size over its cost per
    record at the smallest (1.0 = linear; below 1 = better than linear)."""
    names: list[str] = []
    for row in rows:
        names.extend(n for n in row.cells if n not in names)
    first, last = rows[0], rows[-1]
    growth = len(rows) > 1
    header = "| figure | " + " | ".join(r.size for r in rows) + " |"
    if growth:
        header += f" growth per record {first.size} → {last.size} |"
    print(header, file=file)
    print("|---|" + "---:|" * (len(rows) + growth), file=file)
    for name in names:
        line = f"| {name} | " + " | ".join(r.cells.get(name, "") for r in rows) + " |"
        if growth:
            line += f" {_growth(name, first, last)} |"
        print(line, file=file)


def _growth(name: str, first: Row, last: Row) -> str:
    a, b = first.costs.get(name), last.costs.get(name)
    if not a or b is None:
        return ""
    return f"{(b / last.records) / (a / first.records):.2f}"


if __name__ == "__main__":
    main()

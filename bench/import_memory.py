"""Import N generated records with the real CLI; print records/s and peak memory.

    python bench/import_memory.py [N] [--pg URL]

Runs ``leadline import`` in a child process on a fresh SQLite file (and, with ``--pg``, on a
fresh PostgreSQL schema) and reads each child's own peak RSS from ``/usr/bin/time``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_records import write


def run(db_url: str, path: Path, n: int, label: str) -> None:
    """Import in a child under ``/usr/bin/time`` so each run reports its own peak RSS."""
    started = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "leadline", "--db", db_url,
         "import", "--no-progress", str(path)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    peak = int(proc.stderr.strip().splitlines()[-1]) / 1024
    print(f"{label:<12} {n:>9,} records  {seconds:7.1f} s  {n / seconds:9,.0f} rec/s  "
          f"peak RSS {peak:6.0f} MB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=200_000)
    parser.add_argument("--pg", help="PostgreSQL URL (postgresql+psycopg://…)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.ndjson"
        with path.open("w") as out:
            write(args.n, out)
        size = path.stat().st_size / 1e6
        print(f"input: {args.n:,} records, {size:.0f} MB")
        run(f"sqlite:///{tmp}/bench.db", path, args.n, "sqlite")
        if args.pg:
            from sqlalchemy import create_engine, text

            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.pg)
            with admin.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            try:
                run(f"{args.pg}?options=-csearch_path%3D{schema}", path, args.n, "postgresql")
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()

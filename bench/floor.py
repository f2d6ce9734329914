"""The floor: the least a durable loader can do with an NDJSON file.

    python bench/floor.py PATH

``json.loads`` of every line plus one ``executemany`` of the raw lines into a one-table SQLite
file (WAL, ``synchronous=FULL``, one transaction, committed): no validation, no natural keys,
no indexes. Prints the seconds and records/s; ``bench/run.py`` reports every import figure as
a ratio to it.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path


def floor(path: Path) -> tuple[int, float]:
    """(records, seconds) for the floor on ``path``."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        db = sqlite3.connect(Path(tmp) / "floor.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE records (id INTEGER PRIMARY KEY, data TEXT NOT NULL)")
        db.execute("BEGIN")
        n = 0
        with path.open("rb") as f:
            lines = []
            for line in f:
                json.loads(line)
                lines.append((line.decode(),))
                n += 1
        db.executemany("INSERT INTO records (data) VALUES (?)", lines)
        db.execute("COMMIT")
        db.close()
        return n, time.perf_counter() - started


if __name__ == "__main__":
    records, seconds = floor(Path(sys.argv[1]))
    print(f"floor: {records:,} records in {seconds:.2f} s = {records / seconds:,.0f} records/s")

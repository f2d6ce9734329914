"""Linking when every SHA shares one 7-character prefix, against random SHAs.

    python bench/shared_prefix.py [N] [--repeat 3]

Anyone with an ingest key can send commits whose SHAs all start with the same 7 characters
(and a custom CI/CD run listing them). SHA lookups must not get slower for that: this prints,
for N such SHAs and for N random ones, the median of ``--repeat`` runs of

- ``lookup``: a ``ShaIndex`` of the N SHAs built, then each SHA looked up (upper case);
- ``link``: ``correlate.linking.link`` of one ticket, a PR listing the N commits, the N
  commits and a custom CD run listing them all (records built beforehand, not timed),

and the ratio shared/random (the goal: within ±20 %). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any

from leadline.correlate.linking import link
from leadline.correlate.shas import ShaIndex
from leadline.domain.parse import parse_object
from leadline.domain.records import RecordModel
from leadline.errors import LineError

AT = "2024-05-01T10:00:00Z"


def random_shas(n: int, prefix: str, seed: int) -> list[str]:
    """``n`` distinct 40-character SHAs starting with ``prefix`` (shuffled)."""
    rng = random.Random(seed)
    width = 40 - len(prefix)
    shas: set[str] = set()
    while len(shas) < n:
        shas.add(prefix + f"{rng.getrandbits(4 * width):0{width}x}")
    out = sorted(shas)
    rng.shuffle(out)
    return out


def _record(kind: str, **fields: Any) -> RecordModel:
    parsed = parse_object({"kind": kind, **fields}, "bench", 1)
    if isinstance(parsed, LineError):
        raise SystemExit(str(parsed))
    return parsed


def records_for(shas: list[str]) -> list[RecordModel]:
    """One ticket, a PR listing every commit, the commits, one custom CD run listing them."""
    return [
        _record("issue", key="PROP-1", created_at=AT, status_changes=[]),
        _record(
            "pull_request", repo="acme/api", number=1, created_at=AT, title="PROP-1",
            source_branch="PROP-1", target_branch="main", author="alice", commit_shas=shas,
        ),
        *(
            _record("commit", repo="acme/api", sha=sha, committed_at=AT, message="change")
            for sha in shas
        ),
        _record(
            "pipeline_run", system="custom", pipeline="deploy", run_id="1", type="cd",
            status="success", finished_at=AT, environment="production", commit_shas=shas,
        ),
    ]  # fmt: skip


def lookup(shas: list[str]) -> None:
    index: ShaIndex[int] = ShaIndex()
    for i, sha in enumerate(shas):
        index.add(sha, i)
    for sha in shas:
        for _ in index.find(sha.upper()):
            pass


def check_link(records: list[RecordModel], n: int) -> None:
    bundle = link(records)["PROP-1"]
    assert len(bundle.commits) == n and len(bundle.pipeline_runs) == 1


def seconds(work: Callable[[], None]) -> float:
    gc.collect()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=100_000, help="SHAs per case")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args()
    cases = {
        "random": random_shas(args.n, "", seed=1),
        "shared": random_shas(args.n, "deadbee", seed=2),
    }
    records = {name: records_for(shas) for name, shas in cases.items()}
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    for _ in range(args.repeat):  # the cases interleaved, so that drift hits both alike
        for name, shas in cases.items():
            times[("lookup", name)].append(seconds(partial(lookup, shas)))
            times[("link", name)].append(seconds(partial(check_link, records[name], args.n)))
    figures = {key: statistics.median(values) for key, values in times.items()}
    print(f"{args.n:,} SHAs, median of {args.repeat} runs")
    print(f"{'':<8} {'random s':>9} {'shared s':>9} {'shared/random':>14}")
    for what in ("lookup", "link"):
        rand, shared = figures[(what, "random")], figures[(what, "shared")]
        print(f"{what:<8} {rand:>9.2f} {shared:>9.2f} {shared / rand:>14.2f}")


if __name__ == "__main__":
    main()

"""``ShaIndex``: the same answers as a linear scan with ``same_sha``, in the same order, and a
lookup whose work does not grow with the number of stored SHAs sharing its 7-char prefix.

Work is counted, never timed: ``work_budget`` counts the Python and C function calls made
(``sys.setprofile``) and stops the test as soon as a budget is exceeded, so the old
sort-the-prefix-group-per-lookup algorithm fails in a fraction of a second instead of running
for hours.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from leadline.correlate.linking import link
from leadline.correlate.shas import MIN_ABBREV, ShaIndex, norm_sha, same_sha
from tests.correlate.builders import commit, issue, pr, run


class WorkExceeded(AssertionError):
    pass


class Counter:
    calls = 0


@contextmanager
def work_budget(budget: int) -> Iterator[Counter]:
    """Count the function calls (Python and C) made inside; fail once past ``budget``."""
    counter = Counter()

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        if event in ("call", "c_call"):
            counter.calls += 1
            if counter.calls > budget:
                raise WorkExceeded(f"more than {budget:,} function calls")

    sys.setprofile(hook)
    try:
        yield counter
    finally:
        sys.setprofile(None)


def reference_find(stored: list[tuple[str, int]], sha: str | None) -> list[int]:
    """A linear scan: stored SHAs in sorted order, each one's items in insertion order."""
    if not sha or not sha.strip():
        return []
    by_sha: dict[str, list[int]] = {}
    for key, item in stored:
        if key.strip():
            by_sha.setdefault(norm_sha(key), []).append(item)
    return [item for key in sorted(by_sha) if same_sha(key, sha) for item in by_sha[key]]


def index_of(stored: list[tuple[str, int]]) -> ShaIndex[int]:
    index: ShaIndex[int] = ShaIndex()
    for sha, item in stored:
        index.add(sha, item)
    return index


# SHAs from a tiny alphabet so that long shared prefixes, prefixes of one another and
# repeats are common; then dressed in upper case and whitespace.
_core = st.text(alphabet="ab0", min_size=0, max_size=12)
_dressed = st.tuples(_core, st.booleans(), st.sampled_from(["", " ", "\t", " \n"])).map(
    lambda t: (t[0].upper() if t[1] else t[0]) + t[2]
)
_sha = st.one_of(_core, _dressed, _core.map(lambda s: "ab0ab0a" + s))


@settings(max_examples=300, deadline=None)
@given(
    stored=st.lists(_sha, max_size=25),
    queries=st.lists(st.one_of(_sha, st.none()), max_size=10),
)
def test_find_is_a_linear_scan_with_same_sha(stored: list[str], queries: list[str | None]) -> None:
    pairs = [(sha, i) for i, sha in enumerate(stored)]
    index = index_of(pairs)
    for sha in [*queries, *stored, *(s[:n] for s in stored for n in (MIN_ABBREV, 8))]:
        assert list(index.find(sha)) == reference_find(pairs, sha), sha


@given(stored=st.lists(_sha, max_size=15), more=st.lists(_sha, max_size=15), query=_sha)
def test_adds_after_a_find_are_found(stored: list[str], more: list[str], query: str) -> None:
    pairs = [(sha, i) for i, sha in enumerate(stored)]
    index = index_of(pairs)
    list(index.find(query))
    later = [(sha, len(pairs) + i) for i, sha in enumerate(more)]
    for sha, item in later:
        index.add(sha, item)
    assert list(index.find(query)) == reference_find(pairs + later, query)


def test_find_all_in_the_order_of_the_queries() -> None:
    index = index_of([("abcdef01", 1), ("abcdef0", 2), ("ABCDEF0123", 3), ("abc", 4)])
    assert list(index.find("abcdef0")) == [2, 1, 3]
    assert list(index.find("abcdef012")) == [2, 1, 3]
    assert list(index.find(" ABC ")) == [4]
    assert list(index.find("abcdef")) == []
    assert list(index.find_all(["abc", "abcdef0123"])) == [4, 2, 1, 3]


def shared_prefix_shas(n: int, seed: int = 7) -> list[str]:
    """``n`` distinct full SHAs that all start with ``deadbee``."""
    rng = random.Random(seed)
    shas = {"deadbee" + f"{rng.getrandbits(132):033x}" for _ in range(n)}
    while len(shas) < n:
        shas.add("deadbee" + f"{rng.getrandbits(132):033x}")
    return sorted(shas)


def test_100k_shas_sharing_a_prefix_cost_constant_work_per_lookup() -> None:
    shas = shared_prefix_shas(100_000)
    index = index_of([(sha, i) for i, sha in enumerate(shas)])
    index.add(shas[0][:7], -1)  # an abbreviation stored too: the prefix of every one
    lookups = shas[::20]  # 5,000
    # Old algorithm: sorting and scanning the 100k group per lookup, ~100k calls each.
    with work_budget(60 * len(lookups)) as work:
        found = [list(index.find(sha.upper())) for sha in lookups]
    assert work.calls >= len(lookups)  # the counter does see the lookups
    assert found == [[-1, i * 20] for i in range(len(lookups))]
    abbreviated = shas[12345][:20]
    assert list(index.find(abbreviated)) == [-1, 12345]
    assert len(list(index.find(shas[0][:7]))) == 100_001


def test_linking_a_run_listing_many_commits_sharing_a_prefix() -> None:
    shas = shared_prefix_shas(5_000, seed=11)
    mine, others = shas[::2], shas[1::2]
    records = [
        issue("PROP-1"),
        pr(7, "10:10", title="PROP-1 big import", shas=tuple(mine)),
        *(commit(sha, "10:05", "import") for sha in shas),
        run("ci-1", "10:16", type="ci", commit_shas=[s.upper() for s in mine]),
        run("ci-2", "10:17", type="ci", commit_shas=others),
    ]
    # Old algorithm: each of the 2,500 lookups sorted and scanned a 2,500-5,000 SHA group.
    with work_budget(2_000_000) as work:
        bundle = link(records)["PROP-1"]
    assert work.calls > len(mine)
    assert sorted(c.sha for c in bundle.commits) == mine
    assert [r.run_id for r in bundle.pipeline_runs] == ["ci-1"]
    assert bundle.shas == frozenset(mine)

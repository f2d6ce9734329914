"""``desc_walk``: a newest-first listing walked incrementally, killed anywhere, changing under
the walk — and still nothing is missed (the argument in ``services/sync/walk.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from leadline.services.sync.walk import desc_walk, time_key
from leadline.sources.http import Page


class Listing:
    """A listing ordered by ``updated`` (then id), newest first, served in numbered pages;
    ``touch`` updates an item (it moves to the top), ``add`` creates one."""

    def __init__(self, size: int) -> None:
        self.clock = size
        self.items = {i: i for i in range(size)}  # id → updated
        self.fetches = 0

    def touch(self, ident: int) -> None:
        self.clock += 1
        self.items[ident % len(self.items)] = self.clock

    def add(self) -> None:
        self.clock += 1
        self.items[len(self.items)] = self.clock

    def page(self, number: int, size: int) -> Page:
        self.fetches += 1
        order = sorted(self.items, key=lambda i: (self.items[i], i), reverse=True)
        chunk = order[(number - 1) * size : number * size]
        more = number * size < len(order)
        items = [{"id": i, "updated": self.items[i]} for i in chunk]
        return Page(items, str(number + 1) if more else None, httpx.Response(200))


def run(
    listing: Listing,
    cursor: Any,
    seen: dict[int, int],
    size: int,
    kill_after: int | None,
    changes: list[int],
) -> Any:
    """One sync: pages are recorded in ``seen`` with the cursor (one "transaction"); after
    ``kill_after`` steps it dies. ``changes`` happen between page fetches (ids to touch;
    -1 adds an item)."""
    pending = list(changes)

    def pages(start: int) -> Iterator[Page]:
        number = start
        while True:
            if number != start and pending:
                change = pending.pop(0)
                listing.add() if change < 0 else listing.touch(change)
            page = listing.page(number, size)
            yield page
            if page.next is None:
                return
            number += 1

    walk = desc_walk(
        cursor, lambda _lower: pages(1), lambda url: pages(int(url)), lambda i: i["updated"]
    )
    for count, step in enumerate(walk, start=1):
        for item in step.items:
            seen[item["id"]] = max(seen.get(item["id"], -1), item["updated"])
        cursor = step.cursor
        if kill_after is not None and count >= kill_after:
            break
    return cursor


@settings(max_examples=300, deadline=None)
@given(
    size=st.integers(1, 4),
    items=st.integers(0, 15),
    runs=st.lists(
        st.tuples(
            st.none() | st.integers(1, 5),  # killed after this many pages, or not
            st.lists(st.integers(-1, 30), max_size=4),  # changes while it runs
            st.lists(st.integers(-1, 30), max_size=4),  # changes before it runs
        ),
        max_size=5,
    ),
)
def test_killed_and_changing_walks_miss_nothing(
    size: int, items: int, runs: list[tuple[int | None, list[int], list[int]]]
) -> None:
    listing = Listing(items)
    seen: dict[int, int] = {}
    cursor: Any = None
    for kill_after, during, before in runs:
        for change in before:
            listing.add() if change < 0 else listing.touch(change) if listing.items else None
        cursor = run(listing, cursor, seen, size, kill_after, during if listing.items else [])
    run(listing, cursor, seen, size, None, [])  # a quiet, complete sync
    assert seen == listing.items  # every item, in its latest state


def test_a_finished_walk_reads_only_the_first_page_again() -> None:
    listing = Listing(10)
    seen: dict[int, int] = {}
    cursor = run(listing, None, seen, 3, None, [])
    assert cursor == {"done": 9}
    fetches = listing.fetches
    run(listing, cursor, seen, 3, None, [])
    assert listing.fetches == fetches + 1


def test_a_killed_walk_resumes_at_the_next_page() -> None:
    listing = Listing(10)
    seen: dict[int, int] = {}
    cursor = run(listing, None, seen, 3, 2, [])
    assert cursor == {"run": {"lower": None, "upper": 9, "next": "3"}}
    assert sorted(seen) == [4, 5, 6, 7, 8, 9]
    fetches = listing.fetches
    cursor = run(listing, cursor, seen, 3, None, [])
    # pages 3 and 4 to finish the pass, then page 1 of a fresh pass down to 9
    assert listing.fetches == fetches + 3
    assert cursor == {"done": 9}
    assert sorted(seen) == list(range(10))


def test_time_keys_sort_like_times() -> None:
    assert time_key("2024-05-01T10:00:00Z") == "2024-05-01T10:00:00.000000Z"
    assert time_key("2024-05-01T12:00:00+02:00") == "2024-05-01T10:00:00.000000Z"
    assert time_key("2024-05-01T10:00:00.5Z") > time_key("2024-05-01T10:00:00Z")

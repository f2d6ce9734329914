"""Walking a newest-first listing incrementally, so a killed sync resumes exactly.

Most listings a sync reads can be ordered newest first — by update time (GitHub pull
requests and issues, GitLab merge requests), creation time (workflow runs) or id
(deployments, releases). ``desc_walk`` reads such a listing page by page and keeps this
cursor (JSON)::

    {"done": W,                                   # high-watermark of the last complete pass
     "run": {"lower": L, "upper": U, "next": N}}  # only while a pass is unfinished

**A pass** starts at the first page with ``lower = done`` (or ``--since`` on the first
sync) and ``upper`` = the newest key on that first page, and reads pages until an item
older than ``lower`` shows up (everything after it is older still). When it ends,
``done = upper``.

**Why nothing is skipped.** An item either did not change since the pass started — then it
sits at its place in the order and the pass reaches it (or it is older than ``lower`` and
was seen by an earlier pass) — or it changed after the pass started: then its key is newer
than ``upper`` (the keys on the first page were the newest when the pass started), and the
next pass, which reads down to ``lower = upper``, sees it. The comparison with ``lower`` is
inclusive for times, so an item updated in the same second as ``upper`` is read again
rather than lost. An item that moves to the top while a pass is under way only pushes the
others *down*: the pass meets some of them twice, never misses one; writing an item twice
is harmless (the upsert makes the second write "unchanged").

**Why a kill loses nothing.** The cursor is committed with the records of each page (one
transaction, ``services.sync.engine``). A sync killed after committing page k finds
``run.next`` = the URL of page k+1 and the same ``lower`` and ``upper``: it finishes that
pass (items that moved meanwhile are handled by the argument above — they were pushed
down, or they are newer than ``upper``), sets ``done = upper``, and then runs a fresh
pass from the top, which picks up whatever changed while it was down. A page that was
fetched but not committed is simply fetched again. Nothing is ever counted twice because
records are upserted by natural key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from leadline.domain.times import parse_time
from leadline.sources.http import Page

WalkKey = str | int  # a time as ``time_key`` writes it, or an id


def time_key(value: str | datetime) -> str:
    """A time as a fixed-width UTC string that sorts like the time (cursor-friendly)."""
    when = parse_time(value).astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def key_time(key: str) -> datetime:
    return parse_time(key)


@dataclass
class Step:
    """One page of a walk: the items not older than the pass's lower bound, the cursor to
    store with them, and the page itself."""

    items: list[Any]
    cursor: dict[str, Any]
    page: Page


def desc_walk(
    cursor: dict[str, Any] | None,
    first: Callable[[WalkKey | None], Iterator[Page]],
    resume: Callable[[str], Iterator[Page]],
    key: Callable[[Any], WalkKey],
    *,
    since: WalkKey | None = None,
    inclusive: bool = True,
    stop: Callable[[Any], bool] | None = None,
) -> Iterator[Step]:
    """Walk a newest-first listing (module doc). ``first(lower)`` yields the pages of a new
    pass (it may pass ``lower`` to the server as a filter); ``resume(url)`` the pages from a
    stored ``next`` URL. ``inclusive``: an item whose key equals ``lower`` is read again
    (times); ids use ``inclusive=False``. ``stop(item)`` true: the item counts as older
    (``--since`` on a listing keyed by id). Extra cursor fields are kept as they are."""
    state: dict[str, Any] = dict(cursor or {})
    while True:
        run = state.get("run")
        if isinstance(run, dict) and run.get("next"):
            lower, upper = run.get("lower"), run.get("upper")
            pages = resume(str(run["next"]))
        else:
            state.pop("run", None)
            lower, upper = state.get("done", since), None
            run = None
            pages = first(lower)
        for page in pages:
            keys = [key(item) for item in page.items]
            if upper is None:
                upper = max(keys, default=lower)
            fresh = []
            for item, k in zip(page.items, keys, strict=True):
                if _older(k, lower, inclusive) or (stop is not None and stop(item)):
                    break
                fresh.append(item)
            nxt = page.next if len(fresh) == len(keys) else None
            if nxt is not None:
                state["run"] = {"lower": lower, "upper": upper, "next": nxt}
            else:
                state.pop("run", None)
                if upper is not None:
                    state["done"] = upper
            yield Step(fresh, dict(state), page)
            if nxt is None:
                break
        else:  # the listing ended without a last page (an empty first page and no more)
            state.pop("run", None)
        if run is None:
            return


def _older(k: WalkKey, lower: WalkKey | None, inclusive: bool) -> bool:
    if lower is None:
        return False
    if type(k) is not type(lower):
        raise TypeError(f"cannot compare cursor keys {k!r} and {lower!r}")
    return k < lower if inclusive else k <= lower  # type: ignore[operator]

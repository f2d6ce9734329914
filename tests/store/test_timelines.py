"""The stored timelines: float64 blobs, a window read as one matrix, fresh sets."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Engine

from leadline.correlate.timeline import ChangeTimeline, StageHit
from leadline.domain.times import to_micros
from leadline.store import timelines as store
from leadline.store.db import reading, writing

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def hit(hours: float | None) -> StageHit | None:
    return None if hours is None else StageHit(T0 + timedelta(hours=hours), f"at {hours}")


def change(key: str, *hours: float | None) -> ChangeTimeline:
    start = hit(0)
    assert start is not None
    return ChangeTimeline(key, start, tuple(hit(h) for h in hours))


def test_pack_round_trips_exact_micros() -> None:
    big = 2**52 + 1  # still exact in float64
    blob = store.pack_times(123, [big, None, 7])
    assert len(blob) == 4 * 8
    assert store.unpack_times(blob) == (123, [big, None, 7])


@pytest.mark.parametrize("with_keys", [False, True])
def test_read_matrix_reads_the_window(engine: Engine, with_keys: bool) -> None:
    with writing(engine) as conn:
        ts = store.create_set(conn, "fp", "p", "ticket", 2, 0, target=0)
        built = [change("A-1", 1, 2), change("A-2", None, 5), change("A-3", 1, None)]
        store.replace(conn, ts.id, ["A-1", "A-2", "A-3"], built, fresh=True)
    inside = (to_micros(T0 + timedelta(hours=1.5)), to_micros(T0 + timedelta(hours=4)))
    with reading(engine) as conn:
        everything = store.read_matrix(conn, ts, None, None, with_keys)
        window = store.read_matrix(conn, ts, *inside, with_keys=with_keys)
        empty = store.read_matrix(conn, ts, 0, 1, with_keys)
    order = np.argsort(everything.end)
    assert everything.end[order].tolist() == [to_micros(T0 + timedelta(hours=h)) for h in (2, 5)]
    assert everything.start.tolist() == [float(to_micros(T0))] * 2
    times = everything.times[order]
    assert times[0].tolist() == [float(to_micros(T0 + timedelta(hours=h))) for h in (1, 2)]
    assert math.isnan(times[1, 0])
    assert window.times.shape == (1, 2)
    assert empty.times.shape == (0, 2) and empty.end.shape == (0,)
    if with_keys:
        assert everything.keys is not None and sorted(everything.keys) == ["A-1", "A-2"]
        assert window.keys == ["A-1"]
    else:
        assert everything.keys is None


def test_replace_drops_the_keys_it_rebuilds(engine: Engine) -> None:
    with writing(engine) as conn:
        ts = store.create_set(conn, "fp", "p", "ticket", 1, 0, target=0)
        store.replace(conn, ts.id, ["A-1", "A-2"], [change("A-1", 1), change("A-2", 2)], True)
        store.replace(conn, ts.id, ["A-1", "A-2"], [change("A-1", 3)])  # A-2 left the scope
    with reading(engine) as conn:
        matrix = store.read_matrix(conn, ts, None, None, with_keys=True)
        one = store.read_one(conn, ts, "A-1")
    assert matrix.keys == ["A-1"]
    assert one is not None and one.times == [to_micros(T0 + timedelta(hours=3))]
    assert one.sources == ["at 0", "at 3"]


@pytest.mark.parametrize("with_keys", [False, True])
def test_baseline_changes_are_flagged_and_read_apart(engine: Engine, with_keys: bool) -> None:
    def flagged(key: str, *hours: float | None) -> ChangeTimeline:
        plain = change(key, *hours)
        return ChangeTimeline(plain.key, plain.start, plain.stages, baseline=True)

    with writing(engine) as conn:
        ts = store.create_set(conn, "fp", "p", "ticket", 1, 0, target=0)
        built = [change("A-1", 1), flagged("A-2", 2), flagged("A-3", None), flagged("A-4", 9)]
        store.replace(conn, ts.id, ["A-1", "A-2", "A-3", "A-4"], built, fresh=True)
    up_to_5h = (to_micros(T0), to_micros(T0 + timedelta(hours=5)))
    with reading(engine) as conn:
        everything = store.read_matrix(conn, ts, *up_to_5h, with_keys)
        counted = store.read_matrix(conn, ts, *up_to_5h, with_keys, baseline=False)
        only = store.read_matrix(conn, ts, *up_to_5h, with_keys, baseline=True)
        # A-3 is in flight, A-4 finished after the window: neither is counted here.
        assert store.count_baseline(conn, ts, *up_to_5h) == 1
        assert store.count_baseline(conn, ts, None, None) == 2
        assert store.baseline_keys(conn, ts, ["A-1", "A-2", "A-3", "X"]) == {"A-2", "A-3"}
        one, two = store.read_one(conn, ts, "A-1"), store.read_one(conn, ts, "A-2")
    assert (everything.times.shape, counted.times.shape, only.times.shape) == (
        (2, 1), (1, 1), (1, 1)
    )  # fmt: skip
    assert counted.end.tolist() == [to_micros(T0 + timedelta(hours=1))]
    assert only.end.tolist() == [to_micros(T0 + timedelta(hours=2))]
    assert one is not None and two is not None and (one.baseline, two.baseline) == (False, True)
    if with_keys:
        assert (counted.keys, only.keys) == (["A-1"], ["A-2"])

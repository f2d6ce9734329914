"""Chart geometry, by hand: nice y ticks that cover the highest value, the band zones of a
scale, buckets clipped to the window and flagged partial, and "no data" never drawn as 0."""

from __future__ import annotations

import pytest

from leadline.domain.times import parse_bound, to_micros
from leadline.metrics.bands import scale_of
from leadline.web import formatting as fmt
from leadline.web.axes import Unit, nice_step, ticks, unit_of, zones
from leadline.web.buckets import bucket_views
from leadline.web.charts import Point, bar_chart
from leadline.web.params import View

H, D = 3600.0, 86400.0


def us(day: str) -> int:
    return to_micros(parse_bound(day))


@pytest.mark.parametrize(
    ("kind", "peak", "suffix", "expected"),
    [
        ("count", 7, "", [0, 2, 4, 6, 8]),
        ("count", 8, "", [0, 2, 4, 6, 8]),
        ("count", 4, "", [0, 1, 2, 3, 4]),
        ("count", 1, "", [0, 1, 2]),  # 3 ticks at least; counts step by whole numbers
        ("count", 0, "", [0, 1, 2]),  # every value a real 0
        ("count", 30, "", [0, 10, 20, 30]),
        ("duration", 8.1 * H, " h", [0, 2.5 * H, 5 * H, 7.5 * H, 10 * H]),
        ("duration", 3 * D, " d", [0, D, 2 * D, 3 * D]),
        ("duration", 50 * 60, " min", [0, 1200, 2400, 3600]),
        ("duration", 90, " s", [0, 25, 50, 75, 100]),
        ("percent", 0.125, " %", [0, 0.05, 0.10, 0.15]),
        ("per_day", 1.9, "/day", [0, 0.5, 1, 1.5, 2]),
        ("per_day", 0.5, "/week", [0, 1 / 7, 2 / 7, 3 / 7, 4 / 7]),  # 3.5 a week
        ("per_day", 0.02, "/month", [0, 0.2 / 30, 0.4 / 30, 0.6 / 30]),  # 0.6 a month
    ],
)
def test_ticks_are_nice_and_cover_the_highest_value(
    kind: str, peak: float, suffix: str, expected: list[float]
) -> None:
    unit = unit_of(kind, peak)
    assert unit.suffix == suffix
    found = ticks(peak, unit)
    assert found == pytest.approx(expected)
    assert 3 <= len(found) <= 5 and found[0] == 0 and found[-1] >= peak


def test_nice_steps_and_tick_text() -> None:
    assert [nice_step(p) for p in (0.9, 3.9, 4.1, 9, 11, 1000)] == [0.25, 1, 2, 2.5, 5, 250]
    assert nice_step(0.3, whole=True) == 1
    assert Unit(H, " h").text(9000) == "2.5 h"
    assert Unit(0.01, " %").text(0.15) == "15 %"  # no float noise (0.15 / 0.01 = 14.999…)


def test_zones_are_the_scale_levels_as_ranges() -> None:
    harness = scale_of("harness")
    lead = zones(harness, "lead_time", fmt.duration)
    assert [(z.name, z.low, z.high, z.words) for z in lead] == [
        ("elite", 0.0, D, "≤ 1d"), ("high", D, 7 * D, "≤ 7d"),
        ("medium", 7 * D, 30 * D, "≤ 30d"), ("low", 30 * D, None, "> 30d"),
    ]  # fmt: skip
    often = zones(harness, "deployment_frequency", lambda v: f"{v:.3g}/day")
    assert [(z.name, z.low, z.high, z.words) for z in often] == [
        ("elite", 1.0, None, "> 1/day"), ("high", pytest.approx(1 / 7), 1.0, "≥ 0.143/day"),
        ("medium", pytest.approx(1 / 30), pytest.approx(1 / 7), "≥ 0.0333/day"),
        ("low", 0.0, pytest.approx(1 / 30), "< 0.0333/day"),
    ]  # fmt: skip
    assert [z.css for z in often] == ["zone band-elite", "zone band-high", "zone band-medium",
                                      "zone band-low"]  # fmt: skip
    assert zones(harness, "deployment_rework_rate", fmt.percent) == []  # no preset edges


def test_buckets_are_clipped_to_the_window_and_flagged_partial() -> None:
    later = us("2025-01-01")
    view = View(us("2024-01-03"), us("2024-01-22"), "week", "mean")  # from a Wednesday
    found = bucket_views(view, later)
    assert [(b.label, b.partial, b.future) for b in found] == [
        ("2024-01-03", True, False),  # the calendar week of 2024-01-01, cut by the start
        ("2024-01-08", False, False),
        ("2024-01-15", False, False),
    ]
    assert (found[0].view.start, found[0].view.end) == (us("2024-01-03"), us("2024-01-08"))
    cut = View(us("2024-01-01"), us("2024-01-20"), "week", "mean")  # ends on a Saturday
    assert [b.partial for b in bucket_views(cut, later)] == [False, False, True]
    now = us("2024-01-10") + 3_600_000_000  # a Wednesday, 01:00
    found = bucket_views(View(us("2024-01-01"), us("2024-01-22"), "week", "mean"), now)
    assert [(b.partial, b.future) for b in found] == [(False, False), (True, False),
                                                      (True, True)]  # fmt: skip
    months = View(us("2024-01-15"), us("2024-03-01"), "month", "mean")
    assert [b.label for b in bucket_views(months, later)] == ["2024-01-15", "2024-02-01"]


def test_bars_no_data_zero_and_partial() -> None:
    points = [
        Point("2024-01-03", 5.0, "a", "/a", "elite", partial=True, short="01-03"),
        Point("2024-01-08", 0.0, "b", "/b", "elite", short="01-08"),
        Point("2024-01-15", None, "c", "/c", short="01-15"),
        Point("2024-01-22", 0.01, "d", "/d", "elite", short="01-22"),
    ]
    chart = bar_chart("k", points, lambda v: f"{v:g}", "Things", unit_of("count", 5))
    assert [t.text for t in chart.y_ticks] == ["0", "2", "4", "6"]
    assert [t.at for t in chart.y_ticks] == pytest.approx([100, 100 * 2 / 3, 100 / 3, 0])
    first, zero, empty, tiny = chart.bars
    assert (first.height, first.y, first.partial) == (pytest.approx(500 / 6), pytest.approx(
        100 - 500 / 6), True)  # fmt: skip
    assert first.title == "a (partial)" and first.text == "5"
    assert (zero.height, zero.empty, zero.text) == (0.0, False, "0")  # a real 0
    assert (empty.height, empty.empty, empty.text) == (0.0, True, "no data")  # not a 0
    assert tiny.height == 2.0  # a small value stays visible
    ticks_x = [(t.text, round(t.at, 2)) for t in chart.x_ticks]
    assert ticks_x == [("01-03", 12.5), ("01-08", 37.5), ("01-15", 62.5), ("01-22", 87.5)]
    assert chart.partial and chart.empty
    nothing = bar_chart("n", [Point("2024-01-01", None, "x")], str, "None", unit_of("count", 0))
    assert nothing.y_ticks == [] and nothing.x_ticks == [] and nothing.bars[0].empty

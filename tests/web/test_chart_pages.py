"""The overview's charts as served: axes with nice ticks and gridlines, date ticks, the bands
as zones with a legend in words, bars in one series colour, buckets labelled from the
window's start and partial ones marked, and the lead-time trend stacked by stage with one
table column per stage (the same figures as ``lead-time --interval``)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.domain.times import parse_bound
from leadline.services import collections
from leadline.services.leadtime import Window, lead_time
from leadline.web import formatting as fmt
from tests.web.html import Element
from tests.web.test_pages import get

KEYS = ("deployment_frequency", "lead_time", "change_failure_rate", "mean_time_to_restore")


def texts(svg: Element) -> list[str]:
    return [t.text for t in svg.find_all("text")]


def svg_of(root: Element, css: str) -> Element:
    return next(e for e in root.find_all("svg") if e.attrs.get("class") == css)


def rows(table: Element) -> list[list[str]]:
    return [[c.text for c in tr.children] for tr in table.find_all("tbody")[0].find_all("tr")]


def test_each_chart_has_axes_zones_a_legend_and_one_series_colour(
    client: TestClient, org: Engine
) -> None:
    page = get(client, "/c/Acme?from=2024-01-01&to=2024-03-01&interval=week&stat=mean")
    for key in KEYS:
        chart = page.by_id[f"chart-{key}"]
        y = texts(svg_of(chart, "y-axis"))
        assert 3 <= len(y) <= 5 and y[0].startswith("0"), (key, y)
        plot = svg_of(chart, "plot")
        grid = [g for g in plot.find_all("line") if g.attrs.get("class") == "grid"]
        assert len(grid) == len(y), key
        assert texts(svg_of(chart, "x-axis"))[0] == "01-01", key
        bars = [r for r in plot.find_all("rect") if "bar" in r.attrs.get("class", "").split()]
        assert all(r.attrs["class"] in ("bar", "bar partial") for r in bars), key
        assert all("fill" not in r.attrs for r in bars if r.attrs["class"] == "bar"), key
        legend = [li.text for li in chart.find_all("ul")[0].find_all("li")]
        assert [t.split()[0] for t in legend[:4]] == ["Elite", "High", "Medium", "Low"], key
        table = page.by_id[f"{key}-values"]
        assert [th.attrs.get("scope") for th in table.find_all("th")][:4] == ["col"] * 4
        assert len(rows(table)) == 9, key  # the weeks of 2024-01-01 … 2024-02-26
    legend = [li.text for li in page.by_id["chart-lead_time"].find_all("ul")[0].find_all("li")]
    assert legend[:4] == ["Elite ≤ 1d", "High ≤ 7d", "Medium ≤ 30d", "Low > 30d"]
    zones = [r.attrs["class"] for r in svg_of(page.by_id["chart-lead_time"], "plot")
             .find_all("rect") if "zone" in r.attrs.get("class", "")]  # fmt: skip
    assert zones and zones[0] == "zone band-elite"


def test_labels_start_at_the_window_and_partial_buckets_say_so(
    client: TestClient, org: Engine
) -> None:
    # From a Wednesday to a Wednesday: the first and the last week are cut.
    page = get(client, "/c/Acme?from=2024-01-03&to=2024-02-28&interval=week&stat=mean")
    chart = page.by_id["chart-deployment_frequency"]
    assert texts(svg_of(chart, "x-axis"))[0] == "01-03"  # not the calendar week's 01-01
    found = rows(page.by_id["deployment_frequency-values"])
    assert [r[0] for r in found] == [
        "2024-01-03 (partial)",
        *(f"2024-{d}" for d in ("01-08", "01-15", "01-22", "01-29", "02-05", "02-12", "02-19")),
        "2024-02-26 (partial)",
    ]
    titles = [t.text for t in svg_of(chart, "plot").find_all("title")]
    assert titles[0].endswith("(partial)") and not titles[1].endswith("(partial)")
    first = page.by_id["deployment_frequency-values"].find_all("a")[0].attrs["href"]
    assert "from=2024-01-03&to=2024-01-08" in first
    partial = [r for r in svg_of(chart, "plot").find_all("rect")
               if r.attrs.get("class") == "bar partial"]  # fmt: skip
    assert all(r.attrs["fill"] == "url(#hatch-deployment_frequency)" for r in partial)
    assert "partial bucket" in chart.find_all("ul")[0].text


def test_the_lead_time_trend_is_stacked_by_stage(client: TestClient, org: Engine) -> None:
    _, profile = collections.report_profile(org, "Acme")
    window = Window(parse_bound("2024-01-01"), parse_bound("2024-03-01"))
    expected: dict[str, Any] = lead_time(org, profile, "mean", window, interval="week")
    page = get(client, "/c/Acme?from=2024-01-01&to=2024-03-01&interval=week&stat=mean")
    card = page.by_id["lead-time-by-stage"]
    chart = page.by_id["chart-lead-time-trend"]
    names = [s["name"] for s in expected["stages"]]
    assert [li.text for li in chart.find_all("ul")[0].find_all("li")][: len(names)] == names
    table = page.by_id["lead-time-trend-values"]
    head = [th.text for th in table.find_all("thead")[0].find_all("th")]
    assert head == ["From", "Changes", "Total", *names]
    body = rows(table)
    assert len(body) == len(expected["series"]) == 9
    for row, point in zip(body, expected["series"], strict=True):
        assert row[1] == str(point["changes"])
        if point["changes"]:
            assert row[2] == fmt.duration(point["total_seconds"])
            assert row[3:] == [fmt.duration(s["seconds"]) if s["seconds"] is not None else "—"
                               for s in point["stages"]]  # fmt: skip
        else:
            assert row[2] == "no data" and set(row[3:]) == {"—"}
    plot = svg_of(chart, "plot")
    links = [a.attrs["href"] for a in plot.find_all("a")]
    assert links[1] == "/c/Acme/changes?from=2024-01-08&to=2024-01-15&interval=week&stat=mean"
    pieces = [r.attrs["class"] for r in plot.find_all("rect") if "seg" in r.attrs["class"]]
    assert pieces and all(c.startswith("seg stage-") for c in pieces)
    assert card.find_all("h3")[0].text == "Trend by stage, by week"

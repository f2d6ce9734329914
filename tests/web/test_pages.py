"""The dashboard's pages through the real ASGI app: each renders with the numbers of the
``dora`` report, every number links to the records behind it, the drill-downs list as many
records as the number says, and the links lead somewhere (never a 5xx)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.domain.times import parse_bound
from leadline.services import collections, profiles
from leadline.services.dora import dora
from leadline.services.leadtime import Window
from leadline.web import drill
from tests.helpers import WRONG_PLURAL
from tests.web.html import Page

WINDOW = "from=2024-01-01&to=2024-03-01&interval=week&stat=mean"
TEAM_A = "/c/Team%20A"


def get(client: TestClient, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


def report(engine: Engine, name: str) -> dict[str, Any]:
    _, profile = collections.report_profile(engine, name)
    window = Window(parse_bound("2024-01-01"), parse_bound("2024-03-01"))
    return dora(engine, profile, window, "week", "mean")


def test_the_index_lists_collections_and_profiles(client: TestClient, org: Engine) -> None:
    page = get(client, "/")
    names = [a.text for a in page.by_id["collections"].find_all("a")]
    assert names == ["Acme", "Team A", "Team B", "Team B deploys"]
    hrefs = dict((text, href) for href, text in page.links())
    assert hrefs["Team A"].startswith(TEAM_A + "?from=")
    assert [a.text for a in page.by_id["profiles"].find_all("a")] == ["Team flow"]
    options = [o.attrs["value"] for o in page.by_id["subject"].find_all("option")]
    assert options == ["", "c:Acme", "c:Team A", "c:Team B", "c:Team B deploys", "p:Team flow"]


def test_an_empty_database_says_how_to_start(client: TestClient, engine: Engine) -> None:
    page = get(client, "/")
    text = page.root.text
    assert "No collections yet" in text and "leadline demo --serve" in text
    assert "leadline apply org.yaml" in text and "profiles" in text
    profiles.put(engine, "Solo", {"stages": [{"name": "Deployed", "event": "cd_completed"}]})
    page = get(client, "/")
    assert [a.text for a in page.by_id["profiles"].find_all("a")] == ["Solo"]
    solo = get(client, "/p/Solo?" + WINDOW)
    assert "has no dora block" in solo.root.text and "Lead time by stage" in solo.root.text
    assert "deployment_frequency" not in solo.by_id
    get(client, "/p/Solo/deployments?" + WINDOW, 422)


def test_the_picker_goes_to_the_chosen_collection(client: TestClient, org: Engine) -> None:
    response = client.get("/?subject=c:Team B&from=2024-01-01&to=&interval=month",
                          follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/c/Team%20B?from=2024-01-01&interval=month"
    page = get(client, response.headers["location"])
    assert page.by_id["title"].text == "Team B"
    selected = [o for o in page.by_id["subject"].find_all("option") if "selected" in o.attrs]
    assert [o.attrs["value"] for o in selected] == ["c:Team B"]
    assert page.by_id["from"].attrs["value"] == "2024-01-01"
    bad = client.get("/?subject=c:Team B&from=yesterday", follow_redirects=False)
    assert bad.status_code == 422 and "from: not a date" in bad.text


def test_the_overview_shows_the_four_metrics_with_their_records(
    client: TestClient, org: Engine
) -> None:
    expected = report(org, "Team A")
    page = get(client, f"{TEAM_A}?{WINDOW}")
    links = page.links()
    deployments, failures = f"{TEAM_A}/deployments?{WINDOW}", f"{TEAM_A}/failures?{WINDOW}"
    changes, incidents = f"{TEAM_A}/changes?{WINDOW}", f"{TEAM_A}/incidents?{WINDOW}"
    df, cfr = expected["deployment_frequency"], expected["change_failure_rate"]
    lead, mttr = expected["lead_time_for_changes"], expected["mean_time_to_restore"]
    assert (deployments, str(df["deployments"])) in links and df["deployments"] == 4
    assert (failures, str(cfr["failures"])) in links and cfr["failures"] == 2
    assert (changes, str(lead["changes"])) in links and lead["changes"] == 5
    assert (incidents, str(mttr["incidents"])) in links
    assert (incidents + "#open", str(mttr["open"])) in links
    for key, band in (("deployment_frequency", df["band"]), ("lead_time", lead["band"]),
                      ("change_failure_rate", cfr["band"]),
                      ("mean_time_to_restore", mttr["band"])):  # fmt: skip
        widget = page.by_id[key]
        badges = [e for e in widget.find_all("span") if "badge" in e.attrs.get("class", "")]
        assert badges[0].attrs["class"] == f"badge band-{band or 'none'}", key
        slots = [r for r in widget.find_all("rect") if r.attrs.get("class") == "hit"]
        assert len(slots) == len(df["series"]) == 9, key  # one per week, zero-filled
        bars = [r for r in widget.find_all("rect") if "bar" in r.attrs.get("class", "").split()]
        assert bars and not any("band-" in r.attrs["class"] for r in bars), key  # one colour
    assert f"{cfr['rate'] * 100:.1f} %" in page.by_id["change_failure_rate"].text


def test_every_number_on_the_overview_is_a_link(client: TestClient, org: Engine) -> None:
    page = get(client, f"/c/Acme?{WINDOW}")
    for section in ("deployment_frequency", "lead_time", "change_failure_rate",
                    "mean_time_to_restore", "lead-time-by-stage"):  # fmt: skip
        root = page.by_id[section]
        numbers = [e for e in root.find_all("dd") + root.find_all("td") + root.find_all("p")
                   if re.search(r"\d", "".join(t for t in e.texts[:1]))]  # fmt: skip
        for element in numbers:
            if element.tag == "p" and "figure" not in element.attrs.get("class", ""):
                continue
            anchors = element.find_all("a")
            assert anchors, f"{section}: {element.text!r} links nowhere"
    # Chart bars link to their bucket's records.
    bars = page.by_id["deployment_frequency"].find_all("a")
    week = [a.attrs["href"] for a in bars if "from=2024-01-08" in a.attrs["href"]]
    assert week and "to=2024-01-15" in week[-1]


def test_stage_samples_and_missing_link_to_their_changes(client: TestClient, org: Engine) -> None:
    expected = report(org, "Acme")["lead_time_for_changes"]
    page = get(client, f"/c/Acme?{WINDOW}")
    rows = page.by_id["lead-time-by-stage"].find_all("tbody")[0].find_all("tr")
    assert len(rows) == len(expected["stages"]) == 4
    for row, stage in zip(rows, expected["stages"], strict=True):
        cells = row.find_all("td")
        assert cells[-2].text == str(stage["samples"]) and cells[-1].text == str(stage["missing"])
        for cell, count in ((cells[-2], stage["samples"]), (cells[-1], stage["missing"])):
            listed = get(client, cell.find_all("a")[0].attrs["href"])
            assert listed.by_id["count"].text == str(count)
            assert len(listed.rows()) == count
    stack = next(e for e in page.by_id["lead-time-by-stage"].find_all("svg")
                 if e.attrs.get("class") == "stack")  # fmt: skip
    segments = [r for r in stack.find_all("rect") if "seg" in r.attrs.get("class", "")]
    assert segments and all("rating-" in s.attrs["class"] for s in segments)


@pytest.mark.parametrize(
    ("drill_page", "count"),
    [("deployments", ("deployment_frequency", "deployments")),
     ("failures", ("change_failure_rate", "failures")),
     ("incidents", ("mean_time_to_restore", "incidents")),
     ("changes", ("lead_time_for_changes", "changes"))],
)  # fmt: skip
def test_drill_downs_list_as_many_records_as_the_number(
    client: TestClient, org: Engine, drill_page: str, count: tuple[str, str]
) -> None:
    for name, path in (("Acme", "/c/Acme"), ("Team B", "/c/Team%20B")):
        expected = report(org, name)[count[0]][count[1]]
        page = get(client, f"{path}/{drill_page}?{WINDOW}")
        assert page.by_id["count"].text == str(expected), (name, drill_page)
        assert len(page.rows()) == expected


def test_every_link_leads_to_a_page(client: TestClient, org: Engine) -> None:
    """Crawl from the index down to each change: nothing 4xx or 5xx, nothing off the site."""
    seen: set[str] = set()
    # The changes list first too: the overview's many bucket links (a chart per metric and
    # the trend by stage) would otherwise fill the 250 pages before a change's own page.
    queue = ["/", f"/c/Acme?{WINDOW}", f"/c/Team%20A?{WINDOW}", f"/c/Acme/changes?{WINDOW}"]
    while queue and len(seen) < 250:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        if not url.startswith("/static/"):
            for href, _ in Page(response.text).links():
                parts = urlsplit(href)
                assert not parts.scheme and not parts.netloc, href
                if href.startswith("/") and "#" not in href and "/c/Team%20B" not in href:
                    queue.append(href)
    assert any(re.search(r"/c/Acme/changes/[AB]-\d+\?", url) for url in seen)  # a change
    assert any("/failures?" in url for url in seen)


def test_one_change_shows_each_stage_and_its_record(client: TestClient, org: Engine) -> None:
    page = get(client, f"{TEAM_A}/changes/A-1?{WINDOW}")
    assert page.by_id["change"].text == "A-1"
    steps = page.by_id["timeline"].find_all("li")
    assert [s.find_all("strong")[0].text for s in steps] == [
        "Start", "In Progress", "PR merged", "CI", "Deployed"
    ]  # fmt: skip
    text = page.by_id["timeline"].text
    assert "2024-01-01 01:00:00" in text and "+1h" in text
    assert "pull_request acme/a#1" in text and "pipeline_run argo/deploy-a/cd-1" in text
    # The record behind each stage, as stored.
    assert '"title": "A-1 change"' in text and '"run_id": "cd-1"' in text
    get(client, f"{TEAM_A}/changes/NOPE-1?{WINDOW}", 404)


def test_pages_split_long_lists(
    client: TestClient, org: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drill, "PAGE_SIZE", 3)
    first = get(client, f"/c/Acme/deployments?{WINDOW}")
    assert first.by_id["count"].text == "7" and len(first.rows()) == 3
    following = dict((text, href) for href, text in first.links())["next →"]
    second = get(client, following)
    assert len(second.rows()) == 3 and second.rows()[0] != first.rows()[0]
    third = get(client, dict((t, h) for h, t in second.links())["next →"])
    assert len(third.rows()) == 1 and "next →" not in [t for _, t in third.links()]


def test_the_changes_are_the_teams_own(client: TestClient, org: Engine) -> None:
    page = get(client, f"{TEAM_A}/changes?{WINDOW}")
    keys = [row[0] for row in page.rows()]
    assert sorted(keys) == ["A-1", "A-2", "A-3", "A-4", "A-5"]
    assert page.rows()[0][0] == "A-5"  # newest first


def test_the_overview_says_what_it_shows_in_plain_words(client: TestClient, org: Engine) -> None:
    team = get(client, f"{TEAM_A}?{WINDOW}").by_id["about"].text
    assert team.startswith("Collection Team A · profile Team flow · 2024-01-01 → 2024-03-01")
    flow = get(client, f"/p/Team%20flow?{WINDOW}").by_id["about"].text
    assert flow.startswith("Profile Team flow · 2024-01-01 → 2024-03-01")
    assert "profile profile" not in flow.lower()


def test_counts_of_one_are_singular(client: TestClient, org: Engine) -> None:
    by_day = "from=2024-01-01&to=2024-03-01&interval=day&stat=mean"
    html = client.get(f"{TEAM_A}?{by_day}").text
    for one in ("1 deployment,", "1 change,", "1 failure,"):  # bars of days with one record
        assert one in html.replace("<", ",<"), one
    one_day = client.get(f"{TEAM_A}?from=2024-01-10&to=2024-01-11").text
    assert "(1 day, to exclusive)" in one_day
    for text in (html, one_day):
        assert not WRONG_PLURAL.search(text), WRONG_PLURAL.search(text)


def test_each_figure_shows_its_interval_and_a_few_samples_warning(
    client: TestClient, org: Engine
) -> None:
    """The overview's 95 % interval and "few samples" are the report's own (the JSON's
    ``interval`` and ``few_samples``), written in the figure's unit."""
    expected = report(org, "Acme")
    page = get(client, f"/c/Acme?{WINDOW}")
    cfr = expected["change_failure_rate"]
    facts = {
        dt.text: dd.text
        for dt, dd in zip(
            page.by_id["change_failure_rate"].find_all("dt"),
            page.by_id["change_failure_rate"].find_all("dd"),
            strict=True,
        )
    }
    low, high = cfr["interval"]["low"] * 100, cfr["interval"]["high"] * 100
    assert facts["95 % interval"] == f"{low:.1f} % – {high:.1f} %"
    assert ("Samples" in facts) == cfr["few_samples"]
    df = expected["deployment_frequency"]
    shown = page.by_id["deployment_frequency"].text
    assert f"{df['interval']['low']:.3g}/day – {df['interval']['high']:.3g}/day" in shown

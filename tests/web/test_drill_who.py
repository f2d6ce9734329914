"""The dashboard's drill-downs say who and what was excluded, on the people-based teams of
``tests/services/test_people_teams.py`` (window [2024-01-01, 2024-04-01)), by hand:

- the changes of a people-based team name the member each counts for (a "Who" column, only
  when the profile has ``scope.people``), and one change's page says it too;
- ``/c/NAME/excluded`` lists what each ``exclude`` rule took out, with the doctor's counts,
  linked from the overview (when rules exist) and from the quality page's check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.services.test_people_teams import load_org
from tests.web.html import Page

WINDOW = {"from": "2024-01-01", "to": "2024-04-01"}
QUERY = "?from=2024-01-01&to=2024-04-01&interval=week&stat=mean"


@pytest.fixture
def teams(engine: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    return load_org(engine, run_cli, tmp_path)


def _page(client: TestClient, path: str) -> Page:
    response = client.get(path, params=WINDOW)
    assert response.status_code == 200, response.text[:500]
    return Page(response.text)


def _headers(page: Page, table_id: str = "records") -> list[str]:
    return [th.text for th in page.by_id[table_id].find_all("th")]


@pytest.mark.parametrize(
    ("team", "rows"),
    [
        # Newest first by merge: Team A has #6 (03-02, Alice), #2 (01-11, Bob before his move
        # on 02-15), #1 (01-04, Alice); Team B #8 (03-06, Carol), #5 (02-21, Bob after the
        # move), #3 (01-21, Carol).
        ("Team%20A", [("acme/app#6", "Alice"), ("acme/app#2", "Bob"), ("acme/app#1", "Alice")]),
        ("Team%20B", [("acme/app#8", "Carol"), ("acme/app#5", "Bob"), ("acme/app#3", "Carol")]),
    ],
)
def test_a_people_based_teams_changes_name_the_member(
    teams: Engine, client: TestClient, team: str, rows: list[tuple[str, str]]
) -> None:
    page = _page(client, f"/c/{team}/changes")
    assert _headers(page)[:4] == ["Change", "Finished", "Who", "Total"]
    assert [(r[0], r[2]) for r in page.rows()] == rows


def test_a_team_without_people_has_no_who_column(teams: Engine, client: TestClient) -> None:
    page = _page(client, "/c/Acme/changes")
    assert "Who" not in _headers(page)
    # Acme (bots excluded): #8 #6 #5 #3 #2 #1, newest first.
    assert [r[0] for r in page.rows()] == [f"acme/app#{n}" for n in (8, 6, 5, 3, 2, 1)]


def test_one_changes_page_says_whom_it_counts_for(teams: Engine, client: TestClient) -> None:
    page = _page(client, "/c/Team%20A/changes/acme/app%232")
    assert page.by_id["member"].text == "Counted for: Bob"
    assert "member" not in _page(client, "/c/Acme/changes/acme/app%232").by_id


def test_the_excluded_page_lists_each_rules_records(teams: Engine, client: TestClient) -> None:
    page = _page(client, "/c/Team%20B/excluded")
    # The doctor's counts (tests/services/test_people_teams.py): '*[bot]' PRs #4 #9 and their
    # commits (4), 'renovate*' #7 and its commit (2), Team B's own 'WIP*' the unmerged #10.
    assert page.rows("rules") == [
        ["exclude.authors '*[bot]' (org)", "authors", "*[bot]", "org", "4"],
        ["exclude.authors 'renovate*' (org)", "authors", "renovate*", "org", "2"],
        ["exclude.titles 'WIP*' (collection Team B)", "titles", "WIP*", "collection Team B", "1"],
    ]
    assert page.by_id["count"].text == "7"
    sections = [page.by_id[f"rule-{i}"] for i in (1, 2, 3)]
    records = [[tr.find_all("td")[0].text for tr in s.find_all("tbody")[0].find_all("tr")]
               for s in sections]  # fmt: skip
    # Newest first: #9 merged 01-26 12:00, its commit 08:00; #4 01-25 likewise.
    assert records == [
        ["pull_request acme/app#9", "commit acme/app@9999999",
         "pull_request acme/app#4", "commit acme/app@4444444"],
        ["pull_request acme/app#7", "commit acme/app@7777777"],
        ["pull_request acme/app#10"],
    ]  # fmt: skip
    details = [td.text for td in sections[2].find_all("td")]
    assert details == [
        "pull_request acme/app#10",
        "2024-03-10 09:00:00",
        "acme/app",
        "WIP: spike: excluded by rule exclude.titles 'WIP*' (collection Team B)",
    ]


def test_the_excluded_page_is_linked_where_rules_exist(teams: Engine, client: TestClient) -> None:
    overview = _page(client, "/c/Team%20B")
    assert overview.by_id["excluded-link"].attrs["href"] == f"/c/Team%20B/excluded{QUERY}"
    quality = _page(client, "/c/Team%20B/quality")
    check = quality.by_id["check-excluded-by-rule-exclude-titles--wip----collection-team-b-"]
    assert (f"/c/Team%20B/excluded{QUERY}", "the records of the window") in [
        (a.attrs["href"], a.text) for a in check.find_all("a")
    ]
    # A profile without rules: no link, and its page says there are none.
    assert "excluded-link" not in _page(client, "/p/Flow").by_id
    assert "no-rules" in _page(client, "/p/Flow/excluded").by_id


def test_a_bad_window_is_a_422_page(teams: Engine, client: TestClient) -> None:
    response = client.get("/c/Team%20B/excluded", params={"from": "yesterday"})
    assert response.status_code == 422
    assert client.get("/c/No%20such/excluded").status_code == 404

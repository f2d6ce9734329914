"""The organisation overview at ``/``: one row per team the viewer may see, its figures
those of ``leadline dora --collection NAME --compare previous`` (the same service), sortable
by links, "No data" never a 0, teams without a dora block or a profile said so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.domain.times import parse_time
from leadline.metrics.windows import Window
from leadline.services import collections
from leadline.services.apikeys import create
from leadline.services.org_overview import overview
from leadline.web import formatting as fmt
from tests.web.conftest import COLLECTIONS
from tests.web.html import Element, Page
from tests.web.test_dashboard_auth import basic

WINDOW = "from=2024-01-04&to=2024-01-08"
START, END = "2024-01-04", "2024-01-08"
NAMES = ["Acme", "Team A", "Team B", "Team B deploys"]


@pytest.fixture
def built(org: Engine, run_cli: Any) -> Engine:
    """The fixture org with every collection's timelines built (as the server's refresher
    would), so a page never answers "being built"."""
    assert run_cli("refresh").code == 0
    return org


def rows(html: str) -> list[tuple[str, list[Element]]]:
    """The table's rows: the team (its heading's link) and its figure cells."""
    table = Page(html).by_id["org-overview"]
    out = []
    for tr in table.find_all("tbody")[0].find_all("tr"):
        head = tr.find_all("th")[0]
        out.append((head.find_all("a")[0].text, tr.find_all("td")))
    return out


def cli_report(run_cli: Any, name: str) -> dict[str, Any]:
    result = run_cli("dora", "--collection", name, "--from", START, "--to", END,
                     "--compare", "previous", "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    report: dict[str, Any] = json.loads(result.out)
    report.pop("as_of", None)
    return report


def test_every_team_has_a_row_equal_to_the_cli(
    client: TestClient, built: Engine, run_cli: Any
) -> None:
    expected = {name: cli_report(run_cli, name) for name in NAMES}
    window = Window(parse_time(f"{START}T00:00:00Z"), parse_time(f"{END}T00:00:00Z"))
    found = overview(built, NAMES, window, "week", "mean", True)
    assert [r["collection"] for r in found] == NAMES
    for row in found:
        shown = {k: v for k, v in row.items() if k != "as_of"}
        assert shown == expected[row["collection"]], row["collection"]
    page = client.get(f"/?{WINDOW}")
    assert page.status_code == 200
    table = rows(page.text)
    assert [name for name, _ in table] == NAMES  # tree order by default
    for name, cells in table:
        report = expected[name]
        df, lead = report["deployment_frequency"], report["lead_time_for_changes"]
        cfr, mttr = report["change_failure_rate"], report["mean_time_to_restore"]
        assert cells[0].text.startswith(fmt.frequency(df["per_day"])), name
        assert f"{df['deployments']} deployment" in cells[0].text
        lead_shown = fmt.duration(lead["total_seconds"]) if lead["changes"] else fmt.NO_DATA
        assert cells[1].text.startswith(lead_shown), name
        assert f"{lead['changes']} change" in cells[1].text
        rate = fmt.NO_DATA if cfr.get("reason") else fmt.percent(cfr["rate"])
        assert cells[2].text.startswith(rate), name
        assert f"/ {cfr['deployments']} deployed" in cells[2].text
        restore = fmt.NO_DATA if mttr.get("reason") else fmt.duration(mttr["mean_seconds"])
        assert cells[3].text.startswith(restore), name
        assert f"{mttr['incidents']} incident" in cells[3].text
        verdict = report["comparison"]["deployment_frequency"]["verdict"]
        assert verdict.split()[0] in cells[0].text  # the comparison, in words
        links = [a.attrs["href"] for a in cells[0].find_all("a")]
        assert links[0].startswith(f"/c/{name.replace(' ', '%20')}/deployments?from=2024-01-04")


def test_no_data_is_not_zero_and_says_why(client: TestClient, built: Engine) -> None:
    table = dict(rows(client.get(f"/?{WINDOW}").text))
    cells = table["Team B deploys"]  # staging only: no production deployment
    assert cells[0].text.startswith(fmt.NO_DATA)
    assert "0.00" not in cells[0].text and "0 per" not in cells[0].text
    assert cells[0].find_all("span")  # its reason is under it
    assert any("reason" in s.attrs.get("class", "") for s in cells[0].find_all("span"))


def test_sorting_by_a_column(client: TestClient, built: Engine) -> None:
    found = {r["collection"]: r for r in overview(
        built, NAMES, Window(parse_time(f"{START}T00:00:00Z"),
                           parse_time(f"{END}T00:00:00Z")))}  # fmt: skip
    per_day = {n: r["deployment_frequency"]["per_day"] for n, r in found.items()}
    known = [n for n in NAMES if per_day[n] is not None]
    for order in ("asc", "desc"):
        page = client.get(f"/?{WINDOW}&sort=deployment_frequency&order={order}")
        assert page.status_code == 200
        names = [n for n, _ in rows(page.text)]
        expected = sorted(known, key=lambda n: per_day[n] or 0.0, reverse=order == "desc")
        assert names == expected + [n for n in NAMES if per_day[n] is None]  # No data last
        heading = next(th for th in Page(page.text).by_id["org-overview"].find_all("th")
                       if th.attrs.get("aria-sort"))  # fmt: skip
        assert heading.attrs["aria-sort"] == ("ascending" if order == "asc" else "descending")
        link = heading.find_all("a")[0].attrs["href"]
        flipped = "desc" if order == "asc" else "asc"
        assert f"order={flipped}" in link and "from=2024-01-04" in link and "stat=mean" in link
    names = [n for n, _ in rows(client.get(f"/?{WINDOW}&sort=name&order=desc").text)]
    assert names == sorted(NAMES, key=str.casefold, reverse=True)


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sorting_by_a_column_no_team_has_keeps_the_tree(
    client: TestClient, built: Engine, order: str
) -> None:
    """No team measures the rework rate, so the table has no such column: sorting by it
    is the tree's order (it was a 500)."""
    page = client.get(f"/?{WINDOW}&sort=deployment_rework_rate&order={order}")
    assert page.status_code == 200
    assert [n for n, _ in rows(page.text)] == NAMES
    table = Page(page.text).by_id["org-overview"]
    assert not [th for th in table.find_all("th") if th.attrs.get("aria-sort")]


@pytest.mark.parametrize("query", ["sort=speed", "sort=lead_time&order=up"])
def test_a_bad_sort_is_the_error_page(client: TestClient, built: Engine, query: str) -> None:
    page = client.get(f"/?{query}")
    assert page.status_code == 422
    assert "expected one of" in page.text and "text/html" in page.headers["content-type"]


def test_a_team_without_a_dora_block(
    client: TestClient, built: Engine, run_cli: Any, tmp_path: Path
) -> None:
    shutil.copy(COLLECTIONS / "team.yaml", tmp_path / "team.yaml")
    (tmp_path / "plain.yaml").write_text(
        "name: Plain flow\nstart: {event: ticket_created}\n"
        "stages:\n  - {name: PR merged, event: pr_merged}\n", encoding="utf-8")  # fmt: skip
    text = (COLLECTIONS / "org.yaml").read_text(encoding="utf-8")
    text = text.replace("  - team.yaml\n", "  - team.yaml\n  - plain.yaml\n")
    text += "  - name: Plain\n    profile: Plain flow\n    filters: {projects: [A]}\n"
    (tmp_path / "org.yaml").write_text(text, encoding="utf-8")
    assert run_cli("apply", str(tmp_path / "org.yaml")).code == 0
    assert run_cli("refresh").code == 0
    page = client.get(f"/?{WINDOW}")
    assert page.status_code == 200
    table = dict(rows(page.text))
    plain = table["Plain"]
    assert "No dora block" in plain[0].text
    lead = run_cli("lead-time", "--collection", "Plain", "--from", START, "--to", END,
                   "--format", "json")  # fmt: skip
    seconds = json.loads(lead.out)["total_seconds"]
    assert plain[1].text.startswith(fmt.duration(seconds))
    # Sorting by a DORA figure puts it last, with the team without the figure.
    names = [n for n, _ in rows(client.get(f"/?{WINDOW}&sort=change_failure_rate").text)]
    assert set(names[-2:]) == {"Plain", "Team B deploys"}


def test_a_team_key_sees_its_teams_only(db_url: str, built: Engine) -> None:
    from leadline.api.app import create_app
    from leadline.config import Settings

    app = create_app(Settings(database_url=db_url, dashboard_auth="key"))
    key = create(built, "team-b", "read", collection="Team B")
    with TestClient(app, raise_server_exceptions=False) as locked:
        page = locked.get(f"/?{WINDOW}", headers=basic(key))
    assert page.status_code == 200
    assert [n for n, _ in rows(page.text)] == ["Team B", "Team B deploys"]


def test_the_tree_stays_one_click_away(client: TestClient, built: Engine) -> None:
    page = Page(client.get("/").text)
    assert page.by_id["tree"].tag == "details"
    assert [a.text for a in page.by_id["collections"].find_all("a")] == [
        c.name for c in collections.tree(built)
    ]


def test_the_demo_rows_equal_the_cli(engine: Engine, run_cli: Any) -> None:
    """Acceptance on the demo (7 collections, custom levels, every source): each row of the
    service the page, the API and ``leadline overview`` use is exactly ``leadline dora
    --collection NAME --compare previous --format json``."""
    assert run_cli("demo").code == 0
    names = [c.name for c in collections.tree(engine)]
    assert len(names) == 7
    found = {r["collection"]: r for r in overview(engine, names)}  # the server's way: cached
    for name in names:
        result = run_cli("dora", "--collection", name, "--compare", "previous", "--format", "json")
        assert result.code == 0, result.err
        expected = json.loads(result.out)
        expected.pop("as_of", None)
        assert {k: v for k, v in found[name].items() if k != "as_of"} == expected, name


def test_a_team_still_being_built_is_a_row_saying_so(org: Engine) -> None:
    """Before a team's first build the API answers 202 (``NotReady``); the page still shows
    every team, the ones being built with a row saying so."""
    from leadline.errors import NotReady
    from leadline.services.org_overview import rows as rows_of
    from leadline.services.org_overview import teams
    from leadline.web.org import org_table
    from leadline.web.params import Viewer, read_view

    window = Window(parse_time(f"{START}T00:00:00Z"), parse_time(f"{END}T00:00:00Z"))
    with pytest.raises(NotReady):
        overview(org, NAMES, window)
    found = rows_of(org, teams(org, NAMES), window, partial=True)
    assert [r["collection"] for r in found] == NAMES
    assert all("being built" in r["building"] for r in found)
    view = read_view(START, END, None, None, parse_time(f"{END}T00:00:00Z"))
    table = org_table(org, view, Viewer(None), None, "asc")
    assert [r.name for r in table.rows] == NAMES
    assert all(r.note and "being built" in r.note and not r.cells for r in table.rows)

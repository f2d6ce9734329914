"""Any dashboard table as CSV or JSON (``web/export.py``): ``?…&format=csv&table=ID`` on the
page's own URL. The reading rules on hand-made tables (header row, colspan, machine values,
drawings left out), then the real app: the headers and file name of a download, the figures
the page shows, every other parameter kept, and the error pages (unknown table: 404 naming
the page's tables; bad format or no table: 422)."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.csvtext import safe_cell
from leadline.web.export import tables
from tests.web.html import Page

WINDOW = "from=2024-01-01&to=2024-03-01"


def cells(html: str, table_id: str) -> tuple[list[str], list[list[str]]]:
    t = tables(html)[table_id]
    return t.columns()  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("html", "header", "rows"),
    [
        # thead's last row is the header; text collapsed; a link's text is the cell's.
        (
            "<table id='t'><thead><tr><th>Group</th></tr><tr><th>A</th><th>B</th></tr></thead>"
            "<tbody><tr><td> x \n y </td><td><a href='/z'>z</a></td></tr></tbody></table>",
            ["A", "B"],
            [["x y", "z"]],
        ),
        # no thead: a first row of <th> only is the header; a <th scope=row> later is a cell.
        (
            "<table id='t'><tr><th>Stage</th><th>Mean</th></tr>"
            "<tr><th scope='row'>CI</th><td>1h</td></tr></table>",
            ["Stage", "Mean"],
            [["CI", "1h"]],
        ),
        # data-value: a column "HEADER (value)" after its column, empty where a cell has none.
        (
            "<table id='t'><thead><tr><th>Key</th><th>Time</th></tr></thead><tbody>"
            "<tr><td>a</td><td data-value='4200.0'>1h 10m</td></tr>"
            "<tr><td>b</td><td>—</td></tr></tbody></table>",
            ["Key", "Time", "Time (value)"],
            [["a", "1h 10m", "4200.0"], ["b", "—", None]],
        ),
        # colspan: the cell, then empty cells; svg and aria-hidden text is not shown text.
        (
            "<table id='t'><thead><tr><th>A</th><th>B</th><th>C</th></tr></thead><tbody>"
            "<tr><td colspan='2'>wide<svg><title>bar</title></svg></td>"
            "<td>ok<span aria-hidden='true'>●</span></td></tr></tbody></table>",
            ["A", "B", "C"],
            [["wide", "", "ok"]],
        ),
        # more cells than headers: named by position; a table inside a cell is its text.
        (
            "<table id='t'><thead><tr><th>A</th></tr></thead><tbody><tr><td>1</td>"
            "<td><table><tr><td>in</td></tr></table></td></tr></tbody></table>",
            ["A", "column 2"],
            [["1", "in"]],
        ),
        # a line break is a space ("Acme<br>Tickets", the org overview's team cell); a
        # hidden one (in a drawing) is nothing.
        (
            "<table id='t'><thead><tr><th>Team</th></tr></thead><tbody>"
            "<tr><td><a href='/c/Acme'>Acme</a><br><span>Tickets</span></td></tr>"
            "<tr><td>a<svg><br/></svg>b</td></tr></tbody></table>",
            ["Team"],
            [["Acme Tickets"], ["ab"]],
        ),
    ],
)
def test_reading_rules(html: str, header: list[str], rows: list[list[str | None]]) -> None:
    assert cells(html, "t") == (header, rows)


def test_only_tables_with_an_id_and_the_first_of_an_id() -> None:
    html = ("<table><tr><td>x</td></tr></table><table id='a'><caption>First <b>one</b></caption>"
            "<tr><td>1</td></tr></table><table id='a'><tr><td>2</td></tr></table>")  # fmt: skip
    found = tables(html)
    assert list(found) == ["a"]
    assert "".join(found["a"].caption).split() == ["First", "one"]
    assert found["a"].columns() == (["column 1"], [["1"]])


def page_cells(html: str, table_id: str) -> list[list[str]]:
    """The cells' text as the page has them, read by the tests' own HTML reader."""
    table = Page(html).by_id[table_id]
    body = table.find_all("tbody")[0]
    return [[" ".join("".join(c.texts).split()) for c in tr.children if c.tag in ("td", "th")]
            for tr in body.find_all("tr")]  # fmt: skip


def test_a_download_holds_the_figures_the_page_shows(org: Engine, client: TestClient) -> None:
    url = f"/c/Acme/incidents?{WINDOW}&interval=month"
    html = client.get(url).text
    link = Page(html).by_id["records-export"].find_all("a")[0]
    assert link.attrs["aria-label"] == "Download Restored as CSV"
    query = dict(parse_qsl(urlsplit(link.attrs["href"]).query))
    # every parameter of the page is kept, the download's two added
    assert query == {"from": "2024-01-01", "to": "2024-03-01", "interval": "month",
                     "format": "csv", "table": "records"}  # fmt: skip
    assert link.attrs["href"].startswith("/c/Acme/incidents?")
    got = client.get(link.attrs["href"])
    assert got.status_code == 200
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    assert got.headers["content-disposition"] == (
        'attachment; filename="incidents-records-2024-01-01-2024-03-01.csv"'
    )
    assert got.headers["content-security-policy"].startswith("default-src 'self'")
    parsed = list(csv.reader(io.StringIO(got.text)))
    header = parsed[0]
    assert header[:4] == ["Resolved", "Incident", "Time to restore", "Time to restore (value)"]
    shown = page_cells(html, "records")
    assert shown, "the fixture has restored incidents in the window"
    values = [td.attrs.get("data-value", "") for td in Page(html).by_id["records"].find_all("td")
              if "data-value" in td.attrs]  # fmt: skip
    assert [r[3] for r in parsed[1:]] == values
    assert [r[:3] + r[4:] for r in parsed[1:]] == [[safe_cell(c) for c in r] for r in shown]
    as_json = client.get(f"/c/Acme/incidents?{WINDOW}&interval=month&format=json&table=records")
    assert as_json.headers["content-type"] == "application/json"
    data = json.loads(as_json.text)
    assert data["columns"] == header and len(data["rows"]) == len(shown)
    assert [r[3] for r in data["rows"]] == [float(v) for v in values]  # a number in JSON


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("format=csv&table=nope", 404, "no table 'nope' on this page (its tables: records"),
        ("format=xml&table=records", 422, "format: expected one of html, csv, json, got 'xml'"),
        ("format=csv", 422, "table: give the id of the table to download as csv"),
        ("format=html&table=records", 200, "Deployments"),  # the page itself
    ],
)
def test_bad_download_requests_are_error_pages(
    org: Engine, client: TestClient, query: str, status: int, says: str
) -> None:
    got = client.get(f"/c/Acme/deployments?{WINDOW}&{query}")
    assert got.status_code == status
    assert got.headers["content-type"].startswith("text/html")
    assert says in got.text.replace("&#39;", "'")


def test_every_table_of_the_drill_downs_has_an_id_and_links(org: Engine, client: TestClient,
                                                            ) -> None:  # fmt: skip
    for drill in ("deployments", "failures", "incidents", "changes", "quality", "excluded"):
        html = client.get(f"/c/Acme/{drill}?{WINDOW}").text
        page = Page(html)
        for table in page.root.find_all("table"):
            if table.inside("details"):
                continue  # a chart's values (templates/_macros.html): the integrator wires them
            table_id = table.attrs.get("id")
            assert table_id, f"{drill}: a table without an id"
            assert f"{table_id}-export" in page.by_id, f"{drill}: no download under {table_id}"
            got = client.get(f"/c/Acme/{drill}?{WINDOW}&format=csv&table={table_id}")
            assert got.status_code == 200, (drill, table_id)


def test_download_links_need_nothing_else(org: Engine, client: TestClient) -> None:
    """The links are plain URLs on the page's own path, as requested: no JavaScript."""
    html = client.get(f"/c/Team%20B/deployments?{WINDOW}").text
    hrefs = [a.attrs["href"] for a in Page(html).by_id["records-export"].find_all("a")]
    assert all(h.startswith("/c/Team%20B/deployments?") for h in hrefs)
    assert client.get(hrefs[1]).headers["content-disposition"] == (
        'attachment; filename="deployments-records-2024-01-01-2024-03-01.json"'
    )

"""``format=csv`` (or ``Accept: text/csv``) on ``GET /v1/metrics/dora`` and
``/v1/metrics/lead-time``: the very CSV of ``leadline dora|lead-time --format csv``."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi.testclient import TestClient

from tests.api.conftest import auth
from tests.conftest import FIXTURES

QUARTER = FIXTURES / "dora_quarter"
WINDOW = {"from": "2024-01-01", "to": "2024-04-01"}


def test_csv_over_http_is_the_cli_csv(
    client: TestClient, keys: dict[str, str], run_cli: Any
) -> None:
    assert run_cli("import", str(QUARTER / "records.ndjson")).code == 0
    path = QUARTER / "incidents.yaml"
    data = yaml.safe_load(path.read_text())
    name = data["name"]
    assert client.put(f"/v1/profiles/{name}", json=data, headers=auth(keys["admin"])).is_success
    read = auth(keys["read"])
    window = ["--from", WINDOW["from"], "--to", WINDOW["to"]]
    for compare in ([], ["--compare", "previous"]):
        cli = run_cli("dora", "--profile", str(path), *window, *compare, "--format", "csv")
        query = {"profile": name, **WINDOW, "format": "csv"} | (
            {"compare": "previous"} if compare else {})  # fmt: skip
        http = client.get("/v1/metrics/dora", params=query, headers=read)
        assert http.status_code == 200, http.text
        assert http.headers["content-type"] == "text/csv; charset=utf-8"
        assert http.text == cli.out
    cli = run_cli("lead-time", "--profile", str(path), *window, "--format", "csv")
    http = client.get("/v1/metrics/lead-time", params={"profile": name, **WINDOW},
                      headers=read | {"Accept": "text/csv"})  # fmt: skip
    assert http.headers["content-type"] == "text/csv; charset=utf-8"
    assert http.text == cli.out
    plain = client.get("/v1/metrics/lead-time", params={"profile": name, **WINDOW}, headers=read)
    assert plain.headers["content-type"] == "application/json"
    bad = client.get("/v1/metrics/dora", params={"profile": name, "format": "xml"}, headers=read)
    assert bad.status_code == 422 and "format" in bad.text


def test_the_trend_csv_over_http_is_the_cli_trend_csv(
    client: TestClient, keys: dict[str, str], run_cli: Any
) -> None:
    """``interval`` with ``format=csv``: the trend, as ``lead-time --interval week --format
    csv`` prints it; with ``by`` too, a 422 (one CSV holds one table), as the CLI refuses."""
    assert run_cli("import", str(QUARTER / "records.ndjson")).code == 0
    path = QUARTER / "incidents.yaml"
    data = yaml.safe_load(path.read_text())
    name = data["name"]
    assert client.put(f"/v1/profiles/{name}", json=data, headers=auth(keys["admin"])).is_success
    window = ["--from", WINDOW["from"], "--to", WINDOW["to"]]
    cli = run_cli("lead-time", "--profile", str(path), *window, "--interval", "week",
                  "--format", "csv")  # fmt: skip
    assert cli.out.startswith("start,changes,total_seconds,")
    query = {"profile": name, **WINDOW, "interval": "week", "format": "csv"}
    http = client.get("/v1/metrics/lead-time", params=query, headers=auth(keys["read"]))
    assert http.status_code == 200 and http.text == cli.out
    both = client.get("/v1/metrics/lead-time", params=query | {"by": "type"},
                      headers=auth(keys["read"]))  # fmt: skip
    assert both.status_code == 422 and "by" in both.text


def test_no_data_is_an_empty_cell_never_a_zero() -> None:
    """A stage without samples and a total without changes are empty cells."""
    from leadline.services.csvreports import lead_time_csv

    stage = {"name": "Review", "seconds": 0.0, "samples": 0, "missing": 0, "rating": None}
    result = {"stages": [stage], "total_seconds": 0.0, "changes": 0, "rating": None}
    assert lead_time_csv(result).splitlines() == [
        "stage,seconds,samples,missing,rating",
        "Review,,0,0,",
        "Total,,0,,",
    ]


def test_the_overview_csv_escapes_formula_like_names() -> None:
    from leadline.cli.overview_cmd import to_csv

    text = to_csv([{"collection": '=HYPERLINK("http://x","a")', "error": "no profile"}])
    assert text.splitlines()[1].startswith("\"'=HYPERLINK(")

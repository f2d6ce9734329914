"""The statistic and the interval are each defined once (``metrics/choices.py``): the CLI's
choices, the OpenAPI enums and the dashboard picker's options are that one tuple."""

from __future__ import annotations

from typing import Any

import click
from fastapi.testclient import TestClient

from leadline.cli.main import cli
from leadline.metrics.choices import INTERVALS, STATISTICS
from tests.web.html import Page


def cli_choices(command: str, option: str) -> tuple[str, ...]:
    found = cli.commands[command]
    param = next(p for p in found.params if p.name == option)
    assert isinstance(param.type, click.Choice)
    return tuple(param.type.choices)


def api_enum(document: dict[str, Any], path: str, name: str) -> tuple[str, ...]:
    params = document["paths"][path]["get"]["parameters"]
    schema = next(p["schema"] for p in params if p["name"] == name)
    return tuple(schema["enum"])


def picker_options(page: Page, select: str) -> tuple[str, ...]:
    return tuple(option.text for option in page.by_id[select].find_all("option"))


def test_cli_api_and_dashboard_offer_the_one_tuple(client: TestClient, org: Any) -> None:
    for command in ("lead-time", "dora", "git"):
        assert cli_choices(command, "stat") == STATISTICS, command
    for command in ("dora", "git"):
        assert cli_choices(command, "interval") == INTERVALS, command
    document = client.get("/openapi.json").json()
    assert api_enum(document, "/v1/metrics/lead-time", "stat") == STATISTICS
    assert api_enum(document, "/v1/metrics/dora", "stat") == STATISTICS
    assert api_enum(document, "/v1/metrics/dora", "interval") == INTERVALS
    for url in ("/", "/c/Acme"):
        page = Page(client.get(url).text)
        assert picker_options(page, "stat") == STATISTICS, url
        assert picker_options(page, "interval") == INTERVALS, url
    assert STATISTICS == ("mean", "median", "p90", "p95")
    assert INTERVALS == ("day", "week", "month")

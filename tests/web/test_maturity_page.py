"""The overview of a profile with custom maturity levels: each widget names its level beside
a swatch of the level's colour (colour is never the only signal, and the name stays in the
page's ink, so any colour keeps WCAG AA contrast), the charts' zones take the levels'
colours (the bars one series colour), the legend lists the levels best first, and the stage
table has a Level column.

Figures by hand (tests/cli/test_maturity_levels.py): frequency OK, lead time OK, failure rate
Poor, restore OK; stage Deployed OK. Deployments per week by month: January 1 in 31 days
(7/31 ≈ 0.226 a week: Poor, under 0.25), February 2 in 29 days (14/29 ≈ 0.483: OK), March 2
in 31 days (14/31 ≈ 0.452: OK). SQLite or PostgreSQL.
"""

from __future__ import annotations

import re
import time
from typing import Any

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.services import profiles
from leadline.web.render import STATIC
from tests.cli.test_maturity_levels import PROFILE
from tests.conftest import FIXTURES
from tests.web.html import Element, Page

WINDOW = {"from": "2024-01-01", "to": "2024-04-01", "interval": "month"}
COLOURS = {"Great": "#1a7f37", "OK": "#9a6700", "Poor": "#cf222e"}


def overview(client: TestClient, name: str) -> Page:
    deadline = time.monotonic() + 30
    while True:  # the server's refresher builds the new profile's timelines first (202)
        response = client.get(f"/p/{name}", params=WINDOW)
        if response.status_code != 202 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert response.status_code == 200, response.text[:500]
    return Page(response.text)


def badge(root: Element) -> Element:
    return next(e for e in root.find_all("span") if "badge" in e.attrs.get("class", ""))


def test_custom_levels_on_the_dashboard(client: TestClient, engine: Engine, run_cli: Any) -> None:
    assert run_cli("import", str(FIXTURES / "dora_quarter" / "records.ndjson")).code == 0
    data = {**yaml.safe_load(PROFILE), "name": "Maturity"}
    profiles.put(engine, "Maturity", data)
    page = overview(client, "Maturity")
    expected = {"deployment_frequency": "OK", "lead_time": "OK",
                "change_failure_rate": "Poor", "mean_time_to_restore": "OK"}  # fmt: skip
    for key, level in expected.items():
        found = badge(page.by_id[key])
        assert (found.attrs["class"], found.text) == ("badge band-level", level), key
        swatch = found.find_all("rect")
        assert [r.attrs["fill"] for r in swatch] == [COLOURS[level]], key
    bars = [r for r in page.by_id["deployment_frequency"].find_all("rect")
            if "bar" in r.attrs.get("class", "").split()]  # fmt: skip
    assert bars and all("fill" not in r.attrs for r in bars)  # one series colour
    key = page.by_id["chart-deployment_frequency"].find_all("ul")[0]  # the zones' legend
    assert [r.attrs["fill"] for r in key.find_all("rect")] == list(COLOURS.values())
    assert [li.text.split()[0] for li in key.find_all("li")][: len(COLOURS)] == list(COLOURS)
    table = page.by_id["deployment_frequency"].find_all("tbody")[0]
    assert [row.find_all("td")[1].text for row in table.find_all("tr")] == ["Poor", "OK", "OK"]
    legend = page.by_id["band-legend"]
    assert [e.text for e in legend.find_all("span")] == ["Great", "OK", "Poor"]
    assert [r.attrs["fill"] for r in legend.find_all("rect")] == list(COLOURS.values())
    stages = page.by_id["lead-time-by-stage"]
    assert [th.text for th in stages.find_all("th")][:3] == ["Stage", "Mean", "Level"]
    assert badge(stages.find_all("tbody")[0]).text == "OK"


def test_preset_pages_have_no_legend_or_level_column(
    client: TestClient, engine: Engine, run_cli: Any
) -> None:
    assert run_cli("import", str(FIXTURES / "dora_quarter" / "records.ndjson")).code == 0
    data = {
        **yaml.safe_load((FIXTURES / "dora_quarter" / "cd-failures.yaml").read_text()),
        "name": "Preset",
    }
    profiles.put(engine, "Preset", data)
    page = overview(client, "Preset")
    assert "band-legend" not in page.by_id
    assert "Level" not in [th.text for th in page.by_id["lead-time-by-stage"].find_all("th")]
    assert badge(page.by_id["change_failure_rate"]).attrs["class"] == "badge band-high"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_level_names_are_ink_on_the_card() -> None:
    css = (STATIC / "dashboard.css").read_text()
    rule = re.search(r"\.badge\.band-level \{([^}]*)\}", css)
    assert rule is not None
    assert "background: var(--card)" in rule.group(1) and "color: var(--ink)" in rule.group(1)
    ink = re.search(r"--ink: (#[0-9a-f]{6})", css)
    card = re.search(r"--card: (#[0-9a-f]{3,6})", css)
    assert ink is not None and card is not None
    white = card.group(1) if len(card.group(1)) == 7 else "#ffffff"
    ratio = (_luminance(white) + 0.05) / (_luminance(ink.group(1)) + 0.05)
    assert ratio >= 4.5  # WCAG AA for normal text (#1f2328 on white: about 15.8)

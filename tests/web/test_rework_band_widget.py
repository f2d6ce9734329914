"""The rework widget with a custom range (``dora.bands.deployment_rework_rate``): its level
beside the level's colour swatch, its chart's zones coloured by level (the bars one
colour), and ``/metrics`` exporting its band and rank — on the PR quarter of
tests/services/test_unplanned_quarter.py (by hand there: rework 4 of 8 = 50 %; by month 1
of 3 = 33.3 %, 1 of 2 = 50 %, 2 of 3 = 66.7 %).

Levels Great / OK / Poor, rework edges 40 % and 50 % (on the edge: the better level): the
quarter's 50 % is OK (rank 2); by month Great, OK, Poor. Real ASGI app, SQLite or PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from leadline.services import profiles
from leadline.services.apikeys import create
from tests.services.test_rework_band_report import FOUR, band_data
from tests.services.test_unplanned_quarter import RECORDS
from tests.web.test_rework_widget import get_page

LEVELS = [
    {"name": "Great", "colour": "#1a7f37"},
    {"name": "OK", "colour": "#9a6700"},
    {"name": "Poor", "colour": "#cf222e"},
]
COLOURS = {lv["name"]: lv["colour"] for lv in LEVELS}


def _load(engine: Engine, run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "prs.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    assert run_cli("import", str(path)).code == 0
    ranged = {"levels": LEVELS, **FOUR, "deployment_rework_rate": {"edges": ["40%", "50%"]}}
    profiles.put(engine, "Banded", {**band_data(ranged), "name": "Banded"})
    profiles.put(engine, "Unbanded", {**band_data({"levels": LEVELS, **FOUR}), "name": "Unbanded"})


def test_the_widget_shows_the_level(
    client: TestClient, engine: Engine, run_cli: Any, tmp_path: Path
) -> None:
    _load(engine, run_cli, tmp_path)
    widget = get_page(client, "/p/Banded").by_id["deployment_rework_rate"]
    assert widget.find_all("a")[0].text == "50.0 %"
    badge = next(e for e in widget.find_all("span") if "badge" in e.attrs.get("class", ""))
    assert (badge.attrs["class"], badge.text) == ("badge band-level", "OK")
    assert [r.attrs["fill"] for r in badge.find_all("rect")] == [COLOURS["OK"]]
    bars = [r for r in widget.find_all("rect") if "bar" in r.attrs.get("class", "").split()]
    assert bars and all("fill" not in r.attrs for r in bars)  # one series colour
    zones = [r for r in widget.find_all("rect") if "zone" in r.attrs.get("class", "").split()]
    assert [r.attrs["fill"] for r in zones][:3] == [
        COLOURS["Great"],
        COLOURS["OK"],
        COLOURS["Poor"],
    ]
    table = widget.find_all("table")[0].find_all("tbody")[0]
    assert [[c.text for c in tr.children][:3] for tr in table.find_all("tr")] == [
        ["2024-01-01", "33.3 %", "Great"],
        ["2024-02-01", "50.0 %", "OK"],
        ["2024-03-01", "66.7 %", "Poor"],
    ]
    plain = get_page(client, "/p/Unbanded").by_id["deployment_rework_rate"]
    badge = next(e for e in plain.find_all("span") if "badge" in e.attrs.get("class", ""))
    assert badge.text == "No band" and not badge.find_all("rect")
    rows = plain.find_all("table")[0].find_all("tbody")[0].find_all("tr")
    assert [[c.text for c in tr.children][2] for tr in rows] == ["No band"] * 3


def test_metrics_exports_the_band_and_its_rank(
    client: TestClient, engine: Engine, run_cli: Any, tmp_path: Path
) -> None:
    _load(engine, run_cli, tmp_path)
    key = create(engine, "test-read", "read")
    params = {"from": "2024-01-01", "to": "2024-04-01"}
    scrape = client.get("/metrics", params=params, headers={"Authorization": f"Bearer {key}"})
    assert scrape.status_code == 200, scrape.text[:300]
    lines = scrape.text.splitlines()
    assert 'leadline_dora_deployment_rework_rate{profile="Banded"} 0.5' in lines
    assert (
        'leadline_dora_band{profile="Banded",metric="deployment_rework_rate",band="OK"} 1' in lines
    )
    assert 'leadline_dora_band_rank{profile="Banded",metric="deployment_rework_rate"} 2' in lines
    assert 'leadline_dora_deployment_rework_rate{profile="Unbanded"} 0.5' in lines
    unbanded = [x for x in lines if "Unbanded" in x and "leadline_dora_band" in x]
    assert not any("deployment_rework_rate" in x for x in unbanded)
    assert 'leadline_dora_band_levels{profile="Unbanded"} 3' in lines

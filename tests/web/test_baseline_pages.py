"""The dashboard lists baseline changes apart (docs/deployments.md#baseline-deployments), on
the deployment-only dataset of tests/services/test_baseline.py: only CD runs are known, so
OLD-1 (committed two years before the first one, D1) is baseline; NEW-1 and NEW-2 count."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.services.test_baseline import records
from tests.web.html import Page

WINDOW = "from=2024-01-01&to=2024-02-01&interval=week&stat=mean"
SVC = "/p/svc"
PROFILE = """name: svc
stages:
  - {name: Coding, event: commit}
  - {name: Deployed, event: cd_completed, environments: [production]}
"""


def _loaded(engine: Engine, run_cli: Any, tmp_path: Path) -> None:
    data = tmp_path / "cd.ndjson"
    data.write_text("".join(json.dumps(r) + "\n" for r in records()))
    assert run_cli("import", str(data)).code == 0
    (tmp_path / "svc.yaml").write_text(PROFILE)
    (tmp_path / "org.yaml").write_text("profiles:\n  - svc.yaml\n")
    applied = run_cli("apply", str(tmp_path / "org.yaml"))
    assert applied.code == 0, applied.err


def _get(client: TestClient, url: str) -> Page:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return Page(response.text)


def test_baseline_changes_are_listed_apart_and_marked(
    client: TestClient, engine: Engine, run_cli: Any, tmp_path: Path
) -> None:
    _loaded(engine, run_cli, tmp_path)
    page = _get(client, f"{SVC}/changes?{WINDOW}")
    assert sorted(row[0] for row in page.rows()) == ["NEW-1", "NEW-2"]
    baseline = page.by_id["baseline"]
    assert baseline.find_all("h2")[0].text == "Left out, baseline (before tracking began): 1"
    assert [row[0] for row in page.rows("baseline-records")] == ["OLD-1"]
    old = _get(client, f"{SVC}/changes/OLD-1?{WINDOW}")
    assert old.by_id["baseline"].text.startswith("Baseline (before tracking began): ")
    assert "lead time leaves it out" in old.by_id["baseline"].text
    assert "baseline" not in _get(client, f"{SVC}/changes/NEW-1?{WINDOW}").by_id

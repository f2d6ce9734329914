"""GitHub ``labeled``/``unlabeled`` deliveries through the real ASGI app: the stored pull
request accumulates their label events, and a ``pr_labeled`` stage reads them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from leadline.store.tables import pull_requests
from tests.api.test_webhooks import github, hooks  # noqa: F401  (the fixture)
from tests.conftest import FIXTURES

PULLS = FIXTURES / "github" / "octokit" / "pull_request"


def test_label_events_accumulate_across_deliveries(
    hooks: TestClient,  # noqa: F811
    engine: Engine,
    run_cli: Any,
    tmp_path: Path,
) -> None:
    labeled = json.loads((PULLS / "labeled.payload.json").read_text())
    unlabeled = json.loads((PULLS / "unlabeled.payload.json").read_text())
    # A later delivery of our own: the label added again a minute after its removal.
    again = copy.deepcopy(labeled)
    again["pull_request"]["updated_at"] = "2019-05-15T15:21:36Z"
    again_path = tmp_path / "labeled.again.json"
    again_path.write_text(json.dumps(again))
    for n, path in enumerate([PULLS / "labeled.payload.json", again_path,
                              PULLS / "unlabeled.payload.json"]):  # fmt: skip
        assert github(hooks, "pull_request", path, f"l{n}").status_code == 202
    with engine.connect() as conn:
        (data,) = conn.execute(select(pull_requests.c.data)).scalars().all()
    name = labeled["label"]["name"]
    assert json.loads(data)["label_events"] == [
        {"label": name, "action": "added", "at": labeled["pull_request"]["updated_at"]},
        {"label": name, "action": "removed", "at": unlabeled["pull_request"]["updated_at"]},
        {"label": name, "action": "added", "at": "2019-05-15T15:21:36Z"},
    ]
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: Labels\nstart: {event: commit_created}\nstages:\n"
        f"  - {{name: First, event: pr_labeled, labels: [{name}]}}\n"
        f"  - {{name: Last, event: pr_labeled, labels: [{name}], occurrence: last}}\n"
    )
    key = f"{labeled['repository']['full_name']}#{labeled['number']}"
    result = run_cli("lead-time", "--profile", str(profile), "--change", key, "--format", "json")
    assert result.code == 0, result.err
    stages = json.loads(result.out)["stages"]
    assert [s["at"] for s in stages] == [labeled["pull_request"]["updated_at"],
                                         "2019-05-15T15:21:36Z"]  # fmt: skip

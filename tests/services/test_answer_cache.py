"""The store's position that the server's report caches key on (services/answer_cache.py)
moves with every write that can change an answer — also a record that names nothing to link,
which the change log's link refs alone would not record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.services.answer_cache import data_stamp

RUN = {"kind": "pipeline_run", "system": "argo", "pipeline": "deploy", "run_id": "1",
       "type": "cd", "status": "success", "finished_at": "2024-03-05T00:00:00Z",
       "environment": "production", "service": "payments"}  # fmt: skip
INCIDENT = {"kind": "incident", "source": "pagerduty", "id": "P1", "service": "payments",
            "created_at": "2024-03-05T01:00:00Z"}  # fmt: skip


def _write(run_cli: Any, path: Path, *records: dict[str, Any]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert run_cli("import", str(path)).code == 0


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({}, id="a new deployment without a commit"),
        pytest.param({"status": "failure"}, id="its status edited in place"),
    ],
)
def test_a_run_naming_no_commit_moves_the_stamp(
    engine: Engine, run_cli: Any, tmp_path: Path, change: dict[str, Any]
) -> None:
    if change:
        _write(run_cli, tmp_path / "first.ndjson", RUN)
    before = data_stamp(engine)
    _write(run_cli, tmp_path / "run.ndjson", RUN | change)
    assert data_stamp(engine) != before


def test_an_incident_and_its_edit_move_the_stamp(
    engine: Engine, run_cli: Any, tmp_path: Path
) -> None:
    before = data_stamp(engine)
    _write(run_cli, tmp_path / "i.ndjson", INCIDENT)
    middle = data_stamp(engine)
    _write(run_cli, tmp_path / "j.ndjson", INCIDENT | {"resolved_at": "2024-03-05T02:00:00Z"})
    assert len({before, middle, data_stamp(engine)}) == 3


def test_the_same_record_again_moves_nothing(engine: Engine, run_cli: Any, tmp_path: Path) -> None:
    _write(run_cli, tmp_path / "a.ndjson", RUN)
    before = data_stamp(engine)
    _write(run_cli, tmp_path / "b.ndjson", RUN)
    assert data_stamp(engine) == before

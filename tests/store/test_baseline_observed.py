"""``store/baseline.observed_commits``: which commits a run that is not a baseline deployment
names, on the acceptance dataset of tests/services/test_baseline.py (D1 the stored baseline
deployment naming c24, D2 naming c25) plus a CI run naming c17 in upper case, abbreviated
to 7 characters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from leadline.services import shipments
from leadline.store import tables as t
from leadline.store.baseline import observed_commits, stored_marks
from leadline.store.db import reading
from tests.services.test_baseline import records, sha_of

C0, C17, C24, C25 = sha_of(0), sha_of(17), sha_of(24), sha_of(25)


@pytest.fixture
def loaded(engine: Engine, run_cli: Any, tmp_path: Path) -> dict[str, int]:
    """The dataset imported and the stored marks built; run id → run row id."""
    data = records("2023-07-01T00:00:00Z", ci_on=17)
    data[-1]["commit_sha"] = C17[:7].upper()
    path = tmp_path / "r.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in data))
    assert run_cli("import", str(path)).code == 0
    shipments.refresh(engine)
    r = t.pipeline_runs.c
    with reading(engine) as conn:
        return {run: int(pk) for pk, run in conn.execute(select(r.id, r.run_id))}


@pytest.mark.parametrize(
    ("excluded", "expected"),
    [
        (None, {C17, C25}),  # the stored mark: D1 observes nothing; the CI run and D2 do
        (["1"], {C17, C25}),  # the same, given as the report's own baseline deployments
        ([], {C17, C24, C25}),  # nothing excluded (no stored marks read): D1 names c24
        (["1", "2"], {C17}),  # D2 excluded too: only the CI run, abbreviated, upper case
        (["1", "2", "9"], set()),  # every run excluded
    ],
)
def test_observed_commits(
    engine: Engine, loaded: dict[str, int], excluded: list[str] | None, expected: set[str]
) -> None:
    runs = None if excluded is None else {loaded[run] for run in excluded}
    with reading(engine) as conn:
        assert stored_marks(conn).keys() == {loaded["1"]}
        assert observed_commits(conn, [C0, C17, C24.upper(), C25], runs) == expected
        assert observed_commits(conn, [], runs) == set()

"""The rule that drifted: ``target_branches: [main]`` and a pull request into ``Main``.

Git branch names are case-sensitive, so ``Main`` is not ``main``: the lead-time stage, the
DORA deployments of ``source: pull_requests`` and the doctor's pattern check give the same
answer (``correlate/scope.branch_match``), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.correlate.linking import link
from leadline.correlate.timeline import build_timeline
from leadline.profiles.loader import profile_from_data
from leadline.services.doctor_patterns import patterns_matching_nothing
from leadline.services.dora_select import Deployments
from leadline.services.ingest import import_records
from leadline.store.db import reading
from tests.correlate.builders import issue, pr

LATER = 2**62


def _profile(branches: list[str]) -> Any:
    return profile_from_data(
        {
            "name": "p",
            "stages": [{"name": "Merged", "event": "pr_merged", "target_branches": branches}],
            "dora": {"deployments": {"source": "pull_requests", "target_branches": branches}},
        }
    )


@pytest.mark.parametrize(
    ("target", "branches", "kept"),
    [
        ("Main", ["main"], False),
        ("main", ["main"], True),
        ("Main", ["Main"], True),
        ("Release/2", ["release/*"], False),
        ("release/2", ["release/*"], True),
    ],
)
def test_stages_and_dora_deployments_agree(
    engine: Engine, target: str, branches: list[str], kept: bool
) -> None:
    records = [
        issue("PAY-1"),
        pr(1, "10:00", title="PAY-1 fix", target=target, merged="10:30", merge="a" * 40),
    ]
    import_records(engine, records)
    profile = _profile(branches)
    assert profile.dora is not None
    timeline = build_timeline(profile, link(records, "ticket")["PAY-1"])
    assert timeline is not None
    stage_kept = timeline.stages[0] is not None
    with reading(engine) as conn:
        deployed = [d.id for d in Deployments.load(conn, profile, profile.dora, LATER).items]
        flagged = {f.record.split(":")[0] for f in patterns_matching_nothing(conn, profile)}
    assert stage_kept is kept
    assert deployed == (["acme/api#1"] if kept else [])
    # The doctor flags a pattern that matches no stored branch, by the same rule.
    where = {"stages[0].target_branches", "dora.deployments.target_branches"}
    assert (flagged & where) == (set() if kept else where), flagged

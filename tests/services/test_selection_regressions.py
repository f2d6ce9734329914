"""Regressions found by review of the merged selection rules (paths, people, ``exclude``), each
figure by hand, on SQLite and PostgreSQL.

* An excluded merged PR is still a deployment of its stream for ancestry and for linking: a
  failure that names its commit is that (excluded) deployment's and counts nowhere, instead
  of sliding onto the next PR that ships the commit by ancestry.
* Under ``exclude``, an excluded commit's pipeline runs go with it: they set no stage.
* ``PUT /v1/collections/{name}`` of a top-level collection keeps the org file's rules.
* ``scope.paths`` alone does not narrow time to restore (incidents name services, not files).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from leadline.services import collections
from tests.services.test_people_teams import load_org

A, B = "a" * 40, "b" * 40
WINDOW = ["--from", "2024-01-01", "--to", "2024-02-01"]


def _import(run_cli: Any, tmp_path: Path, records: list[dict[str, Any]]) -> None:
    path = tmp_path / "records.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = run_cli("import", str(path))
    assert result.code == 0, result.err


def _json(run_cli: Any, *args: str) -> dict[str, Any]:
    result = run_cli(*args, *WINDOW, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def _commit(sha: str, author: str, at: str, parents: list[str]) -> dict[str, Any]:
    return {"kind": "commit", "repo": "acme/app", "sha": sha, "committed_at": at,
            "authored_at": at, "author": author, "parents": parents}  # fmt: skip


def _profile_file(tmp_path: Path, name: str, body: dict[str, Any]) -> str:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"name": name, **body}))
    return str(path)


def test_a_failure_of_an_excluded_pr_counts_nowhere(
    engine: Engine, run_cli: Any, tmp_path: Path
) -> None:
    # PR #1 by the bot ships A (merged 01-02 12:00); PR #2 by alice ships B (child of A,
    # merged 01-05 12:00). Incident I1 (01-06 10:00–12:00) names commit A: it links to the
    # deployment that first shipped A, PR #1.
    _import(run_cli, tmp_path, [
        _commit(A, "dependabot[bot]", "2024-01-02T08:00:00Z", []),
        _commit(B, "alice", "2024-01-05T08:00:00Z", [A]),
        {"kind": "pull_request", "repo": "acme/app", "number": 1, "author": "dependabot[bot]",
         "created_at": "2024-01-02T09:00:00Z", "merged_at": "2024-01-02T12:00:00Z",
         "target_branch": "main", "merge_commit_sha": A, "commit_shas": [A]},
        {"kind": "pull_request", "repo": "acme/app", "number": 2, "author": "alice",
         "created_at": "2024-01-05T09:00:00Z", "merged_at": "2024-01-05T12:00:00Z",
         "target_branch": "main", "merge_commit_sha": B, "commit_shas": [B]},
        {"kind": "incident", "source": "pagerduty", "id": "I1", "commit_sha": A,
         "created_at": "2024-01-06T10:00:00Z", "resolved_at": "2024-01-06T12:00:00Z"},
    ])  # fmt: skip
    body = {"start": {"event": "commit_created"},
            "stages": [{"name": "Merged", "event": "pr_merged"}],
            "dora": {"deployments": {"source": "pull_requests"},
                     "failures": {"source": "incidents"}}}  # fmt: skip
    plain = _profile_file(tmp_path, "PR flow", body)
    bots = _profile_file(tmp_path, "PR flow, no bots",
                         {**body, "exclude": {"authors": ["*[bot]"]}})  # fmt: skip
    everything = _json(run_cli, "dora", "--profile", plain)
    # Both PRs deploy; I1 is PR #1's failure: 1 of 2; restored in 2 h.
    assert everything["change_failure_rate"]["failures"] == 1
    assert everything["change_failure_rate"]["deployments"] == 2
    assert everything["mean_time_to_restore"]["incidents"] == 1
    no_bots = _json(run_cli, "dora", "--profile", bots)
    # Only PR #2 deploys; I1 stays PR #1's (excluded), so no failure and no incident count.
    assert no_bots["deployment_frequency"]["deployments"] == 1
    assert no_bots["change_failure_rate"]["failures"] == 0
    assert no_bots["change_failure_rate"]["unlinked"] == 0
    assert no_bots["mean_time_to_restore"]["incidents"] == 0


def test_an_excluded_commits_runs_set_no_stage(
    engine: Engine, run_cli: Any, tmp_path: Path
) -> None:
    # Ticket X-1 (created 01-01 09:00). The bot's commit A (01-02 10:00) is built by C1
    # (finished 01-02 12:00); alice's commit B (01-03 10:00) by C2 (finished 01-03 12:00).
    _import(run_cli, tmp_path, [
        {"kind": "issue", "key": "X-1", "created_at": "2024-01-01T09:00:00Z"},
        {**_commit(A, "dependabot[bot]", "2024-01-02T10:00:00Z", []), "message": "X-1 bump"},
        {**_commit(B, "alice", "2024-01-03T10:00:00Z", [A]), "message": "X-1 fix"},
        {"kind": "pipeline_run", "system": "ci", "pipeline": "build", "run_id": "C1",
         "type": "ci", "status": "success", "finished_at": "2024-01-02T12:00:00Z",
         "repo": "acme/app", "commit_sha": A},
        {"kind": "pipeline_run", "system": "ci", "pipeline": "build", "run_id": "C2",
         "type": "ci", "status": "success", "finished_at": "2024-01-03T12:00:00Z",
         "repo": "acme/app", "commit_sha": B},
    ])  # fmt: skip
    body = {"start": {"event": "ticket_created"}, "missing_stages": "exclude",
            "completed_work": "all",
            "stages": [{"name": "Commit", "event": "commit"},
                       {"name": "Built", "event": "ci_completed"}]}  # fmt: skip
    plain = _profile_file(tmp_path, "Ticket flow", body)
    bots = _profile_file(tmp_path, "Ticket flow, no bots",
                         {**body, "exclude": {"authors": ["*[bot]"]}})  # fmt: skip

    def stages(profile: str) -> dict[str, Any]:
        result = run_cli("lead-time", "--profile", profile, "--change", "X-1", "--format", "json")
        assert result.code == 0, result.err
        found = json.loads(result.out)
        return {s["name"]: s["seconds"] for s in found["stages"]}

    # Everything: Commit at A (01-02 10:00, 25 h after the ticket), Built at C1 (2 h later).
    assert stages(plain) == {"Commit": 25 * 3600.0, "Built": 2 * 3600.0}
    # No bots: Commit at B (01-03 10:00, 49 h), Built at C2 (2 h later), not C1 (0 s).
    assert stages(bots) == {"Commit": 49 * 3600.0, "Built": 2 * 3600.0}


def test_a_top_level_put_keeps_the_org_files_rules(
    engine: Engine, run_cli: Any, tmp_path: Path
) -> None:
    repo = load_org(engine, run_cli, tmp_path)  # org exclude: *[bot], renovate*

    def rules(name: str) -> dict[str, Any]:
        found = collections.get(repo, name).exclude
        assert found is not None
        return found.model_dump(exclude_none=True)

    before = rules("Team A")
    assert before["authors"] == ["*[bot]", "renovate*"]
    assert before["origins"] == {"authors *[bot]": "org", "authors renovate*": "org"}
    collections.put(repo, "Acme", {"profile": "Flow", "description": "edited"})
    assert rules("Team A") == before
    assert rules("Acme") == before


def test_paths_alone_leave_time_to_restore_whole(
    engine: Engine, run_cli: Any, tmp_path: Path
) -> None:
    # The monorepo of tests/services/test_paths.py (D2, 2024-01-05, ships only a web commit)
    # and one incident naming D2, open 2024-01-06 10:00–13:00. Incidents name services, not
    # files: every component counts it, and none says it has no restore source.
    fixtures = Path(__file__).parents[1] / "fixtures" / "paths"
    assert run_cli("import", str(fixtures / "records.ndjson")).code == 0
    _import(run_cli, tmp_path, [
        {"kind": "incident", "source": "pagerduty", "id": "I1", "deployment_run_id": "D2",
         "created_at": "2024-01-06T10:00:00Z", "resolved_at": "2024-01-06T13:00:00Z"},
    ])  # fmt: skip
    result = run_cli("apply", str(fixtures / "org.yaml"))
    assert result.code == 0, result.err
    for team in ("Mono", "Payments", "Web"):
        mttr = _json(run_cli, "dora", "--collection", team)["mean_time_to_restore"]
        assert (mttr["incidents"], mttr["mean_seconds"]) == (1, 3 * 3600.0), team
        assert "reason" not in mttr or "no restore source" not in str(mttr["reason"]), team

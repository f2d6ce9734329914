"""``scope.paths``: the glob rule on a commit's paths (``paths_match``), a change bundle
narrowed to its in-scope commits (``apply_scope``) and the rule that attributes a deployment
to the commits it ships (``ships_selected``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadline.correlate.ancestry import Deployment, ship, ships_selected
from leadline.correlate.commit_graph import CommitGraph
from leadline.correlate.linking import ChangeBundle
from leadline.correlate.scope import paths_match
from leadline.correlate.scoped import apply_scope
from leadline.domain.records import Commit, Issue, PipelineRun, PullRequest
from leadline.profiles.models import Scope

T = datetime(2024, 1, 1, tzinfo=UTC)
PAY, WEB, ROOT, MERGE = "1" * 40, "2" * 40, "3" * 40, "4" * 40


@pytest.mark.parametrize(
    ("paths", "globs", "hit"),
    [
        (["services/payments/api/x.py"], ["services/payments/**"], True),  # ** crosses /
        (["services/payments/api/x.py"], ["services/payments/*"], True),  # so does *
        (["services/paymentsx/a.py"], ["services/payments/**"], False),  # the / counts
        (["Services/Payments/a.py"], ["services/payments/**"], False),  # exact case
        (["setup.py"], ["**/*.py"], False),  # **/ needs a directory
        (["setup.py"], ["*.py"], True),
        (["README.md", "web/a.js"], ["web/**"], True),  # any of the commit's paths
        ([], ["**"], False),  # no paths: matches no filter given
        ([], None, True),  # no filter: everything
    ],
)
def test_paths_match(paths: list[str], globs: list[str] | None, hit: bool) -> None:
    assert paths_match(paths, globs) is hit


def _commit(sha: str, *paths: str, parents: tuple[str, ...] = ()) -> Commit:
    return Commit(kind="commit", repo="acme/mono", sha=sha, committed_at=T,
                  parents=list(parents), paths=list(paths))  # fmt: skip


def _run(run_id: str, sha: str, shipped: list[str] | None = None) -> PipelineRun:
    extra = {} if shipped is None else {"shipped_shas": shipped}
    return PipelineRun.model_validate({
        "kind": "pipeline_run", "system": "argo", "pipeline": "deploy", "run_id": run_id,
        "type": "cd", "status": "success", "finished_at": "2024-01-02T00:00:00Z",
        "repo": "acme/mono", "commit_sha": sha, **extra,
    })  # fmt: skip


def _pr(number: int, *shas: str, merge: str | None = None) -> PullRequest:
    return PullRequest(kind="pull_request", repo="acme/mono", number=number, created_at=T,
                       commit_shas=list(shas), merge_commit_sha=merge)  # fmt: skip


PAYMENTS = Scope(paths=["services/payments/**"])
WEB_ONLY = Scope(paths=["services/web/**"])


def test_a_ticket_change_keeps_only_its_in_scope_commits_and_their_runs() -> None:
    bundle = ChangeBundle(
        key="MONO-1",
        commits=[_commit(PAY, "services/payments/a.py"), _commit(WEB, "services/web/b.js")],
        pipeline_runs=[_run("D1", WEB, shipped=[PAY]), _run("D2", WEB)],
    )
    bundle.issues.append(Issue(kind="issue", key="MONO-1", created_at=T))
    pay = apply_scope(PAYMENTS, bundle)
    web = apply_scope(WEB_ONLY, bundle)
    assert pay is not None and web is not None
    assert [c.sha for c in pay.commits] == [PAY] and [c.sha for c in web.commits] == [WEB]
    # D1 shipped PAY by ancestry: a Payments run; D2 deployed WEB only.
    assert [r.run_id for r in pay.pipeline_runs] == ["D1"]
    assert [r.run_id for r in web.pipeline_runs] == ["D1", "D2"]
    assert apply_scope(Scope(paths=["docs/**"]), bundle) is None  # no docs commit


@pytest.mark.parametrize(
    ("pr", "payments", "web"),
    [
        (_pr(1, PAY), True, False),  # by its commits
        (_pr(2, ROOT, merge=WEB), False, True),  # by its merge (squash) commit
        (_pr(3, ROOT), False, False),  # only a commit without the paths
    ],
)
def test_a_pull_request_change_needs_an_in_scope_commit(
    pr: PullRequest, payments: bool, web: bool
) -> None:
    commits = [_commit(PAY, "services/payments/a.py"), _commit(WEB, "services/web/b.js"),
               _commit(ROOT, "README.md")]  # fmt: skip
    bundle = ChangeBundle(key=f"acme/mono#{pr.number}", unit="pull_request",
                          commits=commits, pull_requests=[pr])  # fmt: skip
    assert (apply_scope(PAYMENTS, bundle) is not None) is payments
    assert (apply_scope(WEB_ONLY, bundle) is not None) is web


def test_a_deployment_counts_for_the_components_whose_commits_it_ships() -> None:
    """ROOT ← PAY ← WEB ← MERGE: D1 ships ROOT, PAY and WEB; D2 only MERGE (no paths); D3
    redeploys WEB (ships nothing new: its head decides); a release names no commit."""
    graph = CommitGraph({ROOT: [], PAY: [ROOT], WEB: [PAY], MERGE: [WEB]})
    deployments = [
        Deployment("D1", "prod", 1, WEB), Deployment("D2", "prod", 2, MERGE),
        Deployment("D3", "prod", 3, WEB), Deployment("R", "releases", 4, None),
    ]  # fmt: skip
    shipments = ship(graph, deployments)
    paths = {PAY: "services/payments/a.py", WEB: "services/web/b.js", ROOT: "README.md"}

    def component(glob: str) -> list[str]:
        def selected(sha: str) -> bool:
            return paths_match([paths.get(sha, "")] if sha in paths else [], [glob])

        return [d.id for d in deployments if ships_selected(d, shipments, selected)]

    assert component("services/payments/**") == ["D1", "R"]
    assert component("services/web/**") == ["D1", "D3", "R"]
    assert component("docs/**") == ["R"]

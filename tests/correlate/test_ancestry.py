"""Which commits and PRs each deployment shipped (docs/deployments.md, rule 8), against real
git graphs."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leadline.correlate.ancestry import Deployment, Shipments, ship
from leadline.correlate.commit_graph import CommitGraph
from leadline.correlate.commit_lead_times import commit_lead_times
from leadline.correlate.pr_index import PrIndex
from leadline.domain.records import Commit, PullRequest
from tests.correlate.builders import pr, record

BASE = 1_714_557_600  # 2024-05-01T10:00:00Z
HOUR_US = 3_600_000_000


def hours(h: float) -> int:
    """Microseconds at ``BASE`` + ``h`` hours."""
    return BASE * 1_000_000 + round(h * HOUR_US)


@dataclass
class GitRepo:
    path: Path
    clock: float = 0.0

    def git(self, *args: str, at: float | None = None) -> str:
        when = f"{BASE + round((self.clock if at is None else at) * 3600)} +0000"
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "Ada",
            "GIT_AUTHOR_EMAIL": "ada@example.com",
            "GIT_COMMITTER_NAME": "Ada",
            "GIT_COMMITTER_EMAIL": "ada@example.com",
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_DATE": when,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
        }
        done = subprocess.run(
            ["git", *args], cwd=self.path, env=env, check=True, capture_output=True, text=True
        )
        return done.stdout.strip()

    def commit(self, name: str, at: float) -> str:
        """A commit that adds ``name.txt`` at hour ``at``; returns its SHA."""
        self.clock = at
        (self.path / f"{name}.txt").write_text(name, encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", name)
        return self.git("rev-parse", "HEAD")

    def merge(self, branch: str, at: float, *flags: str) -> str:
        self.clock = at
        self.git("merge", "-q", *flags, "-m", f"Merge {branch}", branch)
        return self.git("rev-parse", "HEAD")

    def commits(self, repo: str = "acme/api") -> list[Commit]:
        """Every commit of every ref, read back with ``git log --all``."""
        out: list[Commit] = []
        for line in self.git("log", "--all", "--format=%H %ct %P").splitlines():
            sha, epoch, *parents = line.split()
            when = datetime.fromtimestamp(int(epoch), UTC).isoformat().replace("+00:00", "Z")
            rec = record("commit", repo=repo, sha=sha, committed_at=when, parents=parents)
            assert isinstance(rec, Commit)
            out.append(rec)
        return out

    def rev_list(self, head: str, *exclude: str) -> set[str]:
        return set(self.git("rev-list", head, "--not", *exclude, "--").split())


@dataclass
class Scenario:
    repo: GitRepo
    sha: dict[str, str]
    prs: list[PullRequest]
    deployments: list[Deployment]
    shipments: Shipments


pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _pr(number: int, shas: list[str], merge: str | None, merged: str | None) -> PullRequest:
    rec = pr(number, "09:00", shas=tuple(shas), merge=merge, merged=merged)
    assert isinstance(rec, PullRequest)
    return rec


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """main with a --no-ff merge (PR 1), a squash merge (PR 2), a rebase merge (PR 3), a merge
    commit that is never itself deployed (PR 4), a PR never merged (PR 5), and deployments to
    two streams, including a rollback in production."""
    repo = GitRepo(tmp_path_factory.mktemp("repo"))
    repo.git("-c", "init.defaultBranch=main", "init", "-q")
    s: dict[str, str] = {}
    s["c0"], s["c1"] = repo.commit("c0", 0), repo.commit("c1", 1)
    repo.git("checkout", "-q", "-b", "feat1")
    s["f1"], s["f2"] = repo.commit("f1", 2), repo.commit("f2", 3)
    repo.git("checkout", "-q", "main")
    s["c2"] = repo.commit("c2", 4)
    s["m1"] = repo.merge("feat1", 5, "--no-ff")
    repo.git("checkout", "-q", "-b", "feat2")
    s["s1"], s["s2"] = repo.commit("s1", 6), repo.commit("s2", 7)
    repo.git("checkout", "-q", "main")
    repo.clock = 8
    repo.git("merge", "-q", "--squash", "feat2")
    repo.git("commit", "-q", "-m", "PR 2 squashed")
    s["q1"] = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "-b", "feat3", s["m1"])
    s["r1"], s["r2"] = repo.commit("r1", 9), repo.commit("r2", 10)
    repo.git("tag", "orig-r2")  # keep the pre-rebase commits in `git log --all`
    repo.clock = 11
    repo.git("rebase", "-q", "main")
    s["r2'"] = repo.git("rev-parse", "HEAD")
    s["r1'"] = repo.git("rev-parse", "HEAD~1")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "feat3")
    repo.git("checkout", "-q", "-b", "feat4")
    s["g1"] = repo.commit("g1", 12)
    repo.git("checkout", "-q", "main")
    s["m4"] = repo.merge("feat4", 13, "--no-ff")
    s["c5"], s["c6"] = repo.commit("c5", 14), repo.commit("c6", 15)
    repo.git("checkout", "-q", "-b", "feat5", s["c1"])
    s["u1"] = repo.commit("u1", 16)
    prs = [
        _pr(1, [s["f1"], s["f2"]], s["m1"], "15:00"),
        _pr(2, [s["s1"], s["s2"]], s["q1"], "18:00"),
        _pr(3, [s["r1"], s["r2"]], s["r2'"], "21:00"),
        _pr(4, [s["g1"]], s["m4"], "23:00"),
        _pr(5, [s["u1"]], None, None),
    ]
    plan = [
        ("prod", "D1", 5.5, "m1"),
        ("prod", "D2", 11.5, "r2'"),
        ("prod", "D3", 14.5, "c5"),
        ("prod", "D4", 14.7, "r2'"),  # rollback
        ("prod", "D5", 15.5, "c6"),
        ("staging", "S1", 5.2, "m1"),
        ("staging", "S2", 14.2, "c5"),
        ("staging", "S3", 15.2, "c6"),
    ]
    deployments = [Deployment(i, st, hours(h), s[name]) for st, i, h, name in plan]
    shipments = ship(CommitGraph.from_commits(repo.commits()), deployments, prs)
    return Scenario(repo, s, prs, deployments, shipments)


@pytest.mark.parametrize(
    ("deployment", "commits", "prs"),
    [
        ("D1", ["c0", "c1", "f1", "f2", "c2", "m1"], [1]),
        ("D2", ["q1", "r1'", "r2'"], [2, 3]),  # squash via q1; rebase via the merge SHA
        ("D3", ["g1", "m4", "c5"], [4]),  # m4 was never deployed itself: only an ancestor
        ("D4", [], []),  # a rollback to r2' ships nothing
        ("D5", ["c6"], []),  # the rolled-back commits count for D3, not again
        ("S1", ["c0", "c1", "f1", "f2", "c2", "m1"], [1]),
        ("S2", ["q1", "r1'", "r2'", "g1", "m4", "c5"], [2, 3, 4]),
        ("S3", ["c6"], []),
    ],
)
def test_shipped_commits_and_prs(
    scenario: Scenario, deployment: str, commits: list[str], prs: list[int]
) -> None:
    out = scenario.shipments
    assert set(out.commits[deployment]) == {scenario.sha[n] for n in commits}
    assert out.prs_shipped(deployment) == [("acme/api", n) for n in prs]
    assert out.rules[deployment] == "ancestry"


def test_shipped_sets_equal_git_rev_list(scenario: Scenario) -> None:
    """Each deployment ships ``git rev-list HEAD --not <every earlier head of its stream>``;
    without a rollback in between that is ``git rev-list HEAD ^PREV``."""
    for stream in ("prod", "staging"):
        deps = sorted(
            (d for d in scenario.deployments if d.stream == stream), key=lambda d: d.at_us
        )
        for k, d in enumerate(deps):
            assert d.sha is not None
            earlier = [e.sha for e in deps[:k] if e.sha]
            expected = scenario.repo.rev_list(d.sha, *earlier)
            assert set(scenario.shipments.commits[d.id]) == expected, d.id
            if d.id not in ("D4", "D5"):
                assert expected == scenario.repo.rev_list(d.sha, *earlier[-1:]), d.id
    # The documented difference after a rollback: D5 does not re-ship g1, m4, c5.
    s = scenario.sha
    assert scenario.repo.rev_list(s["c6"], s["r2'"]) == {s[n] for n in ("g1", "m4", "c5", "c6")}


@pytest.mark.parametrize(
    ("number", "stream", "first"),
    [
        (1, None, "S1"),  # staging got it 18 minutes before production
        (1, "prod", "D1"),
        (2, None, "D2"),  # squash merge: only the squash commit is on main
        (2, "staging", "S2"),
        (3, None, "D2"),  # rebase merge: the original commits are not on main
        (4, None, "S2"),
        (4, "prod", "D3"),  # the merge commit itself was never deployed
        (5, None, None),  # never merged
        (6, None, None),  # unknown PR
    ],
)
def test_first_shipping_deployment(
    scenario: Scenario, number: int, stream: str | None, first: str | None
) -> None:
    assert scenario.shipments.first_shipping_deployment(("acme/api", number), stream) == first
    if number <= 5:
        pull = scenario.prs[number - 1]
        assert scenario.shipments.first_shipping_deployment(pull, stream) == first


@pytest.mark.parametrize(
    ("name", "stream", "first"),
    [
        ("c0", None, "S1"),
        ("c0", "prod", "D1"),
        ("q1", None, "D2"),
        ("m4", "prod", "D3"),
        ("c6", None, "S3"),
        ("s1", None, None),  # squashed away
        ("r1", None, None),  # replaced by the rebase
        ("u1", None, None),
    ],
)
def test_first_deployment_of_a_commit(
    scenario: Scenario, name: str, stream: str | None, first: str | None
) -> None:
    sha = scenario.sha[name]
    out = scenario.shipments
    assert out.first_deployment(sha, stream) == first
    assert out.first_deployment(sha.upper()[:10], stream) == first  # abbreviated, upper case


def test_commit_lead_times(scenario: Scenario) -> None:
    commits = scenario.repo.commits()
    lead = commit_lead_times(commits, scenario.shipments)
    by_sha = dict(zip(lead.shas, lead.seconds.tolist(), strict=True))
    s = scenario.sha
    assert by_sha[s["f1"]] == pytest.approx(3.2 * 3600)  # committed at 2 h, staging at 5.2 h
    assert by_sha[s["q1"]] == pytest.approx(3.5 * 3600)  # 8 h → D2 at 11.5 h
    assert s["s1"] not in by_sha and s["u1"] not in by_sha
    assert len(lead.shas) == 13
    prod = commit_lead_times(commits, scenario.shipments, stream="prod")
    assert dict(zip(prod.shas, prod.deployment_ids, strict=True))[s["f1"]] == "D1"


def test_abbreviated_head_resolves_to_the_known_commit(scenario: Scenario) -> None:
    s = scenario.sha
    graph = CommitGraph.from_commits(scenario.repo.commits())
    assert graph.resolve(s["m1"][:8].upper()) == s["m1"]
    assert graph.resolve(s["m1"][:6]) is None  # too short to be an abbreviation
    out = ship(graph, [Deployment("A", "prod", hours(6), s["m1"][:9])], scenario.prs)
    assert set(out.commits["A"]) == scenario.repo.rev_list(s["m1"])
    assert out.prs_shipped("A") == [("acme/api", 1)]


# --- without parent data: the pull-request fallback -------------------------------------

M1, M2, M3, OTHER = "1" * 40, "2" * 40, "3" * 40, "9" * 40


def _fallback_prs() -> list[PullRequest]:
    made = [
        pr(1, "09:00", merge=M1, merged="10:00"),
        pr(2, "09:00", merge=M2, merged="11:00", shas=("2a" * 20,)),
        pr(3, "09:00", merge=M3, merged="12:00"),
        pr(4, "09:00", merge="4" * 40, merged="10:30", target="release"),
        pr(5, "09:00", merge="5" * 40, merged="10:15", repo="acme/web"),
        pr(6, "09:00", shas=("6" * 40,)),  # open, never merged
    ]
    return [p for p in made if isinstance(p, PullRequest)]


def _at(hm: str) -> int:
    h, m = hm.split(":")
    return hours(int(h) - 10 + int(m) / 60)


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        # a head that is a PR's merge commit: that PR and every PR merged into its branch before
        ([("A", "12:30", M2, None, None)], {"A": ([1, 2], "merge_commit")}),
        # then the next merge commit ships only what is new; a rollback ships nothing
        (
            [
                ("A", "11:30", M2, None, None),
                ("B", "12:30", M3, None, None),
                ("C", "13:00", M1, None, None),
            ],
            {"A": ([1, 2], "merge_commit"), "B": ([3], "merge_commit"), "C": ([], "merge_commit")},
        ),
        # a head that is one of the PR's own commits (not a merge): just that PR
        ([("A", "12:30", "2A" * 20, None, None)], {"A": ([2], "merge_commit")}),
        # unknown head + branch: PRs merged into that branch up to the deployment (all repos)
        ([("A", "11:30", OTHER, "main", None)], {"A": ([1, 2, 5], "merged_before")}),
        ([("A", "11:30", OTHER, "refs/heads/main", "acme/api")], {"A": ([1, 2], "merged_before")}),
        ([("A", "11:30", None, "release", None)], {"A": ([4], "merged_before")}),
        # merge-commit head on main deployed at 10:30 from main: cut at the deployment time
        ([("A", "10:30", M2, "main", "acme/api")], {"A": ([1, 2], "merge_commit")}),
        # unknown head and no branch: nothing can be said about PRs
        ([("A", "11:30", OTHER, None, None)], {"A": ([], "head_only")}),
        ([("A", "11:30", None, None, None)], {"A": ([], "nothing")}),
        # an open PR's commit deployed (e.g. a preview): the PR shipped
        ([("A", "11:30", "6" * 40, None, None)], {"A": ([6], "merge_commit")}),
    ],
)
def test_fallback_without_parent_data(
    plan: list[tuple[str, str, str | None, str | None, str | None]],
    expected: dict[str, tuple[list[int], str]],
) -> None:
    deps = [Deployment(i, "prod", _at(t), sha, branch=b, repo=r) for i, t, sha, b, r in plan]
    out = ship(CommitGraph({}), deps, PrIndex(_fallback_prs()))
    for dep_id, (numbers, rule) in expected.items():
        assert [n for _, n in out.prs_shipped(dep_id)] == numbers, dep_id
        assert out.rules[dep_id] == rule, dep_id


def test_merged_before_index() -> None:
    index = PrIndex(_fallback_prs())
    assert index.merged_before("main", _at("11:00")) == (
        [("acme/api", 1), ("acme/web", 5), ("acme/api", 2)],
        3,
    )
    assert index.merged_before("main", _at("12:00"), "acme/api", start=2) == (
        [("acme/api", 3)],
        3,
    )
    assert index.merged_before("nope", _at("12:00")) == ([], 0)


def test_graph_from_commits_without_parents_is_no_parent_data() -> None:
    """A repo where no commit has parents has no parent data: its heads use the fallback."""
    with_parents = [
        record("commit", repo="a/x", sha="A" * 40, committed_at="2024-05-01T10:00:00Z"),
        record(
            "commit",
            repo="a/x",
            sha="b" * 40,
            committed_at="2024-05-01T11:00:00Z",
            parents=["a" * 40],
        ),
        record("commit", repo="a/y", sha="c" * 40, committed_at="2024-05-01T11:00:00Z"),
    ]
    graph = CommitGraph.from_commits([c for c in with_parents if isinstance(c, Commit)])
    assert graph.parents == {"a" * 40: (), "b" * 40: ("a" * 40,)}
    assert graph.resolve("c" * 40) is None


def test_several_heads_and_a_cut_off_history() -> None:
    """Every head is walked; a parent outside the known history is shipped but not followed."""
    a, b, c, e = "a" * 40, "b" * 40, "c" * 40, "e" * 40
    graph = CommitGraph({b.upper(): [a.upper()], c: []})  # a's own parents were never imported
    out = ship(graph, [Deployment("D", "prod", 1, b[:7], more_shas=(c,))])
    assert set(out.commits["D"]) == {a, b, c} and out.rules["D"] == "ancestry"
    assert out.visits == 3
    mixed = ship(graph, [Deployment("E", "prod", 1, c, more_shas=(e,), branch="main")])
    assert set(mixed.commits["E"]) == {c, e}
    assert mixed.rules["E"] == "merged_before"  # one head without parent data: the fallback
    assert mixed.first_deployment(e[:8]) == "E"


# --- scale: the walk is linear in the history, not in history × deployments ----------------


def _sha(n: int) -> str:
    return hashlib.sha1(str(n).encode()).hexdigest()


def _generated_history(total: int) -> tuple[dict[str, list[str]], list[str]]:
    """A main line where every 10th commit merges a two-commit side branch."""
    parents: dict[str, list[str]] = {}
    main: list[str] = []

    def add(*ps: str) -> str:
        sha = _sha(len(parents))
        parents[sha] = list(ps)
        return sha

    main.append(add())
    while len(parents) < total:
        prev = main[-1]
        if len(main) % 10 == 0:
            side = add(add(prev))
            main.append(add(prev, side))
        else:
            main.append(add(prev))
    return parents, main


def test_walk_visits_each_commit_once_per_stream() -> None:
    parents, main = _generated_history(50_000)
    deps = [Deployment(f"p{k}", "prod", k, main[k]) for k in range(0, len(main), 25)]
    deps += [Deployment(f"s{k}", "staging", k, main[k]) for k in range(0, len(main), 100)]
    deps.append(Deployment("p-last", "prod", len(main), main[-1]))
    deps.append(Deployment("s-last", "staging", len(main), main[-1]))
    out = ship(CommitGraph(parents), deps)
    assert len(parents) >= 50_000 and len(deps) > 2_000
    assert out.visits == 2 * len(parents)  # once per stream, whatever the deployment count
    for stream in ("prod", "staging"):
        shipped = [out.commits[d.id] for d in deps if d.stream == stream]
        assert sum(len(c) for c in shipped) == len(parents)  # disjoint and complete
        assert set().union(*shipped) == set(parents)
    # p25 ships main[1..25] and the side branches merged in that range (2 commits each)
    assert len(out.commits["p25"]) == 25 + 2 * sum(1 for k in range(1, 26) if k % 10 == 0)
    assert out.first_deployment(main[30]) == "p50"  # p50 (time 50) before s100 (time 100)

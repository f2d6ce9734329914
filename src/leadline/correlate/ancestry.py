"""Which commits and pull requests each deployment shipped (DESIGN 8); see docs/deployments.md.

Per stream (one pipeline in one environment), in time order: a deployment ships the commits
reachable from its head(s) that the stream has not shipped yet, so each commit is visited once
per stream. A rollback ships nothing. A PR ships with any of its commits or its merge commit.
"""

from __future__ import annotations

import bisect
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from leadline.correlate.linking import pr_shas
from leadline.correlate.shas import MIN_ABBREV, ShaIndex, norm_sha
from leadline.domain.records import Commit, PipelineRun, PullRequest
from leadline.domain.times import to_micros

PrKey = tuple[str, int]  # a pull request's natural key: (repo, number)
Rule = Literal["ancestry", "merge_commit", "merged_before", "head_only", "nothing"]


@dataclass(frozen=True)
class Deployment:
    """One successful deployment. ``id`` is unique (``system/pipeline/run_id`` for runs);
    ``stream`` groups pipeline+environment; ``more_shas`` are further heads (a run listing
    several commits); ``run_id`` is the bare run id, for incidents that name only it."""

    id: str
    stream: str
    at_us: int
    sha: str | None
    more_shas: tuple[str, ...] = ()
    branch: str | None = None
    repo: str | None = None
    service: str | None = None
    run_id: str | None = None

    @property
    def heads(self) -> tuple[str, ...]:
        return tuple(s for s in (self.sha, *self.more_shas) if s and s.strip())


def deployment_from_run(run: PipelineRun) -> Deployment:
    """A pipeline run as a deployment: id ``system/pipeline/run_id``, stream = the JSON list
    ``[system, pipeline, environment]``, time = ``finished_at``."""
    shas = run.all_commit_shas()
    return Deployment(
        id=f"{run.system}/{run.pipeline}/{run.run_id}",
        stream=json.dumps([run.system, run.pipeline, run.environment or ""]),
        at_us=to_micros(run.finished_at),
        sha=shas[0] if shas else None,
        more_shas=tuple(shas[1:]),
        branch=run.branch,
        repo=run.repo,
        service=run.service,
        run_id=run.run_id,
    )


class CommitGraph:
    """Parents by commit (lower case). Every key has parent data: ``[]`` is a root commit."""

    def __init__(self, parents: Mapping[str, Iterable[str]]) -> None:
        self.parents: dict[str, tuple[str, ...]] = {
            norm_sha(sha): tuple(norm_sha(p) for p in ps if p.strip())
            for sha, ps in parents.items()
            if sha.strip()
        }
        self._index: ShaIndex[str] | None = None

    @classmethod
    def from_commits(cls, commits: Iterable[Commit]) -> CommitGraph:
        """``parents: []`` means a root only in a repo where some commit has parents."""
        by_repo: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for c in commits:
            by_repo[c.repo][c.sha] = list(c.parents)
        return cls({s: ps for g in by_repo.values() if any(g.values()) for s, ps in g.items()})

    def resolve(self, sha: str) -> str | None:
        """The full SHA of a known commit (abbreviations of 7+ characters, if unambiguous)."""
        key = norm_sha(sha)
        if key in self.parents or len(key) < MIN_ABBREV:
            return key if key in self.parents else None
        self._index = self._index or _index_of(self.parents)
        return _unique(self._index, key)


@dataclass
class Shipments:
    """What each deployment shipped, and which deployment first shipped each commit and PR.

    ``commits``/``prs``/``rules`` are by deployment id (commits lower case, heads first);
    ``first_sha``/``first_pr`` map stream → commit/PR → the stream's first deployment
    containing it; ``visits`` counts commits taken off the walk's stack (linear-time evidence).
    """

    deployments: dict[str, Deployment]
    commits: dict[str, tuple[str, ...]] = field(default_factory=dict)
    prs: dict[str, tuple[PrKey, ...]] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    first_sha: dict[str, dict[str, str]] = field(default_factory=dict)
    first_pr: dict[str, dict[PrKey, str]] = field(default_factory=dict)
    visits: int = 0
    _index: ShaIndex[str] | None = None

    def prs_shipped(self, deployment_id: str) -> list[PrKey]:
        return sorted(self.prs.get(deployment_id, ()))

    def shipping_deployments(self, sha: str) -> list[str]:
        """The first deployment of each stream that contains ``sha``, earliest first."""
        key = self._resolve(sha)
        found = [ids[key] for ids in self.first_sha.values() if key in ids]
        return sorted(found, key=self._order)

    def first_deployment(self, sha: str, stream: str | None = None) -> str | None:
        """The earliest deployment (of ``stream``, or of any stream) that contains ``sha``."""
        if stream is not None:
            return self.first_sha.get(stream, {}).get(self._resolve(sha))
        return next(iter(self.shipping_deployments(sha)), None)

    def first_shipping_deployment(
        self, pr: PullRequest | PrKey, stream: str | None = None
    ) -> str | None:
        """The earliest deployment (of ``stream``, or of any stream) that shipped the PR."""
        key = (pr.repo, pr.number) if isinstance(pr, PullRequest) else pr
        streams = [stream] if stream is not None else list(self.first_pr)
        found = [self.first_pr[s][key] for s in streams if key in self.first_pr.get(s, {})]
        return min(found, key=self._order, default=None)

    def _order(self, deployment_id: str) -> tuple[int, str]:
        return (self.deployments[deployment_id].at_us, deployment_id)

    def _resolve(self, sha: str) -> str:
        key = norm_sha(sha)
        if len(key) < MIN_ABBREV or any(key in ids for ids in self.first_sha.values()):
            return key
        self._index = self._index or _index_of({s for ids in self.first_sha.values() for s in ids})
        return _unique(self._index, key) or key


def ship(
    graph: CommitGraph,
    deployments: Iterable[Deployment],
    prs: Iterable[PullRequest] | PrIndex = (),
) -> Shipments:
    """Compute what every deployment shipped (see the module docstring and the docs page)."""
    by_id = {d.id: d for d in deployments}
    out = Shipments(deployments=by_id)
    ctx = prs if isinstance(prs, PrIndex) else PrIndex(prs)
    states: dict[str, _Stream] = {}
    for d in sorted(by_id.values(), key=lambda d: (d.stream, d.at_us, d.id)):
        state = states.get(d.stream) or states.setdefault(d.stream, _Stream())
        out.rules[d.id] = _ship_one(graph, ctx, state, d)
        out.commits[d.id], out.prs[d.id] = tuple(state.new_shas), tuple(state.new_prs)
        out.visits += state.visits
    out.first_sha = {stream: state.first_sha for stream, state in states.items()}
    out.first_pr = {stream: state.first_pr for stream, state in states.items()}
    return out


class PrIndex:
    """Pull requests by SHA (their commits and merge commit) and by target branch."""

    def __init__(self, prs: Iterable[PullRequest]) -> None:
        self.by_sha: ShaIndex[PrKey] = ShaIndex()
        self.by_merge: ShaIndex[PrKey] = ShaIndex()
        self.merged: dict[PrKey, tuple[int, str]] = {}
        branches: dict[tuple[str | None, str], list[tuple[int, PrKey]]] = defaultdict(list)
        for key, p in {(p.repo, p.number): p for p in prs}.items():
            for sha in pr_shas(p):
                self.by_sha.add(sha, key)
            if p.merged_at is not None and p.target_branch:
                self.by_merge.add(p.merge_commit_sha, key)
                at, branch = to_micros(p.merged_at), _branch(p.target_branch)
                self.merged[key] = (at, branch)
                branches[(p.repo, branch)].append((at, key))
                branches[(None, branch)].append((at, key))
        self._branches = {k: sorted(v) for k, v in branches.items()}
        self._times = {k: [at for at, _ in v] for k, v in self._branches.items()}

    def merged_before(
        self, branch: str, until_us: int, repo: str | None = None, start: int = 0
    ) -> tuple[list[PrKey], int]:
        """PRs merged into ``branch`` (of ``repo``; any repo if ``None``) at or before
        ``until_us``, in merge order from position ``start``; and the position after them."""
        bkey = (repo, _branch(branch))
        end = bisect.bisect_right(self._times.get(bkey, []), until_us)
        return [key for _, key in self._branches.get(bkey, [])[start:end]], max(start, end)


@dataclass
class _Stream:
    first_sha: dict[str, str] = field(default_factory=dict)
    first_pr: dict[PrKey, str] = field(default_factory=dict)
    pointers: dict[tuple[str | None, str], int] = field(default_factory=dict)
    new_shas: list[str] = field(default_factory=list)
    new_prs: list[PrKey] = field(default_factory=list)
    visits: int = 0

    def add_sha(self, sha: str, deployment_id: str) -> bool:
        if sha in self.first_sha:
            return False
        self.first_sha[sha] = deployment_id
        self.new_shas.append(sha)
        return True

    def add_pr(self, key: PrKey, deployment_id: str) -> None:
        if key not in self.first_pr:
            self.first_pr[key] = deployment_id
            self.new_prs.append(key)


def _ship_one(graph: CommitGraph, ctx: PrIndex, state: _Stream, d: Deployment) -> Rule:
    state.new_shas, state.new_prs, state.visits = [], [], 0
    unresolved: list[str] = []
    for head in d.heads:
        full = graph.resolve(head)
        if full is None:
            unresolved.append(norm_sha(head))
            state.add_sha(unresolved[-1], d.id)
            continue
        stack = [full] if state.add_sha(full, d.id) else []
        while stack:
            state.visits += 1
            for parent in graph.parents.get(stack.pop(), ()):
                if state.add_sha(parent, d.id):
                    stack.append(parent)
    for sha in state.new_shas:
        for key in ctx.by_sha.find(sha):
            state.add_pr(key, d.id)
    if d.heads and not unresolved:
        return "ancestry"
    return _fallback(ctx, state, d, unresolved)


def _fallback(ctx: PrIndex, state: _Stream, d: Deployment, unresolved: list[str]) -> Rule:
    """Heads without parent data: the PRs those heads belong to (already shipped by SHA), plus
    the PRs merged into the branch up to the deployment — or, when a head is a PR's merge
    commit, only up to that merge (later merges are not in the head)."""
    hit = any(True for h in unresolved for _ in ctx.by_sha.find(h))
    merges = sorted({(*ctx.merged[k], k[0]) for h in unresolved for k in ctx.by_merge.find(h)})
    branch = _branch(d.branch) if d.branch else (merges[-1][1] if merges else None)
    repo = d.repo or (merges[-1][2] if merges else None)
    cutoff = min(merges[-1][0], d.at_us) if merges else d.at_us
    rule: Rule = "merge_commit" if hit else "head_only" if unresolved else "nothing"
    if not branch:
        return rule
    bkey = (repo, branch)
    shipped, state.pointers[bkey] = ctx.merged_before(
        branch, cutoff, repo, state.pointers.get(bkey, 0)
    )
    for key in shipped:
        state.add_pr(key, d.id)
    return rule if hit else "merged_before"


def _branch(name: str | None) -> str:
    return (name or "").strip().removeprefix("refs/heads/")


def _index_of(shas: Iterable[str]) -> ShaIndex[str]:
    index: ShaIndex[str] = ShaIndex()
    for sha in shas:
        index.add(sha, sha)
    return index


def _unique(index: ShaIndex[str], key: str) -> str | None:
    return found.pop() if len(found := set(index.find(key))) == 1 else None


@dataclass(frozen=True)
class CommitLeadTimes:
    """Per deployed commit: the first deployment containing it and the lead time (≥ 0 s)."""

    shas: list[str]
    deployment_ids: list[str]
    deployed_at_us: NDArray[np.int64]
    seconds: NDArray[np.float64]


def commit_lead_times(
    commits: Iterable[Commit], shipments: Shipments, stream: str | None = None
) -> CommitLeadTimes:
    """Commit-level lead time (``leadline git``): first deployment containing it − committed_at.
    Commits no deployment contains are left out; a negative difference counts 0."""
    found = [(c, shipments.first_deployment(c.sha, stream)) for c in commits]
    rows = [(norm_sha(c.sha), to_micros(c.committed_at), d) for c, d in found if d is not None]
    deployed = np.array([shipments.deployments[d].at_us for _, _, d in rows], dtype=np.int64)
    delta = (deployed - np.array([at for _, at, _ in rows], dtype=np.int64)) / 1_000_000
    seconds = np.maximum(delta, 0.0).astype(np.float64)
    return CommitLeadTimes([s for s, _, _ in rows], [d for _, _, d in rows], deployed, seconds)

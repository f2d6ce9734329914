"""Which commits and pull requests each deployment shipped (rule 8 of docs/deployments.md).

Per stream (one pipeline in one environment), in time order: a deployment ships the commits
reachable from its head(s) that the stream has not shipped yet, so each commit is visited once
per stream. A rollback ships nothing. A PR ships with any of its commits or its merge commit.

The walk runs on integer ids (``ship_ids``: ``CommitGraph`` nodes, ``PrIndex`` PRs); ``ship``
wraps it into the string-keyed ``Shipments`` that incidents, rework and drill-downs read.
The graph, the PR index and commit lead times live in their own modules beside this one.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
from numpy.typing import NDArray

from leadline.correlate.commit_graph import CommitGraph
from leadline.correlate.pr_index import PrIndex, PrKey, branch_name
from leadline.correlate.shas import MIN_ABBREV, ShaIndex, norm_sha
from leadline.domain.records import PullRequest

Rule = Literal["ancestry", "merge_commit", "merged_before", "head_only", "nothing"]


@dataclass(frozen=True, slots=True)
class Deployment:
    """One successful deployment. ``id`` is unique (``system/pipeline/run_id`` for runs);
    ``stream`` groups pipeline+environment; ``more_shas`` are further heads (a run listing
    several commits); ``run_id`` is the bare run id, for incidents that name only it;
    ``system``/``pipeline`` are the run's (``None`` for merged PRs and releases)."""

    id: str
    stream: str
    at_us: int
    sha: str | None
    more_shas: tuple[str, ...] = ()
    branch: str | None = None
    repo: str | None = None
    service: str | None = None
    run_id: str | None = None
    system: str | None = None
    pipeline: str | None = None

    @property
    def heads(self) -> tuple[str, ...]:
        return tuple(s for s in (self.sha, *self.more_shas) if s and s.strip())


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
    ctx = prs if isinstance(prs, PrIndex) else PrIndex(prs)
    ids = ship_ids(graph, deployments, ctx)
    out = Shipments(deployments={d.id: d for d in ids.order}, visits=ids.visits)
    for d, commits, pr_ids, rule in zip(ids.order, ids.commits, ids.prs, ids.rules, strict=True):
        out.rules[d.id] = rule
        out.commits[d.id] = tuple(ids.sha(i) for i in commits)
        out.prs[d.id] = tuple(ctx.keys[i] for i in pr_ids)
        first_sha = out.first_sha.setdefault(d.stream, {})
        first_pr = out.first_pr.setdefault(d.stream, {})
        for sha in out.commits[d.id]:
            first_sha[sha] = d.id
        for key in out.prs[d.id]:
            first_pr[key] = d.id
    return out


#: A predicate on a commit's SHA (lower case): is it one of the commits a report selects?
CommitSelected = Callable[[str], bool]


def ships_selected(
    d: Deployment, shipments: Shipments, selected: CommitSelected, unknown: bool = True
) -> bool:
    """Whether deployment ``d`` counts for a slice of the code — a monorepo component's
    ``scope.paths``, a team's people, what no ``exclude`` rule takes out — given which
    commits the slice ``selected``.

    It does when one of the commits it shipped by ancestry (``shipments.commits``: heads
    first, each commit once per stream) is selected; one that shipped nothing new (a rollback
    or a redeploy) when one of its heads is. A deployment that names no commit counts as
    ``unknown`` says: nothing says what it shipped (a component keeps it; a people-based team,
    whose deployments are those of its members' commits, does not). So a deployment shipping
    commits of two components counts once for each, and one shipping only the web's counts
    for the web."""
    if not d.heads:
        return unknown
    shipped = shipments.commits.get(d.id) or tuple(norm_sha(s) for s in d.heads)
    return any(selected(sha) for sha in shipped)


@dataclass
class ShippedIds:
    """``ship`` on integer ids, per deployment in ``order`` (by stream, time, id): the commits
    it shipped first in its stream (graph node ids, heads first; an id ≥ ``len(graph)`` is a
    head the graph does not know, ``extras[id - len(graph)]``), the pull requests (ids into
    the ``PrIndex``) and the rule used. ``visits`` as in ``Shipments``."""

    graph: CommitGraph
    order: list[Deployment] = field(default_factory=list)
    commits: list[array[int]] = field(default_factory=list)
    prs: list[array[int]] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    visits: int = 0

    def sha(self, node: int) -> str:
        n = len(self.graph)
        return self.graph.nodes.sha(node) if node < n else self.extras[node - n]


def ship_ids(graph: CommitGraph, deployments: Iterable[Deployment], prs: PrIndex) -> ShippedIds:
    """What every deployment shipped, as ids (the memory-lean core of ``ship``)."""
    by_id = {d.id: d for d in deployments}
    out = ShippedIds(graph, order=sorted(by_id.values(), key=lambda d: (d.stream, d.at_us, d.id)))
    walk = _Walk(graph, prs, out)
    stream: str | None = None
    for d in out.order:
        if d.stream != stream:
            stream, walk.state = d.stream, _Stream(len(graph), len(prs.keys))
        out.rules.append(walk.ship_one(d))
        out.commits.append(walk.state.new_shas)
        out.prs.append(walk.state.new_prs)
        out.visits += walk.state.visits
    return out


class _Stream:
    """One stream's walk state: what it shipped so far (bytes flags by node and PR id)."""

    def __init__(self, nodes: int, prs: int) -> None:
        self.seen = bytearray(nodes)
        self.extra_seen: set[int] = set()
        self.seen_pr = bytearray(prs)
        self.pointers: dict[tuple[str | None, str], int] = {}
        self.new_shas: array[int] = array("q")
        self.new_prs: array[int] = array("q")
        self.visits = 0

    def add_sha(self, node: int, n: int) -> bool:
        if node >= n:
            if node in self.extra_seen:
                return False
            self.extra_seen.add(node)
        elif self.seen[node]:
            return False
        else:
            self.seen[node] = 1
        self.new_shas.append(node)
        return True

    def add_pr(self, pr: int) -> None:
        if not self.seen_pr[pr]:
            self.seen_pr[pr] = 1
            self.new_prs.append(pr)


class _Walk:
    """Ships deployments one at a time on the graph's ids (``state`` is the current stream)."""

    def __init__(self, graph: CommitGraph, prs: PrIndex, out: ShippedIds) -> None:
        self.graph, self.prs, self.out = graph, prs, out
        self.n = len(graph)
        self.offsets, self.parents = _ints(graph.offsets), _ints(graph.parent_ids)
        off, items = prs.by_node(graph.nodes)
        self.node_off, self.node_prs = _ints(off), _ints(items)
        self.extra_ids: dict[str, int] = {}
        self.state = _Stream(0, 0)

    def node_of(self, sha: str) -> int:
        """The id of a head the graph cannot walk: its node if named as a parent, else an
        extra id."""
        node = self.graph.nodes.id_of(sha)
        if node is not None:
            return node
        if sha not in self.extra_ids:
            self.extra_ids[sha] = self.n + len(self.out.extras)
            self.out.extras.append(sha)
        return self.extra_ids[sha]

    def ship_one(self, d: Deployment) -> Rule:
        state, n, offsets, parents = self.state, self.n, self.offsets, self.parents
        state.new_shas, state.new_prs, state.visits = array("q"), array("q"), 0
        unresolved: list[str] = []
        for head in d.heads:
            full = self.graph.resolve_id(head)
            if full is None:
                unresolved.append(norm_sha(head))
                state.add_sha(self.node_of(unresolved[-1]), n)
                continue
            stack = [full] if state.add_sha(full, n) else []
            seen, new = state.seen, state.new_shas
            while stack:
                state.visits += 1
                node = stack.pop()
                for j in range(offsets[node], offsets[node + 1]):
                    parent = parents[j]
                    if not seen[parent]:
                        seen[parent] = 1
                        new.append(parent)
                        stack.append(parent)
        node_off, node_prs = self.node_off, self.node_prs
        for node in state.new_shas:
            if node < n:
                for j in range(node_off[node], node_off[node + 1]):
                    state.add_pr(node_prs[j])
            else:
                for pr in self.prs.find(self.out.extras[node - n]):
                    state.add_pr(int(pr))
        if d.heads and not unresolved:
            return "ancestry"
        return self._fallback(d, unresolved)

    def _fallback(self, d: Deployment, unresolved: list[str]) -> Rule:
        """Heads without parent data: the PRs those heads belong to (already shipped by SHA),
        plus the PRs merged into the branch up to the deployment — or, when a head is a PR's
        merge commit, only up to that merge (later merges are not in the head)."""
        ctx, state = self.prs, self.state
        hit = any(ctx.find(h) for h in unresolved)
        merges = sorted({
            (*merged, ctx.keys[int(k)][0])
            for h in unresolved
            for k in ctx.find_merge(h)
            if (merged := ctx.merged(int(k))) is not None
        })  # fmt: skip
        branch = branch_name(d.branch) if d.branch else (merges[-1][1] if merges else None)
        repo = d.repo or (merges[-1][2] if merges else None)
        cutoff = min(merges[-1][0], d.at_us) if merges else d.at_us
        rule: Rule = "merge_commit" if hit else "head_only" if unresolved else "nothing"
        if not branch:
            return rule
        bkey = (repo, branch)
        shipped, state.pointers[bkey] = ctx.merged_ids(
            branch, cutoff, repo, state.pointers.get(bkey, 0)
        )
        for pr in shipped:
            state.add_pr(pr)
        return rule if hit else "merged_before"


def _ints(values: NDArray[np.integer[Any]]) -> memoryview:
    """Zero-copy view whose items are plain ``int`` (fast to index from Python loops)."""
    return memoryview(cast(Any, np.ascontiguousarray(values)))


def _index_of(shas: Iterable[str]) -> ShaIndex[str]:
    index: ShaIndex[str] = ShaIndex()
    for sha in shas:
        index.add(sha, sha)
    return index


def _unique(index: ShaIndex[str], key: str) -> str | None:
    return found.pop() if len(found := set(index.find(key))) == 1 else None

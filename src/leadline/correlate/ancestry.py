"""Which commits and pull requests each deployment shipped (rule 8 of docs/deployments.md).

Per stream (one pipeline in one environment), in time order: a deployment ships the commits
reachable from its head(s) that the stream has not shipped yet, so each commit is visited once
per stream. A rollback ships nothing. A PR ships with any of its commits or its merge commit.
"""

from __future__ import annotations

import json
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
from numpy.typing import NDArray

from leadline.correlate.shas import (
    MIN_ABBREV,
    ShaArray,
    ShaBuffer,
    ShaIndex,
    norm_sha,
    sha_bytes,
    sorted_positions,
)
from leadline.domain.records import Commit, PipelineRun, PullRequest
from leadline.domain.times import to_micros

PrKey = tuple[str, int]  # a pull request's natural key: (repo, number)
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
        system=run.system,
        pipeline=run.pipeline,
    )


PrRow = tuple[str, int, int | None, str | None, str | None, Sequence[str]]
"""A pull request as ``ship`` needs it: ``(repo, number, merged_at_us, target_branch,
merge_commit_sha, commit_shas)`` — the slim form the store streams instead of full records."""


class CommitGraph:
    """The commit graph on integer ids (docs/deployments.md, rule 8): every SHA (lower case)
    held once in a sorted ``ShaArray`` — a node's id is its position — and the parents in CSR
    form: the parents of node ``i`` are ``parent_ids[offsets[i]:offsets[i + 1]]``, in order.
    Nodes are the commits with parent data (``[]`` is a root commit) and the parents they
    name; a named parent without parent data of its own has none. A SHA given twice keeps all
    its parents (git gives the same commit the same parents)."""

    def __init__(self, parents: Mapping[str, Iterable[str]]) -> None:
        norm = {
            norm_sha(sha): [norm_sha(p) for p in ps if p.strip()]
            for sha, ps in parents.items()
            if sha.strip()
        }
        children = [i for i, ps in enumerate(norm.values()) for _ in ps]
        self._build(
            sha_bytes(norm),
            np.array(children, dtype=np.int64),
            sha_bytes(p for ps in norm.values() for p in ps),
        )

    @classmethod
    def from_arrays(
        cls, keys: NDArray[np.bytes_], child: NDArray[np.int64], parents: NDArray[np.bytes_]
    ) -> CommitGraph:
        """From normalised SHAs: ``keys`` have parent data; edge ``j`` says ``parents[j]`` is
        a parent of ``keys[child[j]]`` (edges in parent order)."""
        graph = cls.__new__(cls)
        graph._build(keys, child, parents)
        return graph

    def _build(
        self, keys: NDArray[np.bytes_], child: NDArray[np.int64], parents: NDArray[np.bytes_]
    ) -> None:
        self.nodes = ShaArray.build(keys, parents)
        n = len(self.nodes)
        key_ids = self.nodes.ids(keys)
        self.has_parents = np.zeros(n, dtype=np.bool_)
        self.has_parents[key_ids] = True
        children = key_ids[child] if len(child) else np.empty(0, dtype=np.int64)
        order = np.argsort(children, kind="stable")
        self.parent_ids = self.nodes.ids(parents)[order].astype(np.int32)
        counts = np.bincount(children, minlength=n)
        self.offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)

    @classmethod
    def from_commits(cls, commits: Iterable[Commit]) -> CommitGraph:
        """``parents: []`` means a root only in a repo where some commit has parents."""
        by_repo: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for c in commits:
            by_repo[c.repo][c.sha] = list(c.parents)
        return cls({s: ps for g in by_repo.values() if any(g.values()) for s, ps in g.items()})

    def __len__(self) -> int:
        return len(self.nodes)

    @property
    def parents(self) -> dict[str, tuple[str, ...]]:
        """Commit → parents as strings (a copy, for small graphs and tests)."""
        sha, off, ids = self.nodes.sha, self.offsets, self.parent_ids
        return {
            sha(int(i)): tuple(sha(int(p)) for p in ids[off[i] : off[i + 1]])
            for i in np.flatnonzero(self.has_parents)
        }

    def resolve_id(self, sha: str) -> int | None:
        """The node of a commit with parent data (abbreviations of 7+ characters, if
        unambiguous)."""
        key = norm_sha(sha)
        exact = self.nodes.id_of(key)
        if exact is not None and self.has_parents[exact]:
            return exact
        if len(key) < MIN_ABBREV:
            return None
        found = [i for i in self.nodes.matches(key) if self.has_parents[i]]
        return found[0] if len(found) == 1 else None

    def resolve(self, sha: str) -> str | None:
        """The full SHA of a known commit (abbreviations of 7+ characters, if unambiguous)."""
        node = self.resolve_id(sha)
        return None if node is None else self.nodes.sha(node)


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


class PrIndex:
    """Pull requests by SHA (their commits and merge commit) and by target branch, on ids:
    PR ``i`` is ``keys[i]``; its SHAs are held once in a ``ShaArray`` with CSR lists between
    SHAs and PRs."""

    def __init__(self, prs: Iterable[PullRequest] = ()) -> None:
        self._build(
            (
                p.repo,
                p.number,
                to_micros(p.merged_at) if p.merged_at is not None else None,
                p.target_branch,
                p.merge_commit_sha,
                p.commit_shas,
            )
            for p in prs
        )

    @classmethod
    def from_rows(cls, rows: Iterable[PrRow]) -> PrIndex:
        """From slim rows (see ``PrRow``); a repeated ``(repo, number)`` keeps the last row."""
        index = cls.__new__(cls)
        index._build(rows)
        return index

    def _build(self, rows: Iterable[PrRow]) -> None:
        by_key: dict[PrKey, int] = {}
        self.keys: list[PrKey] = []
        sha_pr, shas, merge_pr, merge_shas = array("q"), ShaBuffer(), array("q"), ShaBuffer()
        merged = {name: array("q") for name in ("pr", "at", "repo", "branch")}
        repos: dict[str, int] = {}
        branches: dict[str, int] = {}
        dropped: set[int] = set()
        for repo, number, at, target, merge_sha, commit_shas in rows:
            key, pr = (sys.intern(repo), number), len(self.keys)
            if key in by_key:  # the last row wins (rare): forget the earlier one's entries
                dropped.add(by_key[key])
            by_key[key] = pr
            self.keys.append(key)
            own = dict.fromkeys(norm_sha(x) for x in (*commit_shas, merge_sha or "") if x.strip())
            shas.extend(own)
            sha_pr.extend([pr] * len(own))
            if at is not None and target:
                if merge_sha and merge_sha.strip():
                    merge_shas.append(norm_sha(merge_sha))
                    merge_pr.append(pr)
                merged["pr"].append(pr)
                merged["at"].append(at)
                merged["repo"].append(repos.setdefault(repo, len(repos)))
                merged["branch"].append(branches.setdefault(_branch(target), len(branches)))
        del by_key
        self._dropped = dropped
        sha_arr, merge_arr = shas.array(), merge_shas.array()
        del shas, merge_shas
        self.shas = ShaArray.build(sha_arr)
        keep = self._live(sha_pr)
        self._sha_off, self._sha_prs = _csr(
            self.shas.ids(sha_arr[keep]), np.asarray(sha_pr)[keep], len(self.shas)
        )
        self._pr_off, self._pr_shas = _csr(
            np.asarray(sha_pr)[keep], self.shas.ids(sha_arr[keep]), len(self.keys)
        )
        mkeep = self._live(merge_pr)
        self._merge_off, self._merge_prs = _csr(
            self.shas.ids(merge_arr[mkeep]), np.asarray(merge_pr)[mkeep], len(self.shas)
        )
        self._index_merges(merged, list(repos), list(branches))

    def _index_merges(
        self, merged: dict[str, array[int]], repos: list[str], branches: list[str]
    ) -> None:
        """Merged PRs by target branch (and repository), each list in ``(merged_at, repo,
        number)`` order, as numpy arrays."""
        live = self._live(merged["pr"])
        pr, at = np.asarray(merged["pr"])[live], np.asarray(merged["at"])[live]
        repo, branch = np.asarray(merged["repo"])[live], np.asarray(merged["branch"])[live]
        self._branch_names = branches
        self._merge_at = np.zeros(len(self.keys), dtype=np.int64)
        self._merge_branch = np.full(len(self.keys), -1, dtype=np.int64)
        self._merge_at[pr], self._merge_branch[pr] = at, branch
        rank = np.argsort(np.argsort(np.array(repos, dtype=object)))  # repo name order
        repo_rank = rank[repo] if len(repo) else repo
        number = np.array([self.keys[int(i)][1] for i in pr], dtype=np.int64)
        self._branches: dict[tuple[str | None, str], tuple[NDArray[np.int64], NDArray[np.int64]]]
        self._branches = {}
        for by_repo in (False, True):
            group = np.stack((branch, repo)) if by_repo else branch[None, :]
            order = np.lexsort((number, repo_rank, at, *group[::-1]))
            g = group[:, order]
            cuts = np.flatnonzero(np.any(g[:, 1:] != g[:, :-1], axis=0)) + 1
            for part in np.split(order, cuts) if len(order) else []:
                first = part[0]
                bkey = (repos[int(repo[first])] if by_repo else None, branches[int(branch[first])])
                self._branches[bkey] = (at[part], pr[part])

    def _live(self, prs: array[int]) -> NDArray[np.bool_]:
        ids = np.asarray(prs, dtype=np.int64)
        if not self._dropped:
            return np.ones(len(ids), dtype=np.bool_)
        return ~np.isin(ids, np.fromiter(self._dropped, dtype=np.int64))

    def find(self, sha: str) -> list[int]:
        """The PRs with a commit or merge commit ``same_sha`` as ``sha`` (``ShaIndex`` order)."""
        return [
            p
            for i in self.shas.matches(norm_sha(sha))
            for p in self._items(self._sha_off, self._sha_prs, i)
        ]

    def find_merge(self, sha: str) -> list[int]:
        """The merged PRs whose merge commit is ``same_sha`` as ``sha``."""
        return [
            p
            for i in self.shas.matches(norm_sha(sha))
            for p in self._items(self._merge_off, self._merge_prs, i)
        ]

    def pr_shas(self, pr: int) -> list[str]:
        """``linking.pr_shas`` of PR ``pr``."""
        return [self.shas.sha(i) for i in self._items(self._pr_off, self._pr_shas, pr)]

    def merged(self, pr: int) -> tuple[int, str] | None:
        """``(merged_at_us, target branch)`` of a PR merged into a named branch."""
        branch = int(self._merge_branch[pr])
        return None if branch < 0 else (int(self._merge_at[pr]), self._branch_names[branch])

    def merged_before(
        self, branch: str, until_us: int, repo: str | None = None, start: int = 0
    ) -> tuple[list[PrKey], int]:
        """PRs merged into ``branch`` (of ``repo``; any repo if ``None``) at or before
        ``until_us``, in merge order from position ``start``; and the position after them."""
        ids, end = self.merged_ids(branch, until_us, repo, start)
        return [self.keys[i] for i in ids], end

    def merged_ids(
        self, branch: str, until_us: int, repo: str | None = None, start: int = 0
    ) -> tuple[list[int], int]:
        """``merged_before`` as PR ids."""
        times, ids = self._branches.get((repo, _branch(branch)), (_NONE, _NONE))
        end = int(np.searchsorted(times, until_us, side="right"))
        return ids[start:end].tolist(), max(start, end)

    def by_node(self, nodes: ShaArray) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """CSR of ``find(sha)`` for every SHA of ``nodes``: vectorised for equal SHAs, a loop
        only over abbreviated ones (shorter than the longest SHA on the other side)."""
        pos, hit = sorted_positions(nodes.shas, self.shas.shas)
        node_max = int(np.char.str_len(nodes.shas).max()) if len(nodes) else 0
        sha_max = int(np.char.str_len(self.shas.shas).max()) if len(self.shas) else 0
        abbreviated: set[tuple[int, int]] = set()
        for y in np.flatnonzero(np.char.str_len(self.shas.shas) < node_max):
            abbreviated.update((x, int(y)) for x in nodes.matches(self.shas.sha(int(y))))
        for x in np.flatnonzero(np.char.str_len(nodes.shas) < sha_max):
            abbreviated.update((int(x), y) for y in self.shas.matches(nodes.sha(int(x))))
        extra = np.array(sorted(abbreviated), dtype=np.int64).reshape(-1, 2)
        px = np.concatenate((pos[hit].astype(np.int64), extra[:, 0]))
        py = np.concatenate((np.flatnonzero(hit).astype(np.int64), extra[:, 1]))
        order = np.lexsort((py, px))
        px, py = px[order], py[order]
        if len(px) > 1:  # an abbreviated pair may repeat an equal one
            keep = np.concatenate(([True], (px[1:] != px[:-1]) | (py[1:] != py[:-1])))
            px, py = px[keep], py[keep]
        counts = self._sha_off[py + 1] - self._sha_off[py]
        total = int(counts.sum())
        starts = np.repeat(self._sha_off[py], counts)
        within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        items = self._sha_prs[starts + within]
        per_node = np.bincount(px, weights=counts, minlength=len(nodes)).astype(np.int64)
        return np.concatenate(([0], np.cumsum(per_node))).astype(np.int64), items

    @staticmethod
    def _items(off: NDArray[np.int64], items: NDArray[np.int64], i: int) -> NDArray[np.int64]:
        return items[off[i] : off[i + 1]]


_NONE = np.empty(0, dtype=np.int64)


def _csr(
    rows: NDArray[np.int64], values: NDArray[np.int64], n: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``values`` grouped by ``rows`` (keeping their order within a row) as offsets + items."""
    rows = np.asarray(rows, dtype=np.int64)
    order = np.argsort(rows, kind="stable")
    counts = np.bincount(rows, minlength=n)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return offsets, np.asarray(values, dtype=np.int64)[order]


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
        branch = _branch(d.branch) if d.branch else (merges[-1][1] if merges else None)
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

"""Pull requests indexed for the shipping walk (``correlate.ancestry``): by SHA (their commits
and merge commit) and, for merged PRs, by target branch in merge order.

The fallback rules (a head without parent data) need "the PRs merged into this branch up to
this time"; the ancestry rule needs "the PRs containing this commit". Both are answered on
integer ids (CSR lists), so the store can stream slim ``PrRow`` tuples instead of records.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from leadline.correlate.shas import ShaArray, ShaBuffer, norm_sha, sorted_positions
from leadline.domain.records import PullRequest
from leadline.domain.times import to_micros

PrKey = tuple[str, int]  # a pull request's natural key: (repo, number)

PrRow = tuple[str, int, int | None, str | None, str | None, Sequence[str]]
"""A pull request as ``ship`` needs it: ``(repo, number, merged_at_us, target_branch,
merge_commit_sha, commit_shas)`` — the slim form the store streams instead of full records."""


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
        cls._build(index, rows)
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
                merged["branch"].append(branches.setdefault(branch_name(target), len(branches)))
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
        times, ids = self._branches.get((repo, branch_name(branch)), (_NONE, _NONE))
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


def branch_name(name: str | None) -> str:
    """A branch as PRs target it: ``refs/heads/`` dropped, blanks trimmed (``None`` is ``""``)."""
    return (name or "").strip().removeprefix("refs/heads/")

"""The commit graph on integer ids, which the shipping walk (``correlate.ancestry``) follows.

Built from parent lists (``CommitGraph(parents)``, ``from_commits``) or from the store's
arrays (``from_arrays``); SHAs are normalised to lower case and held once, so a graph of
millions of commits costs a few arrays, not a dict of strings (docs/deployments.md, *At scale*).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import numpy as np
from numpy.typing import NDArray

from leadline.correlate.shas import MIN_ABBREV, ShaArray, norm_sha, sha_bytes
from leadline.domain.records import Commit


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
        cls._build(graph, keys, child, parents)
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

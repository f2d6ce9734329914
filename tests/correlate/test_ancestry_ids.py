"""The id structures behind ``ship``: ``ShaArray``, the CSR ``CommitGraph``, ``PrIndex`` links."""

from __future__ import annotations

import random

import numpy as np

from leadline.correlate.ancestry import Deployment, ship, ship_ids
from leadline.correlate.commit_graph import CommitGraph
from leadline.correlate.pr_index import PrIndex
from leadline.correlate.shas import ShaArray, ShaIndex, sha_bytes, sorted_positions
from tests.correlate.builders import pr


def _shas(rng: random.Random, n: int) -> list[str]:
    """Full SHAs sharing prefixes, plus abbreviations of them (7+ and fewer characters)."""
    full = ["".join(rng.choice("ab01") for _ in range(40)) for _ in range(n)]
    short = [s[: rng.choice((5, 7, 8, 12))] for s in rng.sample(full, n // 3)]
    return full + short


def test_sha_array_matches_like_sha_index() -> None:
    rng = random.Random(8)
    stored = _shas(rng, 60)
    index: ShaIndex[str] = ShaIndex()
    for sha in stored:
        index.add(sha, sha)
    array = ShaArray.build(sha_bytes(stored[:30]), sha_bytes(stored[30:]))
    assert [array.sha(i) for i in range(len(array))] == sorted(set(stored))
    for probe in [*stored, *_shas(rng, 20), "zzzzzzz"]:
        assert [array.sha(i) for i in array.matches(probe)] == list(index.find(probe)), probe


def test_sorted_positions() -> None:
    pos, found = sorted_positions(np.array([2, 5, 9]), np.array([5, 1, 9, 10]))
    assert found.tolist() == [True, False, True, False]
    assert pos[found].tolist() == [1, 2]
    assert sorted_positions(np.array([], dtype=np.int64), np.array([3]))[1].tolist() == [False]


def test_graph_is_csr_on_sorted_ids() -> None:
    graph = CommitGraph({"C": ["b", "A"], "b": ["a"], "a": [], " ": ["x"]})
    assert [graph.nodes.sha(i) for i in range(len(graph))] == ["a", "b", "c"]
    assert graph.offsets.tolist() == [0, 0, 1, 3]
    assert graph.parent_ids.tolist() == [0, 1, 0]
    assert graph.parents == {"a": (), "b": ("a",), "c": ("b", "a")}
    assert graph.resolve_id("C") == 2 and graph.resolve_id("d") is None


def test_graph_from_arrays_keeps_every_parent_of_a_repeated_sha() -> None:
    keys = sha_bytes(["c" * 40, "b" * 40, "c" * 40])
    graph = CommitGraph.from_arrays(
        keys, np.array([0, 2, 1]), sha_bytes(["b" * 40, "d" * 40, "a" * 40])
    )
    assert graph.parents == {"b" * 40: ("a" * 40,), "c" * 40: ("b" * 40, "d" * 40)}
    assert not graph.has_parents[graph.nodes.id_of("a" * 40) or 0]  # a parent only


def test_pr_links_by_node_follow_find() -> None:
    rng = random.Random(3)
    shas = _shas(rng, 40)
    prs = [
        pr(n, "10:00", shas=tuple(rng.sample(shas, 3)), merge=rng.choice(shas), merged="11:00")
        for n in range(1, 30)
    ]
    index = PrIndex(prs)
    nodes = ShaArray.build(sha_bytes(rng.sample(shas, 30)))
    off, items = index.by_node(nodes)
    for node in range(len(nodes)):
        assert items[off[node] : off[node + 1]].tolist() == index.find(nodes.sha(node))


def test_pr_index_from_rows_last_row_wins() -> None:
    rows = [
        ("a/x", 1, 10, "main", "m1" * 20, ["c1" * 20]),
        ("a/x", 1, 20, "main", "m2" * 20, ["c2" * 20]),
    ]
    index = PrIndex.from_rows(rows)
    assert index.find("c1" * 20) == [] and index.find("c2" * 20) == [1]
    assert index.merged_before("main", 15) == ([], 0)
    assert index.merged_before("main", 20) == ([("a/x", 1)], 1)
    assert index.pr_shas(1) == ["c2" * 20, "m2" * 20]


def test_ship_ids_names_unknown_heads_as_extras() -> None:
    graph = CommitGraph({"b" * 40: ["a" * 40]})
    deps = [Deployment("D", "prod", 1, "b" * 40, more_shas=("e" * 40, "A" * 40))]
    ids = ship_ids(graph, deps, PrIndex())
    assert [ids.sha(i) for i in ids.commits[0]] == ["b" * 40, "a" * 40, "e" * 40]
    assert ids.extras == ["e" * 40]  # "a" is a known node (a parent), not an extra
    assert ship(graph, deps).commits["D"] == ("b" * 40, "a" * 40, "e" * 40)

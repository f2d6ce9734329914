"""The memory-lean shipments reads and the chunked replace, on a real database."""

from __future__ import annotations

from sqlalchemy import Engine, select

from leadline.correlate.commit_graph import CommitGraph
from leadline.correlate.pr_index import PrIndex
from leadline.domain.records import RecordModel
from leadline.services import shipments
from leadline.store import dora_queries as q
from leadline.store.db import reading, writing
from leadline.store.tables import deployment_commits
from leadline.store.writer import RecordWriter
from tests.correlate.builders import commit, pr, run

A, B, C, D, E = (ch * 40 for ch in "abcde")


def _write(engine: Engine, records: list[RecordModel]) -> None:
    with writing(engine) as conn:
        writer = RecordWriter(conn)
        writer.add_all(records)
        writer.flush()


def _history() -> list[RecordModel]:
    return [
        commit(A, "09:00"),
        commit(B.upper(), "09:10", parents=[A]),
        commit(C, "09:20", parents=[B, D[:10]]),
        commit(E, "09:30", repo="acme/none"),  # a repository without parent data
        pr(1, "09:00", shas=(B[:9],), merge=C, merged="09:25"),
        pr(2, "09:00", shas=(D,), merged="09:40", target="refs/heads/main"),
        pr(3, "09:00", shas=(E,)),  # not merged
        run("1", "09:30", type="cd", sha=B, env="prod", pipeline="deploy"),
        run("2", "09:50", type="cd", status="failed", sha=C, env="prod", pipeline="deploy"),
    ]


def test_lean_reads_match_the_record_reads(engine: Engine) -> None:
    _write(engine, _history())
    with reading(engine) as conn:
        lean, full = q.load_commit_graph(conn), CommitGraph(q.load_commit_parents(conn))
        assert lean.parents == full.parents
        assert lean.nodes.shas.tolist() == full.nodes.shas.tolist()
        rows, records = q.load_pr_index(conn), PrIndex(q.load_pull_requests(conn))
    assert rows.keys == records.keys
    for sha in (A, B, C, D, D[:8], E, "b" * 7):
        assert rows.find(sha) == records.find(sha) and rows.find_merge(sha) == records.find_merge(
            sha
        )
    assert rows.merged_before("main", 2**62) == records.merged_before("main", 2**62)
    assert rows.pr_shas(0) == records.pr_shas(0) == [B[:9], C]


def _stored(engine: Engine) -> list[tuple[int, int, str]]:
    d = deployment_commits.c
    with reading(engine) as conn:
        rows = conn.execute(select(d.id, d.pipeline_run_id, d.sha).order_by(d.id))
        return [(int(i), int(r), s) for i, r, s in rows]


def test_update_rewrites_only_the_runs_that_changed(engine: Engine) -> None:
    _write(engine, _history())
    with writing(engine) as conn:
        assert shipments.update(conn) == 3
    first = _stored(engine)
    # run 1 ships its ancestry and PR 1 (by an abbreviation) with its merge commit; the head
    # itself is linked directly, and the failed run 2 ships nothing
    assert [s for _, _, s in first] == sorted([A, B[:9], C])
    _write(engine, [run("3", "10:00", type="cd", sha=C, env="prod", pipeline="deploy")])
    with writing(engine) as conn:
        assert shipments.update(conn) == 2
    after = _stored(engine)
    assert after[:3] == first  # run 1's rows untouched
    assert sorted(s for _, _, s in after[3:]) == [D[:10], D]  # the named parent, and PR 2
    with writing(engine) as conn:
        assert shipments.update(conn) == 0

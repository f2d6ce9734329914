"""Generate the demo's records: deterministic, relative to an anchor, every record kind
(docs/records.md).

``generate(anchor, seed)`` returns plain JSON-ready records (the NDJSON import format) for the
six months that end at ``anchor``; the teams on Azure DevOps and on Bitbucket get the
records those integrations make of their tools' payloads (``demo.azure``,
``demo.bitbucket``). Every random draw comes from ``random.Random`` seeded with
the seed and the team's name, and every time is computed from the anchor, so the same anchor
and seed always give byte-identical NDJSON (``ndjson``), and a team's data does not depend on
the other teams'. Nothing happens at or after the anchor: work in flight stays in flight.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from leadline.demo import azure, bitbucket
from leadline.demo.code import CommitP, PullP, TeamWork, link_history, plan_team
from leadline.demo.delivery import (
    Delivery,
    RunIds,
    add_release_commits,
    run_cd,
    run_ci,
)
from leadline.demo.org import TEAMS, TeamSpec
from leadline.demo.outcomes import Outcome, settle
from leadline.demo.reverts import add_reverts
from leadline.demo.time import Dice, fmt
from leadline.domain.records import KINDS, RecordModel

DEFAULT_SEED = 7
DAYS = 182  # six months
PR_BASE = {
    "acme/payments-api": 2100,
    "acme/payments-web": 880,
    "acme/checkout-api": 1530,
    "acme/checkout-web": 610,
    "acme/platform-gateway": 420,
    "acme/mobile-app": 3050,
    "Identity/identity-api": 260,
    "acme/search-service": 95,
}
CONVERT = {"azure": azure.convert, "bitbucket": bitbucket.convert}
KIND_ORDER = ("issue", "version", "commit", "pull_request", "pipeline_run", "incident", "event")
Record = dict[str, Any]


def default_anchor(now: datetime) -> datetime:
    """The start of ``now``'s UTC day: the demo's six months end there."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def generate(
    anchor: datetime, seed: int = DEFAULT_SEED, teams: tuple[TeamSpec, ...] = TEAMS
) -> list[Record]:
    """Every record of the demo, grouped by kind (``KIND_ORDER``), each kind in time order.
    ``teams``: a leading part of ``TEAMS`` gives exactly those teams' records (run ids are
    numbered per system in team order; a team added at the end shifts no one's)."""
    anchor = anchor.astimezone(UTC)
    start = anchor - timedelta(days=DAYS)
    ids = RunIds()
    records: list[Record] = []
    for team in teams:
        dice = Dice(f"{seed}:{team.name}")
        work = plan_team(team, dice, seed, start, anchor)
        add_release_commits(team, work, seed, start, anchor)
        link_history(work, team.repos, seed, start)
        delivery = run_ci(team, dice, work, ids, anchor)
        run_cd(team, dice, delivery, ids, start, anchor)
        outcome = settle(team, dice, work, delivery, ids, anchor)
        add_reverts(team, work, delivery, outcome, seed, anchor)
        team_records = _emit(team, work, delivery, outcome)
        convert = CONVERT.get(team.stack)
        records += team_records if convert is None else convert(team, team_records)
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return sorted(records, key=lambda r: (order[r["kind"]], _when(r), _key(r)))


def ndjson(records: Iterable[Record]) -> bytes:
    """The records as NDJSON (one compact JSON object a line), as ``leadline import`` reads."""
    return b"".join(
        json.dumps(r, separators=(",", ":"), ensure_ascii=False).encode() + b"\n" for r in records
    )


def digest(records: Iterable[Record]) -> str:
    return hashlib.sha256(ndjson(records)).hexdigest()


def validated(records: Iterable[Record]) -> list[RecordModel]:
    return [KINDS[r["kind"]].model_validate(r) for r in records]


def _when(r: Record) -> str:
    for name in ("created_at", "committed_at", "finished_at", "event_time", "released_at"):
        if name in r:
            return str(r[name])
    return "~"  # unreleased versions last


def _key(r: Record) -> str:
    parts = ("key", "project", "name", "repo", "sha", "number", "system", "pipeline", "run_id",
             "source", "id", "component", "event_type")  # fmt: skip
    return "\x1f".join(str(r.get(p, "")) for p in parts)


def _emit(team: TeamSpec, work: TeamWork, delivery: Delivery, outcome: Outcome) -> list[Record]:
    out: list[Record] = []
    for t in work.tickets:
        issue: Record = {"kind": "issue", "key": t.key, "project": team.project, "type": t.type,
                         "title": t.title, "created_at": fmt(t.created)}  # fmt: skip
        issue["status_changes"] = [{"to": s, "at": fmt(at)} for s, at in outcome.statuses[t.key]]
        if t.fix_version:
            issue["fix_versions"] = [t.fix_version]
        issue["labels"] = [team.service] + (["pci"] if team.project in ("PAY", "CHK") else [])
        issue["priority"] = "High" if t.type == "Bug" else "Medium"
        if t.done is not None:
            issue["resolved_at"] = fmt(t.done)
        if t.type == "Bug":
            issue["service"] = team.service
        out.append(issue)
    out += outcome.versions
    out += [_commit(c) for c in work.commits]
    for repo in team.repos:
        pulls = sorted((p for p in work.pulls if p.repo == repo), key=lambda p: p.created)
        for n, pull in enumerate(pulls):
            pull.number = PR_BASE[repo] + n
            out.append(_pull(pull))
    return out + delivery.runs + outcome.incidents + outcome.events


def _commit(c: CommitP) -> Record:
    return {"kind": "commit", "repo": c.repo, "sha": c.sha, "committed_at": fmt(c.at),
            "authored_at": fmt(c.at), "author": c.author, "message": c.message,
            "parents": c.parents, "branch": c.branch}  # fmt: skip


def _pull(p: PullP) -> Record:
    record: Record = {
        "kind": "pull_request", "repo": p.repo, "number": p.number, "title": p.title,
        "source_branch": p.branch, "target_branch": "main", "author": p.author,
        "created_at": fmt(p.created), "commit_shas": [c.sha for c in p.commits],
        "labels": p.labels,
        "reviews": [{"author": a, "state": s, "at": fmt(at)} for a, s, at in p.reviews],
    }  # fmt: skip
    if p.merged is not None and p.merge is not None:
        record["merged_at"] = fmt(p.merged)
        record["merge_commit_sha"] = p.merge.sha
    if p.closed is not None:
        record["closed_at"] = fmt(p.closed)
    if p.body is not None:
        record["body"] = p.body
    return record

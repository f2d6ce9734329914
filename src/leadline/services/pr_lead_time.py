"""PR lead time by stage and its trend: the read behind ``leadline pr-lead-time``, ``GET
/v1/pr-lead-time`` and the ``pr-lead-time`` page (docs/flow.md).

**The pull requests counted** are those merged in ``[start, end)`` within the profile's scope,
by the predicates every report uses (``correlate/scope.py``, ``services/dora_people.py``):

* ``scope.repos`` on the PR's repository, ``scope.labels`` on its labels;
* ``exclude`` rules: an excluded PR is left out (``pr_counted``);
* ``scope.paths``: one of its commits (or its merge commit) changes a matching path
  (``path_commits``);
* ``scope.projects`` / ``issue_types``: a ticket it names (``pr_ticket_keys``) is in them, as a
  pull-request change needs in ``correlate/scoped.apply_scope``;
* ``scope.people``: the PR's author was a member when it was opened.

One query finds the window's merged PRs with their events worked out in SQL: the earliest
commit time of their commits (``pr_commits`` → ``commits``, a SHA prefix of 7 or more
matching, same repository), the earliest review and the earliest approval. The stage rules
(missing events, reviews after the merge, negative spans) are ``metrics/pr_stages.py``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select

from leadline.correlate.linking import pr_shas
from leadline.correlate.people import attribution, change_author, member_of
from leadline.correlate.scope import any_glob, glob_match, ticket_in_scope
from leadline.domain.parse import parse_line
from leadline.domain.records import PullRequest
from leadline.errors import InputError
from leadline.metrics.pr_stages import STAGES, PrEvents, durations, matrix, summarize, trend
from leadline.metrics.series import check_interval, window_json
from leadline.metrics.stats import check_statistic
from leadline.metrics.windows import Window, default_window
from leadline.profiles.models import Profile
from leadline.services.dora_people import path_commits, pr_counted
from leadline.store import tables as t
from leadline.store.db import reading
from leadline.store.keyset import in_chunks

STAGE_KEYS: tuple[str, ...] = tuple(k for k, _ in STAGES)


def pr_lead_time(
    engine: Engine,
    profile: Profile,
    stat: str = "mean",
    window: Window | None = None,
    interval: str | None = None,
) -> dict[str, Any]:
    """``pr-lead-time --format json``: per stage the figure, samples and missing, the total
    (their sum), and with ``interval`` the trend (``series``) by merge time."""
    check_statistic(stat)
    if interval is not None:
        check_interval(interval)
    start, end = default_window(window, datetime.now(UTC))
    events = merged_prs(engine, profile, start, end)
    data = matrix(events)
    out = {
        "profile": profile.name,
        "window": window_json(start, end),
        "statistic": stat,
        **summarize(data, stat).to_json(),
    }
    if interval is not None:
        out["interval"] = interval
        out["series"] = trend(data, [e.merged for e in events], stat, start, end, interval)
    return out


def pr_rows(
    engine: Engine,
    profile: Profile,
    window: Window | None = None,
    stage: str | None = None,
    which: str = "samples",
) -> list[dict[str, Any]]:
    """The PRs behind the figures, newest merge first, with each stage's seconds (``None``:
    missing). With ``stage``: those with a sample there (``which="missing"``: without one)."""
    if stage is not None and stage not in STAGE_KEYS:
        raise InputError(
            f"stage: unknown stage {stage!r} (expected one of {', '.join(STAGE_KEYS)})"
        )
    if which not in ("samples", "missing"):
        raise InputError(f"which: expected samples or missing, got {which!r}")
    start, end = default_window(window, datetime.now(UTC))
    out: list[dict[str, Any]] = []
    for e in merged_prs(engine, profile, start, end):
        spans = durations(e)
        if stage is not None:
            present = spans[STAGE_KEYS.index(stage)] is not None
            if present != (which == "samples"):
                continue
        out.append(
            {
                "key": e.key,
                "merged_at": e.merged,
                "seconds": dict(zip(STAGE_KEYS, spans, strict=True)),
                "total_seconds": sum(s for s in spans if s is not None),
            }
        )
    out.sort(key=lambda r: (-int(r["merged_at"]), str(r["key"])))
    return out


def merged_prs(engine: Engine, profile: Profile, start: int, end: int) -> list[PrEvents]:
    """The events of the PRs merged in ``[start, end)`` that the profile counts (module doc),
    in merge order."""
    p, pc, c, r = t.pull_requests.c, t.pr_commits.c, t.commits.c, t.pr_reviews.c
    first_commit = (
        select(func.min(c.committed_at))
        .select_from(t.pr_commits.join(t.commits, c.sha7 == pc.sha7))
        .where(
            pc.pull_request_id == p.id,
            c.repo == p.repo,
            func.lower(c.sha).startswith(func.lower(pc.sha)),
        )
        .scalar_subquery()
    )
    first_review = select(func.min(r.at)).where(r.pull_request_id == p.id).scalar_subquery()
    first_approval = (
        select(func.min(r.at))
        .where(and_(r.pull_request_id == p.id, r.state == "approved"))
        .scalar_subquery()
    )
    query = (
        select(p.id, p.data, p.created_at, p.merged_at, first_commit, first_review, first_approval)
        .where(p.merged_at >= start, p.merged_at < end)
        .order_by(p.merged_at, p.id)
    )
    with reading(engine) as conn:
        rows = list(conn.execute(query))
        keep = _selector(conn, profile, [row[0] for row in rows])
    out = []
    for _, data, created, merged, commit, review, approval in rows:
        pr = parse_line(data, "<stored>", 0)
        if not isinstance(pr, PullRequest) or not keep(pr):
            continue
        out.append(
            PrEvents(
                f"{pr.repo}#{pr.number}",
                int(created),
                int(merged),
                _int(commit),
                _int(review),
                _int(approval),
            )
        )
    return out


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _selector(conn: Connection, profile: Profile, ids: list[int]) -> Callable[[PullRequest], bool]:
    """Whether the profile counts a pull request (module doc)."""
    scope = profile.scope
    counted = pr_counted(profile)
    paths = path_commits(conn, profile)
    tickets = None
    if scope.projects is not None or scope.issue_types is not None:
        tickets = _ticket_prs(conn, profile, ids)

    def keep(pr: PullRequest) -> bool:
        if not (glob_match(pr.repo, scope.repos) and any_glob(pr.labels, scope.labels)):
            return False
        if not counted(pr) or (paths is not None and not any(map(paths, pr_shas(pr)))):
            return False
        if tickets is not None and (pr.repo, pr.number) not in tickets:
            return False
        if scope.people is not None:
            author = change_author(attribution(scope), (pr,), (), ())
            return member_of(scope.people, author) is not None
        return True

    return keep


def _ticket_prs(conn: Connection, profile: Profile, ids: list[int]) -> set[tuple[str, int]]:
    """``(repo, number)`` of the PRs (of ``ids``) naming a ticket of the scope's projects and
    issue types."""
    p, k, i = t.pull_requests.c, t.pr_ticket_keys.c, t.issues.c
    found: set[tuple[str, int]] = set()
    for chunk in in_chunks(ids):
        query = (
            select(p.repo, p.number, i.project, i.type)
            .select_from(t.pr_ticket_keys.join(t.pull_requests, p.id == k.pull_request_id))
            .join(t.issues, func.upper(i.key) == func.upper(k.key))
            .where(k.pull_request_id.in_(chunk))
        )
        for repo, number, project, kind in conn.execute(query):
            if ticket_in_scope(project, kind, profile.scope):
                found.add((repo, int(number)))
    return found

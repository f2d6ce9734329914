"""The demo's tickets, pull requests and commits: one team's code work over the six months.

Tickets arrive on working days; each is picked up after a backlog wait, coded on a feature
branch (one to three commits, sometimes a fix-up after review), reviewed, approved and merged
into ``main`` with a merge commit. The mess real data has is built in: tasks done without code,
pull requests abandoned and redone, a few tickets whose key is only in the branch name,
dependency-bump pull requests with no ticket at all, and work still in flight at the anchor.
Commit parents form a real DAG (``link_history``).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from leadline.demo.org import TeamSpec
from leadline.demo.time import Dice, advance, sha, workdays

KEY_BASE = {"PAY": 1200, "CHK": 640, "PLAT": 310, "MOB": 870, "Identity": 4100, "SRCH": 150}
PR_BASE = 400
VERBS = ("Add", "Fix", "Improve", "Refactor", "Support", "Validate", "Speed up", "Log")
CHORES = ("Fix flaky test", "Update README", "Tidy up logging", "Upgrade CI image")
BOT = "dependabot[bot]"


@dataclass
class CommitP:
    repo: str
    sha: str
    at: datetime
    author: str
    message: str
    branch: str
    parents: list[str] = field(default_factory=list)


@dataclass
class TicketP:
    key: str
    type: str
    title: str
    created: datetime
    started: datetime | None = None
    prs: list[PullP] = field(default_factory=list)
    code: bool = True
    fix_version: str | None = None
    done: datetime | None = None


@dataclass
class PullP:
    repo: str
    title: str
    branch: str
    author: str
    created: datetime
    commits: list[CommitP]
    pushes: list[CommitP]  # the heads CI ran on
    reviews: list[tuple[str, str, datetime]] = field(default_factory=list)
    merged: datetime | None = None
    closed: datetime | None = None
    merge: CommitP | None = None
    labels: list[str] = field(default_factory=list)
    ci: bool = True
    ticket: TicketP | None = None
    number: int = 0
    body: str | None = None  # the description (only reverts have one: ``demo.reverts``)


@dataclass
class TeamWork:
    tickets: list[TicketP] = field(default_factory=list)
    pulls: list[PullP] = field(default_factory=list)
    commits: list[CommitP] = field(default_factory=list)  # every commit, main's included
    branches: list[list[CommitP]] = field(default_factory=list)  # each feature branch's commits


class _Shas:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.n = 0

    def next(self, repo: str) -> str:
        self.n += 1
        return sha("acme-demo", self.seed, repo, self.n)


def plan_team(team: TeamSpec, dice: Dice, seed: int, start: datetime, anchor: datetime) -> TeamWork:
    """Every ticket, pull request and branch commit of ``team`` in ``[start, anchor)``."""
    work = TeamWork()
    shas = _Shas(seed * 100 + len(team.project))
    number = KEY_BASE[team.project]
    for day in workdays(start, anchor):
        for _ in range(dice.count(team.tickets_per_day)):
            number += 1
            created = day.replace(hour=9) + timedelta(hours=dice.uniform(0, 8.5))
            ticket = _ticket(team, dice, team.key(number), created)
            work.tickets.append(ticket)
            _code(team, dice, shas, ticket, anchor, work)
        for repo in team.repos:
            if dice.chance(0.07):  # a dependency bump: a pull request with no ticket
                at = day.replace(hour=6) + timedelta(minutes=dice.uniform(0, 60))
                _untracked(team, dice, shas, repo, at, anchor, work, bot=True)
            if dice.chance(0.03):  # a chore nobody filed a ticket for
                at = day.replace(hour=10) + timedelta(hours=dice.uniform(0, 7))
                _untracked(team, dice, shas, repo, at, anchor, work, bot=False)
    if work.pulls:  # merged without CI: a hotfix pushed through in a hurry
        merged = [p for p in work.pulls if p.merged is not None and p.ticket is not None]
        for pull in merged[len(merged) // 3 :: max(1, len(merged) // 2)]:
            pull.ci = False
            pull.labels.append("hotfix")
    return work


def _ticket(team: TeamSpec, dice: Dice, key: str, created: datetime) -> TicketP:
    roll = dice.uniform(0, 1)
    kind = "Bug" if roll < 0.3 else "Task" if roll < 0.42 else "Story"
    title = f"{dice.pick(VERBS)} {dice.pick(team.topics)}"
    return TicketP(key, kind, title, created, code=not (kind == "Task" and dice.chance(0.5)))


def _code(
    team: TeamSpec, dice: Dice, shas: _Shas, t: TicketP, anchor: datetime, work: TeamWork
) -> None:
    started = advance(t.created, dice.spread(team.backlog_hours))
    if started >= anchor:
        return
    t.started = started
    if not t.code:
        return
    repos = [dice.pick(team.repos)]
    if len(team.repos) > 1 and dice.chance(0.1):
        repos = list(team.repos)  # a change across the API and the web app
    for repo in repos:
        at = advance(started, dice.spread(team.coding_hours * 0.3))
        branch = f"feature/{t.key}-{t.title.split()[-1].lower()}"
        if dice.chance(0.04):  # abandoned: changes requested, closed, redone on a new branch
            pull = _pull(team, dice, shas, t, repo, branch, at, anchor, work, abandon=True)
            if pull is None or pull.closed is None:
                continue
            at, branch = advance(pull.closed, dice.spread(2.0)), f"{branch}-v2"
        _pull(team, dice, shas, t, repo, branch, at, anchor, work)


def _pull(
    team: TeamSpec,
    dice: Dice,
    shas: _Shas,
    t: TicketP,
    repo: str,
    branch: str,
    at: datetime,
    anchor: datetime,
    work: TeamWork,
    abandon: bool = False,
) -> PullP | None:
    author = dice.pick(team.people)
    reviewer = dice.pick([p for p in team.people if p != author])
    key_in_branch_only = dice.chance(0.06)
    label = "" if key_in_branch_only else f"{t.key}: "
    commits: list[CommitP] = []
    for _ in range(1 + dice.count(0.8)):
        if at >= anchor:
            break
        message = f"{label}{dice.pick(VERBS).lower()} {dice.pick(team.topics)}"
        commits.append(CommitP(repo, shas.next(repo), at, author, message, branch))
        at = advance(at, dice.spread(team.coding_hours * 0.35))
    if not commits:
        return None
    work.commits.extend(commits)
    work.branches.append(commits)  # the same list: a fix-up commit added below joins it
    title = t.title if key_in_branch_only else f"{t.key} {t.title}"
    opened = advance(commits[-1].at, dice.spread(0.3))
    if opened >= anchor:
        return None
    pull = PullP(repo, title, branch, author, opened, commits, [commits[-1]], ticket=t)
    pull.labels = ["bug"] if t.type == "Bug" else ["feature"]
    work.pulls.append(pull)
    t.prs.append(pull)
    review = advance(opened, dice.spread(team.review_hours * 0.5))
    if abandon or dice.chance(0.2):
        pull.reviews.append((reviewer, "changes_requested", review))
        if abandon:
            closed = advance(review, dice.spread(3.0))
            pull.closed = closed if closed < anchor else None
            return pull
        fix_at = advance(review, dice.spread(2.0))
        if fix_at < anchor:
            fix = CommitP(repo, shas.next(repo), fix_at, author, f"{label}address review", branch)
            commits.append(fix)
            pull.pushes.append(fix)
            work.commits.append(fix)
        review = advance(fix_at, dice.spread(team.review_hours * 0.5))
    elif dice.chance(0.4):
        pull.reviews.append((dice.pick(team.people), "commented", review))
        review = advance(review, dice.spread(team.review_hours * 0.3))
    pull.reviews = [r for r in pull.reviews if r[2] < anchor]
    if review >= anchor:
        return pull
    pull.reviews.append((reviewer, "approved", review))
    if team.automated:
        merged = review + dice.minutes(1, 12)  # auto-merge once approved and green
    else:
        merged = advance(review, dice.spread(team.merge_hours))
    if merged < anchor:
        pull.merged = pull.closed = merged
        message = f"Merge pull request from acme/{branch}"
        pull.merge = CommitP(repo, shas.next(repo), merged, reviewer, message, "main")
        work.commits.append(pull.merge)
    return pull


def _untracked(
    team: TeamSpec,
    dice: Dice,
    shas: _Shas,
    repo: str,
    at: datetime,
    anchor: datetime,
    work: TeamWork,
    bot: bool,
) -> None:
    """A pull request that names no ticket: a bot's dependency bump or a developer's chore."""
    if bot:
        lib = dice.pick(("lodash", "jackson-databind", "urllib3", "axios", "protobuf", "netty"))
        version = f"{dice.count(4.5)}.{dice.count(12.5)}.{dice.count(3.5)}"
        title, branch, author = f"Bump {lib} to {version}", f"dependabot/{lib}-{version}", BOT
    else:
        title = dice.pick(CHORES)
        branch, author = f"chore/{title.lower().replace(' ', '-')}", dice.pick(team.people)
    commit = CommitP(repo, shas.next(repo), at, author, title, branch)
    work.commits.append(commit)
    work.branches.append([commit])
    labels = ["dependencies"] if bot else ["chore"]
    pull = PullP(repo, title, branch, author, at, [commit], [commit], labels=labels)
    work.pulls.append(pull)
    reviewer = dice.pick([p for p in team.people if p != author])
    approved = advance(at, dice.spread(3.0))
    if approved < anchor:
        pull.reviews.append((reviewer, "approved", approved))
        merged = approved + timedelta(minutes=dice.uniform(1, 20))
        if merged < anchor:
            pull.merged = pull.closed = merged
            merge = CommitP(repo, shas.next(repo), merged, reviewer, f"Merge {branch}", "main")
            pull.merge = merge
            work.commits.append(merge)


def link_history(work: TeamWork, repos: tuple[str, ...], seed: int, start: datetime) -> None:
    """Give every commit its parents: ``main`` is the chain of merge (and direct) commits in
    time order from a root; a branch starts from ``main``'s head when its first commit is
    made (with or without a pull request); a merge commit's parents are ``main``'s previous
    head and the branch's head."""
    for repo in repos:
        root = CommitP(repo, sha("acme-demo", seed, repo, "root"), start - timedelta(days=3),
                       "ana", "Baseline: history before the demo", "main")  # fmt: skip
        work.commits.append(root)
        main = sorted(
            (c for c in work.commits if c.repo == repo and c.branch == "main" and c is not root),
            key=lambda c: (c.at, c.sha),
        )
        times = [c.at for c in main]
        heads = [root, *main]
        merged_heads = {p.merge.sha: p.commits[-1].sha for p in work.pulls if p.merge}
        for i, commit in enumerate(main):
            commit.parents = [heads[i].sha]  # heads[i] is the commit before main[i]
            if commit.sha in merged_heads:
                commit.parents.append(merged_heads[commit.sha])
        for branch in (b for b in work.branches if b[0].repo == repo):
            previous = heads[bisect.bisect_right(times, branch[0].at)].sha
            for commit in branch:
                commit.parents = [previous]
                previous = commit.sha

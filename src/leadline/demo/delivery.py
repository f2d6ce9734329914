"""The demo's pipelines: CI on every push and merge, CD to staging and production.

CI: ``checks-<repo>`` runs on each pull-request push, ``build-<repo>`` on each commit to
``main`` and publishes an artifact; about one run in twelve fails first and passes on a rerun
(a new run whose ``params`` name the attempt it reran). CD: ``deploy-<repo>`` (``release-`` for
the app) takes a build's artifact to staging, then production; now and then a production run
fails and is retried. When a team deploys follows its cadence: on every merge (Payments),
Tuesdays and Thursdays (Checkout), every other Wednesday (Platform), a six-week release train
(Mobile: a version commit on ``main``, then the App Store).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from leadline.demo.code import CommitP, TeamWork
from leadline.demo.org import LAST_RELEASE_DAYS_AGO, TRAIN_DAYS, TeamSpec
from leadline.demo.time import Dice, fmt, previous_workday, sha, workdays

RUN_BASE = {"github-actions": 9_100_000_000, "argocd": 40_000, "jenkins": 5_000,
            "bitrise": 70_000, "azure-devops": 31_000}  # fmt: skip
Record = dict[str, Any]


@dataclass
class Build:
    repo: str
    commit: CommitP
    finished: datetime
    artifact: str  # version of the artifact it published


@dataclass
class Deploy:
    repo: str
    run: Record  # the successful production run
    finished: datetime
    build: Build | None  # None: a rollback, which ships no commit
    slot: int = 0  # which release (versioned teams): deployments of one slot share a version


@dataclass
class Delivery:
    runs: list[Record] = field(default_factory=list)
    builds: dict[str, Build] = field(default_factory=dict)  # by commit SHA
    deploys: list[Deploy] = field(default_factory=list)


class RunIds:
    """Run ids unique within each CI/CD system, in the order the generator makes runs."""

    def __init__(self) -> None:
        self.next_id = dict(RUN_BASE)

    def take(self, system: str) -> str:
        self.next_id[system] += 1
        return str(self.next_id[system])


def short(repo: str) -> str:
    return repo.split("/", 1)[1]


def release_days(start: datetime, anchor: datetime) -> list[datetime]:
    """The release train's days, oldest first (anchored on the anchor, so stable)."""
    days = []
    day = anchor - timedelta(days=LAST_RELEASE_DAYS_AGO)
    while day >= start + timedelta(days=7):
        days.append(previous_workday(day))
        day -= timedelta(days=TRAIN_DAYS)
    return sorted(days)


def add_release_commits(
    team: TeamSpec, work: TeamWork, seed: int, start: datetime, anchor: datetime
) -> None:
    """Mobile: a version-bump commit straight on ``main`` opens each release."""
    if team.cadence != "release_train":
        return
    repo = team.repos[0]
    for n, day in enumerate(release_days(start, anchor)):
        message = f"Release {team.version(n + 1)}"
        at = day.replace(hour=10)
        work.commits.append(CommitP(repo, sha("acme-demo", seed, repo, "release", n), at,
                                    team.people[0], message, "main"))  # fmt: skip


def run_ci(team: TeamSpec, dice: Dice, work: TeamWork, ids: RunIds, anchor: datetime) -> Delivery:
    out = Delivery()
    skip = {p.merge.sha for p in work.pulls if p.merge is not None and not p.ci}
    for pull in work.pulls:
        if not pull.ci:
            continue
        for head in pull.pushes:
            _ci(team, dice, ids, out, head, "checks", pull.branch, anchor)
    on_main = [c for c in work.commits if c.branch == "main" and c.parents and c.sha not in skip]
    for commit in sorted(on_main, key=lambda c: (c.at, c.sha)):
        _ci(team, dice, ids, out, commit, "build", "main", anchor)
    return out


def _ci(
    team: TeamSpec,
    dice: Dice,
    ids: RunIds,
    out: Delivery,
    commit: CommitP,
    kind: str,
    branch: str,
    anchor: datetime,
) -> None:
    started = commit.at + dice.minutes(0.5, 3)
    flaky = dice.chance(1 / 12)
    attempt: str | None = None
    for status in ["failure", "success"] if flaky else ["success"]:
        finished = started + dice.minutes(6, 14)
        if finished >= anchor:
            return
        run_id = ids.take(team.ci_system)
        run: Record = {
            "kind": "pipeline_run", "system": team.ci_system,
            "pipeline": f"{kind}-{short(commit.repo)}", "run_id": run_id, "type": "ci",
            "status": status, "started_at": fmt(started), "finished_at": fmt(finished),
            "repo": commit.repo, "commit_sha": commit.sha, "branch": branch,
        }  # fmt: skip
        if attempt is not None:
            run["params"] = {"attempt": 2, "rerun_of": attempt}
        if kind == "build" and status == "success":
            version = f"{short(commit.repo)}-{run_id}"
            run["artifacts"] = [{"name": short(commit.repo), "version": version,
                                 "direction": "output"}]  # fmt: skip
            out.builds[commit.sha] = Build(commit.repo, commit, finished, version)
        out.runs.append(run)
        attempt = run_id
        started = finished + dice.minutes(3, 20)  # someone notices and reruns


def run_cd(
    team: TeamSpec, dice: Dice, out: Delivery, ids: RunIds, start: datetime, anchor: datetime
) -> None:
    """Deployments to staging and production, at the team's cadence."""
    if team.cadence == "per_merge":
        for build in sorted(out.builds.values(), key=lambda b: (b.finished, b.commit.sha)):
            _deploy(team, dice, out, ids, build, build.finished + dice.minutes(1, 3), anchor)
        return
    for slot, at in enumerate(_slots(team, dice, start, anchor), start=1):
        for repo in team.repos:
            latest = _latest_build(out, repo, at)
            shipped = [d.build.commit.at for d in out.deploys if d.repo == repo and d.build]
            if latest is None or (shipped and latest.commit.at <= max(shipped)):
                continue  # nothing new to ship
            staging = at - timedelta(hours=2)
            _deploy(team, dice, out, ids, latest, max(staging, latest.finished), anchor, slot)


def _slots(team: TeamSpec, dice: Dice, start: datetime, anchor: datetime) -> list[datetime]:
    if team.cadence == "release_train":
        return [d.replace(hour=13) for d in release_days(start, anchor)]
    days = workdays(start, anchor)
    if team.cadence == "twice_weekly":
        chosen = [d for d in days if d.weekday() in (1, 3)]
    else:  # fortnightly, counted back from the anchor's week so the pattern is stable
        chosen = [
            d
            for d in days
            if d.weekday() == team.deploy_weekday and ((anchor - d).days // 7) % 2 == 0
        ]
    return [d.replace(hour=14) + dice.minutes(0, 90) for d in chosen]


def _latest_build(out: Delivery, repo: str, at: datetime) -> Build | None:
    candidates = [b for b in out.builds.values() if b.repo == repo and b.finished <= at]
    return max(candidates, key=lambda b: (b.commit.at, b.commit.sha), default=None)


def _deploy(
    team: TeamSpec,
    dice: Dice,
    out: Delivery,
    ids: RunIds,
    build: Build,
    at: datetime,
    anchor: datetime,
    slot: int = 0,
) -> None:
    pipeline = f"{'release' if team.cadence == 'release_train' else 'deploy'}-{short(build.repo)}"
    staging = "testflight" if team.cadence == "release_train" else "staging"
    gap = (2, 10) if team.cadence == "per_merge" else (100, 130)
    steps = [(staging, "success"), ("production", "success")]
    if dice.chance(0.05):
        steps.insert(1, ("production", "failure"))  # a failed rollout, retried
    for environment, status in steps:
        finished = at + dice.minutes(4, 9)
        if finished >= anchor:
            return
        run: Record = {
            "kind": "pipeline_run", "system": team.cd_system, "pipeline": pipeline,
            "run_id": ids.take(team.cd_system), "type": "cd", "status": status,
            "started_at": fmt(at), "finished_at": fmt(finished), "environment": environment,
            "repo": build.repo, "service": team.service, "commit_sha": build.commit.sha,
            "branch": "main",
            "artifacts": [{"name": short(build.repo), "version": build.artifact,
                           "direction": "input"}],
        }  # fmt: skip
        if team.cadence == "per_merge":
            run["params"] = {"strategy": "canary"}
        out.runs.append(run)
        if environment == "production" and status == "success":
            out.deploys.append(Deploy(build.repo, run, finished, build, slot))
        at = finished + (dice.minutes(*gap) if environment == staging else dice.minutes(8, 20))


def rollback(
    team: TeamSpec, out: Delivery, ids: RunIds, deploy: Deploy, finished: datetime
) -> Deploy:
    """A rollback to the previous version: a successful production run with no commit."""
    run: Record = {
        "kind": "pipeline_run", "system": team.cd_system, "pipeline": deploy.run["pipeline"],
        "run_id": ids.take(team.cd_system), "type": "cd", "status": "success",
        "started_at": fmt(finished - timedelta(minutes=3)), "finished_at": fmt(finished),
        "environment": "production", "repo": deploy.repo, "service": team.service,
        "params": {"rollback": True, "rolled_back_run": deploy.run["run_id"]},
    }  # fmt: skip
    out.runs.append(run)
    back = Deploy(deploy.repo, run, finished, None, deploy.slot)
    out.deploys.append(back)
    return back

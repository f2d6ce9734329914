"""What the demo's deployments lead to: releases, tickets done (or reopened), incidents.

A ticket is Done a little after the deployment that shipped its last pull request (Mobile:
after the App Store released the version). Versioned teams name each release; tickets carry
the release that shipped them, or the next, still unreleased, one. A share of production
deployments — exactly the team's failure rate inside the last 90 days — is followed by a
PagerDuty incident on the team's service, linked by service and time, sometimes by run id
or commit; Payments and Checkout restore half of theirs with a rollback. Mobile also has
one open incident that no deployment explains (filed more than a week after the release
before it): ``leadline doctor`` reports it, while the figures stay as designed (an
unlinked failure is not in the rate, an open incident not in the time to restore).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from leadline.demo.code import PullP, TeamWork, TicketP
from leadline.demo.delivery import Delivery, Deploy, RunIds, rollback
from leadline.demo.org import TeamSpec
from leadline.demo.time import Dice, advance, fmt, sha
from leadline.metrics.windows import summary_bounds

LINK_WINDOW = timedelta(days=7)  # an incident links to a deployment at most this much later
SYMPTOMS = ("error rate above 5 %", "latency p99 over 2 s", "5xx spike", "queue backlog",
            "crash-free sessions below 99 %", "timeouts from upstream")  # fmt: skip
Record = dict[str, Any]


@dataclass
class Outcome:
    versions: list[Record] = field(default_factory=list)
    released: dict[int, datetime] = field(default_factory=dict)  # slot → released at
    incidents: list[Record] = field(default_factory=list)
    events: list[Record] = field(default_factory=list)
    statuses: dict[str, list[tuple[str, datetime]]] = field(default_factory=dict)
    failed: list[tuple[Deploy, datetime]] = field(default_factory=list)  # deployment, incident


def settle(
    team: TeamSpec,
    dice: Dice,
    work: TeamWork,
    delivery: Delivery,
    ids: RunIds,
    anchor: datetime,
) -> Outcome:
    out = Outcome()
    _versions(team, dice, delivery, anchor, out)
    for ticket in work.tickets:
        out.statuses[ticket.key] = _statuses(team, dice, delivery, ticket, anchor, out)
        for pull in ticket.prs:
            approvals = [at for _, state, at in pull.reviews if state == "approved"]
            if team.project in ("PAY", "CHK") and approvals:  # PCI scope: every change scanned
                at = approvals[0] + dice.minutes(5, 30)
                if at < anchor:
                    out.events.append(
                        {
                            "kind": "event",
                            "component": "jira",
                            "key": ticket.key,
                            "event_type": "security_scan",
                            "event_time": fmt(at),
                        }
                    )
    _incidents(team, dice, delivery, ids, anchor, out)
    if team.stray_incident:
        _stray_incident(team, delivery, anchor, out)
    return out


def _stray_incident(team: TeamSpec, delivery: Delivery, anchor: datetime, out: Outcome) -> None:
    """An open incident a day past the link window after a deployment, in the last gap
    between deployments long enough for it, inside the summary window (no dice: the other
    records stay exactly as they were)."""
    times = sorted(d.finished for d in delivery.deploys)
    late = LINK_WINDOW + timedelta(days=1)
    gaps = [
        before + late
        for before, after in zip(times, [*times[1:], anchor], strict=True)
        if summary_bounds(anchor)[0] + late <= before + late < after - timedelta(days=1)
    ]
    if gaps:
        created = gaps[-1]
        out.incidents.append({
            "kind": "incident", "source": "pagerduty",
            "id": "Q" + sha(team.name, "stray")[:7].upper(),
            "title": f"{team.service}: crash reports from an old app version",
            "service": team.service, "severity": "SEV-3", "created_at": fmt(created),
        })  # fmt: skip


def _versions(
    team: TeamSpec, dice: Dice, delivery: Delivery, anchor: datetime, out: Outcome
) -> None:
    if team.versions is None:
        return
    slots = sorted({d.slot for d in delivery.deploys})
    for slot in slots:
        first = min(d.finished for d in delivery.deploys if d.slot == slot)
        at = first + timedelta(minutes=2)
        if team.store_review_hours is not None:
            at = first + timedelta(hours=dice.uniform(*team.store_review_hours))
        record: Record = {"kind": "version", "project": team.project, "name": team.version(slot)}
        if at < anchor:
            record["released_at"] = fmt(at)
            out.released[slot] = at
        out.versions.append(record)
    upcoming = team.version(max(slots, default=0) + 1)
    out.versions.append({"kind": "version", "project": team.project, "name": upcoming})


def shipped_by(delivery: Delivery, pull: PullP) -> Deploy | None:
    """The first production deployment whose build contains the pull request's merge."""
    if pull.merge is None:
        return None
    merged = pull.merge.at
    found = [
        d
        for d in delivery.deploys
        if d.build is not None and d.repo == pull.repo and d.build.commit.at >= merged
    ]
    return min(found, key=lambda d: d.finished, default=None)  # fmt: skip


def _statuses(
    team: TeamSpec,
    dice: Dice,
    delivery: Delivery,
    ticket: TicketP,
    anchor: datetime,
    out: Outcome,
) -> list[tuple[str, datetime]]:
    if ticket.started is None:
        return []
    statuses = [("In Progress", ticket.started)]
    if ticket.prs:
        statuses.append(("In Review", min(p.created for p in ticket.prs)))
    done: datetime | None = None
    if not ticket.code:
        done = advance(ticket.started, dice.spread(team.coding_hours))
    elif ticket.prs and all(p.merge is not None or p.closed is not None for p in ticket.prs):
        merged = [p for p in ticket.prs if p.merge is not None]
        deploys = [shipped_by(delivery, p) for p in merged]
        last = max((d for d in deploys if d is not None), key=lambda d: d.finished, default=None)
        if merged and None not in deploys and last is not None:
            ticket.fix_version = team.version(last.slot)
            base = out.released.get(last.slot) if team.store_review_hours else last.finished
            if base is not None and team.automated:
                done = base + dice.minutes(1, 10)  # Jira automation on the deployment
            elif base is not None:
                done = advance(base, dice.spread(team.done_hours))
        elif merged:
            ticket.fix_version = team.version(max(out.released, default=0) + 1)
    if done is None or done >= anchor:
        return statuses
    ticket.done = done
    statuses.append(("Done", done))
    if dice.chance(0.06):  # reopened: a bug found after Done, fixed without a new PR
        again = advance(done, dice.spread(6.0))
        closed = advance(again, dice.spread(4.0))
        if closed < anchor:
            statuses += [("In Progress", again), ("Done", closed)]
            ticket.done = closed
    return statuses


def _incidents(
    team: TeamSpec, dice: Dice, delivery: Delivery, ids: RunIds, anchor: datetime, out: Outcome
) -> None:
    prod = sorted((d for d in delivery.deploys if d.build is not None), key=lambda d: d.finished)
    # The designed rates hold inside the summary window (the default window of the anchor's
    # day, which ends after the demo's last record).
    inside = [i for i, d in enumerate(prod) if d.finished >= summary_bounds(anchor)[0]]
    longest = timedelta(minutes=team.incident_delay_minutes[1] + team.restore_minutes[1])
    resolvable = [i for i in inside if prod[i].finished + longest < anchor]
    k = round(team.failure_rate * len(inside))
    still_open = inside[-1] if team.open_incident and inside and k else None
    chosen = [] if still_open is None else [still_open]
    k -= len(chosen)
    pool = [i for i in resolvable if i not in chosen]
    chosen += dice.sample(pool, min(k, len(pool)))
    chosen += [i for i in range(len(prod)) if i not in inside and dice.chance(team.failure_rate)]
    times = sorted(d.finished for d in delivery.deploys)
    for n, i in enumerate(sorted(chosen)):
        deploy = prod[i]
        created = deploy.finished + dice.minutes(*team.incident_delay_minutes)
        if created >= anchor:  # the last deployment's incident: just before the anchor
            created = deploy.finished + (anchor - deploy.finished) / 2
        record: Record = {
            "kind": "incident", "source": "pagerduty",
            "id": "Q" + sha(team.name, n, deploy.run["run_id"])[:7].upper(),
            "title": f"{team.service}: {dice.pick(SYMPTOMS)}", "service": team.service,
            "severity": "SEV-1" if dice.chance(0.1) else dice.pick(("SEV-2", "SEV-3")),
            "created_at": fmt(created),
        }  # fmt: skip
        later = [t for t in times if deploy.finished < t < created]
        if later or created - deploy.finished >= LINK_WINDOW or team.store_review_hours:
            record["deployment_run_id"] = deploy.run["run_id"]  # the service rule would miss
        elif dice.chance(0.2):
            record["deployment_run_id"] = deploy.run["run_id"]
        elif dice.chance(0.1) and deploy.build is not None:
            record["commit_sha"] = deploy.build.commit.sha
        resolved = created + dice.minutes(*team.restore_minutes)
        if resolved < anchor and i != still_open:
            record["resolved_at"] = fmt(resolved)
            fast = team.cadence in ("per_merge", "twice_weekly")
            if fast and team.rollbacks and dice.chance(0.5):
                back = rollback(team, delivery, ids, deploy, resolved - timedelta(minutes=4))
                times.append(back.finished)
                times.sort()
        out.incidents.append(record)
        out.failed.append((deploy, created))

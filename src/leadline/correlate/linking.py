"""Link records into changes (docs/linking.md).

``link`` takes any in-memory set of records — typically a superset fetched by the store for
some dirty change keys — and returns one ``ChangeBundle`` per change. Records that belong to
no change are ignored. Everything is indexed once (dicts), then each bundle is assembled by
lookups, so the cost is linear in the number of records plus the size of the bundles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from leadline.correlate.keys import board_keys, find_keys
from leadline.correlate.shas import ShaIndex, norm_sha
from leadline.domain.records import (
    Commit,
    Event,
    Issue,
    PipelineRun,
    PullRequest,
    RecordModel,
    Version,
)

Unit = Literal["ticket", "pull_request"]
RunKey = tuple[str, str, str]
ArtifactKey = tuple[str, str]

ISSUE_COMPONENTS = frozenset({"jira", "issue"})
#: ITSM change requests are pipeline runs of these systems with pipelines under this prefix
#: (ServiceNow: ``servicenow`` / ``change_request/<type>``, see ``sources/servicenow``).
CHANGE_REQUEST_SYSTEMS = frozenset({"servicenow"})
CHANGE_REQUEST_PREFIX = "change_request/"
SCM_COMPONENTS = frozenset({"scm", "git", "github", "gitlab"})


@dataclass
class ChangeBundle:
    """Everything linked to one change. Lists are deduplicated and in a stable order."""

    key: str
    unit: Unit = "ticket"
    issues: list[Issue] = field(default_factory=list)
    commits: list[Commit] = field(default_factory=list)
    pull_requests: list[PullRequest] = field(default_factory=list)
    pipeline_runs: list[PipelineRun] = field(default_factory=list)
    versions: list[Version] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    shas: frozenset[str] = frozenset()
    """Lower-case SHAs of the change: linked commits, PR ``commit_shas`` and merge commits."""
    change_requests: list[PipelineRun] = field(default_factory=list)
    """ITSM change requests naming one of the change's tickets in their title (they never
    count as pipeline runs: see ``change_request_keys``)."""
    artifact_runs: frozenset[RunKey] = frozenset()
    """Natural keys of the runs linked only as deployments — through a consumed artifact, or
    through ``shipped_shas`` (what a deployment shipped by ancestry) — not by their own SHA;
    they count for ``cd_completed`` only."""


def shipped_shas(run: PipelineRun) -> list[str]:
    """The commits a deployment shipped by ancestry, when the store attached them (the extra
    field ``shipped_shas``; see ``services/shipments.py``)."""
    value = (run.model_extra or {}).get("shipped_shas")
    return [s for s in value if isinstance(s, str)] if isinstance(value, list) else []


def pr_change_key(pr: PullRequest) -> str:
    """The change key of a pull request in the ``pull_request`` unit: ``repo#number``."""
    return f"{pr.repo}#{pr.number}"


def pr_shas(pr: PullRequest) -> list[str]:
    """The PR's ``commit_shas`` and its ``merge_commit_sha``, lower case, no repeats."""
    shas = [*pr.commit_shas, *([pr.merge_commit_sha] if pr.merge_commit_sha else [])]
    return list(dict.fromkeys(norm_sha(s) for s in shas if s.strip()))


def pr_ticket_keys(pr: PullRequest) -> set[str]:
    """Keys in the title (case-sensitive) and the source branch (case-insensitive), and
    Azure Boards mentions (``AB#123``) in the description (the extra field ``description``,
    which Azure DevOps pull requests carry)."""
    description = (pr.model_extra or {}).get("description")
    text = description if isinstance(description, str) else None
    return find_keys(pr.title) | find_keys(pr.source_branch, ignore_case=True) | board_keys(text)


def event_ticket_key(event: Event) -> str | None:
    """The ticket key a ``jira``/``issue`` event refers to (upper case), else ``None``."""
    if event.component.strip().lower() in ISSUE_COMPONENTS:
        return event.key.strip().upper()
    return None


def event_sha(event: Event) -> str | None:
    """The commit SHA an ``scm``/``git``/``github``/``gitlab`` event refers to, else ``None``."""
    if event.component.strip().lower() in SCM_COMPONENTS:
        return norm_sha(event.key)
    return None


def is_change_request(run: PipelineRun) -> bool:
    """An ITSM change request (``CHANGE_REQUEST_SYSTEMS``, ``CHANGE_REQUEST_PREFIX``)."""
    return run.system in CHANGE_REQUEST_SYSTEMS and run.pipeline.startswith(CHANGE_REQUEST_PREFIX)


def change_request_keys(run: PipelineRun) -> set[str]:
    """The ticket keys a change request names in its title (the extra field ``title``:
    ServiceNow's short description), case-sensitive as in PR titles; none for any other run.

    A change request has no commit: the ticket it is raised for is its only link to a change,
    and it links for the ``change_request`` stage alone (never as a pipeline run, so no
    ``ci_completed``/``cd_completed`` stage or DORA figure changes)."""
    if not is_change_request(run):
        return set()
    title = (run.model_extra or {}).get("title")
    return find_keys(title) if isinstance(title, str) else set()


def keys_touched(record: RecordModel) -> set[str]:
    """Ticket keys whose change a record may affect directly (for incremental recompute).

    Versions, pipeline runs and SCM events reach tickets only indirectly (through fix
    versions, SHAs and artifacts): see ``shas_touched`` and ``artifacts_touched``.
    """
    if isinstance(record, Issue):
        return {record.key}
    if isinstance(record, Commit):
        return find_keys(record.message)
    if isinstance(record, PullRequest):
        return pr_ticket_keys(record)
    if isinstance(record, Event):
        key = event_ticket_key(record)
        return {key} if key else set()
    if isinstance(record, PipelineRun):
        return change_request_keys(record)
    return set()


def shas_touched(record: RecordModel) -> set[str]:
    """Lower-case commit SHAs a record refers to (commits, PRs, pipeline runs, SCM events)."""
    if isinstance(record, Commit):
        return {norm_sha(record.sha)}
    if isinstance(record, PullRequest):
        return set(pr_shas(record))
    if isinstance(record, PipelineRun):
        return {norm_sha(s) for s in record.all_commit_shas()}
    if isinstance(record, Event):
        sha = event_sha(record)
        return {sha} if sha else set()
    return set()


def artifacts_touched(run: PipelineRun, direction: Literal["input", "output"]) -> set[ArtifactKey]:
    """``(name, version)`` of the run's artifacts in one direction (versioned ones only)."""
    return {(a.name, a.version) for a in run.artifacts if a.direction == direction and a.version}


def link(
    records: Iterable[RecordModel], unit: Unit = "ticket", *, keys: Collection[str] | None = None
) -> dict[str, ChangeBundle]:
    """Bundle records into changes: one per ``Issue`` (unit ``ticket``, key = ticket key) or
    one per ``PullRequest`` (unit ``pull_request``, key = ``repo#number``).

    ``keys`` restricts which bundles are built (the other records are still used for
    linking). A record repeated with the same natural key: the last one wins.
    """
    ix = _Index(records)
    wanted = None if keys is None else set(keys)
    bundles: dict[str, ChangeBundle] = {}
    if unit == "ticket":
        for key in sorted(ix.issues):
            if wanted is None or key in wanted:
                bundles[key] = _ticket_bundle(ix, ix.issues[key])
    else:
        for pr in ix.prs:
            key = pr_change_key(pr)
            if wanted is None or key in wanted:
                bundles[key] = _pr_bundle(ix, pr)
    return bundles


class _Index:
    def __init__(self, records: Iterable[RecordModel]) -> None:
        latest: dict[tuple[str, tuple[Any, ...]], RecordModel] = {}
        for record in records:
            latest[(record.kind, record.natural_key())] = record
        self.issues: dict[str, Issue] = {}
        self.versions: dict[ArtifactKey, Version] = {}
        self.commits: ShaIndex[Commit] = ShaIndex()
        self.commits_by_key: dict[str, list[Commit]] = defaultdict(list)
        self.prs: list[PullRequest] = []
        self.prs_by_key: dict[str, list[PullRequest]] = defaultdict(list)
        self.runs: ShaIndex[PipelineRun] = ShaIndex()
        self.shipped: ShaIndex[PipelineRun] = ShaIndex()
        self.consumers: dict[ArtifactKey, list[PipelineRun]] = defaultdict(list)
        self.issue_events: dict[str, list[Event]] = defaultdict(list)
        self.change_requests: dict[str, list[PipelineRun]] = defaultdict(list)
        self.sha_events: ShaIndex[Event] = ShaIndex()
        for record in latest.values():
            self._add(record)
        self.prs.sort(key=lambda p: (p.repo, p.number))

    def _add(self, record: RecordModel) -> None:
        if isinstance(record, Issue):
            self.issues[record.key] = record
        elif isinstance(record, Version):
            self.versions[(record.project, record.name)] = record
        elif isinstance(record, Commit):
            self.commits.add(record.sha, record)
            for key in find_keys(record.message):
                self.commits_by_key[key].append(record)
        elif isinstance(record, PullRequest):
            self.prs.append(record)
            for key in pr_ticket_keys(record):
                self.prs_by_key[key].append(record)
        elif isinstance(record, PipelineRun):
            for sha in record.all_commit_shas():
                self.runs.add(sha, record)
            for sha in shipped_shas(record):
                self.shipped.add(sha, record)
            for artifact in artifacts_touched(record, "input"):
                self.consumers[artifact].append(record)
            for key in change_request_keys(record):
                self.change_requests[key].append(record)
        elif isinstance(record, Event):
            ticket = event_ticket_key(record)
            if ticket:
                self.issue_events[ticket].append(record)
            self.sha_events.add(event_sha(record), record)


def _ticket_bundle(ix: _Index, issue: Issue) -> ChangeBundle:
    prs = ix.prs_by_key.get(issue.key, [])
    commits = ix.commits_by_key.get(issue.key, [])
    return _assemble(ix, issue.key, "ticket", [issue], prs, commits)


def _pr_bundle(ix: _Index, pr: PullRequest) -> ChangeBundle:
    issues = [ix.issues[k] for k in sorted(pr_ticket_keys(pr)) if k in ix.issues]
    return _assemble(ix, pr_change_key(pr), "pull_request", issues, [pr], [])


def _assemble(
    ix: _Index,
    key: str,
    unit: Unit,
    issues: list[Issue],
    prs: list[PullRequest],
    direct_commits: list[Commit],
) -> ChangeBundle:
    commits = {c.natural_key(): c for c in direct_commits}
    shas = {norm_sha(c.sha) for c in direct_commits}
    for pr in prs:
        for sha in pr_shas(pr):
            shas.add(sha)
            for commit in ix.commits.find(sha):
                commits[commit.natural_key()] = commit
                shas.add(norm_sha(commit.sha))
    runs, artifact_runs = _linked_runs(ix, shas)
    versions = {
        (i.project, name): ix.versions[(i.project, name)]
        for i in issues
        if i.project
        for name in i.fix_versions
        if (i.project, name) in ix.versions
    }
    events = {e.natural_key(): e for i in issues for e in ix.issue_events.get(i.key.upper(), [])}
    changes = {r.natural_key(): r for i in issues for r in ix.change_requests.get(i.key, [])}
    events.update((e.natural_key(), e) for e in ix.sha_events.find_all(sorted(shas)))
    return ChangeBundle(
        key=key,
        unit=unit,
        issues=sorted(issues, key=lambda i: i.key),
        commits=sorted(commits.values(), key=lambda c: (c.committed_at, c.repo, c.sha)),
        pull_requests=sorted(prs, key=lambda p: (p.repo, p.number)),
        pipeline_runs=sorted(runs.values(), key=lambda r: (r.finished_at, r.natural_key())),
        versions=[versions[k] for k in sorted(versions)],
        events=sorted(events.values(), key=_event_order),
        change_requests=sorted(changes.values(), key=lambda r: (r.finished_at, r.natural_key())),
        shas=frozenset(shas),
        artifact_runs=frozenset(artifact_runs),
    )


def _linked_runs(ix: _Index, shas: set[str]) -> tuple[dict[RunKey, PipelineRun], set[RunKey]]:
    """Runs for the SHAs, then (transitively) the runs consuming an artifact they output."""
    runs = {r.natural_key(): r for r in ix.runs.find_all(sorted(shas))}
    via_artifact: set[RunKey] = set()
    for run in ix.shipped.find_all(sorted(shas)):
        if run.natural_key() not in runs:
            runs[run.natural_key()] = run
            via_artifact.add(run.natural_key())
    queue = list(runs.values())
    while queue:
        run = queue.pop()
        for artifact in sorted(artifacts_touched(run, "output")):
            for consumer in ix.consumers.get(artifact, []):
                nk = consumer.natural_key()
                if nk not in runs:
                    runs[nk] = consumer
                    via_artifact.add(nk)
                    queue.append(consumer)
    return runs, via_artifact


def _event_order(event: Event) -> tuple[Any, ...]:
    return (event.event_time, event.component, event.key, event.event_type)

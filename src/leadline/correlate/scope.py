"""A profile's filters as pure predicates, and its ``scope`` applied to a change bundle
(see ``docs/linking.md``, "Scope").

**One module for every filter's matching rule.** Lead time (``correlate/stages.py``,
``correlate/categories.py``), DORA (``services/dora*.py``), the drill-downs and the doctor's
checks all call these predicates, so a filter key compares the same way wherever it
appears. An absent list (``None``) does not narrow anything; an empty list would match
nothing (profiles reject empty lists). Globs are ``fnmatch`` globs (``*``, ``?``, ``[…]``).

A filter is a list or ``Conditions`` (``profiles/conditions.py``; docs/profiles.md,
"Conditions"), and every predicate below takes either: ``matches`` applies a filter to a
record's values under the filter's ``Rule`` (``GLOB``, ``BRANCH``, ``EXACT``). ``equals`` and
``not`` compare by that rule, the text keys as plain text in its case, ``regex`` searches
(ignoring case where the rule does). Every key must hold; ``not``/``not_contains`` hold when
no value matches them, so a record without the field passes them and fails the others.

| filter keys (``scope``, stages, ``categories``, ``dora.*``) | rule | predicate |
|---|---|---|
| ``projects``, ``issue_types``, ``repos``, ``pipelines`` | glob, any case | ``glob_match`` |
| ``names``, ``event_types``, ``services`` of a section | glob, any case | ``glob_match`` |
| ``scope.services`` | glob, any case; a record naming no service passes | ``service_ok`` |
| ``labels`` | glob, any case; any of the record's labels | ``any_glob`` |
| ``target_branches``, ``source_branches`` | glob, **exact case** | ``branch_match`` |
| ``environments``, ``priorities`` | exact, any case, spaces trimmed | ``exact_match`` |
| ``severities``, ``urgencies`` | exact, any case, spaces trimmed | ``exact_match`` |
| ``statuses`` of runs | exact, any case | ``status_set`` |
| ``params`` | name exact case; value glob, any case | ``params_match`` |

Branches compare in exact case because git branch names are case-sensitive (``Main`` and
``main`` are two branches): a stage's ``target_branches: [main]`` and ``dora.deployments``'
(``source: pull_requests``) give the same answer for a PR into ``Main`` — neither takes it.

The hotfix and revert patterns of ``dora.failures`` and ``dora.rework`` (``titles``,
``branches``, ``labels`` and their ``target_branches``) are one recogniser with its own
dialect, documented with them: any case, ``*`` and ``?`` only, ``[`` an ordinary character
(titles carry brackets) — ``correlate/unplanned.glob_hit``.

How ``scope`` narrows a change bundle (``apply_scope``):

* ``projects`` / ``issue_types`` narrow **tickets**. A ticket change outside them is out of
  scope. A pull-request change needs at least one linked ticket inside them, and only those
  tickets contribute issue stages, fix versions and ticket events.
* ``labels``: a ticket change needs a matching ticket label; a pull-request change a
  matching PR label.
* ``repos`` narrow the **code records** that count: commits, pull requests and pipeline runs
  that name a repo. A pull-request change whose PR is in another repo is out of scope. A
  ticket change stays in scope; it simply has no code stages from other repos.
* ``services`` narrow the pipeline runs that name a service (and, in DORA, deployments,
  failed runs and incidents that name one), change requests too.
* ITSM change requests count when they name one of the change's in-scope tickets.

``params_match`` is the run-parameter filter (``params``) of stages and of DORA's run
filter: one predicate for both.

``people`` (a people-based team) keeps a change whose author was a member at the change's
time (``correlate/people.py``); the change carries the member's name (``member``).

**Exclusions** (``exclude`` of the profile, its collections and the org; ``ExclusionRule``):
a pull request is excluded when its author (any case), one of its labels (any case), its
source branch (**exact case**, as branch filters) or its title (any case) matches one of the
globs; a commit when its author or author e-mail does. In these globs ``[`` is an ordinary
character (``literal_brackets``): ``*[bot]`` is "ends in [bot]". In ``apply_scope`` an
excluded PR is left out (a pull-request change whose PR is excluded is out of scope), and so
are the commits of excluded authors and of excluded PRs: they reach no stage and no author.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from leadline.correlate.linking import (
    ChangeBundle,
    RunKey,
    Unit,
    change_request_keys,
    event_ticket_key,
    pr_shas,
)
from leadline.correlate.people import attribution, change_author, commit_identities, member_of
from leadline.correlate.shas import norm_sha
from leadline.domain.records import Commit, Event, Issue, PipelineRun, PullRequest, Version
from leadline.profiles.conditions import NEGATIVE_KEYS, Conditions
from leadline.profiles.models import EXCLUSION_KEYS, Exclusions, Scope

#: A filter as the predicates take it: a list of names ("any of these", by the filter's own
#: rule) or ``Conditions`` (docs/profiles.md, "Matching").
Given = Sequence[str] | Conditions


@dataclass(frozen=True)
class Rule:
    """How one kind of filter compares a record's value: ``equals`` (the value against a list
    of names: a list filter, and the ``equals``/``not`` conditions), whether case is ignored
    (the text conditions and ``regex`` follow it) and whether surrounding spaces are."""

    equals: Callable[[str, Sequence[str]], bool]
    ignore_case: bool
    strip: bool = False

    def text(self, value: str) -> str:
        """``value`` as the text conditions compare it."""
        value = value.strip() if self.strip else value
        return value.lower() if self.ignore_case else value


def _globs_any_case(value: str, patterns: Sequence[str]) -> bool:
    value = value.lower()
    return any(fnmatchcase(value, p.lower()) for p in patterns)


def _globs_exact_case(value: str, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(value, p) for p in patterns)


def _names(value: str, options: Sequence[str]) -> bool:
    return value.strip().lower() in {o.strip().lower() for o in options}


GLOB = Rule(_globs_any_case, ignore_case=True)
BRANCH = Rule(_globs_exact_case, ignore_case=False)
EXACT = Rule(_names, ignore_case=True, strip=True)


#: The plain-text conditions (``not_contains`` is ``contains``, negated).
TEXT_TESTS: dict[str, Callable[[str, str], bool]] = {
    "starts_with": str.startswith,
    "ends_with": str.endswith,
    "contains": str.__contains__,
}


def matches(values: Sequence[str], given: Given | None, rule: Rule) -> bool:
    """Whether a record whose field holds ``values`` (none, one, or a PR's labels) passes a
    filter compared by ``rule``: no filter (``None``) passes all; a list needs one value
    equal to one of its names; ``Conditions`` need every key to hold (``condition_holds``)."""
    if given is None:
        return True
    if not isinstance(given, Conditions):
        return any(rule.equals(v, given) for v in values)
    return all(condition_holds(key, names, values, given, rule) for key, names in given.items())


def condition_holds(
    key: str, names: Sequence[str], values: Sequence[str], given: Conditions, rule: Rule
) -> bool:
    """One key of ``Conditions`` over a record's ``values``. ``not``/``not_contains``: none of
    the values matches (a record without the field passes); every other key: one value
    matches one of ``names`` (a record without the field fails)."""
    if key in ("equals", "not"):
        hit = any(rule.equals(v, names) for v in values)
    elif key == "regex":
        patterns = given.patterns(ignore_case=rule.ignore_case)
        hit = any(p.search(v.strip() if rule.strip else v) for p in patterns for v in values)
    else:
        texts = [rule.text(v) for v in values]
        wanted = [rule.text(n) for n in names]
        test = TEXT_TESTS[key.removeprefix("not_")]
        hit = any(test(t, w) for t in texts for w in wanted)
    return not hit if key in NEGATIVE_KEYS else hit


def _one(value: str | None) -> Sequence[str]:
    return () if value is None else (value,)


def glob_any(value: str | None, patterns: Given | None, *, ignore_case: bool) -> bool:
    """True when there is no filter (``None``), or ``value`` passes it: a list by its globs
    (in any case with ``ignore_case``, else exact case), or ``Conditions``."""
    return matches(_one(value), patterns, GLOB if ignore_case else BRANCH)


def glob_match(value: str | None, patterns: Given | None) -> bool:
    """A name filter (projects, issue types, repos, services, pipelines, …): no filter, or
    ``value`` matches one of the globs in any case (or passes the conditions)."""
    return glob_any(value, patterns, ignore_case=True)


def branch_match(value: str | None, patterns: Given | None) -> bool:
    """A branch filter (``target_branches``, ``source_branches``): no filter, or ``value``
    matches one of the globs in exact case (git branch names are case-sensitive: ``Main``
    is not ``main``). A PR without the branch fails a filter that is given, unless its
    conditions are only ``not``/``not_contains``."""
    return glob_any(value, patterns, ignore_case=False)


def any_glob(values: Iterable[str], patterns: Given | None) -> bool:
    """A ``labels`` filter: no filter, or one of ``values`` matches (case-insensitive); as
    conditions, ``not``/``not_contains`` hold when none of the labels match them."""
    if patterns is None:
        return True
    return matches(tuple(values), patterns, GLOB)


def exact_match(value: str | None, options: Given | None) -> bool:
    """An exact-name filter (environments, priorities, severities, urgencies): no filter, or
    ``value`` is one of ``options`` ignoring case and surrounding spaces (or passes the
    conditions, compared the same way)."""
    return matches(_one(value), options, EXACT)


def service_ok(value: str | None, patterns: Given | None) -> bool:
    """``scope.services`` on a record that may name no service: runs, incidents and tickets
    that name one must match; the others pass (as runs without a repo pass ``scope.repos``)."""
    return value is None or glob_match(value, patterns)


def status_set(given: Sequence[str] | None, default: Sequence[str]) -> set[str]:
    """The run statuses a ``statuses`` filter keeps (``default`` when not given), lower case:
    stored run statuses are lower case."""
    return {s.lower() for s in (given or default)}


def issue_selected(
    issue: Issue,
    types: Given | None,
    projects: Given | None,
    labels: Given | None,
) -> bool:
    """A ticket's type and project match, and (with ``labels``) one of its labels does."""
    return (
        glob_match(issue.type, types) and glob_match(issue.project, projects)
        and any_glob(issue.labels, labels)
    )  # fmt: skip


def param_text(value: Any) -> str | None:
    """A run parameter's value as the text a ``params`` glob is matched against: a string as
    it is, a boolean ``true``/``false`` and a number as JSON writes them; anything else (null,
    a list, a mapping) has no text and matches nothing."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return None


def params_match(run_params: Mapping[str, Any], wanted: Mapping[str, str] | None) -> bool:
    """True when there is no filter (``None``), or the run has every wanted parameter: the
    name exactly (case-sensitive: ``DEPLOY_ENV`` and ``deploy_env`` are two parameters), the
    value matching its glob ignoring case (``prod*`` matches ``Production``)."""
    if wanted is None:
        return True
    return all(
        glob_match(param_text(run_params.get(name)), [pattern]) for name, pattern in wanted.items()
    )


#: A run's parameters in a hashable form: sorted ``(name, text)`` pairs (``run_params``).
RunParams = tuple[tuple[str, str | None], ...]


def run_params(params: Mapping[str, Any]) -> RunParams:
    """A run's ``params`` as sorted ``(name, param_text(value))`` pairs: hashable, so a
    cached run filter can take them, and ``params_match(dict(pairs), …)`` gives the same
    answer as on the params themselves."""
    return tuple(sorted((str(k), param_text(v)) for k, v in params.items()))


@dataclass(frozen=True)
class ExclusionRule:
    """One glob of an ``exclude`` block and where it came from (``profile``, ``collection
    Payments``, ``org``): what the doctor and the drill-downs name."""

    key: str  # authors, labels, branches or titles
    pattern: str
    origin: str

    def __str__(self) -> str:
        return f"exclude.{self.key} {self.pattern!r} ({self.origin})"


def exclusion_rules(exclude: Exclusions | None) -> tuple[ExclusionRule, ...]:
    """Every rule of an ``exclude`` block, in key order, each with its origin."""
    if exclude is None:
        return ()
    origins = exclude.origins or {}
    return tuple(
        ExclusionRule(key, pattern, origins.get(f"{key} {pattern}", "profile"))
        for key in EXCLUSION_KEYS
        for pattern in getattr(exclude, key) or ()
    )


def literal_brackets(pattern: str) -> list[str]:
    """An ``exclude`` glob as ``fnmatch`` takes it, with ``[`` an ordinary character: bot
    logins end in ``[bot]`` and titles carry brackets, so ``*[bot]`` must not be the class
    of the letters b, o and t (which would take ``bob``)."""
    return [pattern.replace("[", "[[]")]


def pr_excluded_by(pr: PullRequest, rules: Sequence[ExclusionRule]) -> ExclusionRule | None:
    """The first rule that excludes the pull request (see the module doc), else ``None``."""
    for rule in rules:
        glob = literal_brackets(rule.pattern)
        hit = (
            (rule.key == "authors" and glob_match(pr.author, glob))
            or (rule.key == "labels" and any_glob(pr.labels, glob))
            or (rule.key == "branches" and branch_match(pr.source_branch, glob))
            or (rule.key == "titles" and glob_match(pr.title, glob))
        )
        if hit:
            return rule
    return None


def author_excluded_by(
    identities: Iterable[str], rules: Sequence[ExclusionRule]
) -> ExclusionRule | None:
    """The first ``authors`` rule one of a commit's author identities matches, else ``None``."""
    names = list(identities)
    authors = [r for r in rules if r.key == "authors"]
    return next((r for r in authors if any_glob(names, literal_brackets(r.pattern))), None)


def commit_excluded_by(commit: Commit, rules: Sequence[ExclusionRule]) -> ExclusionRule | None:
    """The ``authors`` rule that excludes the commit (author or author e-mail), else ``None``."""
    return author_excluded_by(commit_identities(commit), rules)


@dataclass(frozen=True)
class ScopedChange:
    """The records of a bundle that count under a scope."""

    key: str
    unit: Unit
    issues: tuple[Issue, ...]
    commits: tuple[Commit, ...]
    pull_requests: tuple[PullRequest, ...]
    pipeline_runs: tuple[PipelineRun, ...]
    versions: tuple[Version, ...]
    events: tuple[Event, ...]
    artifact_runs: frozenset[RunKey]
    change_requests: tuple[PipelineRun, ...] = ()
    member: str | None = None  # the people-based team's member the change counts for


def ticket_in_scope(project: str | None, issue_type: str | None, scope: Scope) -> bool:
    """A ticket of ``project`` and ``issue_type`` passes ``scope.projects``/``issue_types``."""
    return glob_match(project, scope.projects) and glob_match(issue_type, scope.issue_types)


def _ticket_in_scope(issue: Issue, scope: Scope) -> bool:
    return ticket_in_scope(issue.project, issue.type, scope)


def apply_scope(
    scope: Scope, bundle: ChangeBundle, exclude: Sequence[ExclusionRule] = ()
) -> ScopedChange | None:
    """The in-scope view of ``bundle``, or ``None`` when the change is out of scope (or
    excluded, or by no member of a people-based team)."""
    issues = tuple(i for i in bundle.issues if _ticket_in_scope(i, scope))
    repos = scope.repos
    prs = tuple(p for p in bundle.pull_requests if glob_match(p.repo, repos))
    out = [p for p in prs if exclude and pr_excluded_by(p, exclude)]
    if out and bundle.unit == "pull_request":
        return None
    dropped = {s for p in out for s in pr_shas(p)}
    prs = tuple(p for p in prs if all(p is not o for o in out))
    commits = tuple(
        c
        for c in bundle.commits
        if glob_match(c.repo, repos)
        and not (exclude and (norm_sha(c.sha) in dropped or commit_excluded_by(c, exclude)))
    )
    if bundle.unit == "ticket":
        if not issues or not any_glob(issues[0].labels, scope.labels):
            return None
    else:
        if not prs or not any_glob(prs[0].labels, scope.labels):
            return None
        if (scope.projects is not None or scope.issue_types is not None) and not issues:
            return None
    member = None
    if scope.people is not None:
        found = member_of(scope.people, change_author(attribution(scope), prs, commits, issues))
        if found is None:
            return None
        member = found.name
    ticket_keys = {i.key.upper() for i in issues}
    fix_versions = {(i.project, name) for i in issues for name in i.fix_versions}
    return ScopedChange(
        key=bundle.key,
        unit=bundle.unit,
        issues=issues,
        commits=commits,
        pull_requests=prs,
        pipeline_runs=tuple(
            r
            for r in bundle.pipeline_runs
            if (r.repo is None or glob_match(r.repo, repos))
            and service_ok(r.service, scope.services)
        ),
        versions=tuple(v for v in bundle.versions if (v.project, v.name) in fix_versions),
        events=tuple(e for e in bundle.events if event_ticket_key(e) in (None, *ticket_keys)),
        artifact_runs=bundle.artifact_runs,
        change_requests=tuple(
            r
            for r in bundle.change_requests
            if {k.upper() for k in change_request_keys(r)} & ticket_keys
            and service_ok(r.service, scope.services)
        ),
        member=member,
    )

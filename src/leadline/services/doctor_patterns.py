"""The ``pattern_matched_nothing`` check: a profile's patterns that match no stored value.

A typo in ``scope.repos`` or a stage's ``pipelines`` does not fail: it quietly filters every
record out, and the figures read as if nothing happened. Each pattern of the profile (or of
the collection's narrowed profile) is matched, with the rule its own filter uses, against
the distinct values of the column it filters:

| pattern | values | rule |
|---|---|---|
| ``scope.repos`` | repos of commits, pull requests, runs | glob, any case |
| ``scope.projects``, ``*.projects`` | projects of tickets (and releases) | glob, any case |
| ``scope.issue_types``, ``*.issue_types`` | ticket types | glob, any case |
| ``scope.services`` | services of runs, incidents, tickets | glob, any case |
| ``*.pipelines`` | pipelines of runs | glob, any case |
| ``*.environments`` | environments of runs | exact, any case |
| ``target_branches`` (stages, ``dora.deployments``) | target branches of PRs | glob, exact case |
| ``scope.paths`` | paths commits change | glob, exact case |

``labels`` and ``statuses`` are not checked (they live inside the records). A filter of
conditions is checked name by name (``Conditions.singles``): ``scope.repos.not: acme/legcy``
when no stored repository is ``acme/legcy``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import Connection

from leadline.correlate.scope import Given, branch_match, exact_match, glob_match, paths_match
from leadline.profiles.conditions import Conditions
from leadline.profiles.models import Profile, Stage, Start
from leadline.store import quality_queries as q
from leadline.store import tables as t
from leadline.store.quality_queries import Finding

Match = Callable[[str | None, Given | None], bool]


# What each kind of pattern is matched against, and the words for it.
_VALUES = {
    "repo": ((t.commits.c.repo, t.pull_requests.c.repo, t.pipeline_runs.c.repo), "repository",
             "repositories"),
    "project": ((t.issues.c.project,), "project", None),
    "release_project": ((t.versions.c.project,), "release project", None),
    "issue_type": ((t.issues.c.type,), "ticket type", None),
    "service": ((t.pipeline_runs.c.service, t.incidents.c.service, t.issues.c.service),
                "service", None),
    "pipeline": ((t.pipeline_runs.c.pipeline,), "pipeline", None),
    "environment": ((t.pipeline_runs.c.environment,), "environment", None),
    "branch": ((t.pull_requests.c.target_branch,), "target branch", "target branches"),
    "path": ((t.commit_paths.c.path,), "commit path", None),
}  # fmt: skip

Pattern = tuple[str, Given | None, str, Match]  # where, patterns, kind, rule


def _path_match(path: str | None, patterns: Given | None) -> bool:
    return paths_match(() if path is None else (path,), patterns)


def _patterns(profile: Profile) -> Iterator[Pattern]:
    s = profile.scope
    yield from (
        ("scope.repos", s.repos, "repo", glob_match),
        ("scope.projects", s.projects, "project", glob_match),
        ("scope.issue_types", s.issue_types, "issue_type", glob_match),
        ("scope.services", s.services, "service", glob_match),
        ("scope.paths", s.paths, "path", _path_match),
    )  # fmt: skip
    stages: list[tuple[str, Start | Stage]] = [("start", profile.start)]
    stages += [(f"stages[{i}]", x) for i, x in enumerate(profile.stages)]
    for where, stage in stages:
        yield f"{where}.pipelines", stage.pipelines, "pipeline", glob_match
        yield f"{where}.environments", stage.environments, "environment", exact_match
        yield f"{where}.target_branches", stage.target_branches, "branch", branch_match
    if profile.dora is None:
        return
    dep, fail, rest = profile.dora.deployments, profile.dora.failures, profile.dora.restore
    yield from (
        ("dora.deployments.pipelines", dep.pipelines, "pipeline", glob_match),
        ("dora.deployments.environments", dep.environments, "environment", exact_match),
        ("dora.deployments.target_branches", dep.target_branches, "branch", branch_match),
        ("dora.deployments.projects", dep.projects, "release_project", glob_match),
        ("dora.failures.pipelines", fail.pipelines, "pipeline", glob_match),
        ("dora.failures.environments", fail.environments, "environment", exact_match),
        ("dora.failures.projects", fail.projects, "project", glob_match),
        ("dora.failures.issue_types", fail.issue_types, "issue_type", glob_match),
        ("dora.restore.projects", rest.projects, "project", glob_match),
        ("dora.restore.issue_types", rest.issue_types, "issue_type", glob_match),
    )  # fmt: skip


def patterns_matching_nothing(conn: Connection, profile: Profile) -> list[Finding]:
    """Each pattern of ``profile`` that matches none of the stored values it filters, as a
    finding ``where: pattern`` with what it was matched against."""
    values: dict[str, set[str]] = {}
    out: list[Finding] = []
    for where, patterns, kind, rule in _patterns(profile):
        if patterns is None:
            continue
        if kind not in values:
            values[kind] = q.distinct(conn, *_VALUES[kind][0])
        _, noun, nouns = _VALUES[kind]
        seen = sorted(values[kind])
        for shown, single in _parts(where, patterns):
            if not any(rule(v, single) for v in seen):
                out.append(Finding(shown, None, _against(seen, noun, nouns)))
    return out


def _parts(where: str, patterns: Given) -> Iterator[tuple[str, Given]]:
    """Each name of a filter, as the finding shows it, with the filter of that name alone:
    ``scope.repos: acme/x`` for a list, ``scope.repos.not: acme/x`` for conditions."""
    if isinstance(patterns, Conditions):
        for key, name, single in patterns.singles():
            yield f"{where}.{key}: {name}", single
    else:
        for pattern in patterns:
            yield f"{where}: {pattern}", [pattern]


def _against(seen: list[str], noun: str, nouns: str | None) -> str:
    if not seen:
        return f"no {nouns or noun + 's'} stored"
    shown = ", ".join(seen[:5]) + (", …" if len(seen) > 5 else "")
    return f"matched none of {len(seen)} {noun if len(seen) == 1 else nouns or noun + 's'}: {shown}"

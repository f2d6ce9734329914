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
| ``scope.paths`` | glob, **exact case**; any of a commit's paths | ``paths_match`` |
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

Paths compare in exact case too (file systems and git are case-sensitive), and ``*``
crosses ``/`` as in every glob here: ``services/payments/**`` and ``services/payments/*`` both
match ``services/payments/api/x.py``; ``**/*.py`` needs a ``/`` (``setup.py`` at the root is
not matched, ``*.py`` is). A commit that carries no paths (a merge commit, or a source that
does not give them) matches no ``paths`` filter.

``params_match`` is the run-parameter filter (``params``) of stages and of DORA's run
filter: one predicate for both.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from leadline.domain.records import Issue
from leadline.profiles.conditions import NEGATIVE_KEYS, Conditions
from leadline.profiles.models import Scope

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


def paths_match(paths: Iterable[str], patterns: Given | None) -> bool:
    """A ``paths`` filter: no filter, or one of ``paths`` matches one of the globs in exact
    case (``*`` crosses ``/``), as a branch does (or passes the conditions, compared the
    same way). No paths at all fail a filter that is given, ``not`` included: a commit
    that carries no paths belongs to no component."""
    if patterns is None:
        return True
    found = tuple(paths)
    return bool(found) and matches(found, patterns, BRANCH)


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


def ticket_in_scope(project: str | None, issue_type: str | None, scope: Scope) -> bool:
    """A ticket of ``project`` and ``issue_type`` passes ``scope.projects``/``issue_types``."""
    return glob_match(project, scope.projects) and glob_match(issue_type, scope.issue_types)

"""Which category of a profile's ``categories`` a change belongs to (``--by category``).

A category matches a change when one of the change's in-scope pull requests matches every
key the category gives: ``source_branches`` and ``target_branches`` (globs, case-sensitive,
as branch filters of stages) and ``labels`` (the PR's labels, globs, case-insensitive).
Categories are tried in the profile's order and the first that matches wins; a ``default``
category (the last) takes every change no earlier one matched. A change no category takes
is uncategorized (``None``). A change without a pull request matches only the default.
"""

from __future__ import annotations

from collections.abc import Sequence

from leadline.correlate.scope import any_glob, branch_match
from leadline.correlate.scoped import ScopedChange
from leadline.domain.records import PullRequest
from leadline.profiles.models import ChangeCategory

#: How reports name the changes no category took.
UNCATEGORIZED = "(uncategorized)"


def pr_in_category(category: ChangeCategory, pr: PullRequest) -> bool:
    """``pr`` matches every key ``category`` gives (a key not given matches anything)."""
    return (
        branch_match(pr.source_branch, category.source_branches)
        and branch_match(pr.target_branch, category.target_branches)
        and any_glob(pr.labels, category.labels)
    )


def category_of(categories: Sequence[ChangeCategory], change: ScopedChange) -> str | None:
    """The name of the first category that takes ``change``, or ``None``."""
    for category in categories:
        if category.default:
            return category.name
        if any(pr_in_category(category, pr) for pr in change.pull_requests):
            return category.name
    return None

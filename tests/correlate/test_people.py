"""Who a change is by (attribution order, the time that decides membership) and the
``exclude`` rules, on in-memory records (times on 2024-05-01 UTC)."""

from __future__ import annotations

from typing import Any

import pytest

from leadline.correlate.exclusions import commit_excluded_by, exclusion_rules, pr_excluded_by
from leadline.correlate.linking import link
from leadline.correlate.people import change_author, commit_authors, member_of
from leadline.correlate.scoped import apply_scope
from leadline.profiles.collections import merge_exclusions
from leadline.profiles.models import Exclusions, Member, Scope
from tests.correlate.builders import at, dt, record

A, B, M = "a" * 40, "b" * 40, "c" * 40


def _pr(n: int = 1, author: str | None = "alice", opened: str = "10:00", **kw: Any) -> Any:
    return record("pull_request", repo="acme/api", number=n, created_at=at(opened),
                  author=author, commit_shas=[A, B], merge_commit_sha=M,
                  title=kw.pop("title", "PAY-1 Add login"),
                  source_branch=kw.pop("branch", "feature/PAY-1"), **kw)  # fmt: skip


def _commit(sha: str, when: str, author: str | None, **kw: Any) -> Any:
    return record("commit", repo="acme/api", sha=sha, committed_at=at(when), author=author,
                  **kw)  # fmt: skip


def _issue(assignee: str | None) -> Any:
    extra = {} if assignee is None else {"assignee": assignee}
    return record("issue", key="PAY-1", created_at=at("08:00"), **extra)


ALICE = Member(name="Alice", identities=["alice", "Alice@Acme.test"])
# Bob is a member from 10:30 (inclusive) to 12:00 (exclusive).
BOB = Member(name="Bob", identities=["bob"], start=dt("10:30"), end=dt("12:00"))


@pytest.mark.parametrize(
    ("order", "pr_author", "commit_author", "assignee", "expected"),
    [
        # The PR's author first, at the PR's opening (10:00).
        (["pull_request", "commit", "ticket"], "alice", "bob", "carol", ("alice", "10:00")),
        # No PR author: the first own commit's (A, authored 09:10; B at 09:40; the merge
        # commit M at 09:05 has two parents and is never the first commit).
        (["pull_request", "commit", "ticket"], None, "bob", "carol", ("bob", "09:10")),
        # Neither: the ticket's assignee at its creation (08:00).
        (["pull_request", "commit", "ticket"], None, None, "carol", ("carol", "08:00")),
        # The order is the profile's: the ticket first.
        (["ticket", "pull_request"], "alice", "bob", "carol", ("carol", "08:00")),
        (["commit"], "alice", None, "carol", None),
    ],
)
def test_the_author_comes_from_the_first_source_that_has_one(
    order: Any, pr_author: str | None, commit_author: str | None, assignee: str | None,
    expected: tuple[str, str] | None,
) -> None:  # fmt: skip
    commits = [
        _commit(B, "09:40", commit_author, authored_at=at("09:40"), parents=[A]),
        _commit(M, "09:05", "merger", parents=[A, B]),
        _commit(A, "09:20", commit_author, authored_at=at("09:10")),
    ]
    found = change_author(order, [_pr(author=pr_author)], commits, [_issue(assignee)])
    got = None if found is None else (found.identities[0], found.at)
    assert got == (None if expected is None else (expected[0], dt(expected[1])))


@pytest.mark.parametrize(
    ("identity", "when", "member"),
    [
        ("ALICE", "09:00", "Alice"),  # any case
        (" alice@acme.test ", "09:00", "Alice"),  # any case, spaces trimmed
        ("bob", "10:29", None),  # before Bob's start
        ("bob", "10:30", "Bob"),  # start inclusive
        ("bob", "11:59", "Bob"),
        ("bob", "12:00", None),  # end exclusive
        ("al*", "09:00", None),  # identities are exact, not globs
    ],
)
def test_a_member_by_identity_and_span(identity: str, when: str, member: str | None) -> None:
    from leadline.correlate.people import Author

    found = member_of([ALICE, BOB], Author((identity,), dt(when), "pull_request"))
    assert (found.name if found else None) == member


def test_a_span_without_an_offset_is_utc() -> None:
    from leadline.correlate.people import Author

    naive = Member.model_validate({"name": "Bob", "identities": ["bob"],
                                   "start": "2024-05-01T10:30:00"})  # fmt: skip
    assert member_of([naive], Author(("bob",), dt("10:30"), "commit")) is not None
    assert member_of([naive], Author(("bob",), dt("10:29"), "commit")) is None


def test_commits_are_attributed_by_their_pr_then_their_own_author() -> None:
    # A and B are in PR #1 (alice, opened 10:00), so is its merge commit M; D is in no PR.
    d = "d" * 40
    commits = [_commit(A, "09:10", "bob"), _commit(d, "11:00", "bob", author_email="b@x.io")]
    found = commit_authors(["pull_request", "commit"], [_pr()], commits)
    assert {s[0]: (a.identities, a.at) for s, a in found.items()} == {
        "a": (("alice",), dt("10:00")), "b": (("alice",), dt("10:00")),
        "c": (("alice",), dt("10:00")), "d": (("bob", "b@x.io"), dt("11:00")),
    }  # fmt: skip
    # The commit's own author first: A is bob's; B and M have no commit record: alice's.
    first = commit_authors(["commit", "pull_request"], [_pr()], commits)
    assert first[A].identities == ("bob",) and first[B].identities == ("alice",)


BOTS = Exclusions(authors=["*[bot]", "renovate*"], labels=["deps"], branches=["Bump/*"],
                  titles=["WIP*"])  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"author": "dependabot[bot]"}, "exclude.authors '*[bot]' (profile)"),
        ({"author": "bob"}, None),  # '[' is literal: not "ends in b, o or t"
        ({"author": "Renovate-Bot"}, "exclude.authors 'renovate*' (profile)"),  # any case
        ({"labels": ["DEPS"]}, "exclude.labels 'deps' (profile)"),
        ({"branch": "Bump/lodash"}, "exclude.branches 'Bump/*' (profile)"),
        ({"branch": "bump/lodash"}, None),  # branches in exact case
        ({"title": "wip: spike"}, "exclude.titles 'WIP*' (profile)"),
    ],
)
def test_which_rule_excludes_a_pull_request(fields: dict[str, Any], rule: str | None) -> None:
    pr = _pr(**fields)
    found = pr_excluded_by(pr, exclusion_rules(BOTS))
    assert (str(found) if found else None) == rule


def test_a_commit_is_excluded_by_its_author_or_e_mail() -> None:
    rules = exclusion_rules(BOTS)
    bot = _commit(A, "09:00", "Bot", author_email="dependabot[bot]@users.noreply.github.com")
    assert commit_excluded_by(bot, rules) is None  # the e-mail does not end in [bot]
    named = _commit(A, "09:00", "renovate")
    assert str(commit_excluded_by(named, rules)) == "exclude.authors 'renovate*' (profile)"


def test_levels_add_up_and_keep_their_origin() -> None:
    org = Exclusions(authors=["*[bot]"])
    team = Exclusions(authors=["*[bot]", "renovate*"], titles=["WIP*"])
    merged = merge_exclusions(merge_exclusions(None, org, "org"), team, "collection Payments")
    mine = Exclusions(labels=["deps"])
    both = merge_exclusions(mine, merged, "collection")
    assert [str(r) for r in exclusion_rules(both)] == [
        "exclude.authors '*[bot]' (org)",
        "exclude.authors 'renovate*' (collection Payments)",
        "exclude.labels 'deps' (profile)",
        "exclude.titles 'WIP*' (collection Payments)",
    ]


def _bundle(unit: str, *records: Any) -> Any:
    bundles = link(list(records), unit)  # type: ignore[arg-type]
    assert len(bundles) == 1
    return next(iter(bundles.values()))


def test_apply_scope_leaves_excluded_records_out() -> None:
    rules = exclusion_rules(BOTS)
    bot_pr = _pr(author="renovate-bot")
    assert apply_scope(Scope(), _bundle("pull_request", bot_pr), rules) is None
    assert apply_scope(Scope(), _bundle("pull_request", bot_pr)) is not None
    # A ticket keeps its change; the bot's PR and commits are gone, a person's commit stays.
    ticket = _issue(None)
    person = _commit("e" * 40, "09:30", "carol", message="PAY-1 fix")
    change = apply_scope(
        Scope(), _bundle("ticket", ticket, bot_pr, _commit(A, "09:00", "x"), person), rules
    )
    assert change is not None
    assert change.pull_requests == () and [c.author for c in change.commits] == ["carol"]


def test_apply_scope_names_the_member() -> None:
    scope = Scope(people=[ALICE, BOB])
    late = _pr(author="bob", opened="12:30")
    assert apply_scope(scope, _bundle("pull_request", late)) is None  # after Bob's end
    change = apply_scope(scope, _bundle("pull_request", _pr(author="bob", opened="11:00")))
    assert change is not None and change.member == "Bob"
    # Attribution by commit: A is alice's (by e-mail, any case).
    by_commit = Scope(people=[ALICE, BOB], attribution=["commit"])
    pr = _pr(author="bob", opened="11:00")
    a = _commit(A, "09:00", "Alice N", author_email="alice@acme.TEST")
    found = apply_scope(by_commit, _bundle("pull_request", pr, a))
    assert found is not None and found.member == "Alice"

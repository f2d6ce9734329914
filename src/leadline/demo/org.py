"""The demo organisation "Acme": its six teams, its profiles and its collections.

Each team is built to land in one DORA band (harness bands) over the last 90 days of
the demo — Payments elite, Checkout high, Platform medium, Mobile low, Identity high, Search
medium — so the dashboard shows the whole scale. Identity works in Azure DevOps with
ServiceNow, Search on Bitbucket with Jenkins and Opsgenie: their records are what those
integrations make of the tools' payloads. Checkout counts its revert pull requests as
failures (``demo.reverts``) and Mobile rates itself on a maturity scale of its own: their
collections name their own profiles. The figures come from the records the generator
(``demo.records``) makes with these parameters; nothing is hard-coded into the reports. See
docs/demo.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Cadence = Literal["per_merge", "twice_weekly", "fortnightly", "release_train"]
Stack = Literal["acme", "azure", "bitbucket"]

ORG = "Acme"
TICKET_PROFILE = "Ticket to production"
PR_PROFILE = "PR to production"
CHECKOUT_PROFILE = "Checkout — revert PRs"
MOBILE_PROFILE = "Mobile — release train scale"


@dataclass(frozen=True)
class TeamSpec:
    """How one team works. Hours are *working* hours (09:00–18:00 UTC, Monday to Friday)."""

    name: str
    project: str
    repos: tuple[str, ...]
    service: str
    ci_system: str
    cd_system: str
    people: tuple[str, ...]
    tickets_per_day: float  # new tickets per working day
    backlog_hours: float  # created → In Progress (mean)
    coding_hours: float  # In Progress → pull request opened (mean)
    review_hours: float  # opened → approved (mean)
    merge_hours: float  # approved → merged (mean)
    cadence: Cadence
    failure_rate: float  # share of production deployments followed by an incident
    restore_minutes: tuple[float, float]  # incident created → resolved, uniform in the range
    incident_delay_minutes: tuple[float, float]  # deployment → incident, uniform in the range
    done_hours: float  # deployed (or released) → ticket Done (mean)
    versions: str | None = None  # fix-version name pattern, {n} = release number
    store_review_hours: tuple[float, float] | None = None  # submitted → released (app store)
    open_incident: bool = False  # its latest production deployment has an incident still open
    stray_incident: bool = False  # one open incident no deployment explains (leadline doctor)
    version_base: int = 0  # release n is named versions.format(n=version_base + n)
    automated: bool = False  # auto-merge once approved; deployed tickets move to Done by rule
    topics: tuple[str, ...] = ()
    # The tools it works with: "acme" writes the records in leadline's own import format
    # (Jira, GitHub, …); "azure" (Azure Boards, Repos, Pipelines, ServiceNow) and "bitbucket"
    # (Bitbucket Cloud, Jenkins, Opsgenie) build each tool's payloads and map them with the
    # real integrations (demo.azure, demo.bitbucket).
    stack: Stack = "acme"
    key_format: str = "{project}-{n}"  # a ticket's key; Azure Boards: "AB#{n}"
    rollbacks: bool = True  # restores half its incidents by a rollback (fast cadences only)
    deploy_weekday: int = 2  # fortnightly cadence: the day of the week (Monday = 0)
    reverts: bool = False  # reverts the last pull request of each failed deployment

    @property
    def repo_glob(self) -> str:
        owner, name = self.repos[0].split("/")
        return f"{owner}/{name.split('-')[0]}-*"

    @property
    def owner(self) -> str:
        """The repositories' owner: ``acme`` (the GitHub and Bitbucket workspace), or the
        Azure DevOps project (Azure names a repository ``project/repository``)."""
        return self.repos[0].split("/")[0]

    def key(self, n: int) -> str:
        return self.key_format.format(project=self.project, n=n)

    def version(self, slot: int) -> str | None:
        """The fix-version name of release ``slot`` (1, 2, …), or None without versions."""
        return None if self.versions is None else self.versions.format(n=self.version_base + slot)


TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec(
        name="Payments", project="PAY", repos=("acme/payments-api", "acme/payments-web"),
        service="payments", ci_system="github-actions", cd_system="argocd",
        people=("ana", "bruno", "chen", "dara", "eli"),
        tickets_per_day=1.7, backlog_hours=1.5, coding_hours=2.0, review_hours=1.0,
        merge_hours=0.3, cadence="per_merge", failure_rate=0.04, automated=True,
        restore_minutes=(12, 48), incident_delay_minutes=(5, 40), done_hours=0.3,
        topics=("refund flow", "card tokenisation", "payout report", "3-D Secure retry",
                "currency rounding", "webhook signatures", "invoice PDF", "SEPA mandate"),
    ),
    TeamSpec(
        name="Checkout", project="CHK", repos=("acme/checkout-api", "acme/checkout-web"),
        service="checkout", ci_system="github-actions", cd_system="argocd",
        people=("fatima", "gus", "hana", "ivan"),
        tickets_per_day=0.8, backlog_hours=8.0, coding_hours=9.0, review_hours=4.0,
        merge_hours=1.0, cadence="twice_weekly", failure_rate=0.22,
        restore_minutes=(90, 420), incident_delay_minutes=(30, 600), done_hours=2.0,
        versions="checkout-{n}", version_base=240, open_incident=True, reverts=True,
        topics=("coupon codes", "address form", "basket totals", "guest checkout",
                "shipping options", "tax display", "order confirmation", "gift cards"),
    ),
    TeamSpec(
        name="Platform", project="PLAT", repos=("acme/platform-gateway",),
        service="platform", ci_system="jenkins", cd_system="jenkins",
        people=("jon", "kim", "lea"),
        tickets_per_day=0.55, backlog_hours=27.0, coding_hours=20.0, review_hours=12.0,
        merge_hours=3.0, cadence="fortnightly", failure_rate=0.37,
        restore_minutes=(1500, 3600), incident_delay_minutes=(60, 2880), done_hours=6.0,
        versions="gateway-1.{n}", version_base=30, open_incident=True,
        topics=("rate limiting", "TLS certificates", "request tracing", "auth tokens",
                "connection pooling", "health checks", "log shipping", "service mesh"),
    ),
    TeamSpec(
        name="Mobile", project="MOB", repos=("acme/mobile-app",),
        service="mobile", ci_system="bitrise", cd_system="bitrise",
        people=("mo", "nia", "omar", "pia"),
        tickets_per_day=0.5, backlog_hours=80.0, coding_hours=25.0, review_hours=12.0,
        merge_hours=4.0, cadence="release_train", failure_rate=0.5,
        restore_minutes=(11000, 16000), incident_delay_minutes=(600, 4000), done_hours=9.0,
        versions="3.{n}.0", version_base=12, store_review_hours=(20, 44), stray_incident=True,
        topics=("push notifications", "dark mode", "offline basket", "biometric login",
                "order tracking", "app rating prompt", "deep links", "accessibility labels"),
    ),
    TeamSpec(
        name="Identity", project="Identity", repos=("Identity/identity-api",),
        service="identity", ci_system="azure-devops", cd_system="azure-devops",
        people=("quinn", "rosa", "sami", "tara"), stack="azure", key_format="AB#{n}",
        tickets_per_day=0.7, backlog_hours=10.0, coding_hours=7.0, review_hours=5.0,
        merge_hours=1.5, cadence="twice_weekly", failure_rate=0.25, rollbacks=False,
        restore_minutes=(120, 600), incident_delay_minutes=(20, 480), done_hours=3.0,
        topics=("single sign-on", "password reset", "MFA enrolment", "session expiry",
                "SCIM provisioning", "audit log", "OAuth scopes", "login throttling"),
    ),
    TeamSpec(
        name="Search", project="SRCH", repos=("acme/search-service",),
        service="search", ci_system="jenkins", cd_system="jenkins",
        people=("uma", "vik", "wen"), stack="bitbucket", deploy_weekday=3,
        versions="search-2.{n}", version_base=17,
        tickets_per_day=0.6, backlog_hours=20.0, coding_hours=16.0, review_hours=10.0,
        merge_hours=2.0, cadence="fortnightly", failure_rate=0.4,
        restore_minutes=(1800, 5000), incident_delay_minutes=(45, 1800), done_hours=5.0,
        topics=("query parser", "synonyms", "relevance tuning", "index rebuild",
                "autocomplete", "facets", "spelling suggestions", "result caching"),
    ),
)  # fmt: skip

# Every repository: Acme's workspace on GitHub and Bitbucket, and Identity's Azure DevOps project.
REPOS = sorted({f"{t.owner}/*" for t in TEAMS}, key=lambda r: (r != "acme/*", r))
TRAIN_DAYS = 42  # Mobile releases every six weeks…
LAST_RELEASE_DAYS_AGO = 11  # …the last one 11 days before the anchor


def ticket_profile() -> dict[str, Any]:
    """Ticket created → … → production → released → Done, with the DORA block."""
    return {
        "name": TICKET_PROFILE,
        "description": "The demo's end-to-end lead time: ticket created to deployed and Done.",
        "start": {"event": "ticket_created"},
        "scope": {"projects": [t.project for t in TEAMS], "repos": REPOS},
        "stages": [
            {"name": "In Progress", "event": "issue_status", "category": "in_progress",
             "ideal": "4h", "acceptable": "3d"},
            {"name": "First Commit", "event": "commit", "ideal": "2h", "acceptable": "1d"},
            {"name": "PR Created", "event": "pr_created", "ideal": "4h", "acceptable": "1d"},
            {"name": "PR Approved", "event": "pr_approved", "ideal": "4h", "acceptable": "1d"},
            {"name": "PR Merged", "event": "pr_merged", "target_branches": ["main"],
             "ideal": "1h", "acceptable": "4h"},
            {"name": "CI", "event": "ci_completed", "pipelines": ["build*"],
             "ideal": "15m", "acceptable": "1h"},
            {"name": "CD", "event": "cd_completed", "environments": ["production"],
             "ideal": "1h", "acceptable": "2d"},
            {"name": "Released", "event": "released", "ideal": "1d", "acceptable": "3d"},
            {"name": "Done", "event": "issue_status", "statuses": ["Done"],
             "ideal": "4h", "acceptable": "1d"},
        ],
        "dora": _dora(),
    }  # fmt: skip


def pr_profile() -> dict[str, Any]:
    """The pull request as the unit of change: first commit → production."""
    return {
        "name": PR_PROFILE,
        "description": "The demo's pull requests, from their first commit to production.",
        "start": {"event": "commit_created"},
        "scope": {"repos": REPOS},
        "stages": [
            {"name": "PR Created", "event": "pr_created", "target_branches": ["main"],
             "ideal": "4h", "acceptable": "1d"},
            {"name": "PR Review", "event": "pr_review", "ideal": "4h", "acceptable": "1d"},
            {"name": "PR Approved", "event": "pr_approved", "ideal": "1d", "acceptable": "2d"},
            {"name": "PR Merged", "event": "pr_merged", "target_branches": ["main"],
             "ideal": "1h", "acceptable": "4h"},
            {"name": "CD", "event": "cd_completed", "environments": ["production"],
             "ideal": "1h", "acceptable": "2d"},
        ],
        "dora": _dora(),
    }  # fmt: skip


def _dora() -> dict[str, Any]:
    return {
        "deployments": {"source": "cd", "environments": ["production"], "statuses": ["success"]},
        "failures": {"source": "incidents", "window": "7d"},
        "restore": {"source": "incidents"},
        "bands": "harness",
    }


def checkout_profile() -> dict[str, Any]:
    """The ticket profile, with Checkout's failures: its revert (and hotfix) pull requests
    rather than incidents. Checkout's collection reports with it."""
    profile = ticket_profile()
    profile["name"] = CHECKOUT_PROFILE
    profile["description"] = "Ticket to production; a revert or hotfix pull request is a failure."
    profile["dora"]["failures"] = {
        "source": "pull_requests", "titles": ['Revert "*"'], "labels": ["hotfix"],
    }  # fmt: skip
    return profile


def mobile_profile() -> dict[str, Any]:
    """The ticket profile, with a maturity scale of Mobile's own: a six-week release train
    is "Steady", not "low" (docs/dora.md#custom-levels). Mobile's collection reports with it."""
    profile = ticket_profile()
    profile["name"] = MOBILE_PROFILE
    profile["description"] = "Ticket to production, rated on a release train's own scale."
    profile["dora"]["bands"] = {
        "levels": [
            {"name": "Steady", "colour": "#1a7f37"},
            {"name": "Watch", "colour": "#9a6700"},
            {"name": "Behind", "colour": "#cf222e"},
        ],
        "unit": "hours",
        "deployment_frequency": {"unit": "per_month", "edges": [0.6, 0.3]},  # 7, 14 weeks
        "lead_time_for_changes": {"edges": [1008, 1680]},  # 6 weeks, 10 weeks
        "change_failure_rate": {"edges": ["35%", "50%"]},
        "mean_time_to_restore": {"edges": [168, 336]},  # a week, two weeks
    }  # fmt: skip
    return profile


TEAM_PROFILES = {"Checkout": CHECKOUT_PROFILE, "Mobile": MOBILE_PROFILE}


def profiles() -> list[dict[str, Any]]:
    """Every profile the demo stores, Acme's first."""
    return [ticket_profile(), pr_profile(), checkout_profile(), mobile_profile()]


def team_filters(team: TeamSpec) -> dict[str, list[str]]:
    return {"projects": [team.project], "repositories": [team.repo_glob],
            "services": [team.service]}  # fmt: skip


def org() -> dict[str, Any]:
    """The organisation as code (the shape ``services.collections.apply_org`` reads): Acme
    and one child collection per team, Checkout and Mobile with their own profiles
    (``TEAM_PROFILES``), the others inheriting Acme's. Every demo record belongs to exactly
    one team, so the teams' counts add up to Acme's (but for Checkout's failures, which its
    reverts decide)."""
    return {
        "collections": [
            {
                "name": ORG,
                "profile": TICKET_PROFILE,
                "filters": {
                    "projects": [t.project for t in TEAMS],
                    "repositories": REPOS,
                    "services": [t.service for t in TEAMS],
                },
                "children": [_child(t) for t in TEAMS],
            }
        ],
        "views": VIEWS,
    }


#: The demo's saved view (``/v/NAME``, named in every page's header): one team's weekly
#: look at its lead time, on a window of its own (docs/demo.md).
VIEWS = [
    {
        "name": "Payments weekly",
        "description": "What the payments team looks at on Mondays",
        "collection": "Payments",
        "widgets": ["lead_time_by_stage", "deployment_frequency", "lead_time"],
        "range": {"last": "30d"},
        "interval": "day",
        "stat": "median",
    }
]


def _child(team: TeamSpec) -> dict[str, Any]:
    child: dict[str, Any] = {"name": team.name}
    if team.name in TEAM_PROFILES:
        child["profile"] = TEAM_PROFILES[team.name]
    return child | {"filters": team_filters(team)}

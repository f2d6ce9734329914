"""``leadline sync jira --base-url URL --jql "…"``: pull Jira issues (``services.sync.jira``)."""

from __future__ import annotations

import os
from datetime import datetime
from urllib.parse import urlsplit

import click

from leadline.cli.context import AppContext
from leadline.cli.sync.common import (
    format_option,
    print_report,
    progress_option,
    since_option,
    sync_display,
)
from leadline.errors import ConfigError

AUTH_HELP = (
    "set JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud: your Atlassian e-mail and an API token) "
    "or JIRA_TOKEN (Jira Server/Data Center: a personal access token)"
)


@click.command("jira")
@click.option(
    "--base-url",
    required=True,
    metavar="URL",
    help="The Jira site: https://YOUR-SITE.atlassian.net or your server's URL.",
)
@click.option(
    "--jql",
    required=True,
    metavar="QUERY",
    help='The issues to pull, e.g. "project = PROP" (any ORDER BY is replaced).',
)
@click.option(
    "--search-api",
    type=click.Choice(["auto", "search", "search-jql"]),
    default="auto",
    show_default=True,
    help="search: /rest/api/2/search (Server/Data Center); search-jql: /rest/api/3/search/jql "
    "(Jira Cloud); auto: search-jql on *.atlassian.net, else search.",
)
@since_option
@click.option("--per-page", type=click.IntRange(1, 100), default=100, hidden=True)
@format_option
@progress_option
@click.pass_obj
def jira_command(
    app: AppContext,
    base_url: str,
    jql: str,
    search_api: str,
    since: datetime | None,
    per_page: int,
    fmt: str,
    progress: bool | None,
) -> None:
    """Pull Jira issues with their whole status history (changelog) and fix versions, and
    the versions (with release dates) of their projects.

    Authentication from the environment: JIRA_EMAIL + JIRA_API_TOKEN (Jira Cloud, basic
    auth) or JIRA_TOKEN (Jira Server/Data Center personal access token, bearer).
    """
    from leadline.services.sync.jira import sync_jira
    from leadline.sources.http import RestClient

    headers, auth = jira_auth()
    headers["User-Agent"] = "leadline-sync"
    headers["Accept"] = "application/json"
    search = search_api if search_api != "auto" else default_search(base_url)
    engine = app.engine
    with sync_display(progress) as display:
        root = base_url.strip().rstrip("/")
        with RestClient(root, headers=headers, auth=auth, on_wait=display.wait) as client:
            report = sync_jira(
                engine,
                client,
                jql,
                search=search,
                since=since,
                per_page=per_page,
                on_progress=display.progress,
                on_warning=display.warn,
            )
    print_report(report, fmt)


def jira_auth() -> tuple[dict[str, str], tuple[str, str] | None]:
    """Basic auth from JIRA_EMAIL + JIRA_API_TOKEN, else a bearer JIRA_TOKEN; neither → a
    ``ConfigError`` naming the variables (their values are never shown)."""
    email = os.environ.get("JIRA_EMAIL", "").strip()
    api_token = os.environ.get("JIRA_API_TOKEN", "").strip()
    pat = os.environ.get("JIRA_TOKEN", "").strip()
    if email and api_token:
        return {}, (email, api_token)  # basic auth; the client scrubs the token
    if pat:
        return {"Authorization": f"Bearer {pat}"}, None
    if email or api_token:
        missing = "JIRA_API_TOKEN" if email else "JIRA_EMAIL"
        raise ConfigError(f"Jira credentials: {missing} is not set ({AUTH_HELP})")
    raise ConfigError(f"Jira credentials missing: {AUTH_HELP}")


def default_search(base_url: str) -> str:
    """Jira Cloud (``*.atlassian.net``) has retired ``/search``: ``search-jql`` there."""
    host = (urlsplit(base_url.strip()).hostname or "").lower()
    return "search-jql" if host.endswith(".atlassian.net") else "search"

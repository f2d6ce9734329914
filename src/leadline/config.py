"""Settings, read once from the environment (``LEADLINE_`` prefix) and passed in."""

from __future__ import annotations

import functools
import os
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///leadline.db"


class Settings(BaseSettings):
    """Process-wide settings. Build one with ``Settings()`` at an entry point and pass it down."""

    model_config = SettingsConfigDict(env_prefix="LEADLINE_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db",
    )
    import_batch_size: int = Field(default=2000, ge=1, le=100_000)
    # Webhook secrets; a source whose secret is unset refuses its webhooks (403).
    # Several secrets (rotation) may be given comma-separated.
    github_webhook_secret: str | None = None
    gitlab_webhook_token: str | None = None
    jira_webhook_secret: str | None = None
    pagerduty_webhook_secret: str | None = None
    servicenow_webhook_secret: str | None = None
    opsgenie_webhook_secret: str | None = None
    # ServiceNow date-times carry no zone: the IANA zone they are read in
    # (docs/sources-servicenow.md).
    servicenow_timezone: str = Field(default="UTC", description="IANA zone of ServiceNow times")
    circleci_webhook_secret: str | None = None
    harness_webhook_secret: str | None = None
    argocd_webhook_secret: str | None = None
    azure_devops_webhook_secret: str | None = None  # the service hook's Basic password
    bitbucket_webhook_secret: str | None = None
    jenkins_webhook_secret: str | None = None
    # The web dashboard: open to whoever reaches the server, or behind a read API key.
    dashboard_auth: Literal["none", "key"] = "none"
    # /metrics answers without an API key (e.g. a scraper on a private network).
    public_metrics: bool = False
    # The server waits at most this many seconds for the database's write lock (another
    # process, e.g. an import, may hold it), then answers 503 with Retry-After.
    write_wait: float = Field(default=5.0, gt=0, le=300)
    # A metric read waits at most this many seconds for the background refresher to bring
    # its profile up to date, then answers from the last complete build (see ``as_of``).
    read_wait: float = Field(default=0.5, ge=0, le=300)
    # How often (seconds) the background refresher looks for work (new records, profiles).
    refresh_poll: float = Field(default=0.5, gt=0, le=3600)
    # Where the server's background refresher runs: a thread of the app ("thread"), or
    # another process ("external": ``leadline serve`` starts ``leadline refresh --watch``).
    refresher: Literal["thread", "external"] = "thread"
    # Largest request body the HTTP API reads (413 above it).
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    debug: bool = False

    @field_validator("servicenow_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        check_zone(value)
        return value.strip()


def servicenow_zone() -> ZoneInfo:
    """``LEADLINE_SERVICENOW_TIMEZONE`` (UTC when unset), read when a ServiceNow payload is
    parsed — by the server and by ``leadline replay`` alike, so a replay after fixing the
    variable reads the times in the fixed zone. An unknown name raises ``ValueError``."""
    return _zone(os.environ.get("LEADLINE_SERVICENOW_TIMEZONE", "UTC") or "UTC")


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return check_zone(name)


def check_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``Europe/Paris``, ``UTC``), or ``ValueError`` saying so."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (an IANA name such as Europe/Paris)"
        ) from None


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and route them through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url

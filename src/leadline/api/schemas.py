"""What the OpenAPI document says of bodies FastAPI does not parse itself.

Several endpoints read their body raw (NDJSON records, signed webhooks whose signature covers
the exact bytes, profiles validated with their own messages), so FastAPI cannot infer their
request schema; the report endpoints return the CLI's JSON as built by the services. The
models here document those shapes; ``tests/api/test_openapi.py`` checks the real answers
against them so the document cannot drift from what the server does.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from leadline.domain.records import RecordModel
from leadline.profiles.collections import Filters, OrgSpec
from leadline.profiles.models import Exclusions, Profile
from leadline.profiles.people import MemberSpec

REF = "#/components/schemas/{model}"


class OpenModel(BaseModel):
    """An answer's object: documents its keys, and lets later ones through."""

    model_config = ConfigDict(extra="allow")


# --- errors ----------------------------------------------------------------------------------


class ErrorInfo(BaseModel):
    code: str = Field(examples=["invalid_input"])
    message: str = Field(examples=["the request is not valid"])
    details: list[Any] = Field(default_factory=list)


class ErrorBody(BaseModel):
    """Every error, from every endpoint."""

    error: ErrorInfo


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    what = {
        400: "The body is not valid JSON (strict: no NaN/Infinity, no duplicate keys).",
        401: "Missing, unknown or revoked API key; or a bad webhook signature or token.",
        403: "The key lacks the scope; or the source's webhook secret is not set.",
        404: "No such profile (or route).",
        413: "The body is larger than the limit.",
        415: "The Content-Type does not fit the endpoint (JSON; NDJSON for records).",
        422: "The input is valid JSON but not acceptable: every problem is in `details`.",
        503: "Another writer (an import) holds the database longer than the server's bounded "
        "wait: nothing was written; send it again after `Retry-After` seconds.",
    }
    return {s: {"model": ErrorBody, "description": what[s]} for s in statuses}


# --- reports ---------------------------------------------------------------------------------


class StageOut(OpenModel):
    name: str
    seconds: float
    samples: int
    missing: int
    rating: str | None
    minimum: float | None = Field(None, description="outlier bounds, when the stage has any")
    maximum: float | None = None
    outliers: int | None = Field(None, description="durations outside [minimum, maximum]")
    level: str | None = Field(
        None,
        description="the stage's maturity level; only when the profile's dora.bands gives "
        "stage ranges (docs/dora.md#custom-levels)",
    )


class LevelOut(OpenModel):
    """A custom maturity level (``dora.bands`` as a mapping)."""

    name: str
    rank: int = Field(description="1 for the best level")
    colour: str = Field(examples=["#1a7f37"])


class AsOf(OpenModel):
    """How current a server's answer is (from the last complete build of the profile)."""

    position: int = Field(description="the last change-log entry the answer reflects")
    head: int = Field(description="the newest change-log entry")
    waiting: int = Field(description="entries not in the answer yet (0: up to date)")
    updated_at: str = Field(description="when the build last finished (RFC 3339, UTC)")


class Building(BaseModel):
    """202: the profile's first build runs in the background; ask again after
    ``Retry-After`` seconds."""

    status: str = Field(description='"building"')
    message: str
    profile: str
    progress: dict[str, int] = Field(description="done and total changes")


BUILDING: dict[int | str, dict[str, Any]] = {
    202: {"model": Building, "description": "The profile's first build is still running."}
}


#: What a figure's ``reason`` says.
REASON = "why the figure is null: no source for the metric, or nothing to measure"


class ReportWindow(OpenModel):
    """The window a report covers, ``[from, to)``; ``null`` bounds: all time."""

    from_: str | None = Field(alias="from")
    to: str | None
    days: float | None


class BaselineOut(OpenModel):
    """Changes of the window shipped by a first known deployment from before tracking began
    (docs/deployments.md#baseline-deployments)."""

    changes: int = Field(description="how many")
    included: bool = Field(description="counted in the figures (deployments.baseline: include)")


class OutOfOrderOut(OpenModel):
    """``workflow_order``: the changes out of order, and whether they were left out."""

    changes: int
    excluded: bool


class CompletedWorkOut(OpenModel):
    """``completed_work``: which work counts, and how much of it was never deployed."""

    work: str
    not_deployed: int


class StagePointOut(OpenModel):
    """A stage's figure in a bucket of a lead-time series (docs/lead-time.md#the-trend-by-stage)."""

    name: str
    seconds: float | None = Field(description="the statistic over the bucket; null: no sample")
    samples: int


class LeadPointOut(OpenModel):
    """A bucket of a lead-time series."""

    start: str = Field(examples=["2024-01-01"])
    changes: int
    total_seconds: float
    stages: list[StagePointOut] | None = Field(
        None, description="each stage's figure (from the profile's timelines)"
    )


class LeadTimeReport(OpenModel):
    """``leadline lead-time --format json``, with ``as_of`` from the server."""

    profile: str
    statistic: str
    changes: int
    stages: list[StageOut]
    total_seconds: float
    rating: str | None
    window: ReportWindow | None = None

    baseline: BaselineOut | None = None
    out_of_order: OutOfOrderOut | None = Field(
        None, description="with workflow_order (docs/profiles.md)"
    )
    completed_work: CompletedWorkOut | None = Field(
        None, description="with completed_work (docs/profiles.md)"
    )
    categories: list[dict[str, Any]] | None = Field(
        None, description="by=category: each category's name, changes, stages, total, rating"
    )
    by: str | None = Field(None, description="by=type|priority|label|project: the grouping")
    groups: list[dict[str, Any]] | None = Field(
        None,
        description="by=type|priority|label|project: each group's name, changes, stages, total, "
        "rating; (none) / (no label) for the changes without the attribute",
    )
    groups_note: str | None = Field(
        None, description="by=label: a change with several labels counts in each group"
    )
    series: list[LeadPointOut] | None = Field(
        None, description="interval=day|week|month: the trend by stage, per bucket"
    )
    as_of: AsOf | None = None


class QualityExample(OpenModel):
    record: str = Field(examples=["pull_request acme/api#12"])
    at: str | None
    detail: str | None
    change: str | None = Field(description="the change key, when the record is a change")


class QualityCheck(OpenModel):
    id: str = Field(examples=["pr_without_ticket"], description="stable (docs/doctor.md)")
    title: str
    severity: str = Field(examples=["warning"], description="error | warning | info")
    count: int | None = Field(description="null: the check does not apply (see note)")
    summary: str = Field(examples=["3 pull requests have no ticket key"])
    examples: list[QualityExample] = Field(description="up to 20, newest first")
    hint: str
    stage: str | None = None
    note: str | None = None


class QualityReport(OpenModel):
    """``leadline doctor --format json``."""

    window: ReportWindow
    subject: dict[str, str] = Field(examples=[{"collection": "Payments", "profile": "Team"}])
    checks: list[QualityCheck]
    as_of: AsOf | None = None


class ExcludedRecord(OpenModel):
    record: str = Field(examples=["pull_request acme/api#12"])
    at: str | None
    repo: str | None
    detail: str | None = Field(
        examples=["Bump lodash: excluded by rule exclude.authors '*[bot]' (org)"]
    )


class ExcludedRule(OpenModel):
    rule: str = Field(examples=["exclude.authors '*[bot]' (org)"])
    key: str = Field(examples=["authors"], description="authors | labels | branches | titles")
    pattern: str = Field(examples=["*[bot]"])
    origin: str = Field(examples=["org"], description="profile | collection NAME | org")
    count: int = Field(description="the doctor's excluded_by_rule count for this rule")
    records: list[ExcludedRecord] = Field(description="all of them, newest first")


class ExcludedReport(OpenModel):
    """``leadline doctor --excluded --format json``."""

    window: ReportWindow
    subject: dict[str, str] = Field(examples=[{"collection": "Payments", "profile": "Team"}])
    rules: list[ExcludedRule]


# --- webhooks and custom CI/CD ---------------------------------------------------------------


class WebhookAnswer(BaseModel):
    """202: stored (``records`` parsed); 200: a repeated delivery id (``duplicate``) or an
    event leadline does not use (``ignored``, with the ``reason``)."""

    status: str = Field(examples=["stored"], description="stored | duplicate | ignored")
    records: int
    reason: str | None = None
    kinds: dict[str, int] = Field(default_factory=dict, examples=[{"pull_request": 1}])


class CustomCicdJob(OpenModel):
    """One finished CI/CD job run (Harness SEI's custom CI/CD payload; docs/sources.md).
    The pipeline is named by ``pipeline``, else ``job_full_name``, else ``job_name``; the
    payload may also come wrapped as ``{"payload": {…}}``."""

    pipeline: str | None = None
    job_full_name: str | None = None
    job_name: str | None = None
    start_time: int = Field(description="epoch milliseconds")
    duration: int | None = Field(None, description="milliseconds")
    result: str = Field(examples=["success"])
    scm_commit_ids: list[str] = Field(default_factory=list)
    ci: bool | None = None
    cd: bool | None = None
    artifacts: list[dict[str, Any]] = Field(default_factory=list)
    execution_id: str | int | None = None
    environment: str | None = None
    repo_url: str | None = None
    branch_name: str | None = None
    job_run_params: list[dict[str, Any]] | dict[str, Any] | None = None


class CollectionBody(BaseModel):
    """``PUT /v1/collections/{name}``."""

    model_config = ConfigDict(extra="forbid")

    parent: str | None = None
    profile: str | None = None
    filters: Filters = Field(default_factory=Filters)
    members: list[MemberSpec] | None = None
    exclude: Exclusions | None = None
    description: str | None = None


class ContributorBody(BaseModel):
    """``PUT /v1/contributors/{name}``."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = None
    identities: list[str] = Field(default_factory=list)


# --- request bodies ----------------------------------------------------------------------------

_RECORDS = TypeAdapter(list[Annotated[RecordModel, Field(discriminator="kind")]])


def component_schemas() -> dict[str, Any]:
    """Schemas the request bodies below refer to, for ``components.schemas``."""
    out: dict[str, Any] = {}
    adapters = (_RECORDS, TypeAdapter(Profile), TypeAdapter(CustomCicdJob),
                TypeAdapter(OrgSpec), TypeAdapter(CollectionBody),
                TypeAdapter(ContributorBody))  # fmt: skip
    for adapter in adapters:
        schema = adapter.json_schema(ref_template=REF)
        out.update(schema.pop("$defs", {}))
        if "title" in schema and schema.get("type") == "object":
            out[schema["title"]] = schema
    return out


def records_body() -> dict[str, Any]:
    items = _RECORDS.json_schema(ref_template=REF)
    items.pop("$defs", None)
    return {
        "requestBody": {
            "required": True,
            "description": "Records (docs/records.md): NDJSON (one per line) or a JSON array.",
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "application/json": {"schema": items},
            },
        }
    }


def json_body(ref: str | None, description: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"$ref": REF.format(model=ref)} if ref else {"type": "object"}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }

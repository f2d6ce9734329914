"""The records leadline stores (docs/records.md), validated at the edge.

Every model keeps unknown extra fields (``extra="allow"``) and is strict about types: a
number where a string belongs is an error, not a silent conversion. Times are RFC 3339 with
an offset and come out as UTC-aware datetimes.

Every model is also *storable* once validated: a value the database cannot hold (a NUL
character, a lone surrogate, an integer outside 64 bits, a non-finite number), in a field or
nested anywhere in an extra field, is a validation error of type ``unstorable`` naming the
field path (the rule: ``domain.storable``). Validation is the one door every record passes
— NDJSON lines, HTTP bodies, webhook and sync payloads — so the check sits here and none of
them can forget it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationInfo,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from leadline.domain.storable import problem_in_fields
from leadline.domain.times import format_time, parse_time, parse_time_or_epoch

Time = Annotated[
    datetime, BeforeValidator(parse_time), PlainSerializer(format_time, return_type=str)
]
EpochOrTime = Annotated[
    datetime, BeforeValidator(parse_time_or_epoch), PlainSerializer(format_time, return_type=str)
]
# Identifiers and natural keys: non-empty, and short enough for any database index.
Text = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
MAX_NUMBER = 2**63 - 1
TYPED_OK: dict[str, bool] = {"typed_ok": True}  # validation context: see ``_Model._storable``


def _id_text(value: object) -> object:
    """Identifiers from other tools are often numbers: accept an integer, keep it as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


IdText = Annotated[Text, BeforeValidator(_id_text)]
# A repository-relative file path: any length (git allows long ones), never empty.
Path = Annotated[str, StringConstraints(min_length=1)]
Category = Literal["todo", "in_progress", "done"]

DONE_NAMES = frozenset({"done", "closed", "resolved", "released"})
TODO_NAMES = frozenset({"to do", "todo", "open", "backlog", "new"})


def infer_category(status: str) -> Category:
    """Done/Closed/Resolved/Released → done, To Do/Open/Backlog/New → todo."""
    name = status.strip().lower()
    if name in DONE_NAMES:
        return "done"
    if name in TODO_NAMES:
        return "todo"
    return "in_progress"


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow", frozen=False)

    _ANY_FIELDS: ClassVar[tuple[str, ...]] = ()  # declared fields typed ``Any`` inside

    @model_validator(mode="after")
    def _storable(self, info: ValidationInfo) -> Any:
        # Nested models (reviews, status changes, artifacts) were checked by their own
        # validator: ``problem_in`` passes over model values. ``TYPED_OK`` in the context:
        # validated from JSON text without a NUL escape, so only values typed ``Any`` can
        # hold an unstorable value (``storable.nul_free_json``).
        if info.context is not TYPED_OK:
            found = problem_in_fields(self.__dict__.items())
        elif self._ANY_FIELDS:
            found = problem_in_fields((n, self.__dict__[n]) for n in self._ANY_FIELDS)
        else:
            found = None
        if found is None and self.__pydantic_extra__:
            found = problem_in_fields(self.__pydantic_extra__.items())
        if found is not None:
            field, problem = found
            raise PydanticCustomError(
                "unstorable", "{field}: {problem}", {"field": field, "problem": problem}
            )
        return self


class StatusChange(_Model):
    to: Text
    at: Time
    category: Annotated[Category | None, BeforeValidator(_lower)] = None

    @model_validator(mode="after")
    def _infer(self) -> StatusChange:
        if self.category is None:
            self.category = infer_category(self.to)
        return self


class Review(_Model):
    author: str | None = None
    state: Annotated[Literal["approved", "changes_requested", "commented"], BeforeValidator(_lower)]
    at: Time


class LabelEvent(_Model):
    """A label added to or removed from a pull request, and when (``pr_labeled`` stages)."""

    label: Text
    action: Annotated[Literal["added", "removed"], BeforeValidator(_lower)]
    at: Time


class Artifact(_Model):
    name: Text
    version: Annotated[str | None, BeforeValidator(_id_text)] = None
    direction: Annotated[Literal["input", "output"], BeforeValidator(_lower)]


class Issue(_Model):
    kind: Literal["issue"]
    key: Text
    created_at: Time
    project: Text | None = None
    type: str | None = None
    title: str | None = None
    status_changes: list[StatusChange] = Field(default_factory=list)
    fix_versions: list[Text] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    priority: Annotated[str | None, BeforeValidator(_id_text)] = None
    resolved_at: Time | None = None
    service: str | None = None
    # Who the ticket is assigned to, as the tracker names them (Jira: the account id, else
    # the e-mail address, else the Server user name): an identity of a contributor.
    assignee: str | None = None

    @model_serializer(mode="wrap")
    def _without_unset_assignee(self, handler: SerializerFunctionWrapHandler) -> Any:
        """No ``assignee`` key when there is none: an issue stored before the field existed
        keeps the same stored JSON (and digest) when it arrives again."""
        data = handler(self)
        if isinstance(data, dict) and self.assignee is None:
            data.pop("assignee", None)
        return data

    @model_validator(mode="after")
    def _default_project(self) -> Issue:
        if self.project is None:
            self.project = self.key.rsplit("-", 1)[0] if "-" in self.key else self.key
        return self

    def natural_key(self) -> tuple[str]:
        return (self.key,)


class Version(_Model):
    kind: Literal["version"]
    project: Text
    name: Text
    released_at: Time | None = None

    def natural_key(self) -> tuple[str, str]:
        return (self.project, self.name)


class Commit(_Model):
    kind: Literal["commit"]
    repo: Text
    sha: Text
    committed_at: Time
    message: str | None = None
    authored_at: Time | None = None
    author: str | None = None
    parents: list[Text] = Field(default_factory=list)
    branch: str | None = None
    # The repository-relative paths the commit changes (``scope.paths``); a merge commit
    # carries none (docs/records.md#commits).
    paths: list[Path] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _without_empty_paths(self, handler: SerializerFunctionWrapHandler) -> Any:
        """No ``paths`` key when there are none: a commit stored before the field existed
        keeps the same stored JSON (and digest) when it arrives again."""
        data = handler(self)
        if isinstance(data, dict) and not self.paths:
            data.pop("paths", None)
        return data

    def natural_key(self) -> tuple[str, str]:
        return (self.repo, self.sha)


class PullRequest(_Model):
    kind: Literal["pull_request"]
    repo: Text
    number: Annotated[int, Field(ge=0, le=MAX_NUMBER)]
    created_at: Time
    title: str | None = None
    source_branch: str | None = None
    target_branch: str | None = None
    author: str | None = None
    merged_at: Time | None = None
    closed_at: Time | None = None
    merge_commit_sha: str | None = None
    commit_shas: list[Text] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)
    # When labels were added or removed; ``labels`` is only the current set, without times.
    label_events: list[LabelEvent] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _without_empty_label_events(self, handler: SerializerFunctionWrapHandler) -> Any:
        """No ``label_events`` key when there are none: a pull request stored before the
        field existed keeps the same stored JSON (and digest) when it arrives again."""
        data = handler(self)
        if isinstance(data, dict) and not self.label_events:
            data.pop("label_events", None)
        return data

    def natural_key(self) -> tuple[str, int]:
        return (self.repo, self.number)


class PipelineRun(_Model):
    kind: Literal["pipeline_run"]
    system: Text
    pipeline: Text
    run_id: IdText
    type: Annotated[Literal["ci", "cd", "ci_cd"], BeforeValidator(_lower)]
    status: Annotated[Text, BeforeValidator(_lower)]
    finished_at: Time
    started_at: Time | None = None
    environment: str | None = None
    repo: str | None = None
    commit_sha: str | None = None
    commit_shas: list[Text] = Field(default_factory=list)
    branch: str | None = None
    service: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    artifacts: list[Artifact] = Field(default_factory=list)

    _ANY_FIELDS = ("params",)

    def natural_key(self) -> tuple[str, str, str]:
        return (self.system, self.pipeline, self.run_id)

    def all_commit_shas(self) -> list[str]:
        """``commit_sha`` and ``commit_shas`` together, first-seen order, no repeats."""
        shas = ([self.commit_sha] if self.commit_sha else []) + self.commit_shas
        return list(dict.fromkeys(shas))


class Incident(_Model):
    kind: Literal["incident"]
    source: Text
    id: IdText
    created_at: Time
    title: str | None = None
    service: str | None = None
    severity: Annotated[str | None, BeforeValidator(_id_text)] = None
    resolved_at: Time | None = None
    deployment_run_id: Annotated[str | None, BeforeValidator(_id_text)] = None
    commit_sha: str | None = None
    # The tool's own priority (P1…P5, ServiceNow's 1…5) and urgency (PagerDuty high/low,
    # ServiceNow 1…3), and when a responder first acknowledged it (docs/records.md).
    priority: Annotated[str | None, BeforeValidator(_id_text)] = None
    urgency: Annotated[str | None, BeforeValidator(_id_text)] = None
    acknowledged_at: Time | None = None

    def natural_key(self) -> tuple[str, str]:
        return (self.source, self.id)


class Event(_Model):
    kind: Literal["event"]
    component: Text
    key: Text
    event_type: Text
    event_time: EpochOrTime

    def natural_key(self) -> tuple[str, str, str, datetime]:
        return (self.component, self.key, self.event_type, self.event_time)


Record = Annotated[
    Issue | Version | Commit | PullRequest | PipelineRun | Incident | Event,
    Field(discriminator="kind"),
]
RecordModel = Issue | Version | Commit | PullRequest | PipelineRun | Incident | Event

KINDS: dict[str, type[RecordModel]] = {
    "issue": Issue,
    "version": Version,
    "commit": Commit,
    "pull_request": PullRequest,
    "pipeline_run": PipelineRun,
    "incident": Incident,
    "event": Event,
}
